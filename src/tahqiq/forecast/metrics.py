"""Hit rate, PAI and PEI* of one forecast window.

Ranking: study-area cells are ranked by the forecast (expected count), highest first. Cells tied at
any value, and so at the cut-off, are ordered by a secondary expected value the caller gives (e.g.
the long-run mean count of each cell over the training period), highest first, then by cell number
(lowest first): the ranking is deterministic and never rewards a model for a flat forecast by luck.
The top k = ceil(p x study cells) cells are flagged for each p in `SHARES`.

* hit rate = observed incidents in flagged cells / observed incidents in the study area;
* PAI (predictive accuracy index, Chainey et al. 2008) = hit rate / area share, area share = k / study cells;
* PEI* (Hunt 2016) = observed in flagged cells / the most observed in any k study cells: 1 is the
  best any forecast of that area could have done in that window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["SHARES", "Scores", "rank_cells", "score_window"]

SHARES: tuple[float, ...] = (0.01, 0.02, 0.05, 0.10)


@dataclass(frozen=True)
class Scores:
    """One window's metrics at each area share p (keys of the dicts); NaN where nothing was observed.
    `hits`, `observed` and `best` are the counts behind them (for pooling over windows)."""

    k: dict[float, int]
    hit_rate: dict[float, float]
    pai: dict[float, float]
    pei: dict[float, float]
    hits: dict[float, float]
    best: dict[float, float]
    observed: float
    study_cells: int


def rank_cells(forecast: np.ndarray, study: np.ndarray, secondary: np.ndarray | None = None) -> np.ndarray:
    """The study-area cell numbers, best first: by forecast, then `secondary`, then cell number."""
    cells = np.flatnonzero(study)
    f = np.asarray(forecast, dtype=float)[cells]
    if np.isnan(f).any():
        raise ValueError("the forecast has NaN values")
    s = np.zeros_like(f) if secondary is None else np.asarray(secondary, dtype=float)[cells]
    order = np.lexsort((cells, -s, -f))  # last key is the primary one
    return cells[order]


def score_window(forecast: np.ndarray, study: np.ndarray, observed: np.ndarray, *, secondary: np.ndarray | None = None,
                 shares: tuple[float, ...] = SHARES) -> Scores:
    """Score one window's forecast against the incidents observed in it (counts per cell)."""
    study = np.asarray(study, dtype=bool)
    obs = np.asarray(observed, dtype=float)
    if not (len(forecast) == len(study) == len(obs)):
        raise ValueError("forecast, study area and observed counts must have one value per cell")
    n = int(study.sum())
    if n == 0:
        raise ValueError("the study area is empty (no incidents before the evaluation period)")
    ranked = rank_cells(forecast, study, secondary)
    in_study = obs[ranked]
    total = float(in_study.sum())
    top_obs = np.sort(in_study)[::-1]
    cum_ranked, cum_best = np.cumsum(in_study), np.cumsum(top_obs)
    ks, hr, pai, pei, hits, best = {}, {}, {}, {}, {}, {}
    for p in shares:
        k = max(1, min(n, math.ceil(round(p * n, 9))))
        ks[p], hits[p], best[p] = k, float(cum_ranked[k - 1]), float(cum_best[k - 1])
        if total > 0:
            hr[p] = hits[p] / total
            pai[p] = hr[p] / (k / n)
            pei[p] = hits[p] / best[p]
        else:
            hr[p] = pai[p] = pei[p] = float("nan")
    return Scores(ks, hr, pai, pei, hits, best, total, n)
