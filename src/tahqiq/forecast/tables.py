"""Stored forecasts: one row per forecast (its model, parameters, training window, grid, evaluation
and bias audit) and its ranked cells.

Both tables hold places and numbers only (cell centres, expected counts, district names), never a
person: they carry no PERSONAL_DATA mark. Reads and writes still go through the gate's view
(`tahqiq.forecast.store`), decided and audited like every other room's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import Base, utcnow

__all__ = ["ForecastCellRow", "ForecastRow"]


class ForecastRow(Base):
    """One forecast: what made it (model, parameters, training window, source), for which window and
    grid, how it scored (evaluation) and what the bias audit found."""

    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    train_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    train_to: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cell_size: Mapped[float] = mapped_column(Float)  # metres
    crs: Mapped[str] = mapped_column(String(200))
    grid: Mapped[dict] = mapped_column(JSON)  # {"x0", "y0", "nx", "ny"}
    source: Mapped[str] = mapped_column(String(200))  # the dataset or file the incidents came from
    cells: Mapped[int] = mapped_column(Integer)  # ranked cells stored (the study area)
    evaluation: Mapped[dict | None] = mapped_column(JSON)
    audit: Mapped[dict | None] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ForecastCellRow(Base):
    """One cell of a forecast's ranking: rank 1 is the highest expected count."""

    __tablename__ = "forecast_cells"
    __table_args__ = (Index("ix_forecast_cells_district", "forecast_id", "district", "rank"),)

    forecast_id: Mapped[int] = mapped_column(ForeignKey("forecasts.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    cell: Mapped[int] = mapped_column(Integer)  # j * nx + i on the forecast's grid
    lon: Mapped[float] = mapped_column(Float)  # the cell's centre
    lat: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    district: Mapped[str] = mapped_column(String(100), default="")
