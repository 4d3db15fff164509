"""Place-based hotspot forecasting (cells and admin areas, never persons). See docs/forecast.md."""

from tahqiq.forecast.types import DAY, Forecaster, Grid, Incidents

__all__ = ["DAY", "Forecaster", "Grid", "Incidents"]
