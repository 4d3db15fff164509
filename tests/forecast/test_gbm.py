"""The gradient-boosted grid model: features from before each anchor only, a fit that never sees the
window's own incidents, determinism, sensible totals, and the fallback on a short history."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tahqiq.forecast.baselines import pai_at
from tahqiq.forecast.etas import simulate_etas
from tahqiq.forecast.gbm import FEATURES, CellHistory, GridBoostModel
from tahqiq.forecast.types import DAY, Grid, Incidents

GRID = Grid(0.0, 0.0, 250.0, 20, 20)
START = 400 * DAY
WINDOW = 14 * DAY


def _merge(*parts: Incidents) -> Incidents:
    x, y, t = (np.concatenate([getattr(p, a) for p in parts]) for a in ("x", "y", "t"))
    order = np.argsort(t, kind="stable")
    z = np.zeros(t.size)
    return Incidents(x[order], y[order], t[order], z, z.copy())


@pytest.fixture(scope="module")
def data() -> Incidents:
    parts = [simulate_etas(1.0, 0.3, 0.2, 80.0, 420.0, (0, 0, 5000, 5000), seed=3)]
    for k, (cx, cy) in enumerate([(1000, 1200), (3600, 800), (2500, 4000)]):
        parts.append(simulate_etas(0.8, 0.3, 0.2, 80.0, 420.0, (cx - 250, cy - 250, cx + 250, cy + 250),
                                   seed=13 + k))
    return _merge(*parts)


def test_fit_ignores_the_window_is_deterministic_and_finds_the_hotspots(data):
    train = data.between(-math.inf, START)
    a = GridBoostModel().fit(train, GRID, START)
    pa = a.predict(GRID, START, START + WINDOW)
    n = 300
    spy = _merge(train, Incidents(np.full(n, 4800.0), np.full(n, 4800.0), np.linspace(START, START + WINDOW - 1, n),
                                  np.zeros(n), np.zeros(n)))
    b = GridBoostModel().fit(spy, GRID, START)
    assert a.params() == b.params() and np.array_equal(pa, b.predict(GRID, START, START + WINDOW))
    assert np.array_equal(pa, GridBoostModel().fit(train, GRID, START).predict(GRID, START, START + WINDOW))
    assert (pa >= 0).all() and a.params()["anchors"] == 20
    rate = len(train.between(START - 90 * DAY, START)) / 90 * 14
    assert 0.6 * rate < pa.sum() < 1.5 * rate
    actual = GRID.counts(data.between(START, START + WINDOW))
    assert pai_at(pa, actual, GRID.counts(train) > 0, share=0.03) > 4
    # a window twice as long is twice the count
    assert np.allclose(a.predict(GRID, START, START + 2 * WINDOW), 2 * pa)


def test_features_come_from_before_the_anchor_only(data):
    train = data.between(-math.inf, START)
    full = CellHistory(train, GRID, START, WINDOW, 20)
    for m in (1, 2, 7, 20):
        anchor = START - m * WINDOW
        # the same history with everything at or after the anchor removed: the anchor's features
        # must not change, and its target is the window that follows the anchor
        cut = CellHistory(train.between(-math.inf, anchor), GRID, START, WINDOW, 20)
        assert np.array_equal(full.features(m), cut.features(m))
        assert not np.array_equal(full.features(m - 1), cut.features(m - 1))
        assert np.array_equal(full.target(m), GRID.counts(train.between(anchor, anchor + WINDOW)))
    x = full.features(1)
    assert x.shape == (GRID.cells, len(FEATURES)) == (400, 3 * 8 + 2)
    one = GRID.counts(train.between(START - 2 * WINDOW, START - WINDOW))
    assert np.array_equal(x[:, FEATURES.index("cell_1w")], one)
    padded = np.pad(one.reshape(20, 20), 2)
    n3 = sum(padded[2 + dj:22 + dj, 2 + di:22 + di] for dj in (-1, 0, 1) for di in (-1, 0, 1))
    n5 = sum(padded[2 + dj:22 + dj, 2 + di:22 + di] for dj in range(-2, 3) for di in range(-2, 3))
    assert np.allclose(x[:, FEATURES.index("n3_1w")], n3.ravel())
    assert np.allclose(x[:, FEATURES.index("n5_1w")], n5.ravel())


def test_short_history_falls_back_to_decayed_counts():
    t = np.linspace(390, 399, 20) * DAY
    inc = Incidents(np.full(20, 100.0), np.full(20, 100.0), t, np.zeros(20), np.zeros(20))
    m = GridBoostModel().fit(inc, GRID, START)
    pred = m.predict(GRID, START, START + WINDOW)
    assert m.params()["anchors"] == 0 and pred.argmax() == 0 and pred[1:].sum() == 0 and pred[0] > 0
