"""`tahqiq generate`: write a synthetic multi-agency dataset for Punjab."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

HELP = (
    "Write a synthetic, deterministic dataset for a fictional Punjab to --out.\n"
    "\n"
    "[bold]Everything is synthetic.[/bold] Names, places and identifier formats are realistic (first names "
    "from pakgender, districts and tehsils from pk-address-checker, coordinates from pak-geodata and "
    "GeoNames), but no real person's record is used. The same --persons and --seed always give "
    "byte-identical files.\n"
    "\n"
    "You get: [cyan]sources/[/cyan] agency extracts (NADRA ID registry, police FIRs in Windows-1256, wanted "
    "list, excise vehicles in UTF-16, telecom subscribers, bank accounts, bank STRs in Parquet, cybercrime "
    "complaints, OSINT incident reports); [cyan]streams/[/cyan] time-ordered JSON lines (checkpoint CNIC "
    "checks, ANPR plate reads, transactions); [cyan]mappings/[/cyan] one mapping per source and stream, "
    "ready for [cyan]tahqiq ingest[/cyan]; [cyan]truth/[/cyan] which records are the same person, phone, "
    "vehicle or account, the laundering transactions, and the bad rows ingest must quarantine; "
    "[cyan]manifest.json[/cyan] with row counts.\n"
    "\n"
    "Examples: [cyan]tahqiq generate[/cyan] (10,000 people into ./demo-data), [cyan]tahqiq generate "
    "--persons 1000 --out /tmp/small[/cyan], [cyan]tahqiq generate --persons 1000000 --seed 7[/cyan] (about "
    "a minute and a half on 2 cores).\n"
    "\n"
    "Details: docs/generate.md.\n"
)


def register(app: typer.Typer) -> None:
    @app.command("generate", help=HELP)
    def generate_cmd(
        persons: int = typer.Option(10_000, "--persons", "-n", min=50,
                                    help="How many people live in the synthetic province."),
        seed: int = typer.Option(4, "--seed", "-s", min=0,
                                 help="Random seed; the same seed and size give identical files."),
        out: Path = typer.Option(Path("demo-data"), "--out", "-o",
                                 help="Directory to write into (created if missing)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display and no summary table."),
        hard: bool = typer.Option(False, "--hard", help="Sloppier clerks: more spelling variants, Urdu script, missing "
                                  "CNICs and phones, swapped dates (for evaluating resolution)."),
    ) -> None:
        from tahqiq.generate import generate

        started = time.perf_counter()
        manifest = generate(persons, seed, out, progress=not quiet, hard=hard)
        elapsed = time.perf_counter() - started
        if quiet:
            return
        console = Console()
        table = Table(title=f"Synthetic Punjab: {persons:,} people, seed {seed}", title_justify="left")
        table.add_column("file")
        table.add_column("rows", justify="right")
        table.add_column("encoding")
        for entries in (manifest.sources, manifest.streams, manifest.truth):
            for e in entries.values():
                table.add_row(e["file"], f"{e['rows']:,}", e.get("encoding", "utf-8"))
        console.print(table)
        console.print(
            f"Wrote [bold]{out}[/bold] in {elapsed:.1f} s. Next: [cyan]tahqiq ingest[/cyan] with the files in "
            f"{out / 'mappings'} (manifest: {out / 'manifest.json'})."
        )
