"""The quarantine: rows that failed validation, waiting to be fixed and retried.

Listing shows row numbers, fields and reasons, never the row's contents: those are personal data and
are shown only through the governance gate (`tahqiq quarantine show`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tahqiq.ingest.mapping import Mapping
from tahqiq.ingest.rowmap import Rejection, RowMapper
from tahqiq.ingest.runner import insert_ignore, store_rows
from tahqiq.store.base import table_of
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, SourceRecord, Statement


@dataclass(frozen=True)
class QuarantineSummary:
    id: int
    source: str
    batch_id: int
    input_name: str
    row_number: int
    field: str | None
    reason: str
    status: str


def list_rows(engine: Engine, *, source: str | None = None, status: str = "open",
              limit: int = 100) -> list[QuarantineSummary]:
    q = (
        select(QuarantinedRow, IngestBatch.input_name)
        .join(IngestBatch, IngestBatch.id == QuarantinedRow.batch_id)
        .order_by(QuarantinedRow.id)
        .limit(limit)
    )
    if source:
        q = q.where(QuarantinedRow.source == source)
    if status != "all":
        q = q.where(QuarantinedRow.status == status)
    with Session(engine) as s:
        return [
            QuarantineSummary(r.id, r.source, r.batch_id, name, r.row_number, r.field, r.reason, r.status)
            for r, name in s.execute(q)
        ]


def counts_by_reason(engine: Engine, source: str | None = None) -> list[tuple[str, str | None, int]]:
    """(source, field, count) of open rows: what a data steward fixes first."""
    q = (
        select(QuarantinedRow.source, QuarantinedRow.field, func.count())
        .where(QuarantinedRow.status == "open")
        .group_by(QuarantinedRow.source, QuarantinedRow.field)
        .order_by(func.count().desc())
    )
    if source:
        q = q.where(QuarantinedRow.source == source)
    with Session(engine) as s:
        return [(src, fld, n) for src, fld, n in s.execute(q).tuples()]


@dataclass
class RetryResult:
    retried: int
    loaded: int
    still_failing: list[tuple[int, str | None, str]]


def retry(
    engine: Engine,
    mapping: Mapping,
    *,
    row_ids: list[int] | None = None,
    corrections: dict[str, str] | None = None,
) -> RetryResult:
    """Run open quarantined rows of the mapping's source through `mapping` again (typically after
    fixing the mapping, e.g. adding a date format). `corrections` overwrites cells of the row(s)
    first, for a steward fixing one bad value by hand; the correction is kept in the stored record."""
    mapper = RowMapper(mapping)
    now = datetime.now(UTC)
    result = RetryResult(0, 0, [])
    with Session(engine) as s:
        q = select(QuarantinedRow).where(QuarantinedRow.source == mapping.source, QuarantinedRow.status == "open")
        if row_ids:
            q = q.where(QuarantinedRow.id.in_(row_ids))
        for qrow in s.execute(q.order_by(QuarantinedRow.id)).scalars().all():
            result.retried += 1
            data = dict(qrow.data)
            if "_raw" in data and not corrections:
                result.still_failing.append((qrow.id, qrow.field, "unparseable row: correct it with --set"))
                continue
            data.pop("_raw", None)
            data.update(corrections or {})
            outcome = mapper.map(data, qrow.row_number)
            if isinstance(outcome, Rejection):
                result.still_failing.append((qrow.id, outcome.field, outcome.reason))
                continue
            record, entities, statements = store_rows(outcome, mapping.source, qrow.batch_id, qrow.row_number, data,
                                                      now)
            insert_ignore(s, table_of(SourceRecord), [record])
            insert_ignore(s, table_of(Entity), entities)
            insert_ignore(s, table_of(Statement), statements)
            qrow.status = "resolved"
            qrow.resolved_at = now
            result.loaded += 1
        s.commit()
    return result
