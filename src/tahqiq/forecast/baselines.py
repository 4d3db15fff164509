"""The simple models every other model must beat: counts over the last N days, exponentially decayed
counts, and a kernel density estimate with time decay.

Each is fitted on training incidents only. A model given incidents at or after `start` drops them
(`training`), so no window's own events can reach its fit. Where a model has a free parameter (a
half-life, a bandwidth), it is chosen on the training period alone by an inner split (`inner_pai`):
fit on the training data before the last few window-lengths of training, score the hit share of the
top 5% of cells on each of those slices, and keep the best value of a small grid.

The KDE is computed on the grid, never pairwise: time-decayed weights are summed per cell and the
image is smoothed with a separable Gaussian filter (`scipy.ndimage.gaussian_filter`), so a fit costs
O(incidents + cells) whatever the bandwidth.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
from scipy import ndimage

from tahqiq.forecast.types import DAY, Grid, Incidents

__all__ = ["CountsModel", "DecayModel", "KdeModel", "DEFAULT_WINDOW_DAYS", "training", "decayed_counts",
           "pai_at", "inner_pai", "kde_image"]

DEFAULT_WINDOW_DAYS = 14.0
HALF_LIVES_DAYS: tuple[float, ...] = (960.0, 480.0, 240.0, 120.0, 60.0, 30.0, 14.0, 7.0)
KDE_HALF_LIVES_DAYS: tuple[float, ...] = (1920.0, 480.0, 120.0, 30.0)
KDE_BANDWIDTHS_CELLS: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
INNER_SLICES = 3  # the last window-lengths of training that score a parameter's choice
SHARE = 0.05  # the area share the inner split scores (PAI at 5%)


def training(train: Incidents, start: float) -> Incidents:
    """The incidents strictly before `start`: a model never sees its window's own events."""
    return train.between(-math.inf, start)


def decayed_counts(train: Incidents, grid: Grid, at: float, half_life_s: float) -> tuple[np.ndarray, float]:
    """(weights per cell, seconds of exposure): each incident before `at` weighs 2^-(age / half-life);
    the exposure is the integral of that weight over the training span, so weights / exposure is a
    rate per second per cell."""
    if len(train) == 0:
        return np.zeros(grid.cells), 0.0
    rate = math.log(2.0) / half_life_s
    w = np.exp(-rate * (at - train.t))
    c = grid.cell_of(train.x, train.y)
    inside = c >= 0
    weights = np.bincount(c[inside], weights=w[inside], minlength=grid.cells)
    span = max(at - float(train.t[0]), DAY)
    exposure = -math.expm1(-rate * span) / rate
    return weights, exposure


def pai_at(pred: np.ndarray, actual: np.ndarray, study: np.ndarray, share: float = SHARE) -> float:
    """PAI of the top `share` of the study cells by prediction (ties by cell number): the share of the
    window's incidents that fall in them, over the share of area they cover."""
    total = float(actual.sum())
    cells = np.flatnonzero(study)
    if total <= 0 or cells.size == 0:
        return 0.0
    k = max(1, int(round(share * cells.size)))
    order = np.argsort(-pred[cells], kind="stable")[:k]
    return float(actual[cells[order]].sum()) / total / (k / cells.size)


def inner_pai(predictor: Callable[[Incidents, float, float], np.ndarray], train: Incidents, grid: Grid,
              start: float, window_s: float, slices: int = INNER_SLICES) -> float:
    """Mean PAI at 5% of `predictor(fit_data, s, e)` over the last `slices` window-lengths of the
    training period, each predicted from the training data before it (study area: cells with an
    incident before the slice). 0 where no slice has data."""
    scores = []
    for k in range(1, slices + 1):
        s = start - k * window_s
        before = train.between(-math.inf, s)
        inside = train.between(s, s + window_s)
        if len(before) == 0 or len(inside) == 0:
            continue
        scores.append(pai_at(predictor(before, s, s + window_s), grid.counts(inside), grid.counts(before) > 0))
    return float(np.mean(scores)) if scores else 0.0


def _choose(candidates: Sequence[tuple[float, ...]], score: Callable[[tuple[float, ...]], float]) -> tuple[float, ...]:
    """The best-scoring candidate; a tie keeps the earlier one (the grids list the longest memory
    first: when the training period cannot tell, the steadier forecast wins)."""
    best, best_score = candidates[0], -math.inf
    for c in candidates:
        s = score(c)
        if s > best_score + 1e-12:
            best, best_score = c, s
    return best


class CountsModel:
    """Incidents in each cell over the last `days` days, scaled to the window's length: the baseline
    (`counts-365d`) that the issue's target is measured against."""

    def __init__(self, days: int = 365) -> None:
        self.days = int(days)
        self.name = f"counts-{self.days}d"
        self._rate = np.zeros(0)

    def fit(self, train: Incidents, grid: Grid, start: float) -> CountsModel:
        train = training(train, start)
        recent = train.between(start - self.days * DAY, start)
        span = self.days * DAY
        if len(train):  # a shorter history than N days is a shorter exposure
            span = min(span, max(start - float(train.t[0]), DAY))
        self._rate = grid.counts(recent) / span
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        return self._rate * (end - start)

    def params(self) -> dict[str, object]:
        return {"days": self.days}


class DecayModel:
    """Exponentially decayed counts per cell: each incident weighs 2^-(age / half-life). The
    half-life is chosen on the training period (`HALF_LIVES_DAYS`) unless given."""

    name = "decay"

    def __init__(self, half_life_days: float | None = None, window_days: float = DEFAULT_WINDOW_DAYS) -> None:
        self.half_life_days = half_life_days
        self.window_days = window_days
        self._chosen = half_life_days
        self._rate = np.zeros(0)

    @staticmethod
    def _predictor(grid: Grid, half_life_days: float) -> Callable[[Incidents, float, float], np.ndarray]:
        def predict(data: Incidents, s: float, e: float) -> np.ndarray:
            w, exposure = decayed_counts(data, grid, s, half_life_days * DAY)
            return w / exposure * (e - s) if exposure > 0 else w
        return predict

    def fit(self, train: Incidents, grid: Grid, start: float) -> DecayModel:
        train = training(train, start)
        window_s = self.window_days * DAY
        hl = self.half_life_days
        if hl is None:
            hl = _choose([(h,) for h in HALF_LIVES_DAYS],
                         lambda c: inner_pai(self._predictor(grid, c[0]), train, grid, start, window_s))[0]
        self._chosen = hl
        w, exposure = decayed_counts(train, grid, start, hl * DAY)
        self._rate = w / exposure if exposure > 0 else w
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        return self._rate * (end - start)

    def params(self) -> dict[str, object]:
        return {"half_life_days": self._chosen, "window_days": self.window_days}


def kde_image(weights: np.ndarray, grid: Grid, bandwidth_m: float) -> np.ndarray:
    """Cell weights smoothed by a Gaussian of `bandwidth_m` (a separable filter on the grid image,
    reflected at the grid's edges so no mass is lost there)."""
    img = weights.reshape(grid.ny, grid.nx)
    out = ndimage.gaussian_filter(img, sigma=bandwidth_m / grid.cell, mode="reflect", truncate=4.0)
    return np.clip(out.ravel(), 0.0, None)


class KdeModel:
    """A Gaussian kernel density over cells with time decay: decayed counts per cell smoothed in
    space. Bandwidth and half-life are chosen together on the training period unless given."""

    name = "kde"

    def __init__(self, bandwidth_m: float | None = None, half_life_days: float | None = None,
                 window_days: float = DEFAULT_WINDOW_DAYS) -> None:
        self.bandwidth_m = bandwidth_m
        self.half_life_days = half_life_days
        self.window_days = window_days
        self._chosen: tuple[float | None, float | None] = (bandwidth_m, half_life_days)
        self._rate = np.zeros(0)

    @staticmethod
    def _predictor(grid: Grid, bandwidth_m: float,
                   half_life_days: float) -> Callable[[Incidents, float, float], np.ndarray]:
        def predict(data: Incidents, s: float, e: float) -> np.ndarray:
            w, exposure = decayed_counts(data, grid, s, half_life_days * DAY)
            img = kde_image(w, grid, bandwidth_m)
            return img / exposure * (e - s) if exposure > 0 else img
        return predict

    def fit(self, train: Incidents, grid: Grid, start: float) -> KdeModel:
        train = training(train, start)
        window_s = self.window_days * DAY
        bws = [self.bandwidth_m] if self.bandwidth_m is not None else [b * grid.cell for b in KDE_BANDWIDTHS_CELLS]
        hls = [self.half_life_days] if self.half_life_days is not None else list(KDE_HALF_LIVES_DAYS)
        bw, hl = bws[0], hls[0]
        if len(bws) * len(hls) > 1:
            bw, hl = _choose([(b, h) for b in bws for h in hls],
                             lambda c: inner_pai(self._predictor(grid, c[0], c[1]), train, grid, start, window_s))
        self._chosen = (bw, hl)
        self._rate = self._predictor(grid, bw, hl)(train, start, start + 1.0)
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        return self._rate * (end - start)

    def params(self) -> dict[str, object]:
        return {"bandwidth_m": self._chosen[0], "half_life_days": self._chosen[1], "window_days": self.window_days}
