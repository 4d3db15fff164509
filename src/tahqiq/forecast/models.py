"""The models Tahqiq runs side by side, by name: the baseline the targets are measured against
(`counts-365d`), a short-memory count, decayed counts, a KDE with time decay, ETAS and the
gradient-boosted grid. `default_models()` gives fresh, unfitted instances for one evaluation run."""

from __future__ import annotations

from collections.abc import Callable

from tahqiq.forecast.baselines import DEFAULT_WINDOW_DAYS, CountsModel, DecayModel, KdeModel
from tahqiq.forecast.etas import EtasModel
from tahqiq.forecast.gbm import GridBoostModel
from tahqiq.forecast.types import Forecaster

__all__ = ["BASELINE", "MODEL_NAMES", "default_models", "model_by_name"]

BASELINE = "counts-365d"

_FACTORIES: dict[str, Callable[[float], Forecaster]] = {
    "counts-365d": lambda w: CountsModel(365),
    "counts-28d": lambda w: CountsModel(28),
    "decay": lambda w: DecayModel(window_days=w),
    "kde": lambda w: KdeModel(window_days=w),
    "etas": lambda w: EtasModel(),
    "gbm": lambda w: GridBoostModel(window_days=w),
}
MODEL_NAMES: tuple[str, ...] = tuple(_FACTORIES)


def default_models(window_days: float = DEFAULT_WINDOW_DAYS) -> list[Forecaster]:
    """Fresh instances of every model, in `MODEL_NAMES` order. `window_days` is the forecast
    window's length: the models that choose parameters on an inner split, or learn from sliding
    windows, use it as their slice length."""
    return [f(window_days) for f in _FACTORIES.values()]


def model_by_name(name: str, window_days: float = DEFAULT_WINDOW_DAYS) -> Forecaster:
    """A fresh instance of one model; `counts-<N>d` works for any N. KeyError for an unknown name."""
    if name in _FACTORIES:
        return _FACTORIES[name](window_days)
    if name.startswith("counts-") and name.endswith("d") and name[7:-1].isdigit() and int(name[7:-1]) > 0:
        return CountsModel(int(name[7:-1]))
    raise KeyError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)} (or counts-<N>d)")
