"""ETAS at scale: EM fit time on ~50k simulated incidents (target < 60 s on one core) and the
recovered parameters against the true ones; with --models, fit + predict time of every default
model on a ~20k-cell grid.

    .venv/bin/python bench/bench_etas.py                      # 50k events, 35 km square, 2 years
    .venv/bin/python bench/bench_etas.py --events 20000 --models

The incidents come from `simulate_etas` (branching: uniform background, Poisson(θ) offspring,
Exp(ω) delays, Gaussian displacements). For --models, half of the background is put in a few
hotspots (separate simulations over small squares merged in time), so the models have structure to
find. Run with one thread for the libraries (OMP_NUM_THREADS=1 is set below); wall time depends on
the machine's load, printed beside it.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from tahqiq.forecast.etas import fit_etas, simulate_etas  # noqa: E402
from tahqiq.forecast.models import default_models  # noqa: E402
from tahqiq.forecast.types import DAY, Grid, Incidents  # noqa: E402


def _merge(parts: list[Incidents]) -> Incidents:
    x, y, t = (np.concatenate([getattr(p, a) for p in parts]) for a in ("x", "y", "t"))
    order = np.argsort(t, kind="stable")
    z = np.zeros(t.size)
    return Incidents(x[order], y[order], t[order], z, z.copy())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--days", type=float, default=730.0)
    ap.add_argument("--side", type=float, default=35_000.0, help="side of the square region, metres")
    ap.add_argument("--cell", type=float, default=250.0)
    ap.add_argument("--theta", type=float, default=0.5)
    ap.add_argument("--omega", type=float, default=0.1, help="per day")
    ap.add_argument("--sigma", type=float, default=100.0, help="metres")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", action="store_true", help="also time every default model")
    a = ap.parse_args()
    mu = a.events * (1 - a.theta) / a.days
    region = (0.0, 0.0, a.side, a.side)
    n = int(a.side // a.cell)
    grid = Grid(0.0, 0.0, a.cell, n, n)
    inc = simulate_etas(mu, a.theta, a.omega, a.sigma, a.days, region, seed=a.seed)
    print(f"{len(inc)} events, {a.days:g} days, {grid.cells} cells of {a.cell:g} m")
    t0 = time.perf_counter()
    fit = fit_etas(inc.x, inc.y, inc.t / DAY, grid, 0.0, a.days)
    secs = time.perf_counter() - t0
    print(f"ETAS fit: {secs:.2f} s ({fit.iterations} iterations, {fit.pairs} pairs, converged {fit.converged}); "
          f"load {os.getloadavg()[0]:.2f}")
    for name, true, got in (("mu/day", mu, fit.mu), ("theta", a.theta, fit.theta),
                            ("omega/day", a.omega, fit.omega), ("sigma m", a.sigma, fit.sigma)):
        print(f"  {name:>9}  true {true:10.4f}  recovered {got:10.4f}  error {got / true - 1:+.1%}")
    if not a.models:
        return
    rng = np.random.default_rng(a.seed)
    parts = [simulate_etas(mu / 2, a.theta, a.omega, a.sigma, a.days, region, seed=a.seed)]
    for k in range(20):  # hotspots: 1 km squares sharing the other half of the background
        cx, cy = rng.uniform(2_000, a.side - 2_000, 2)
        parts.append(simulate_etas(mu / 40, a.theta, a.omega, a.sigma, a.days,
                                   (cx - 500, cy - 500, cx + 500, cy + 500), seed=a.seed + 1 + k))
    world = _merge(parts)
    start = (a.days - 14) * DAY
    train = world.between(-np.inf, start)
    truth = grid.counts(world.between(start, start + 14 * DAY))
    print(f"models: {len(train)} training events, {int(truth.sum())} in the 14-day window")
    for m in default_models(14.0):
        t0 = time.perf_counter()
        pred = m.fit(train, grid, start).predict(grid, start, start + 14 * DAY)
        secs = time.perf_counter() - t0
        top = np.argsort(-pred, kind="stable")[: grid.cells // 100]
        print(f"  {m.name:>12}  {secs:6.2f} s  sum {pred.sum():8.1f}  hit@1% {truth[top].sum() / truth.sum():.3f}  "
              f"{m.params()}")
    print(f"load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
