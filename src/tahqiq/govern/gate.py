"""The governance gate: the one way personal data leaves the store.

    gate = Gate(engine)
    me = gate.authenticate_password("ayesha", password)          # or gate.authenticate_token(token)
    with gate.session(me, case="CASE-2026-0001", purpose="investigate FIR 123/2026") as view:
        view.find("cnic", "35202-1234567-1")
        view.entities(ids)

Each read is decided afresh (the account, the token, the role, the case's status, expiry and legal
basis, membership and agency: see `cases.case_access`) and written to the audit log *before* any
data is returned; a refusal raises `AccessDenied` and is written to the log too. Nothing else in
Tahqiq may import `tahqiq.store.reads` (tests/store/test_boundaries.py enforces this).

Which entities may a member read? Any entity in the store, *for that case*: the FIR or warrant is
the legal basis for the investigation, which must be free to follow leads, and every read names the
case, the purpose and the entity ids, so a supervisor or an auditor can see exactly what was read
under which authority. Bulk reads of the whole store (`iter_entities`) need a supervisor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select

from tahqiq.govern import identity
from tahqiq.govern.auditlog import AuditLog, AuditRecord
from tahqiq.govern.base import AUDITOR, SUPERVISOR, AccessDenied, GovernError, Principal, aware, utcnow
from tahqiq.govern.cases import case_access
from tahqiq.govern.identity import deny
from tahqiq.govern.keys import Signer, load_pepper, value_digest
from tahqiq.govern.tables import AuditEntry, Case, CaseSubject, User
from tahqiq.store import reads
from tahqiq.store.reads import EntityView
from tahqiq.store.tables import Entity, QuarantinedRow, SourceRecord, Statement

MIN_PURPOSE = 5
Aggregate = Callable[..., Any]
_AGGREGATES: dict[str, Aggregate] = {}


def aggregate(name: str) -> Callable[[Aggregate], Aggregate]:
    """Register a named aggregate for `Gate.stats`: `fn(conn, **params)` must return counts about
    places, times, sources or schemas, never values that identify a person."""

    def register(fn: Aggregate) -> Aggregate:
        _AGGREGATES[name] = fn
        return fn

    return register


@aggregate("overview")
def _overview(conn: Connection) -> dict:
    def counts(col, table, where=None) -> dict[str, int]:
        q = select(col, func.count()).select_from(table).group_by(col).order_by(col)
        if where is not None:
            q = q.where(where)
        return {str(k): int(v) for k, v in conn.execute(q)}

    return {
        "entities_by_schema": counts(Entity.schema, Entity),
        "entities_by_source": counts(Entity.source, Entity),
        "statements": int(conn.execute(select(func.count()).select_from(Statement)).scalar_one()),
        "quarantine_open_by_source": counts(QuarantinedRow.source, QuarantinedRow, QuarantinedRow.status == "open"),
        "open_cases": int(
            conn.execute(select(func.count()).select_from(Case).where(Case.status == "open", Case.expires_at > utcnow())).scalar_one()
        ),
    }


class Gate:
    def __init__(self, engine: Engine, *, audit: AuditLog | None = None, signer: Signer | None = None) -> None:
        self.engine = engine
        self.audit = audit or AuditLog(engine, signer)
        self._pepper: bytes | None = None

    def dispose(self) -> None:
        """Release the audit log's own connections (the engine stays the caller's)."""
        self.audit.dispose()

    # --- who is asking ------------------------------------------------------------------------

    def authenticate_password(self, username: str, password: str) -> Principal:
        return identity.authenticate_password(self.audit, username, password)

    def authenticate_token(self, token: str) -> Principal:
        return identity.authenticate_token(self.audit, token)

    # --- personal data ------------------------------------------------------------------------

    @contextmanager
    def session(self, principal: Principal, case: str, purpose: str) -> Iterator["CaseView"]:
        """Open a view of personal data under `case` for `purpose`. Raises AccessDenied (audited)
        at once if the case grants this user nothing; each read is checked and audited again."""
        view = CaseView(self, principal, case, purpose)
        view._decide("session.open")
        try:
            yield view
        finally:
            view._closed = True

    def digest(self, prop: str, value: str) -> str:
        if self._pepper is None:
            self._pepper = load_pepper()
        return value_digest(self._pepper, prop, value)

    # --- no personal data ---------------------------------------------------------------------

    def stats(self, principal: Principal, name: str = "overview", **params: Any) -> Any:
        """A registered aggregate (no personal data, so no case needed); audited."""
        self._active(principal, "stats")
        fn = _AGGREGATES.get(name)
        if fn is None:
            raise GovernError(f"no aggregate {name!r} (known: {', '.join(sorted(_AGGREGATES))})")
        with self.engine.connect() as conn:
            result = fn(conn, **params)
        self.audit.append(principal.username, "stats", role=principal.role, decision="grant", target=name,
                          detail={"params": {k: str(v) for k, v in params.items()}})
        return result

    def access_log(
        self,
        principal: Principal,
        *,
        case: str | None = None,
        actor: str | None = None,
        entity: str | None = None,
        value: tuple[str, str] | None = None,
        action: str | None = None,
        since: int = 0,
        limit: int = 200,
        newest_first: bool = False,
    ) -> list[AuditRecord]:
        """Who accessed what. Auditors see the whole log; supervisors see entries about their
        agency's cases or by their agency's users. `value=("cnic", "35202-...")` finds searches for
        that value (the log holds only a keyed hash of it). Entries from `since` on, oldest first, or
        the newest `limit` of them. Reading the log is itself logged."""
        self._active(principal, "audit.read")
        if principal.role not in (AUDITOR, SUPERVISOR):
            raise deny(self.audit, principal, "audit.read", "only auditors and supervisors may read the audit log")
        e = AuditEntry.__table__.c
        where = []
        if principal.role == SUPERVISOR:
            agency_cases = select(Case.reference).where(Case.agency_id == principal.agency_id)
            agency_users = select(User.username).where(User.agency_id == principal.agency_id)
            where.append(or_(e.case_ref.in_(agency_cases), e.actor.in_(agency_users)))
        if case:
            where.append(e.case_ref == case)
        if actor:
            where.append(e.actor == actor)
        if action:
            where.append(e.action == action)
        if entity:
            where.append(e.target.contains(entity))
        if value:
            where.append(e.target == f"{value[0]}#{self.digest(*value)}")
        cond = None
        for w in where:
            cond = w if cond is None else (cond & w)
        records = self.audit.records(where=cond, since=since, limit=limit, newest_first=newest_first)
        self.audit.append(
            principal.username, "audit.read", role=principal.role, decision="grant", case=case,
            detail={"filters": {"case": case, "actor": actor, "entity": entity, "action": action,
                                "value": f"{value[0]}#{self.digest(*value)}" if value else None},
                    "count": len(records)},
        )
        return records

    def _active(self, principal: Principal, action: str) -> None:
        with self.engine.connect() as conn:
            reason = identity.still_valid(conn, principal)
        if reason:
            raise deny(self.audit, principal, action, reason)


class CaseView:
    """Personal data under one case, for one purpose. Get it from `Gate.session`."""

    def __init__(self, gate: Gate, principal: Principal, case: str, purpose: str) -> None:
        self.gate, self.principal, self.case, self.purpose = gate, principal, case, (purpose or "").strip()
        self._closed = False

    # --- decision and record ------------------------------------------------------------------

    def _decide(self, action: str, *, target: str | None = None, detail: dict | None = None) -> Case:
        if self._closed:
            raise GovernError("this case view is closed; open a new gate session")
        with self.gate.engine.connect() as conn:
            reason = identity.still_valid(conn, self.principal)
            case = None
            if reason is None:
                case, reason = case_access(conn, self.principal, self.case)
        if reason is None and len(self.purpose) < MIN_PURPOSE:
            reason = "state the purpose of this access (at least a few words)"
        if reason is not None:
            raise deny(self.gate.audit, self.principal, action, reason, target=target, case=self.case,
                       purpose=self.purpose, detail=detail)
        return case

    def _grant(self, action: str, *, target: str | None, detail: dict, decision: str = "grant") -> AuditRecord:
        return self.gate.audit.append(
            self.principal.username, action, role=self.principal.role, case=self.case, purpose=self.purpose,
            decision=decision, target=target, detail=detail,
        )

    def _session(self):
        from tahqiq.store.db import session_factory

        return session_factory(self.gate.engine)()

    # --- reads --------------------------------------------------------------------------------

    def entities(self, ids: Iterable[str]) -> list[EntityView]:
        ids = list(dict.fromkeys(ids))
        self._decide("read.entities", detail={"requested": len(ids)})
        with self._session() as s:
            found = reads.get_entities(s, ids)
        got = [e.id for e in found]
        self._grant("read.entities", target=",".join(got) or None,
                    detail={"ids": got, "count": len(got), "missing": len(ids) - len(got)})
        return found

    def entity(self, entity_id: str) -> EntityView | None:
        found = self.entities([entity_id])
        return found[0] if found else None

    def find(self, prop: str, value: str, limit: int = 100) -> list[EntityView]:
        """Entities with exactly this (normalised) value, e.g. find("cnic", "35202-1234567-1")."""
        target = f"{prop}#{self.gate.digest(prop, value)}"
        self._decide("read.find", target=target)
        with self._session() as s:
            found = reads.find_by_value(s, prop, value, limit=limit)
        self._grant("read.find", target=target,
                    detail={"prop": prop, "ids": [e.id for e in found], "count": len(found)})
        return found

    def subjects(self) -> list[EntityView]:
        case = self._decide("read.subjects")
        with self._session() as s:
            ids = list(s.execute(select(CaseSubject.entity_id).where(CaseSubject.case_id == case.id)
                                 .order_by(CaseSubject.entity_id)).scalars())
            found = reads.get_entities(s, ids)
        got = [e.id for e in found]
        self._grant("read.subjects", target=",".join(got) or None, detail={"ids": got, "count": len(got)})
        return found

    def iter_entities(self, schema: str | None = None, source: str | None = None) -> Iterator[EntityView]:
        """Every entity (of a schema / source), for export: a bulk read, so a supervisor's. The grant
        is logged before the first entity; the count when the iteration ends (or is abandoned)."""
        detail = {"schema": schema, "source": source}
        self._decide("read.bulk", detail=detail)
        if self.principal.role != SUPERVISOR:
            raise deny(self.gate.audit, self.principal, "read.bulk",
                       "bulk reads of the store need a supervisor; read the case's subjects instead",
                       case=self.case, purpose=self.purpose, detail=detail)
        start = self._grant("read.bulk", target=None, detail=detail)

        def stream() -> Iterator[EntityView]:
            count = 0
            try:
                with self._session() as s:
                    for ent in reads.iter_entities(s, schema=schema, source=source):
                        count += 1
                        yield ent
            finally:
                self._grant("read.bulk.done", target=None, decision="info",
                            detail={**detail, "count": count, "started": start.seq})

        return stream()

    def source_records(self, source: str, record_ids: Iterable[str]) -> list[SourceRecord]:
        record_ids = list(record_ids)
        self._decide("read.source_records", target=source)
        with self._session() as s:
            rows = reads.source_records(s, source, record_ids)
            s.expunge_all()
        self._grant("read.source_records", target=source,
                    detail={"source": source, "records": [r.record_id for r in rows], "count": len(rows)})
        return rows

    def quarantined_row(self, row_id: int) -> QuarantinedRow | None:
        self._decide("read.quarantine", target=str(row_id))
        with self._session() as s:
            row = reads.quarantined_row(s, row_id)
            if row is not None:
                s.expunge(row)
        self._grant("read.quarantine", target=str(row_id),
                    detail={"row": row_id, "found": row is not None, "source": row.source if row else None})
        return row

    # --- case work ----------------------------------------------------------------------------

    def attach_subject(self, entity_id: str, note: str | None = None) -> None:
        """Name an entity as a subject of this case (retention spares it while the case is open)."""
        case = self._decide("case.attach_subject", target=entity_id)
        with self.gate.audit.transaction() as conn:
            if conn.execute(select(Entity.id).where(Entity.id == entity_id)).scalar() is None:
                raise GovernError(f"no entity {entity_id}")
            self._attach(conn, case, entity_id, note)

    def _attach(self, conn: Connection, case: Case, entity_id: str, note: str | None) -> None:
        exists = conn.execute(select(CaseSubject.entity_id).where(
            CaseSubject.case_id == case.id, CaseSubject.entity_id == entity_id)).first()
        if exists:
            return
        conn.execute(CaseSubject.__table__.insert().values(
            case_id=case.id, entity_id=entity_id, note=note, added_by=self.principal.user_id, added_at=utcnow()))
        self.gate.audit.append(self.principal.username, "case.attach_subject", role=self.principal.role,
                               case=self.case, purpose=self.purpose, target=entity_id, conn=conn)

    def watchlist_add(self, entity_id: str, reason: str, *, expires_at: datetime | None = None) -> int:
        """Put a store person on this case's watchlist (only under a warrant). The entry expires at
        `expires_at`, by default with the case. See tahqiq.govern.watchlists for every entry kind."""
        from tahqiq.govern import watchlists

        case = self._decide("watchlist.add", target=entity_id)
        return watchlists.add_entry(self, "person", reason=reason, entity_id=entity_id,
                                    expires_at=expires_at or aware(case.expires_at))

    def watchlist(self, *, include_inactive: bool = False) -> list[dict]:
        """This case's watchlist entries (active ones unless `include_inactive`): an audited read."""
        from dataclasses import asdict

        from tahqiq.govern import watchlists

        return [asdict(e) for e in watchlists.list_entries(self, include_inactive=include_inactive)]


__all__ = ["Gate", "CaseView", "AccessDenied", "aggregate"]
