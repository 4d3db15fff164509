"""Rolling-window evaluation: no look-ahead, the final two lines, and the CLI on a small CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tahqiq.cli.forecast_cmds import app
from tahqiq.forecast.evaluate import best, evaluate, render, windows
from tahqiq.forecast.metrics import score_window
from tahqiq.forecast.types import DAY, Grid, Incidents

T0 = datetime(2024, 1, 1, tzinfo=UTC).timestamp()


def _random_incidents(n: int = 4000, days: int = 200, seed: int = 3) -> Incidents:
    rng = np.random.default_rng(seed)
    t = np.sort(T0 + rng.uniform(0, days * DAY, n))
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    return Incidents(x, y, t, x / 1e5, y / 1e5, None, "EPSG:32643")


class Spy:
    """Checks, at each fit, that it was given nothing from the window it is asked to forecast."""

    name = "spy"

    def __init__(self) -> None:
        self.starts: list[float] = []

    def fit(self, train: Incidents, grid: Grid, start: float) -> Spy:
        assert len(train) and float(np.max(train.t)) < start
        self.starts.append(start)
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        assert start == self.starts[-1]
        return np.zeros(grid.cells)

    def params(self) -> dict[str, object]:
        return {}


class Cheat:
    """Forecasts exactly the incidents it was given from `start` on: perfect if the window leaked."""

    name = "cheat"

    def fit(self, train: Incidents, grid: Grid, start: float) -> Cheat:
        self.ahead = grid.counts(train.between(start, np.inf))
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        return self.ahead

    def params(self) -> dict[str, object]:
        return {}


class Fixed:
    """A fixed intensity (expected counts proportional to `weights`)."""

    def __init__(self, name: str, weights: np.ndarray) -> None:
        self.name, self.weights = name, weights

    def fit(self, train: Incidents, grid: Grid, start: float) -> Fixed:
        return self

    def predict(self, grid: Grid, start: float, end: float) -> np.ndarray:
        return self.weights

    def params(self) -> dict[str, object]:
        return {}


def test_windows_are_whole_and_months_are_calendar_months():
    assert windows(0, 30 * DAY, window_days=14) == [(0, 14 * DAY), (14 * DAY, 28 * DAY)]
    jan, may = datetime(2024, 1, 1, tzinfo=UTC).timestamp(), datetime(2024, 4, 15, tzinfo=UTC).timestamp()
    got = windows(jan, may, months=1)
    assert [datetime.fromtimestamp(b, UTC).month for _, b in got] == [2, 3, 4]


def test_no_window_leaks_into_its_own_training():
    inc = _random_incidents()
    spy, cheat = Spy(), Cheat()
    start, end = T0 + 120 * DAY, T0 + 200 * DAY
    ev = evaluate(inc, [spy, cheat], start=start, end=end, window_days=14)
    assert spy.starts == [a for a, _ in ev.window_bounds] and len(spy.starts) == 5
    # what the cheat would score had it seen the window: the proof that this test can fail
    observed = ev.grid.counts(inc.between(start, start + 14 * DAY))
    study = ev.grid.counts(inc.between(-np.inf, start)) > 0
    assert score_window(observed, study, observed).pai[0.05] > 3
    cheat_pai = ev.result("cheat").mean("pai", 0.05)
    assert 0.5 < cheat_pai < 1.6  # random events: chance is 1


def test_render_ends_with_the_best_models_pai1_and_pai5():
    inc = _random_incidents(days=100)
    start = T0 + 70 * DAY
    grid_cells = evaluate(inc, [Spy()], start=start, end=start + 14 * DAY).grid.cells
    # a fixed forecast that favours the cells with the most later incidents (hindsight, so it wins)
    ev0 = evaluate(inc, [Spy()], start=start, end=start + 28 * DAY)
    later = ev0.grid
    hindsight = later.counts(inc.between(start, np.inf))
    ev = evaluate(inc, [Fixed("flat", np.zeros(grid_cells)), Fixed("hindsight", hindsight)], start=start,
                  end=start + 28 * DAY)
    text = render(ev)
    last = text.splitlines()[-2:]
    assert re.fullmatch(r"PAI1 \d+\.\d\d \(hindsight\)", last[0])
    assert re.fullmatch(r"PAI5 \d+\.\d\d \(hindsight\)", last[1])
    assert float(last[1].split()[1]) == pytest.approx(round(ev.result("hindsight").mean("pai", 0.05), 2))
    assert best(ev, 0.01).name == "hindsight" and "flat" in text and "hit rate" in text
    pooled = ev.result("hindsight").pooled("hit_rate", 0.05)
    assert 0 < pooled <= 1


def _csv(tmp_path, n=3000, seed=5):
    rng = np.random.default_rng(seed)
    # two hotspots and a uniform background around Lahore, over 240 days
    hot = rng.random(n) < 0.5
    lat = np.where(hot, 31.52 + rng.normal(0, 0.002, n), rng.uniform(31.45, 31.60, n))
    lon = np.where(hot, 74.35 + rng.normal(0, 0.002, n), rng.uniform(74.25, 74.45, n))
    when = pd.to_datetime(T0 + np.sort(rng.uniform(0, 240 * DAY, n)), unit="s", utc=True)
    path = tmp_path / "incidents.csv"
    pd.DataFrame({"Latitude": lat, "Longitude": lon, "Reported": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "Crime type": rng.choice(["theft", "burglary"], n)}).to_csv(path, index=False)
    return path


def test_cli_evaluate_and_predict_on_a_small_csv(tmp_path):
    path = _csv(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["evaluate", str(path), "--lat", "Latitude", "--lon", "Longitude", "--time", "Reported",
                              "--from", "2024-07-01", "--to", "2024-08-26", "--window", "14d", "--cell", "500",
                              "--models", "counts-365d,counts-28d"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert re.fullmatch(r"PAI1 \d+\.\d\d \(counts-(365|28)d\)", lines[-2])
    assert re.fullmatch(r"PAI5 \d+\.\d\d \(counts-(365|28)d\)", lines[-1])
    assert "4 windows" in res.stdout
    out = tmp_path / "cells.csv"
    res = runner.invoke(app, ["predict", str(path), "--lat", "Latitude", "--lon", "Longitude", "--time", "Reported",
                              "--at", "2024-08-26", "--model", "counts-365d", "--out", str(out), "--districts"])
    assert res.exit_code == 0, res.output
    cells = pd.read_csv(out)
    assert list(cells.columns) == ["cell", "lon", "lat", "expected", "rank", "area"]
    assert cells["rank"].tolist() == list(range(1, len(cells) + 1)) and cells["expected"].is_monotonic_decreasing
    assert abs(cells["lat"][0] - 31.52) < 0.01 and abs(cells["lon"][0] - 74.35) < 0.01  # the hotspot first
    assert cells["area"][0] == "Lahore"


def test_cli_refuses_person_level_columns_and_month_data_with_day_windows(tmp_path):
    path = tmp_path / "people.csv"
    pd.DataFrame({"lat": [31.5], "lon": [74.3], "t": ["2024-01"], "accused_cnic": ["35202-1234567-1"]}).to_csv(path)
    runner = CliRunner()
    base = ["evaluate", str(path), "--lat", "lat", "--lon", "lon", "--time", "t", "--from", "2024-02-01",
            "--to", "2024-04-01", "--models", "counts-365d"]
    res = runner.invoke(app, [*base, "--category", "accused_cnic"])
    assert res.exit_code == 2 and "never persons" in res.output
    res = runner.invoke(app, base)
    assert res.exit_code == 2 and "--window 1m" in res.output
