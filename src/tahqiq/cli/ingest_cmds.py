"""`tahqiq ingest` and `tahqiq quarantine list/retry`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from tahqiq.cli.common import console, fail, store
from tahqiq.ingest import IngestResult, InputError, MappingError, ingest, load_mapping
from tahqiq.ingest.mapping import default_input
from tahqiq.ingest.runner import Progress as OnProgress

quarantine_app = typer.Typer(help="Rows that failed validation: see why, fix the mapping or the value, retry.",
                             no_args_is_help=True)


def _mapping_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.yml")) + sorted(path.glob("*.yaml"))
        if not files:
            fail(f"no mapping files (*.yml) in {path}")
        return files
    if not path.exists():
        fail(f"mapping file not found: {path}")
    return [path]


def _progress_bar(bar: Progress, task: TaskID) -> OnProgress:
    def on_progress(rows: int, position: int | None, total: int | None) -> None:
        bar.update(task, completed=position, total=total, rows=rows)

    return on_progress


def ingest_command(
    mapping: Annotated[Path, typer.Argument(help="Mapping YAML file, or a folder of them "
                                                 "(each naming its `input:`).")],
    input_file: Annotated[str | None, typer.Argument(
        metavar="[FILE]", help="Input file (CSV, JSON lines, Parquet) or database URL for SQL mappings. "
                               "Default: the mapping's `input:`.")] = None,
    force: Annotated[bool, typer.Option(help="Re-run an input that was already fully ingested "
                                             "(adds nothing new).")] = False,
    chunk_size: Annotated[int, typer.Option(help="Rows per transaction "
                                                 "(a killed run resumes from the last one).")] = 2000,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Load agency records through a declarative mapping.

    Every value is normalised (CNIC, phone, plate, IBAN, dates, districts...) and stored with its
    provenance. Rows that fail validation go to the quarantine with the field and the reason; the rest
    of the file still loads. Ingesting the same file again adds nothing; a run that was killed resumes
    where it stopped when you run the same command again.

    Example: tahqiq ingest demo-data/mappings/nadra_id_registry.yml
    """
    files = _mapping_files(mapping)
    if input_file and len(files) > 1:
        fail("give FILE only with a single mapping file")
    engine = store()
    results: list[IngestResult] = []
    for path in files:
        try:
            m = load_mapping(path)
        except MappingError as exc:
            fail(str(exc))
        target = input_file or default_input(m, path)
        if target is None:
            fail(f"{path}: no input given and the mapping has no `input:`")
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      TextColumn("{task.fields[rows]:>10,} rows"), TimeElapsedColumn(), TimeRemainingColumn(),
                      console=console, disable=quiet, transient=True) as bar:
            on_progress = _progress_bar(bar, bar.add_task(m.source, total=None, rows=0))
            try:
                results.append(ingest(engine, m, target, chunk_size=chunk_size, force=force, progress=on_progress))
            except (InputError, MappingError) as exc:
                fail(str(exc))
    _report(results)


def _report(results: list[IngestResult]) -> None:
    table = Table(title="Ingest")
    for col in ("source", "rows", "loaded", "quarantined", "entities +", "values +"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for r in results:
        table.add_row(r.source, f"{r.rows_read:,}", f"{r.rows_loaded:,}", f"{r.rows_quarantined:,}",
                      f"{r.entities_added:,}", f"{r.statements_added:,}")
    console.print(table)
    for r in results:
        if r.resumed_from:
            console.print(f"{r.source}: resumed after row {r.resumed_from:,} (an earlier run was interrupted)")
        elif r.already_done:
            console.print(f"{r.source}: already ingested ({Path(r.input_name).name}), nothing added; "
                          "--force re-reads it")
    if any(r.rows_quarantined for r in results):
        console.print("Rows that failed validation are in the quarantine: [bold]tahqiq quarantine list[/]")


@quarantine_app.command("list")
def quarantine_list(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    status: Annotated[str, typer.Option(help="open, resolved or all.")] = "open",
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
) -> None:
    """List quarantined rows with the field and the reason (not their contents: see `quarantine show`)."""
    from tahqiq.ingest.quarantine import counts_by_reason, list_rows

    engine = store()
    summary = Table(title="Open quarantine by source and field")
    for col in ("source", "field", "rows"):
        summary.add_column(col)
    for source_name, field, n in counts_by_reason(engine, source):
        summary.add_row(source_name, field or "(whole row)", f"{n:,}")
    console.print(summary)
    rows = Table(title=f"Quarantined rows ({status})")
    for col in ("id", "source", "input", "row", "field", "reason", "status"):
        rows.add_column(col)
    for r in list_rows(engine, source=source, status=status, limit=limit):
        rows.add_row(str(r.id), r.source, Path(r.input_name).name, str(r.row_number), r.field or "", r.reason, r.status)
    console.print(rows)


@quarantine_app.command("retry")
def quarantine_retry(
    mapping: Annotated[Path, typer.Argument(help="The (fixed) mapping of the source whose rows to retry.")],
    row: Annotated[list[int] | None, typer.Option("--id", help="Only these quarantine ids (repeatable).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Correct a cell first: COLUMN=VALUE (repeatable; "
                                                                   "use with --id).")] = None,
) -> None:
    """Run open quarantined rows through the mapping again; rows that now pass are loaded."""
    from tahqiq.ingest.quarantine import retry

    try:
        m = load_mapping(mapping)
    except MappingError as exc:
        fail(str(exc))
    corrections: dict[str, str] = {}
    for item in set_ or []:
        if "=" not in item:
            fail(f"--set takes COLUMN=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        corrections[key] = value
    if corrections and not row:
        fail("--set corrects specific rows: give them with --id")
    result = retry(store(), m, row_ids=row, corrections=corrections)
    console.print(f"Retried {result.retried} rows of {m.source}: {result.loaded} loaded, "
                  f"{len(result.still_failing)} still failing.")
    for qid, field, reason in result.still_failing[:20]:
        console.print(f"  #{qid} {field or ''}: {reason}")
    if result.still_failing:
        raise typer.Exit(1)


def import_ftm_command(
    path: Annotated[Path, typer.Argument(help="followthemoney entity JSON lines (one entity per line).")],
    source: Annotated[str, typer.Option(help="Source name to record as provenance.")] = "ftm_import",
) -> None:
    """Import followthemoney (Aleph / OpenSanctions / Tahqiq export) entities as a source."""
    from tahqiq.ingest.ftm_import import import_ftm

    if not path.is_file():
        fail(f"file not found: {path}")
    _report([import_ftm(store(), path, source)])


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("import-ftm")(import_ftm_command)
    app.add_typer(quarantine_app, name="quarantine")
