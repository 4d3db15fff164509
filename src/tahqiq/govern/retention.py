"""Retention: data not attached to an open case is deleted when its source's period ends.

Each source may have `retention_days` (sources.retention_days). A run deletes, per source, the
entities (with their statements), source records and quarantined rows older than the period, except
entities that are subjects of an open, unexpired case and the source records those still cite.
Every deletion is in the audit log (which entity ids, how many records) in the same transaction as
the deletion itself. Evidence is not touched: it belongs to cases and courts.

What resolution derived from deleted data goes with it: the deleted entities' cluster memberships
and match links, and the prepared-feature cache under TAHQIQ_HOME/resolve (it holds copies of
values; after a run that deleted anything it is removed, so the next `tahqiq resolve` is a full one).
Analysts' merge/split decisions stay: they are records of who decided what, holding ids only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from tahqiq.config import settings
from tahqiq.govern.auditlog import AuditLog
from tahqiq.govern.base import ADMIN, SYSTEM, GovernError, Principal, utcnow
from tahqiq.govern.entries import record, require_role
from tahqiq.govern.tables import Case, CaseSubject, RetentionRun
from tahqiq.store.base import inserted_id
from tahqiq.store.tables import Entity, MatchLink, QuarantinedRow, ResolvedEntity, Source, SourceRecord, Statement

CHUNK = 500


@dataclass
class SourceResult:
    source: str
    retention_days: int
    cutoff: datetime
    entities: int = 0
    statements: int = 0
    records: int = 0
    quarantine: int = 0
    protected: int = 0
    resolution_rows: int = 0  # cluster memberships and match links of the deleted entities


@dataclass
class RetentionReport:
    run_id: int
    dry_run: bool
    sources: list[SourceResult] = field(default_factory=list)

    feature_caches_removed: list[str] = field(default_factory=list)

    @property
    def entities(self) -> int:
        return sum(s.entities for s in self.sources)


def set_retention(audit: AuditLog, actor: Principal, source: str, days: int | None) -> None:
    require_role(audit, actor, "retention.set", (ADMIN,), target=source)
    if days is not None and days < 1:
        raise GovernError("retention must be at least one day (or none)")
    with audit.transaction() as conn:
        if not conn.execute(update(Source).where(Source.name == source).values(retention_days=days)).rowcount:
            raise GovernError(f"no source {source!r}")
        record(audit, actor, "retention.set", decision="info", target=source, detail={"days": days}, conn=conn)


def _chunks(items: list[str], n: int = CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def run_retention(audit: AuditLog, actor: Principal = SYSTEM, *, now: datetime | None = None,
                  dry_run: bool = False) -> RetentionReport:
    """Apply every source's retention period. `actor` is an admin, or SYSTEM for the schedule."""
    if not actor.is_system:
        require_role(audit, actor, "retention.run", (ADMIN,))
    now = now or utcnow()
    with audit.engine.begin() as conn:
        run_id = inserted_id(conn.execute(insert(RetentionRun).values(
            actor=actor.username, started_at=utcnow(), dry_run=dry_run, detail={})))
        sources = conn.execute(select(Source.name, Source.retention_days)
                               .where(Source.retention_days.is_not(None)).order_by(Source.name)).all()
    report = RetentionReport(run_id, dry_run)
    for name, days in sources:
        assert days is not None  # selected for having a period
        report.sources.append(_run_source(audit, actor, name, days, now, dry_run, run_id))
    if not dry_run and any(s.statements or s.entities for s in report.sources):
        report.feature_caches_removed = _remove_feature_caches()
    with audit.transaction() as conn:
        conn.execute(update(RetentionRun).where(RetentionRun.id == run_id).values(
            finished_at=utcnow(), entities_deleted=report.entities,
            statements_deleted=sum(s.statements for s in report.sources),
            records_deleted=sum(s.records for s in report.sources),
            quarantine_deleted=sum(s.quarantine for s in report.sources),
            detail={"sources": {s.source: {"entities": s.entities, "records": s.records,
                                           "quarantine": s.quarantine, "protected": s.protected,
                                "resolution_rows": s.resolution_rows}
                                for s in report.sources},
                    "feature_caches_removed": report.feature_caches_removed},
        ))
        record(audit, actor, "retention.run", decision="info", target=None,
                     detail={"run": run_id, "dry_run": dry_run, "now": now.isoformat(),
                             "entities": report.entities, "sources": [s.source for s in report.sources],
                             "feature_caches_removed": report.feature_caches_removed},
                     conn=conn)
    return report


class _Rollback(Exception):
    pass


def _run_source(audit: AuditLog, actor: Principal, source: str, days: int, now: datetime, dry_run: bool,
                run_id: int) -> SourceResult:
    """Delete one source's expired data in one transaction with its audit entries. A dry run does
    exactly the same work and then rolls it back (its audit entries included)."""
    cutoff = now - timedelta(days=days)
    res = SourceResult(source, days, cutoff)
    try:
        with audit.transaction() as conn:
            protected = set(conn.execute(
                select(CaseSubject.entity_id).join(Case, Case.id == CaseSubject.case_id)
                .where(Case.status == "open", Case.expires_at > now)).scalars())
            old = list(conn.execute(select(Entity.id).where(Entity.source == source, Entity.created_at < cutoff)
                                    .order_by(Entity.id)).scalars())
            doomed = [i for i in old if i not in protected]
            res.protected = len(old) - len(doomed)
            res.entities = len(doomed)
            for chunk in _chunks(doomed):
                res.statements += conn.execute(delete(Statement).where(Statement.entity_id.in_(chunk))).rowcount
                conn.execute(delete(Entity).where(Entity.id.in_(chunk)))
                res.resolution_rows += conn.execute(
                    delete(ResolvedEntity).where(ResolvedEntity.entity_id.in_(chunk))).rowcount
                res.resolution_rows += conn.execute(delete(MatchLink).where(
                    or_(MatchLink.left_id.in_(chunk), MatchLink.right_id.in_(chunk)))).rowcount
                record(audit, actor, "retention.delete", decision="info", target=source,
                             detail={"run": run_id, "kind": "entities", "cutoff": cutoff.isoformat(),
                                     "ids": chunk, "count": len(chunk)}, conn=conn)
            # Old values from this source on other entities go too, unless the entity is protected.
            stale = [sid for sid, eid in conn.execute(
                select(Statement.id, Statement.entity_id).where(Statement.source == source, Statement.seen_at < cutoff))
                if eid not in protected]
            for chunk in _chunks(stale):
                res.statements += conn.execute(delete(Statement).where(Statement.id.in_(chunk))).rowcount
            # Source records go once no remaining value cites them.
            cited = set(conn.execute(
                select(Statement.record_id).where(Statement.source == source).distinct()).scalars())
            records = [rid for rid, rec in conn.execute(
                select(SourceRecord.id, SourceRecord.record_id)
                .where(SourceRecord.source == source, SourceRecord.ingested_at < cutoff)) if rec not in cited]
            for chunk in _chunks(records):
                res.records += conn.execute(delete(SourceRecord).where(SourceRecord.id.in_(chunk))).rowcount
            res.quarantine = conn.execute(delete(QuarantinedRow).where(
                QuarantinedRow.source == source, QuarantinedRow.created_at < cutoff)).rowcount
            if res.records or res.quarantine or res.statements:
                record(audit, actor, "retention.delete", decision="info", target=source,
                             detail={"run": run_id, "kind": "records", "cutoff": cutoff.isoformat(),
                                     "source_records": res.records, "quarantined_rows": res.quarantine,
                                     "statements": res.statements}, conn=conn)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return res


def _remove_feature_caches() -> list[str]:
    """Delete the resolution's prepared-feature caches (copies of values, some now deleted)."""
    removed = []
    for path in sorted(settings().resolution_cache.glob("*-features.parquet")):
        path.unlink(missing_ok=True)
        removed.append(path.name)
    return removed


def start_schedule(audit: AuditLog, interval_hours: float = 24.0) -> threading.Event:
    """Run retention as SYSTEM every `interval_hours` in a daemon thread (for the server)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_hours * 3600):
            try:
                run_retention(audit, SYSTEM)
            except Exception:  # noqa: BLE001 - the next tick retries; failures show as missing runs
                pass

    threading.Thread(target=loop, name="tahqiq-retention", daemon=True).start()
    return stop
