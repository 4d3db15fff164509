"""`tahqiq generate`: a synthetic multi-agency dataset for Punjab; `tahqiq generate bank`: a bank ledger."""

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


BANK_HELP = (
    "Write a standalone synthetic bank ledger with laundering hidden in ordinary traffic to --out.\n"
    "\n"
    "The eight AMLworld typologies (fan_out, fan_in, cycle, scatter_gather, gather_scatter, bipartite, stack, "
    "random) among legitimate look-alikes (payroll, merchant sales, family cycles, rent splitting). "
    "[cyan]--setting HI[/cyan] makes about 1 transaction in 980 illicit, [cyan]LI[/cyan] about 1 in 1,950. "
    "Mules are drawn uniformly from personal accounts, never by age, gender or district.\n"
    "\n"
    "You get: [cyan]transactions.parquet[/cyan] (tx_id, ts, payer, payee, amount, channel), "
    "[cyan]accounts.parquet[/cyan], [cyan]truth/[/cyan] laundering.csv, laundering_patterns.csv, lookalikes.csv, "
    "and [cyan]manifest.json[/cyan].\n"
    "\n"
    "Example: [cyan]tahqiq generate bank --accounts 100000 --transactions 1000000 --setting LI --out /tmp/bank[/cyan]. "
    "Details: docs/generate.md.\n"
)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=HELP, rich_markup_mode="rich", invoke_without_command=True)
    app.add_typer(group, name="generate")

    @group.callback()
    def generate_cmd(
        ctx: typer.Context,
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
        if ctx.invoked_subcommand is not None:
            return  # `tahqiq generate bank ...`: the options above belong to the province, not the bank
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

    @group.command("bank", help=BANK_HELP)
    def bank_cmd(
        accounts: int = typer.Option(100_000, "--accounts", min=1000, help="Accounts in the bank."),
        transactions: int = typer.Option(1_000_000, "--transactions", min=10_000,
                                         help="Transactions to write (exactly this many)."),
        seed: int = typer.Option(4, "--seed", "-s", min=0,
                                 help="Random seed; the same arguments give identical files."),
        setting: str = typer.Option("HI", "--setting", help="HI (more illicit, ~1/980) or LI (less, ~1/1,950)."),
        out: Path = typer.Option(Path("bank-data"), "--out", "-o",
                                 help="Directory to write into (created if missing)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress display and no summary table."),
    ) -> None:
        from tahqiq.generate.bank import generate_bank

        setting = setting.upper()
        if setting not in ("HI", "LI"):
            raise typer.BadParameter("must be HI or LI", param_hint="--setting")
        started = time.perf_counter()
        m = generate_bank(out, accounts=accounts, transactions=transactions, seed=seed, setting=setting,
                          progress=not quiet)
        elapsed = time.perf_counter() - started
        if quiet:
            return
        console = Console()
        table = Table(title=f"Synthetic bank ({setting}): {accounts:,} accounts, seed {seed}", title_justify="left")
        table.add_column("what")
        table.add_column("count", justify="right")
        table.add_row("transactions", f"{m['transactions']:,}")
        table.add_row("illicit transactions", f"{m['illicit_transactions']:,} (1 in "
                      f"{m['transactions'] / max(1, m['illicit_transactions']):,.0f})")
        for kind, n in m["patterns"].items():
            table.add_row(f"  pattern: {kind}", f"{n:,}")
        for kind, n in m["lookalikes"].items():
            table.add_row(f"  look-alike: {kind}", f"{n:,}")
        console.print(table)
        console.print(f"Wrote [bold]{out}[/bold] in {elapsed:.1f} s (manifest: {out / 'manifest.json'}).")
