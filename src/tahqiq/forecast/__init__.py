"""Place-based hotspot forecasting: where and when incidents are likely, as grid cells or districts,
never about persons. See docs/forecast.md.

    incidents = read_incidents(path, lat="lat", lon="lon", time="date")
    result = evaluate(incidents, default_models(window_days=14), start=t0, end=t1, window_days=14)
    print(render(result))                          # ... ending "PAI1 <value> (<model>)", "PAI5 ..."
"""

from tahqiq.forecast.data import PersonLevelInput, ReadReport, read_incidents
from tahqiq.forecast.evaluate import Evaluation, evaluate, render
from tahqiq.forecast.grid import make_grid, study_area
from tahqiq.forecast.metrics import rank_cells, score_window
from tahqiq.forecast.models import BASELINE, MODEL_NAMES, default_models, model_by_name
from tahqiq.forecast.types import DAY, Forecaster, Grid, Incidents

__all__ = ["BASELINE", "DAY", "MODEL_NAMES", "Evaluation", "Forecaster", "Grid", "Incidents", "PersonLevelInput",
           "ReadReport", "default_models", "evaluate", "make_grid", "model_by_name", "rank_cells", "read_incidents",
           "render", "score_window", "study_area"]
