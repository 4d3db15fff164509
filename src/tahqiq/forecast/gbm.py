"""A gradient-boosted grid model: LightGBM (Poisson objective) over each cell's recent history.

Features of a cell at an anchor time a, from incidents before a only: its counts in the last 1, 2,
4, 8, 13, 26 and 52 window-lengths and over all history, the same sums over its 3×3 and 5×5
neighbourhoods (`scipy.ndimage.correlate`, linear so it is applied once to cumulative counts),
and two exponentially decayed counts. The target is the cell's count in the window [a, a + window).

Training examples slide the anchor back over the training period one window-length at a time
(`anchors` of them), so the model learns how history predicts the next window without ever seeing
the forecast window. Cells with no history at all (every feature zero) are subsampled, and beyond
`max_rows` so are the examples whose window had no incident; both are weighted back up by their
sampling rate, so the Poisson loss stays unbiased. The fit is deterministic: fixed seed, one thread.
"""

from __future__ import annotations

import math

import lightgbm as lgb
import numpy as np
from scipy import ndimage

from tahqiq.forecast.baselines import DEFAULT_WINDOW_DAYS, decayed_counts, training
from tahqiq.forecast.types import DAY, Grid, Incidents

__all__ = ["CellHistory", "GridBoostModel", "LAGS", "FEATURES"]

LAGS: tuple[int, ...] = (1, 2, 4, 8, 13, 26, 52)  # in window-lengths
DECAY_WINDOWS: tuple[float, ...] = (2.0, 26.0)  # half-lives of the decayed counts, in window-lengths
RINGS: tuple[str, ...] = ("cell", "n3", "n5")  # the cell, its 3×3 and its 5×5 neighbourhood
FEATURES: tuple[str, ...] = tuple(
    [f"{ring}_{lag}" for ring in RINGS for lag in [f"{n}w" for n in LAGS] + ["all"]]
    + [f"decay_{int(h)}w" for h in DECAY_WINDOWS])


class CellHistory:
    """Counts per cell by window-length before `start`: bucket b holds the incidents in
    [start − (b+1)·w, start − b·w), the last bucket all older ones. `features(m)` describes every
    cell at anchor start − m·w from the buckets at or beyond m alone (incidents before the anchor);
    `target(m)` is bucket m − 1, the window that follows the anchor."""

    def __init__(self, train: Incidents, grid: Grid, start: float, w: float, anchors: int) -> None:
        self.train, self.grid, self.start, self.w = train, grid, start, w
        nb = anchors + max(LAGS) + 1
        c = grid.cell_of(train.x, train.y)
        b = np.minimum(((start - train.t) // w).astype(np.int64), nb - 1)
        ok = c >= 0
        self.buckets = np.bincount(b[ok] * grid.cells + c[ok], minlength=nb * grid.cells).reshape(nb, grid.cells)
        cum = np.zeros((nb + 1, grid.cells))
        cum[1:] = np.cumsum(self.buckets, axis=0)  # cum[k]: counts in the k window-lengths before start
        # the 3×3 and 5×5 sums are linear, so they are taken once on the cumulative counts
        self.rings = {"cell": cum}
        for name, size in (("n3", 3), ("n5", 5)):
            img = cum.reshape(nb + 1, grid.ny, grid.nx)
            self.rings[name] = ndimage.correlate(img, np.ones((1, size, size)), mode="constant").reshape(
                nb + 1, grid.cells)  # sums of whole counts: exact in float64

    def features(self, m: int) -> np.ndarray:
        """cells × FEATURES at anchor m: the `lag` windows before it hold rings[m + lag] − rings[m]."""
        cols = []
        for ring in RINGS:  # in FEATURES' order
            c = self.rings[ring]
            top = c.shape[0] - 1
            for lag in LAGS:
                cols.append(c[min(m + lag, top)] - c[m])
            cols.append(c[top] - c[m])
        anchor = self.start - m * self.w
        before = self.train.between(-math.inf, anchor)
        for h in DECAY_WINDOWS:
            cols.append(decayed_counts(before, self.grid, anchor, h * self.w)[0])
        return np.column_stack(cols)

    def target(self, m: int) -> np.ndarray:
        return self.buckets[m - 1].astype(np.float64)


class GridBoostModel:
    """LightGBM over lagged and neighbourhood counts per cell (`FEATURES`), trained by sliding the
    window back over the training period. Falls back to decayed counts when the training period is
    shorter than two window-lengths."""

    name = "gbm"

    def __init__(self, window_days: float = DEFAULT_WINDOW_DAYS, anchors: int = 20, trees: int = 200,
                 learning_rate: float = 0.05, num_leaves: int = 31, zero_share: float = 0.05,
                 max_rows: int = 100_000, seed: int = 7) -> None:
        self.window_days = window_days
        self.anchors = anchors
        self.trees = trees
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.zero_share = zero_share
        self.max_rows = max_rows
        self.seed = seed
        self._pred = np.zeros(0)
        self._used_anchors = 0
        self._rows = 0

    def fit(self, train: Incidents, grid: Grid, start: float) -> GridBoostModel:
        train = training(train, start)
        w = self.window_days * DAY
        span = start - float(train.t[0]) if len(train) else 0.0
        usable = int(min(self.anchors, span // w - 1))  # each anchor needs a window of history
        self._used_anchors = max(usable, 0)
        if usable < 1:
            rate, exposure = decayed_counts(train, grid, start, 26 * w)
            self._pred = rate / exposure * w if exposure > 0 else rate
            self._rows = 0
            return self
        history = CellHistory(train, grid, start, w, usable)
        rng = np.random.default_rng(self.seed)
        xs, ys, ws = [], [], []
        for m in range(1, usable + 1):
            feats = history.features(m)
            seen: np.ndarray = np.any(feats != 0, axis=1)
            keep = seen | (rng.random(grid.cells) < self.zero_share)
            xs.append(feats[keep])
            ys.append(history.target(m)[keep])
            ws.append(np.where(seen[keep], 1.0, 1.0 / self.zero_share))
        X, y, wt = np.vstack(xs).astype(np.float32), np.concatenate(ys), np.concatenate(ws)
        zero = y == 0
        room = self.max_rows - int((~zero).sum())
        if zero.sum() > max(room, 0):  # keep every row with incidents, a weighted sample of the others
            p = max(room, self.max_rows // 10) / zero.sum()
            keep = ~zero | (rng.random(y.size) < p)
            wt = np.where(zero, wt / p, wt)
            X, y, wt = X[keep], y[keep], wt[keep]
        self._rows = int(y.size)
        params = {"objective": "poisson", "learning_rate": self.learning_rate, "num_leaves": self.num_leaves,
                  "min_data_in_leaf": 50, "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1,
                  "lambda_l2": 1.0, "num_threads": 1, "seed": self.seed, "deterministic": True,
                  "max_bin": 63, "force_col_wise": True, "verbose": -1}
        booster = lgb.train(params, lgb.Dataset(X, y, weight=wt, feature_name=list(FEATURES)),
                            num_boost_round=self.trees)
        self._pred = np.clip(booster.predict(history.features(0)), 0.0, None)
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        """The next window's expected counts, scaled when [start, end) is not one window-length."""
        return self._pred * ((end - start) / (self.window_days * DAY))

    def params(self) -> dict[str, object]:
        return {"window_days": self.window_days, "anchors": self._used_anchors, "trees": self.trees,
                "learning_rate": self.learning_rate, "num_leaves": self.num_leaves, "rows": self._rows,
                "seed": self.seed}
