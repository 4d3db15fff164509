"""`tahqiq init` and `tahqiq status`."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tahqiq.cli.common import console, store
from tahqiq.config import private_dir, settings


def init() -> None:
    """Create (or upgrade) the store: the SQLite file under TAHQIQ_HOME, or TAHQIQ_DATABASE_URL."""
    conf = settings()
    private_dir(conf.home)  # also an existing home made before its files were private
    engine = store()
    console.print(f"Store ready at [bold]{engine.url.render_as_string(hide_password=True)}[/]")
    console.print(f"Tahqiq home: {conf.home}")


def status() -> None:
    """Show what the store holds: entities per schema and source, ingest batches, quarantine."""
    from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow

    engine = store()
    with Session(engine) as s:
        per_source = s.execute(
            select(Entity.source, Entity.schema, func.count()).group_by(Entity.source, Entity.schema)
            .order_by(Entity.source, Entity.schema)).all()
        batches = s.scalar(select(func.count()).select_from(IngestBatch))
        open_q = s.scalar(select(func.count()).select_from(QuarantinedRow).where(QuarantinedRow.status == "open"))
    table = Table(title="Entities in the store")
    for col in ("source", "schema", "entities"):
        table.add_column(col, justify="right" if col == "entities" else "left")
    for source, schema, n in per_source:
        table.add_row(source, schema, f"{n:,}")
    console.print(table)
    console.print(f"{batches} ingest batches, {open_q} rows in quarantine. "
                  f"Store: {engine.url.render_as_string(hide_password=True)}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
