"""Counts, decayed counts and KDE: hand-computed rates, parameters chosen on the training period
alone (incidents at or after the window's start never reach a fit), determinism; the model list."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tahqiq.forecast.baselines import CountsModel, DecayModel, KdeModel, inner_pai, pai_at
from tahqiq.forecast.etas import simulate_etas
from tahqiq.forecast.models import BASELINE, MODEL_NAMES, default_models, model_by_name
from tahqiq.forecast.types import DAY, Grid, Incidents

GRID = Grid(0.0, 0.0, 250.0, 20, 20)
START = 400 * DAY
WINDOW = 14 * DAY


def incidents(x, y, t_days) -> Incidents:
    x, y, t = (np.asarray(a, dtype=float) for a in (x, y, t_days))
    order = np.argsort(t, kind="stable")
    z = np.zeros(t.size)
    return Incidents(x[order], y[order], t[order] * DAY, z, z.copy())


def merge(*parts: Incidents) -> Incidents:
    return incidents(*(np.concatenate([getattr(p, a) for p in parts]) / (DAY if a == "t" else 1)
                       for a in ("x", "y", "t")))


def world(seed: int = 3, days: float = 420.0) -> Incidents:
    """A 5 km square: a thin uniform background, three persistent 500 m hotspots, self-excitation."""
    parts = [simulate_etas(1.0, 0.3, 0.2, 80.0, days, (0, 0, 5000, 5000), seed=seed)]
    for k, (cx, cy) in enumerate([(1000, 1200), (3600, 800), (2500, 4000)]):
        parts.append(simulate_etas(0.8, 0.3, 0.2, 80.0, days, (cx - 250, cy - 250, cx + 250, cy + 250),
                                   seed=seed + 10 + k))
    return merge(*parts)


def with_future(train: Incidents) -> Incidents:
    """The training data plus a burst of incidents in the window itself, far from every hotspot: a
    model that looked at them would change its parameters or forecast."""
    n = 400
    rng = np.random.default_rng(0)
    spy = incidents(rng.uniform(4600, 4900, n), rng.uniform(4600, 4900, n), rng.uniform(400, 413, n))
    return merge(train, spy)


def test_counts_scale_the_last_n_days_to_the_window():
    inc = incidents([100, 100, 100, 600, 600], [100] * 5, [10, 300, 390, 399, 200])
    m = CountsModel(365).fit(inc, GRID, START)
    pred = m.predict(GRID, START, START + WINDOW)
    assert m.name == "counts-365d" and m.params() == {"days": 365}
    # cell 0: 2 incidents in the last 365 days (t >= 35), cell 2: 2; history spans 390 days > 365
    assert pred[0] == pytest.approx(2 * 14 / 365) and pred[2] == pytest.approx(2 * 14 / 365)
    assert pred.sum() == pytest.approx(4 * 14 / 365)
    short = CountsModel(28).fit(incidents([100, 100], [100, 100], [380, 395]), GRID, START)
    assert short.name == "counts-28d"
    # history shorter than 28 days (20 days): the exposure is the history's length
    assert short.predict(GRID, START, START + WINDOW)[0] == pytest.approx(2 * 14 / 20)


def test_pai_at_on_a_hand_case():
    pred = np.array([0.0, 3, 2, 1, 0, 0, 0, 0, 0, 0, 9])
    actual = np.array([1.0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 5])
    study = np.array([True] * 10 + [False])
    # top 5% of 10 cells -> 1 cell (cell 1): 2 of 8 incidents over 1/10 of the area
    assert pai_at(pred, actual, study) == pytest.approx((2 / 8) / (1 / 10))
    assert pai_at(pred, actual, study, share=0.2) == pytest.approx((2 / 8) / (2 / 10))


def test_inner_split_predicts_each_slice_from_data_before_it_only():
    train = world().between(-math.inf, START)
    seen = []

    def spy(data: Incidents, s: float, e: float) -> np.ndarray:
        seen.append((float(data.t.max()), s, e))
        return GRID.counts(data)

    assert inner_pai(spy, train, GRID, START, WINDOW) > 1.0
    assert len(seen) == 3
    for latest, s, e in seen:
        assert latest < s and e - s == WINDOW and e <= START


@pytest.mark.parametrize("make", [lambda: CountsModel(365), lambda: DecayModel(), lambda: KdeModel()])
def test_models_ignore_the_window_and_are_sensible_and_deterministic(make):
    data = world()
    train = data.between(-math.inf, START)
    a = make().fit(train, GRID, START)
    pa = a.predict(GRID, START, START + WINDOW)
    b = make().fit(with_future(train), GRID, START)  # the window's own incidents offered too
    assert a.params() == b.params()
    assert np.array_equal(pa, b.predict(GRID, START, START + WINDOW))
    assert np.array_equal(pa, make().fit(train, GRID, START).predict(GRID, START, START + WINDOW))
    assert (pa >= 0).all()
    recent_rate = len(train.between(START - 90 * DAY, START)) / 90 * 14
    assert 0.6 * recent_rate < pa.sum() < 1.5 * recent_rate
    # the forecast finds the hotspots: the top 3% of cells catch far more than 3% of the window
    actual = GRID.counts(data.between(START, START + WINDOW))
    assert pai_at(pa, actual, GRID.counts(train) > 0, share=0.03) > 4


def test_decay_half_life_follows_how_fast_the_hotspots_move():
    rng = np.random.default_rng(5)
    # three hotspots that stay put for the whole period, against three of which the oldest moves to
    # a new place every 28 days
    steady, moving = [], []
    fixed = rng.uniform(500, 4500, (3, 2))
    live = fixed.copy()
    for month in range(15):
        t = rng.uniform(month * 28, (month + 1) * 28, 60)
        k = rng.integers(0, 3, 60)
        steady.append((fixed[k, 0] + rng.normal(0, 60, 60), fixed[k, 1] + rng.normal(0, 60, 60), t))
        live[month % 3] = rng.uniform(500, 4500, 2)
        moving.append((live[k, 0] + rng.normal(0, 60, 60), live[k, 1] + rng.normal(0, 60, 60), t))
    start = 15 * 28 * DAY
    def joined(parts: list) -> Incidents:
        return incidents(*(np.concatenate(p) for p in zip(*parts, strict=True)))

    long = DecayModel(window_days=28).fit(joined(steady), GRID, start)
    short = DecayModel(window_days=28).fit(joined(moving), GRID, start)
    assert short.params()["half_life_days"] <= 30 < 120 <= long.params()["half_life_days"]


def test_kde_given_parameters_are_kept_and_smooth_in_space():
    inc = incidents([2625.0] * 10, [2625.0] * 10, np.linspace(300, 399, 10))
    m = KdeModel(bandwidth_m=250.0, half_life_days=1e6).fit(inc, GRID, START)
    pred = m.predict(GRID, START, START + WINDOW)
    centre = 10 * 20 + 10
    assert m.params()["bandwidth_m"] == 250.0 and pred.argmax() == centre
    assert pred[centre + 1] == pytest.approx(pred[centre - 1]) and 0 < pred[centre + 3] < pred[centre + 1]
    assert pred.sum() == pytest.approx(10 / 100 * 14, rel=0.02)  # 10 incidents over ~100 days


def test_model_list_and_names():
    models = default_models(14.0)
    assert [m.name for m in models] == list(MODEL_NAMES) and BASELINE in MODEL_NAMES
    assert len({id(m) for m in models}) == len(models)
    assert all(m is not n for m, n in zip(models, default_models(14.0), strict=True))
    assert model_by_name("counts-90d").name == "counts-90d"
    assert model_by_name("kde").name == "kde"
    with pytest.raises(KeyError):
        model_by_name("person-risk")
