"""`tahqiq demo`: the whole pipeline on a synthetic Punjab province, explained as it runs."""

from __future__ import annotations

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
) -> None:
    """Generate a synthetic Punjab dataset, ingest every source, and report what happened.

    Steps: (1) generate people, phones, vehicles, accounts, FIRs, complaints and event streams with
    realistic spelling variation; (2) ingest each source through its mapping, quarantining bad rows;
    (3) report counts per source and where the data lives.
    """
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

    console.rule("[bold]3. Where things are")
    conf = settings()
    quarantined = sum(r.rows_quarantined for r in results)
    console.print(Panel.fit(
        f"Store:        {engine.url.render_as_string(hide_password=True)}\n"
        f"Tahqiq home:  {conf.home}\n"
        f"Demo data:    {out.resolve()}\n"
        f"Quarantine:   {quarantined:,} rows held back with their reasons (tahqiq quarantine list)\n"
        f"Next:         tahqiq status · tahqiq quarantine list · docs/ingest.md",
        title="Demo finished"))


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
