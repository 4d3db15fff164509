"""The ingest loop: read rows, map them, write them in chunks, quarantine what fails.

Each chunk is one transaction that also advances the batch's `rows_read` checkpoint, so a process
killed at any moment (SIGKILL included) leaves the store at a chunk boundary, and re-running the same
command resumes from there. Every insert is "on conflict do nothing" on content-hash ids, so even a
re-run from the start adds nothing twice.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Table, func, select, update
from sqlalchemy.orm import Session

from tahqiq.ingest.mapping import Mapping
from tahqiq.ingest.readers import BadRow, Row, open_input
from tahqiq.ingest.rowmap import MappedRow, Rejection, RowMapper, make_id
from tahqiq.store.base import table_of
from tahqiq.store.db import refresh_statistics
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, Source, SourceRecord, Statement

DEFAULT_CHUNK = int(os.environ.get("TAHQIQ_INGEST_CHUNK", "2000"))

Progress = Callable[[int, int | None, int | None], None]  # rows read, position, total
DbRow = dict[str, Any]  # one row to insert: column name -> value


@dataclass
class IngestResult:
    batch_id: int
    source: str
    input_name: str
    encoding: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    entities_added: int
    statements_added: int
    resumed_from: int = 0
    already_done: bool = False


def insert_ignore(session: Session, table: Table, rows: Sequence[AnyMapping[str, object]]) -> None:
    """Insert rows, skipping any whose primary/unique key exists already (the idempotence rule).

    Goes straight to the driver's executemany with the columns' own bind processors (JSON, dates),
    which is several times faster than SQLAlchemy's per-row parameter handling on large chunks.
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    cols = list(rows[0])
    quote = dialect.identifier_preparer.quote
    procs = [table.c[c].type._cached_bind_processor(dialect) for c in cols]
    names = ", ".join(quote(c) for c in cols)
    if dialect.name == "postgresql":
        sql = (f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join(['%s'] * len(cols))})"
               " ON CONFLICT DO NOTHING")
    else:
        sql = f"INSERT OR IGNORE INTO {quote(table.name)} ({names}) VALUES ({', '.join(['?'] * len(cols))})"
    params = [tuple(p(row[c]) if p else row[c] for c, p in zip(cols, procs, strict=True)) for row in rows]
    conn.exec_driver_sql(sql, params)


def _ensure_source(session: Session, mapping: Mapping) -> None:
    src = session.get(Source, mapping.source)
    if src is None:
        session.add(Source(name=mapping.source, label=mapping.label, retention_days=mapping.retention_days))
    else:
        src.label = mapping.label or src.label
        src.retention_days = mapping.retention_days or src.retention_days


def ingest(
    engine: Engine,
    mapping: Mapping,
    target: str,
    *,
    chunk_size: int = DEFAULT_CHUNK,
    force: bool = False,
    progress: Progress | None = None,
) -> IngestResult:
    """Load `target` (a file path, or a database URL for SQL mappings) with `mapping`."""
    source_input = open_input(mapping, target)
    mapper = RowMapper(mapping)
    fp = mapping.fingerprint()
    with Session(engine, expire_on_commit=False) as session:
        _ensure_source(session, mapping)
        session.flush()
        previous = session.execute(
            select(IngestBatch)
            .where(IngestBatch.source == mapping.source, IngestBatch.input_sha256 == source_input.sha256,
                   IngestBatch.mapping_fingerprint == fp)
            .order_by(IngestBatch.id.desc())
        ).scalars().first()
        if previous is not None and previous.status == "done" and not force:
            session.commit()
            return _result(previous, source_input.encoding, already_done=True)
        if previous is not None and previous.status == "running":
            batch = previous  # a run that was killed: resume it
        else:
            batch = IngestBatch(source=mapping.source, mapping_fingerprint=fp, input_name=source_input.name,
                                input_sha256=source_input.sha256, status="running")
            session.add(batch)
        session.commit()
        resumed_from = batch.rows_read

        records: list[DbRow] = []
        entities: dict[str, DbRow] = {}
        statements: list[DbRow] = []
        quarantine: list[DbRow] = []
        pending = loaded = rejected = 0

        def flush(rows_read: int) -> None:
            nonlocal records, entities, statements, quarantine, pending, loaded, rejected
            insert_ignore(session, table_of(SourceRecord), records)
            insert_ignore(session, table_of(Entity), list(entities.values()))
            insert_ignore(session, table_of(Statement), statements)
            insert_ignore(session, table_of(QuarantinedRow), quarantine)
            session.execute(
                update(IngestBatch).where(IngestBatch.id == batch.id).values(
                    rows_read=rows_read,
                    rows_loaded=IngestBatch.rows_loaded + loaded,
                    rows_quarantined=IngestBatch.rows_quarantined + rejected,
                )
            )
            session.commit()
            records, entities, statements, quarantine = [], {}, [], []
            pending = loaded = rejected = 0

        now = datetime.now(UTC)
        row_number = resumed_from
        for row_number, row in source_input.rows:
            if row_number <= resumed_from:
                continue
            pending += 1
            outcome: MappedRow | Rejection
            data: Row
            if isinstance(row, BadRow):
                outcome = Rejection(None, row.reason)
                data = {"_raw": row.raw}
            else:
                outcome = mapper.map(row, row_number)
                data = row
            if isinstance(outcome, Rejection):
                rejected += 1
                quarantine.append({"row_key": make_id(mapping.source, source_input.sha256, str(row_number)),
                                   "batch_id": batch.id, "source": mapping.source, "row_number": row_number,
                                   "data": _jsonable(data), "field": outcome.field, "reason": outcome.reason,
                                   "status": "open", "created_at": now})
            else:
                loaded += 1
                record, ents, sts = store_rows(outcome, mapping.source, batch.id, row_number, data, now)
                records.append(record)
                for ent in ents:
                    entities.setdefault(ent["id"], ent)
                statements.extend(sts)
            if pending >= chunk_size:
                flush(row_number)
                if progress:
                    progress(row_number, source_input.position(), source_input.total_bytes or source_input.total_rows)
        flush(row_number)
        if progress:
            progress(row_number, source_input.total_bytes or row_number, source_input.total_bytes or row_number)

        added_entities = session.scalar(select(func.count()).select_from(Entity).where(Entity.batch_id == batch.id))
        added_statements = session.scalar(
            select(func.count()).select_from(Statement).where(Statement.batch_id == batch.id))
        session.execute(
            update(IngestBatch).where(IngestBatch.id == batch.id).values(
                status="done", finished_at=datetime.now(UTC),
                entities_added=added_entities, statements_added=added_statements)
        )
        session.commit()
        session.refresh(batch)
        if added_statements:
            refresh_statistics(engine, SourceRecord.__table__, Entity.__table__, Statement.__table__,
                               QuarantinedRow.__table__)
        result = _result(batch, source_input.encoding)
        result.resumed_from = resumed_from
        return result


def store_rows(outcome: MappedRow, source: str, batch_id: int, row_number: int, data: AnyMapping[str, object],
               now: datetime) -> tuple[DbRow, list[DbRow], list[DbRow]]:
    """The source record, entity and statement rows that one mapped row adds to the store."""
    record = {"id": make_id(source, outcome.record_id), "source": source, "record_id": outcome.record_id,
              "batch_id": batch_id, "row_number": row_number, "data": _jsonable(data), "ingested_at": now}
    entities = [{"id": e.id, "schema": e.schema, "source": source, "batch_id": batch_id, "created_at": now}
                for e in outcome.entities]
    statements = [{**st, "batch_id": batch_id, "seen_at": now} for e in outcome.entities for st in e.statements]
    return record, entities, statements


def _result(batch: IngestBatch, encoding: str | None, already_done: bool = False) -> IngestResult:
    return IngestResult(
        batch_id=batch.id, source=batch.source, input_name=batch.input_name, encoding=encoding,
        rows_read=batch.rows_read, rows_loaded=batch.rows_loaded, rows_quarantined=batch.rows_quarantined,
        entities_added=batch.entities_added, statements_added=batch.statements_added, already_done=already_done,
    )


def _jsonable(row: AnyMapping[str, object]) -> dict[str, object]:
    """Rows from Parquet/SQL may hold dates, decimals or bytes; keep them as text in JSON."""
    out: dict[str, object] = {}
    for key, value in row.items():
        if value is None or isinstance(value, (str, int, float, bool, list, dict)):
            out[str(key)] = value
        elif isinstance(value, bytes):
            out[str(key)] = value.hex()
        else:
            out[str(key)] = str(value)
    return out
