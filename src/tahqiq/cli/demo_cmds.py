"""`tahqiq demo`: the whole pipeline on a synthetic Punjab province, explained as it runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel

from tahqiq.cli.common import console, fail, store
from tahqiq.config import settings


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


def demo(
    persons: Annotated[int, typer.Option(help="How many people live in the synthetic province.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 4,
    out: Annotated[Path, typer.Option(help="Where to write the generated data.")] = Path("demo-data"),
    serve: Annotated[bool, typer.Option(help="End by serving the web application (Ctrl-C stops it).")] = True,
    port: Annotated[int, typer.Option(help="Port for the web application.")] = 8000,
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
    from tahqiq.ingest import ingest, load_mapping

    console.rule("[bold]1. Generate a synthetic Punjab province")
    generate(persons=persons, seed=seed, out=out, progress=True)
    console.print(f"Wrote sources, streams, mappings and ground truth to [bold]{out.resolve()}[/]")

    console.rule("[bold]2. Ingest every source through its mapping")
    engine = store()
    results = []
    mappings = sorted((out / "mappings").glob("*.yml"))
    if not mappings:
        fail(f"no mappings in {out / 'mappings'}")
    for path in mappings:
        target = find_input(path, out)
        if target is None:
            fail(f"no input file found for mapping {path}")
        with console.status(f"ingesting {path.stem}"):
            results.append(ingest(engine, load_mapping(path), target))
    _report(results)

    from tahqiq.cli.demo_setup import set_up
    from tahqiq.govern import SYSTEM, Gate

    gate = Gate(engine)
    console.rule("[bold]3. Resolve people across agencies")
    from tahqiq.resolve.store_run import run_resolution

    with console.status("training, scoring and clustering person records"):
        report = run_resolution(engine, gate, SYSTEM)
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
