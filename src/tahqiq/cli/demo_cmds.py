"""`tahqiq demo`: the whole pipeline on a synthetic Punjab province, explained as it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tahqiq.cli.common import console, fail, store
from tahqiq.config import settings

if TYPE_CHECKING:  # the CLI imports the heavy rooms inside its commands (see docs/architecture.md)
    from sqlalchemy import Engine

    from tahqiq.ingest import IngestResult


def find_input(mapping_path: Path, data_dir: Path) -> str | None:
    """The data file a generated mapping belongs to: sources/NAME.* or streams/NAME.*"""
    from tahqiq.ingest.mapping import default_input, load_mapping

    own = default_input(load_mapping(mapping_path), mapping_path)
    if own:
        return own
    for folder in ("sources", "streams"):
        matches = sorted((data_dir / folder).glob(mapping_path.stem + ".*"))
        if matches:
            return str(matches[0])
    return None


def _bar(*columns: ProgressColumn) -> Progress:
    # On a terminal the bars move; in a log or a pipe Rich prints their final state once.
    return Progress(SpinnerColumn(finished_text="✓"), TextColumn("[bold]{task.description:<24}"), *columns,
                    console=console)


def ingest_all(engine: Engine, mappings: list[Path], out: Path) -> list[IngestResult]:
    """Ingest every generated source with a bar per source (share of the file read, rows, time
    left) under one for all of them, from the runner's progress callback."""
    from tahqiq.ingest import ingest, load_mapping

    targets = []
    for path in mappings:
        target = find_input(path, out)
        if target is None:
            fail(f"no input file found for mapping {path}")
        targets.append((path, target))
    results: list[IngestResult] = []
    # The time column counts down while a source loads and shows how long it took once done.
    with _bar(BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[rows]:>11,} rows"),
              TimeRemainingColumn(elapsed_when_finished=True)) as bar:
        overall = bar.add_task(f"{len(targets)} sources", total=len(targets), rows=0)
        done_rows = 0
        for path, target in targets:
            task = bar.add_task(path.stem, total=None, rows=0)

            def on_progress(rows: int, position: int | None, total: int | None, task: TaskID = task,
                            before: int = done_rows) -> None:
                bar.update(task, completed=position, total=total, rows=rows)
                bar.update(overall, rows=before + rows)

            result = ingest(engine, load_mapping(path), target, progress=on_progress)
            done_rows += result.rows_read
            # An input ingested by an earlier run reports no progress: show it as complete.
            bar.update(task, total=1, completed=1, rows=result.rows_read)
            bar.update(overall, advance=1, rows=done_rows)
            results.append(result)
    return results


# The steps a full resolution run reports through its `step` callback, in order, and what runs next.
RESOLUTION_STEPS = {"read": "preparing names, dates and identifiers", "prepare": "training the match model",
                    "train": "scoring candidate pairs", "predict": "clustering records into people",
                    "cluster": "saving clusters, links and the review queue"}


@contextmanager
def resolution_progress() -> Iterator[Callable[[str], None]]:
    """A bar over the run's steps (read, prepare, train, predict, cluster, save), naming the step
    under way; the callback goes to `run_resolution(step=...)`."""
    with _bar(BarColumn(), MofNCompleteColumn(), TextColumn("steps"), TimeElapsedColumn()) as bar:
        task = bar.add_task("reading person records through the gate", total=len(RESOLUTION_STEPS) + 1)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=RESOLUTION_STEPS.get(name, name))

        yield step
        bar.update(task, completed=len(RESOLUTION_STEPS) + 1, description="person records resolved")


def demo(
    persons: Annotated[int, typer.Option(help="How many people live in the synthetic province.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 4,
    out: Annotated[Path, typer.Option(help="Where to write the generated data.")] = Path("demo-data"),
    serve: Annotated[bool, typer.Option(help="End by serving the web application (Ctrl-C stops it).")] = True,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port for the web application "
                                                             "(`make demo PORT=8080` passes it).")] = 8000,
) -> None:
    """Generate a synthetic Punjab, ingest it, resolve it, screen live events, and serve the dashboard.

    Steps: (1) generate people, phones, vehicles, accounts, FIRs, complaints and event streams with
    realistic spelling variation; (2) ingest each source through its mapping, quarantining bad rows;
    (3) resolve records of the same person across agencies; (4) create demo accounts, a warrant
    case and its watchlist; (5) replay the checkpoint, ANPR and transaction streams through the
    detection rules into alerts; (6) serve the web application and print how to sign in.
    """
    import os

    from tahqiq.cli.ingest_cmds import _report
    from tahqiq.generate import generate

    console.rule("[bold]1. Generate a synthetic Punjab province")
    generate(persons=persons, seed=seed, out=out, progress=True)
    console.print(f"Wrote sources, streams, mappings and ground truth to [bold]{out.resolve()}[/]")

    console.rule("[bold]2. Ingest every source through its mapping")
    engine = store()
    mappings = sorted((out / "mappings").glob("*.yml"))
    if not mappings:
        fail(f"no mappings in {out / 'mappings'}")
    results = ingest_all(engine, mappings, out)
    _report(results)

    from tahqiq.cli.demo_setup import set_up
    from tahqiq.govern import SYSTEM, Gate

    gate = Gate(engine)
    console.rule("[bold]3. Resolve people across agencies")
    from tahqiq.resolve.store_run import run_resolution

    with resolution_progress() as step:
        report = run_resolution(engine, gate, SYSTEM, step=step)
    console.print(f"{report.records:,} person records → {report.clusters:,} people; {report.links:,} links kept, "
                  f"{report.review:,} for review, {report.walls_enforced:,} merges refused by the CNIC rule "
                  f"({', '.join(f'{k} {v}s' for k, v in report.timings.items())})")

    console.rule("[bold]4. Accounts, a warrant case and its watchlist")
    people = set_up(gate, os.environ.get("TAHQIQ_DEMO_PASSWORD"))
    console.print(f"case {people.case}: {people.persons_watched} wanted persons and {people.vehicles_watched} stolen "
                  f"vehicles on the watchlist; alerts of every district go to ayesha's control room")

    console.rule("[bold]5. Screen the live streams")
    stats = _detect(engine, gate, out)
    console.print(f"{stats.events:,} events screened against {stats.rules} rules → {stats.alerts:,} alerts")
    from tahqiq.cli.demo_setup import networks_step

    nets = networks_step(gate, people)
    console.print(f"transaction networks: {nets.hits:,} hits → {nets.new_alerts:,} new alerts; mule-ring alert "
                  f"{nets.verified_alert or '(none found)'} verified by {people.supervisor.username}; "
                  f"{nets.campaigns:,} scam campaigns")
    from tahqiq.cli.demo_setup import trends_step

    events, trend_rows = trends_step(gate, out)
    console.print(f"open-source event trends: {events:,} ACLED-format events → {trend_rows:,} district-week-theme "
                  "counts (no text kept)")
    from tahqiq.cli.demo_setup import forecast_step

    forecast = forecast_step(gate)
    console.print("hotspot forecast: " + (f"forecast {forecast[0]} of the next 14 days from {forecast[1]:,} FIR "
                                          "incidents, with its bias audit" if forecast else "too few FIR incidents"))

    console.rule("[bold]6. Where things are")
    conf = settings()
    quarantined = sum(r.rows_quarantined for r in results)
    console.print(Panel.fit(
        f"Store:        {engine.url.render_as_string(hide_password=True)}\n"
        f"Tahqiq home:  {conf.home}\n"
        f"Demo data:    {out.resolve()}\n"
        f"Quarantine:   {quarantined:,} rows held back with their reasons (tahqiq quarantine list)\n"
        f"Web app:      http://127.0.0.1:{port}/  (sign in as ayesha — analyst — or sana — supervisor)\n"
        f"Password:     {people.password}\n"
        f"Next:         tahqiq resolve explain · tahqiq alerts list · docs/", title="Demo ready"))
    gate.dispose()
    if serve:
        from tahqiq.cli.web_cmds import serve as serve_app

        serve_app(host="127.0.0.1", port=port, insecure_cookies=True, retention_hours=24.0)


@dataclass
class _DetectStats:
    events: int
    rules: int
    alerts: int


def _detect(engine, gate, out: Path) -> _DetectStats:
    """Replay the generated streams through the embedded pipeline (the same worker as production)."""
    import asyncio

    from sqlalchemy import func, select

    from tahqiq.alerts import Alert
    from tahqiq.cli.stream_cmds import _embedded
    from tahqiq.govern import SYSTEM
    from tahqiq.screen.index import WatchlistIndex
    from tahqiq.stream.rulefile import load_rules

    rules = load_rules()
    files = sorted((out / "streams").glob("*.jsonl"))
    lookup = WatchlistIndex.load(gate, SYSTEM, "screen the demo streams against the case watchlist")
    with console.status(f"replaying {len(files)} streams through {len(rules)} rules"):
        stats = asyncio.run(_embedded(engine, files, rules, lookup, 500, None))
    with engine.connect() as conn:
        alerts = conn.execute(select(func.count()).select_from(Alert)).scalar_one()
    return _DetectStats(stats.events, len(rules), alerts)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
