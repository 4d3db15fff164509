"""ETAS: a self-exciting point process over places and times (Mohler et al., JASA 2011; Mohler et
al., JASA 2015). Incidents arrive from a background that varies in space but not in time, and each
incident raises the rate nearby for a while:

    λ(x, y, t) = μ(x, y) + Σ_{t_i < t} θ ω e^{−ω (t − t_i)} · N((x, y); (x_i, y_i), σ² I)

θ is the expected number of incidents each one triggers, 1/ω how long the raised rate lasts (days)
and σ how far it reaches (metres). The fit is EM by stochastic declustering: the E-step gives each
incident's probability of being background or triggered by each earlier incident; the M-step has
closed forms for θ, ω and σ, and the background is those probabilities' weighted KDE on the grid
(`baselines.kde_image`, fixed bandwidth), per day.

Pairs are never an n×n matrix: only pairs closer than a time cutoff (8/ω) and a space cutoff (5σ)
count, found by one `cKDTree.query_pairs` in (x, y, t) scaled so both cutoffs are 1 (Chebyshev
distance), then cut to the Euclidean radius. The cutoffs grow when the estimates outgrow them, up to
`MAX_TIME_CUTOFF_DAYS` and `MAX_SPACE_CUTOFF_M`: triggering is a short-range, short-lived effect;
slower or wider structure belongs to the background.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.spatial import cKDTree

from tahqiq.forecast.baselines import kde_image, training
from tahqiq.forecast.types import DAY, Grid, Incidents

__all__ = ["EtasFit", "EtasModel", "fit_etas", "simulate_etas", "etas_forecast"]

TIME_CUTOFF_OMEGAS = 8.0  # pairs closer in time than 8/ω (the kernel keeps e^-8 = 0.03% beyond)
SPACE_CUTOFF_SIGMAS = 5.0
MAX_TIME_CUTOFF_DAYS = 120.0
MAX_SPACE_CUTOFF_M = 3_000.0
THETA_MAX = 0.95  # a branching ratio below 1 keeps the process stationary
MIN_SIGMA_M = 10.0  # the triggering kernel is never narrower than geocoding is precise


@dataclass(frozen=True)
class EtasFit:
    """A fitted ETAS: `background` is expected background incidents per day in each cell; `mu` their
    sum (per day over the grid); omega per day; sigma in metres."""

    theta: float
    omega: float
    sigma: float
    mu: float
    background: np.ndarray
    iterations: int
    converged: bool
    events: int
    pairs: int
    days: float

    def params(self) -> dict[str, object]:
        return {"theta": round(self.theta, 4), "omega_per_day": round(self.omega, 4),
                "sigma_m": round(self.sigma, 1), "mu_per_day": round(self.mu, 4),
                "iterations": self.iterations, "converged": self.converged, "events": self.events,
                "pairs": self.pairs, "days": round(self.days, 1)}


def _pairs(x: np.ndarray, y: np.ndarray, t: np.ndarray, time_cut: float, space_cut: float) -> tuple[np.ndarray, ...]:
    """(i, j, dt, d²) for every pair with t_i < t_j, t_j − t_i < time_cut and distance < space_cut;
    `t` is sorted so index order is time order."""
    pts = np.column_stack([x / space_cut, y / space_cut, t / time_cut])
    ij = cKDTree(pts).query_pairs(r=1.0, p=np.inf, output_type="ndarray")
    if ij.size == 0:
        e = np.zeros(0)
        return np.zeros(0, np.int64), np.zeros(0, np.int64), e, e
    i, j = ij[:, 0].astype(np.int64), ij[:, 1].astype(np.int64)
    swap = i > j
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    dt = t[j] - t[i]
    d2 = (x[j] - x[i]) ** 2 + (y[j] - y[i]) ** 2
    keep = (dt > 0) & (dt < time_cut) & (d2 < space_cut**2)
    return i[keep], j[keep], dt[keep], d2[keep]


def fit_etas(x: np.ndarray, y: np.ndarray, t_days: np.ndarray, grid: Grid, t0: float, t1: float, *,
             bandwidth_m: float | None = None, theta: float = 0.3, omega: float = 0.2, sigma: float = 200.0,
             max_iter: int = 200, tol: float = 1e-4) -> EtasFit:
    """EM fit on incidents at (x, y) metres and sorted times `t_days` in [t0, t1) days; incidents
    outside the grid are left out. `theta`, `omega`, `sigma` are the starting values."""
    cell = grid.cell_of(x, y)
    inside = cell >= 0
    x, y, t, cell = x[inside], y[inside], np.asarray(t_days, dtype=np.float64)[inside], cell[inside]
    n, days = int(t.size), max(t1 - t0, 1e-9)
    bw = grid.cell if bandwidth_m is None else bandwidth_m
    area = grid.cell**2
    if n == 0:
        return EtasFit(0.0, omega, sigma, 0.0, np.zeros(grid.cells), 0, True, 0, 0, days)

    def background(weights: np.ndarray) -> np.ndarray:
        return kde_image(np.bincount(cell, weights=weights, minlength=grid.cells), grid, bw) / days

    bg = background(np.full(n, 1.0 - theta))
    time_cut = min(TIME_CUTOFF_OMEGAS / omega, MAX_TIME_CUTOFF_DAYS)
    space_cut = min(SPACE_CUTOFF_SIGMAS * sigma, MAX_SPACE_CUTOFF_M)
    i, j, dt, d2 = _pairs(x, y, t, time_cut, space_cut)
    converged, iterations = False, 0
    while iterations < max_iter:
        iterations += 1
        mu_j = np.maximum(bg[cell] / area, 1e-300)  # background density per m² per day
        g = theta * omega * np.exp(-omega * dt - d2 / (2 * sigma**2)) / (2 * math.pi * sigma**2)
        denom = mu_j + np.bincount(j, weights=g, minlength=n)
        p = g / denom[j]
        p_bg = mu_j / denom
        s = float(p.sum())
        if s <= 1e-12:  # no triggering left: a pure background (Poisson) process
            theta, bg = 0.0, background(p_bg)
            converged = True
            break
        exposure = float(np.sum(-np.expm1(-omega * (t1 - t))))
        new_theta = min(s / exposure, THETA_MAX)
        # ω's score equation keeps the offspring the end of the period cut off (the edge term)
        left = t1 - t
        edge = theta * float(np.sum(left * np.exp(-omega * left)))
        new_omega = max(s / (float(np.sum(p * dt)) + edge), TIME_CUTOFF_OMEGAS / MAX_TIME_CUTOFF_DAYS)
        # Geocoded incidents often share exact coordinates (a station's address, a snapped street
        # point): without a floor the spatial kernel collapses to a point and sigma to zero.
        spread = math.sqrt(float(np.sum(p * d2)) / (2 * s)) if s > 0 else sigma
        new_sigma = min(max(spread, MIN_SIGMA_M), MAX_SPACE_CUTOFF_M / SPACE_CUTOFF_SIGMAS)
        bg = background(p_bg)
        change = max(abs(new_theta - theta) / max(theta, 1e-9), abs(new_omega - omega) / omega,
                     abs(new_sigma - sigma) / sigma)
        theta, omega, sigma = new_theta, new_omega, new_sigma
        want_t = min(TIME_CUTOFF_OMEGAS / omega, MAX_TIME_CUTOFF_DAYS)
        want_s = min(SPACE_CUTOFF_SIGMAS * sigma, MAX_SPACE_CUTOFF_M)
        if want_t > time_cut * 1.001 or want_s > space_cut * 1.001:  # the kernel outgrew the pairs
            time_cut, space_cut = max(time_cut, min(want_t * 1.5, MAX_TIME_CUTOFF_DAYS)), \
                max(space_cut, min(want_s * 1.5, MAX_SPACE_CUTOFF_M))
            i, j, dt, d2 = _pairs(x, y, t, time_cut, space_cut)
            continue
        if change < tol:
            converged = True
            break
    return EtasFit(theta, omega, sigma, float(bg.sum()), bg, iterations, converged, n, int(i.size), days)


def etas_forecast(fit: EtasFit, x: np.ndarray, y: np.ndarray, t_days: np.ndarray, grid: Grid,
                  s: float, e: float) -> np.ndarray:
    """Expected incidents per cell in [s, e) days given the history (x, y, t_days < s): background
    over the window, plus the triggering still due from the history (closed form in time, erf over
    each cell in space); both are scaled up for the offspring their incidents trigger inside the
    window (exact for the background of a process started at s, the same mean factor for the rest)."""
    w = e - s
    theta, omega, sigma = fit.theta, fit.omega, fit.sigma
    kappa = omega * (1.0 - theta)  # a Hawkes process started at s: rate μ/(1−θ)·(1 − θ e^{−κ(t−s)})
    cascade = (w - theta * -math.expm1(-kappa * w) / kappa) / (1.0 - theta) if kappa > 0 else w
    out = fit.background * cascade
    if theta <= 0 or t_days.size == 0:
        return out
    due = np.zeros(grid.cells)
    mass = theta * (np.exp(-omega * (s - t_days)) - np.exp(-omega * (e - t_days)))
    live = mass > 1e-9
    mx, my, mm = x[live], y[live], mass[live]
    r = int(math.ceil(SPACE_CUTOFF_SIGMAS * sigma / grid.cell))
    offs = np.arange(-r, r + 1)
    step = max(1, 4_000_000 // (offs.size**2))
    scale = sigma * math.sqrt(2.0)
    for a in range(0, mm.size, step):
        bx, by, bm = mx[a:a + step], my[a:a + step], mm[a:a + step]
        ci = np.floor((bx - grid.x0) / grid.cell).astype(np.int64)[:, None] + offs  # columns near each event
        cj = np.floor((by - grid.y0) / grid.cell).astype(np.int64)[:, None] + offs
        fx = np.diff(special.erf((grid.x0 + np.concatenate([ci, ci[:, -1:] + 1], axis=1) * grid.cell
                                  - bx[:, None]) / scale), axis=1) / 2
        fy = np.diff(special.erf((grid.y0 + np.concatenate([cj, cj[:, -1:] + 1], axis=1) * grid.cell
                                  - by[:, None]) / scale), axis=1) / 2
        vals = bm[:, None, None] * fy[:, :, None] * fx[:, None, :]
        ii = np.broadcast_to(ci[:, None, :], vals.shape)
        jj = np.broadcast_to(cj[:, :, None], vals.shape)
        ok = (ii >= 0) & (ii < grid.nx) & (jj >= 0) & (jj < grid.ny)
        due += np.bincount((jj * grid.nx + ii)[ok], weights=vals[ok], minlength=grid.cells)
    return out + due * (cascade / w)  # what the history triggers in the window triggers more in turn


def simulate_etas(mu: float, theta: float, omega: float, sigma: float, T: float,
                  region: tuple[float, float, float, float], seed: int = 0) -> Incidents:
    """A branching simulation: background incidents at `mu` per day uniform over `region` (x0, y0,
    x1, y1 metres) in [0, T) days; each incident has Poisson(θ) offspring, Exp(ω) days later and
    N(0, σ²) metres away, recursively. Incidents outside the region or after T are dropped (their
    offspring are not simulated). Times come back in seconds from 0."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = region
    n = rng.poisson(mu * T)
    gen = [rng.uniform(x0, x1, n), rng.uniform(y0, y1, n), rng.uniform(0.0, T, n)]
    xs, ys, ts = [gen[0]], [gen[1]], [gen[2]]
    while gen[0].size:
        k = rng.poisson(theta, gen[0].size)
        px, py, pt = (np.repeat(a, k) for a in gen)
        cx = px + rng.normal(0.0, sigma, px.size)
        cy = py + rng.normal(0.0, sigma, py.size)
        ct = pt + rng.exponential(1.0 / omega, pt.size)
        keep = (ct < T) & (cx >= x0) & (cx < x1) & (cy >= y0) & (cy < y1)
        gen = [cx[keep], cy[keep], ct[keep]]
        xs.append(gen[0])
        ys.append(gen[1])
        ts.append(gen[2])
    x, y, t = np.concatenate(xs), np.concatenate(ys), np.concatenate(ts)
    order = np.argsort(t, kind="stable")
    zeros = np.zeros(t.size)
    return Incidents(x[order], y[order], t[order] * DAY, zeros, zeros.copy())


class EtasModel:
    """ETAS as a forecaster: fitted by EM on the training incidents, it predicts background plus the
    triggering still due from the training incidents over the window. Its parameters come from the
    EM fit on training data; the background bandwidth is fixed (default: one cell)."""

    name = "etas"

    def __init__(self, bandwidth_m: float | None = None, max_iter: int = 200, tol: float = 1e-4) -> None:
        self.bandwidth_m = bandwidth_m
        self.max_iter = max_iter
        self.tol = tol
        self._fit: EtasFit | None = None
        self._train: Incidents | None = None
        self._start = 0.0

    def fit(self, train: Incidents, grid: Grid, start: float) -> EtasModel:
        train = training(train, start)
        self._train, self._start = train, start
        t0 = float(train.t[0]) if len(train) else start
        self._fit = fit_etas(train.x, train.y, (train.t - start) / DAY, grid, (t0 - start) / DAY, 0.0,
                             bandwidth_m=self.bandwidth_m, max_iter=self.max_iter, tol=self.tol)
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        if self._fit is None or self._train is None:
            raise RuntimeError("fit the model before predicting")
        tr = self._train
        return etas_forecast(self._fit, tr.x, tr.y, (tr.t - self._start) / DAY, grid,
                             (start - self._start) / DAY, (end - self._start) / DAY)

    def params(self) -> dict[str, object]:
        out: dict[str, object] = {"bandwidth_m": self.bandwidth_m}
        if self._fit is not None:
            out.update(self._fit.params())
        return out
