"""ETAS: parameters recovered from a branching simulation, the pair search against brute force, the
forecast's integrals on a hand case, and a fit that never sees the window's own incidents."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tahqiq.forecast.etas import EtasFit, EtasModel, _pairs, etas_forecast, fit_etas, simulate_etas
from tahqiq.forecast.types import DAY, Grid, Incidents

MU, THETA, OMEGA, SIGMA, T = 2.0, 0.5, 0.1, 100.0, 1000.0
REGION = (0.0, 0.0, 10_000.0, 10_000.0)


@pytest.fixture(scope="module")
def sim() -> Incidents:
    return simulate_etas(MU, THETA, OMEGA, SIGMA, T, REGION, seed=1)


def test_the_simulation_has_the_expected_size(sim):
    # μT background incidents, each with 1/(1−θ) descendants in all (less the edges' losses)
    assert len(sim) == pytest.approx(MU * T / (1 - THETA), rel=0.1)
    assert np.all(np.diff(sim.t) >= 0) and sim.x.min() >= 0 and sim.x.max() < 10_000


def test_em_recovers_the_simulated_parameters_within_20_percent(sim):
    grid = Grid(0.0, 0.0, 500.0, 20, 20)
    fit = fit_etas(sim.x, sim.y, sim.t / DAY, grid, 0.0, T, bandwidth_m=1000.0)
    assert fit.converged
    assert fit.mu == pytest.approx(MU, rel=0.2)
    assert fit.theta == pytest.approx(THETA, rel=0.2)
    assert fit.omega == pytest.approx(OMEGA, rel=0.2)
    assert fit.sigma == pytest.approx(SIGMA, rel=0.2)
    assert fit.background.shape == (grid.cells,) and fit.background.sum() == pytest.approx(fit.mu)


def test_a_poisson_process_has_almost_no_triggering():
    sim = simulate_etas(4.0, 0.0, OMEGA, SIGMA, 500.0, REGION, seed=2)
    fit = fit_etas(sim.x, sim.y, sim.t / DAY, Grid(0.0, 0.0, 500.0, 20, 20), 0.0, 500.0, bandwidth_m=1000.0)
    assert fit.theta < 0.05 and fit.mu == pytest.approx(4.0, rel=0.1)


def test_pairs_match_brute_force():
    rng = np.random.default_rng(4)
    n = 400
    x, y = rng.uniform(0, 3000, n), rng.uniform(0, 3000, n)
    t = np.sort(rng.uniform(0, 100, n))
    t[10] = t[11]  # a tie in time is no pair
    i, j, dt, d2 = _pairs(x, y, t, 10.0, 400.0)
    got = set(zip(i.tolist(), j.tolist(), strict=True))
    want = {(a, b) for a in range(n) for b in range(a + 1, n)
            if 0 < t[b] - t[a] < 10.0 and (x[b] - x[a]) ** 2 + (y[b] - y[a]) ** 2 < 400.0**2}
    assert got == want and len(want) > 50
    assert np.allclose(dt, t[j] - t[i]) and np.all(dt > 0)


def test_forecast_integrates_background_and_triggering_by_hand():
    grid = Grid(0.0, 0.0, 100.0, 41, 41)
    bg = np.zeros(grid.cells)
    bg[0] = 2.0  # two background incidents a day in the corner cell
    fit = EtasFit(theta=0.4, omega=0.5, sigma=150.0, mu=2.0, background=bg, iterations=1, converged=True,
                  events=1, pairs=0, days=10.0)
    w = 7.0
    kappa = 0.5 * 0.6
    cascade = (w - 0.4 * (1 - math.exp(-kappa * w)) / kappa) / 0.6
    # no history: the background with its in-window offspring
    alone = etas_forecast(fit, np.zeros(0), np.zeros(0), np.zeros(0), grid, 0.0, w)
    assert alone[0] == pytest.approx(2.0 * cascade) and alone[1:].sum() == 0
    # one incident 1 day before the window, in the middle of cell (20, 20)
    out = etas_forecast(fit, np.array([2050.0]), np.array([2050.0]), np.array([-1.0]), grid, 0.0, w) - alone
    due = 0.4 * (math.exp(-0.5) - math.exp(-0.5 * 8)) * cascade / w
    assert out.sum() == pytest.approx(due, rel=1e-6)
    centre = 20 * 41 + 20
    share = math.erf(50 / (150 * math.sqrt(2))) ** 2  # the Gaussian's mass on its own 100 m cell
    assert out[centre] == pytest.approx(due * share, rel=1e-6)
    assert out[centre - 1] == pytest.approx(out[centre + 1]) and out[centre + 41] == pytest.approx(out[centre - 41])


def _world() -> Incidents:
    return simulate_etas(3.0, 0.4, 0.2, 100.0, 300.0, (0.0, 0.0, 5000.0, 5000.0), seed=5)


def test_model_ignores_the_window_is_deterministic_and_sensible():
    grid = Grid(0.0, 0.0, 250.0, 20, 20)
    data = _world()
    start, end = 280 * DAY, 294 * DAY
    train = data.between(-math.inf, start)
    a = EtasModel().fit(train, grid, start)
    pa = a.predict(grid, start, end)
    spy = Incidents(np.r_[train.x, np.full(300, 4900.0)], np.r_[train.y, np.full(300, 4900.0)],
                    np.r_[train.t, np.linspace(start, end - 1, 300)], np.zeros(len(train) + 300),
                    np.zeros(len(train) + 300))
    b = EtasModel().fit(spy, grid, start)
    assert a.params() == b.params() and np.array_equal(pa, b.predict(grid, start, end))
    assert np.array_equal(pa, EtasModel().fit(train, grid, start).predict(grid, start, end))
    assert (pa >= 0).all()
    rate = len(train.between(start - 100 * DAY, start)) / 100 * 14
    assert 0.7 * rate < pa.sum() < 1.4 * rate
    p = a.params()
    assert p["theta"] == pytest.approx(0.4, rel=0.3) and p["events"] == len(train)
