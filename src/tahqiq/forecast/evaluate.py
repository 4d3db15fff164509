"""Honest evaluation: rolling windows, every model trained only on what came before each window.

Windows are [start + k*w, start + (k+1)*w) while they end by `end` (or calendar months, for data
of month resolution). For each window every model is fitted on the incidents with t < window start
(`incidents.between(-inf, start)`: a model never sees the window it forecasts), predicts the
window's expected count per cell, and is scored (`metrics.score_window`). The grid is laid over the
incidents before the evaluation period and the study area is its cells with at least one of them;
ties in a forecast are broken by each cell's count over the training data, then by cell number.

The printed figures are means over windows (each window weighs the same, whatever its count);
pooled figures (hits summed over windows / incidents summed) are kept beside them in `Evaluation`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from tahqiq.forecast.grid import make_grid, study_area
from tahqiq.forecast.metrics import SHARES, Scores, score_window
from tahqiq.forecast.types import DAY, Forecaster, Grid, Incidents

__all__ = ["Evaluation", "ModelResult", "best", "evaluate", "next_window_end", "render", "windows"]

Progress = Callable[[int, int, str], None]


@dataclass
class ModelResult:
    """One model's scores: per window, their mean, the pooled figures, and its fitting time."""

    name: str
    windows: list[Scores] = field(default_factory=list)
    seconds: float = 0.0
    params: dict[str, object] = field(default_factory=dict)

    def _scored(self) -> list[Scores]:
        return [s for s in self.windows if s.observed > 0]

    def mean(self, metric: str, p: float) -> float:
        vals = [getattr(s, metric)[p] for s in self._scored()]
        return float(np.mean(vals)) if vals else float("nan")

    def pooled(self, metric: str, p: float) -> float:
        scored = self._scored()
        hits = sum(s.hits[p] for s in scored)
        total = sum(s.observed for s in scored)
        if not scored or total == 0:
            return float("nan")
        if metric == "hit_rate":
            return hits / total
        if metric == "pai":
            share = sum(s.k[p] / s.study_cells * s.observed for s in scored) / total
            return hits / total / share
        return hits / sum(s.best[p] for s in scored)


@dataclass
class Evaluation:
    start: float
    end: float
    window_bounds: list[tuple[float, float]]
    grid: Grid
    study_cells: int
    train_incidents: int
    results: list[ModelResult]
    shares: tuple[float, ...] = SHARES

    def result(self, name: str) -> ModelResult:
        for r in self.results:
            if r.name == name:
                return r
        raise KeyError(f"no model {name!r} in this evaluation")


def _add_months(ts: float, months: int) -> float:
    d = datetime.fromtimestamp(ts, UTC)
    m = d.month - 1 + months
    return d.replace(year=d.year + m // 12, month=m % 12 + 1).timestamp()


def next_window_end(start: float, window_days: float = 14, months: int | None = None) -> float:
    """The end of the window that starts at `start`."""
    return _add_months(start, months) if months else start + window_days * DAY


def windows(start: float, end: float, *, window_days: float = 14,
            months: int | None = None) -> list[tuple[float, float]]:
    """The evaluation windows: whole windows of `window_days` days (or `months` calendar months,
    from `start`) that end by `end`."""
    out: list[tuple[float, float]] = []
    ws = start
    while True:
        we = next_window_end(ws, window_days, months)
        if we > end + 1e-6:
            return out
        out.append((ws, we))
        ws = we


def evaluate(incidents: Incidents, models: Sequence[Forecaster], *, start: float, end: float, window_days: float = 14,
             months: int | None = None, cell: float = 250.0, progress: bool | Progress = False) -> Evaluation:
    """Evaluate every model over the rolling windows in [start, end); see the module's docstring."""
    train0 = incidents.between(-np.inf, start)
    if len(train0) == 0:
        raise ValueError("no incidents before the evaluation period: nothing to train on")
    bounds = windows(start, end, window_days=window_days, months=months)
    if not bounds:
        raise ValueError("the evaluation period is shorter than one window")
    grid = make_grid(train0, cell)
    study = study_area(grid, train0)
    results = [ModelResult(m.name) for m in models]
    total = len(bounds) * len(models)
    report, finish = _progress(progress, total)
    done = 0
    try:
        for ws, we in bounds:
            train = incidents.between(-np.inf, ws)
            observed = grid.counts(incidents.between(ws, we))
            secondary = grid.counts(train)
            for model, res in zip(models, results, strict=True):
                t0 = time.perf_counter()
                forecast = np.asarray(model.fit(train, grid, ws).predict(grid, ws, we), dtype=float)
                res.seconds += time.perf_counter() - t0
                res.windows.append(score_window(forecast, study, observed, secondary=secondary))
                res.params = dict(model.params())
                done += 1
                report(done, total, f"{model.name} {datetime.fromtimestamp(ws, UTC):%Y-%m-%d}")
    finally:
        finish()
    return Evaluation(start, end, bounds, grid, int(study.sum()), len(train0), results)


def _progress(progress: bool | Progress, total: int) -> tuple[Progress, Callable[[], None]]:
    if callable(progress):
        return progress, lambda: None
    if not progress:
        return (lambda done, total, label: None), lambda: None
    from rich.progress import Progress as Bar

    bar = Bar(transient=True)
    task = bar.add_task("windows x models", total=total)
    bar.start()
    return (lambda done, _total, label: bar.update(task, completed=done, description=label)), bar.stop


def best(evaluation: Evaluation, p: float, metric: str = "pai") -> ModelResult:
    """The model with the highest mean `metric` at share p (ties: the first listed)."""
    scored = [r for r in evaluation.results if not math.isnan(r.mean(metric, p))]
    if not scored:
        raise ValueError("no window had any incident in the study area")
    return max(scored, key=lambda r: r.mean(metric, p))


def _day(ts: float) -> str:
    return f"{datetime.fromtimestamp(ts, UTC):%Y-%m-%d}"


def render(evaluation: Evaluation) -> str:
    """A table per model (hit rate, PAI, PEI* at each share), ending with the two lines
    `PAI1 <value> (<model>)` and `PAI5 <value> (<model>)`: the best model's values."""
    e = evaluation
    scored = sum(1 for s in e.results[0].windows if s.observed > 0) if e.results else 0
    lines = [f"{len(e.window_bounds)} windows {_day(e.start)} → {_day(e.window_bounds[-1][1])} "
             f"({scored} with incidents); {e.grid.cell:g} m cells, study area {e.study_cells:,} cells "
             f"(those with ≥ 1 of the {e.train_incidents:,} incidents before {_day(e.start)}); "
             "figures are means over windows", ""]
    for r in e.results:
        lines.append(f"{r.name}  (fitted in {r.seconds:.1f} s)")
        lines.append(f"  {'area':>5}  {'hit rate':>8}  {'PAI':>7}  {'PEI*':>5}")
        for p in e.shares:
            hr, pai, pei = r.mean("hit_rate", p), r.mean("pai", p), r.mean("pei", p)
            lines.append(f"  {p:>5.0%}  {hr:>8.3f}  {pai:>7.2f}  {pei:>5.3f}")
        lines.append("")
    b1, b5 = best(e, 0.01), best(e, 0.05)
    lines.append(f"PAI1 {b1.mean('pai', 0.01):.2f} ({b1.name})")
    lines.append(f"PAI5 {b5.mean('pai', 0.05):.2f} ({b5.name})")
    return "\n".join(lines)
