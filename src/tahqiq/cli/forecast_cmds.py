"""Place-based forecasting: `tahqiq forecast evaluate|predict`.

Input is any incident table (CSV or Parquet) with named latitude, longitude and time columns, or
FIR incidents from the store (`--from-store`), read through the gate's `forecast.incidents`
aggregate: places, times and offences only, no ids and no names. Tahqiq forecasts places and times,
never persons: no option takes a person, a phone or a CNIC, and a column that looks like one is refused.
Exit status: 0 done, 2 bad request (or person-level input), 3 denied.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tahqiq.cli.gated import UserOpt, err

if TYPE_CHECKING:
    from tahqiq.forecast import Forecaster, Incidents
    from tahqiq.forecast.data import ReadReport

app = typer.Typer(help="Forecast places and times of incidents (never persons): evaluate models, predict hotspots.",
                  no_args_is_help=True)

FileArg = Annotated[Path | None, typer.Argument(help="incident table (.csv or .parquet); omit with --from-store")]
LatOpt = Annotated[str | None, typer.Option("--lat", help="latitude column")]
LonOpt = Annotated[str | None, typer.Option("--lon", help="longitude column")]
TimeOpt = Annotated[str | None, typer.Option("--time", help="time column (ISO date-time, date, or YYYY-MM month)")]
CategoryOpt = Annotated[str | None, typer.Option("--category", help="optional category column (offence type)")]
CrsOpt = Annotated[str | None, typer.Option("--crs", help="projection in metres (default: the data's UTM zone)")]
WindowOpt = Annotated[str, typer.Option("--window", help="window length: 14d, 2w, or 1m (calendar months)")]
CellOpt = Annotated[float, typer.Option("--cell", help="grid cell size in metres")]
StoreOpt = Annotated[bool, typer.Option("--from-store", help="FIR incidents from the store (gate aggregate)")]

MODEL_KEYS = "counts,decay,kde,etas,gbm"


class BadInput(ValueError):
    pass


def parse_window(text: str) -> tuple[float, int | None]:
    """(days, months): "14d" -> (14, None), "2w" -> (14, None), "1m" -> (0, 1)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dwm]?)\s*", text.lower())
    if not m or float(m.group(1)) <= 0:
        raise BadInput(f"--window: use e.g. 14d, 2w or 1m, not {text!r}")
    n, unit = float(m.group(1)), m.group(2) or "d"
    if unit == "m":
        if n != int(n):
            raise BadInput("--window: months must be whole")
        return 0.0, int(n)
    return n * (7 if unit == "w" else 1), None


def parse_day(text: str, option: str) -> float:
    """A date or date-time (UTC unless it carries an offset) as epoch seconds."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{option}: use a date like 2017-09-01, not {text!r}") from None
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).timestamp()


def select_models(keys: str, window_days: float = 14.0) -> list[Forecaster]:
    """Fresh models: each comma-separated key is a model's name (`counts-90d` works for any N days)
    or the part before its dash (`counts`: every counts model)."""
    from tahqiq.forecast.models import MODEL_NAMES, model_by_name

    chosen: list[Forecaster] = []
    for key in [k.strip().lower() for k in keys.split(",") if k.strip()]:
        names = [n for n in MODEL_NAMES if n == key or n.split("-")[0] == key]
        try:
            found = [model_by_name(n, window_days) for n in names] or [model_by_name(key, window_days)]
        except KeyError:
            raise BadInput(f"--models: no model {key!r} (known: {', '.join(MODEL_NAMES)})") from None
        chosen.extend(m for m in found if m.name not in {c.name for c in chosen})
    if not chosen:
        raise BadInput("--models: name at least one model")
    return chosen


def load(file: Path | None, lat: str | None, lon: str | None, time: str | None, category: str | None,
         crs: str | None, from_store: bool, user: str | None) -> tuple[Incidents, ReadReport]:
    """The incidents of FILE, or of the store through the gate (as --user, or the scheduled job)."""
    from tahqiq.forecast.data import ReadReport, read_incidents

    report = ReadReport()
    if from_store:
        if file is not None:
            raise BadInput("give FILE or --from-store, not both")
        return _from_store(crs, user, report), report
    if file is None:
        raise BadInput("give an incident FILE (or --from-store)")
    if not file.exists():
        raise BadInput(f"{file}: no such file")
    if not (lat and lon and time):
        raise BadInput("give the column names: --lat, --lon and --time")
    return read_incidents(file, lat=lat, lon=lon, time=time, category=category, crs=crs, report=report), report


def _from_store(crs: str | None, user: str | None, report: ReadReport) -> Incidents:
    import os

    from tahqiq.cli.gated import GateContext
    from tahqiq.forecast.data import incidents_from_store
    from tahqiq.govern import SYSTEM

    ctx = GateContext()
    try:
        who = ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM
        with ctx.gate.scope(who, "hotspot forecast (places and times)") as job:
            return incidents_from_store(job, crs=crs, report=report)
    finally:
        ctx.close(True)


def _save(forecaster: Forecaster, grid: Any, crs: str, train: Incidents, ws: float, we: float, ranked: Any,
          expected: Any, flag_share: float, *, source: str, user: str | None) -> int:
    """Store the forecast with its ranked cells and its bias audit (forecast.audit.forecast_audit)."""
    import os

    import numpy as np

    from tahqiq.cli.gated import GateContext
    from tahqiq.forecast.audit import forecast_audit
    from tahqiq.forecast.store import ranked_cells, save_forecast
    from tahqiq.govern import SYSTEM

    cells = ranked_cells(grid, expected, crs, study=np.asarray(ranked, dtype=np.int64))
    audit = forecast_audit(grid, train, [c.cell for c in cells], flag_share)
    ctx = GateContext()
    try:
        who = ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM
        with ctx.gate.scope(who, "store a hotspot forecast (places and times)") as job:
            return save_forecast(job, model=forecaster.name, params=dict(forecaster.params()),
                                 train_from=float(train.t[0]) if len(train) else None, train_to=ws, start=ws,
                                 end=we, grid=grid, crs=crs, cells=cells, audit=audit, source=source[:200])
    finally:
        ctx.close(True)


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[bold red]error:[/] {exc}")
    return typer.Exit(2)


def _run_evaluation(incidents: Incidents, report: ReadReport, models: list[Forecaster], start: float, end: float,
                    window: str, cell: float, progress: Any) -> Any:
    from tahqiq.forecast.evaluate import evaluate

    days, months = parse_window(window)
    if report.month_resolution and not months:
        raise BadInput("these times are months (YYYY-MM): every event sits at its month's first instant, so "
                       "evaluate with whole months: --window 1m")
    return evaluate(incidents, models, start=start, end=end, window_days=days, months=months, cell=cell,
                    progress=progress)


@app.command("evaluate")
def evaluate_cmd(file: FileArg = None, lat: LatOpt = None, lon: LonOpt = None, time: TimeOpt = None,
                 category: CategoryOpt = None, crs: CrsOpt = None,
                 start: Annotated[str, typer.Option("--from", help="first day of the evaluation period")] = "",
                 end: Annotated[str, typer.Option("--to", help="end of the evaluation period (excluded)")] = "",
                 window: WindowOpt = "14d", cell: CellOpt = 250.0,
                 models: Annotated[str, typer.Option("--models", help="comma-separated models")] = MODEL_KEYS,
                 from_store: StoreOpt = False, user: UserOpt = None) -> None:
    """Rolling-window evaluation of every model (each trained only on incidents before each window):
    hit rate, PAI and PEI* at 1, 2, 5 and 10% of the area, ending with the best PAI1 and PAI5."""
    from rich.progress import Progress

    from tahqiq.forecast.data import PersonLevelInput
    from tahqiq.forecast.evaluate import render

    try:
        if not start or not end:
            raise BadInput("give the evaluation period: --from DATE --to DATE")
        t0, t1 = parse_day(start, "--from"), parse_day(end, "--to")
        days, months = parse_window(window)
        chosen = select_models(models, days or 30.0 * (months or 1))
        incidents, report = load(file, lat, lon, time, category, crs, from_store, user)
        err.print(report.summary(), highlight=False)
        with Progress(console=err.now(), transient=True) as bar:
            task = bar.add_task("windows × models", total=None)

            def step(done: int, total: int, label: str) -> None:
                bar.update(task, completed=done, total=total, description=label)

            evaluation = _run_evaluation(incidents, report, chosen, t0, t1, window, cell, step)
    except (BadInput, PersonLevelInput, KeyError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(render(evaluation))


@app.command("predict")
def predict_cmd(file: FileArg = None, lat: LatOpt = None, lon: LonOpt = None, time: TimeOpt = None,
                category: CategoryOpt = None, crs: CrsOpt = None,
                at: Annotated[str, typer.Option("--at", help="start of the window to forecast")] = "",
                window: WindowOpt = "14d", cell: CellOpt = 250.0,
                model: Annotated[str, typer.Option("--model", help="the model to use")] = "kde",
                out_path: Annotated[Path | None, typer.Option("--out", help="write the ranked cells (CSV)")] = None,
                top: Annotated[int, typer.Option("--top", help="cells to show (all are written)")] = 20,
                districts: Annotated[bool, typer.Option("--districts", help="name each cell's nearest Punjab "
                                                        "district (always so with --from-store)")] = False,
                from_store: StoreOpt = False,
                save: Annotated[bool, typer.Option("--save", help="store the forecast with its model, parameters, "
                                                   "training window and bias audit (the Forecasts page)")] = False,
                flag_share: Annotated[float, typer.Option("--flag-share", help="share of the study area the bias "
                                                          "audit counts as flagged")] = 0.05,
                user: UserOpt = None) -> None:
    """Forecast the window starting --at: the study-area cells ranked by expected incidents."""
    import numpy as np
    import pandas as pd
    from pyproj import Transformer

    from tahqiq.forecast.data import PersonLevelInput
    from tahqiq.forecast.evaluate import next_window_end
    from tahqiq.forecast.grid import admin_areas, make_grid, study_area
    from tahqiq.forecast.metrics import rank_cells

    try:
        if not at:
            raise BadInput("give the window's start: --at DATE")
        ws = parse_day(at, "--at")
        days, months = parse_window(window)
        we = next_window_end(ws, days, months)
        forecaster = select_models(model, days or 30.0 * (months or 1))[0]
        incidents, report = load(file, lat, lon, time, category, crs, from_store, user)
        err.print(report.summary(), highlight=False)
        train = incidents.between(-np.inf, ws)
        if len(train) == 0:
            raise BadInput("no incidents before --at: nothing to train on")
        grid = make_grid(train, cell)
        if districts or from_store:
            grid = admin_areas(grid, train)
        with err.now().status(f"fitting {forecaster.name} on {len(train):,} incidents"):
            expected = np.asarray(forecaster.fit(train, grid, ws).predict(grid, ws, we), dtype=float)
        ranked = rank_cells(expected, study_area(grid, train), grid.counts(train))
        cx, cy = grid.centres()
        to_degrees = Transformer.from_crs(incidents.crs, "EPSG:4326", always_xy=True)
        lon_c, lat_c = to_degrees.transform(cx[ranked], cy[ranked])
        area = grid.area_of[ranked] if grid.area_of is not None else np.full(len(ranked), "", dtype=object)
        table = pd.DataFrame({"cell": ranked, "lon": np.round(lon_c, 6), "lat": np.round(lat_c, 6),
                              "expected": np.round(expected[ranked], 6), "rank": np.arange(1, len(ranked) + 1),
                              "area": area})
    except (BadInput, PersonLevelInput, KeyError, ValueError) as exc:
        raise _fail(exc) from None
    if out_path is not None:
        table.to_csv(out_path, index=False)
        err.print(f"wrote {len(table):,} ranked cells to {out_path}", highlight=False)
    if save:
        stored = _save(forecaster, grid, incidents.crs, train, ws, we, ranked, expected, flag_share,
                       source="the store's FIR incidents" if from_store else str(file), user=user)
        err.print(f"stored as forecast {stored} (with its bias audit)", highlight=False)
    period = f"{datetime.fromtimestamp(ws, UTC):%Y-%m-%d} → {datetime.fromtimestamp(we, UTC):%Y-%m-%d}"
    typer.echo(f"{forecaster.name}: {period}, {grid.cell:g} m cells, {len(table):,} study-area cells")
    typer.echo(table.head(top).to_string(index=False))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="forecast")


__all__ = ["app", "parse_window", "register", "select_models"]
