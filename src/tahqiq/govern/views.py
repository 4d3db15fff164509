"""The gate's public protocol: a view decides, hands out a reader or a writer, and records.

    with gate.session(me, case, purpose) as view:               # a case's legal basis (CaseView)
        with view.read("read.graph", detail={"center": eid}) as r:   # decided here, refused: AccessDenied
            people = r.entities(ids)                              # values only through the reader
        # leaving the block writes one grant naming every entity the reader disclosed
        with view.write("note.add", target=eid) as w:             # decided; w.conn is a transaction
            w.conn.execute(...)                                   # the feature's own table
        # leaving the block commits the change together with its audit entry

    with gate.scope(me, "control room", roles=READER_ROLES) as job:   # a job with no case (JobView)
        with job.read("alert.read") as r: ...

Every decision is taken again at each `read`/`write` (the account, its token, the role, for a case
its status, expiry, legal basis and membership: `cases.case_access`), and a refusal is written to
the audit log before `AccessDenied` is raised. A feature room receives a view and never opens a
connection of its own for personal data: the reader's connection exists only inside a decided
block, and what it reads of the entity store passes through `tahqiq.store.reads`, which only this
room imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, func, insert, or_, select
from sqlalchemy.orm import Session

from tahqiq.govern import identity
from tahqiq.govern.auditlog import AuditRecord
from tahqiq.govern.base import READER_ROLES, SUPERVISOR, AccessDenied, GovernError, Principal, aware_utc, utcnow
from tahqiq.govern.cases import BASIS_KINDS, case_access
from tahqiq.govern.entries import deny, record
from tahqiq.govern.reader import Reader
from tahqiq.govern.tables import Case, CaseMember, CaseSubject
from tahqiq.model.entity import EntityView
from tahqiq.store import reads
from tahqiq.store.db import session_factory
from tahqiq.store.reads.links import Row
from tahqiq.store.tables import Entity, QuarantinedRow, SourceRecord

if TYPE_CHECKING:
    from tahqiq.govern.gate import Gate

MIN_PURPOSE = 5
# The action of the decided block the current code runs in (None outside any): what lets a check
# (tests/api/test_gate_boundary.py) tell a decided read of a room's own table from one around the gate.
_DECIDED: ContextVar[str | None] = ContextVar("tahqiq_decided_action", default=None)


def decided_action() -> str | None:
    """The action of the view block (read, write or probe) the caller runs inside, if any."""
    return _DECIDED.get()


@contextmanager
def _decided(action: str) -> Iterator[None]:
    token = _DECIDED.set(action)
    try:
        yield
    finally:
        _DECIDED.reset(token)


@dataclass(frozen=True)
class GrantedCase:
    """The case a decision was taken under: what a feature may need of it (its id for its own
    tables, its legal basis, its expiry)."""

    id: int
    reference: str
    agency_id: int
    basis_kind: str
    basis_ref: str
    expires_at: datetime

    @classmethod
    def of(cls, case: Case) -> GrantedCase:
        return cls(case.id, case.reference, case.agency_id, case.basis_kind, case.basis_ref, aware_utc(case.expires_at))


class Writer:
    """A write decided by the gate: `conn` is a transaction that commits together with the audit
    entry. `record()` writes the entry now (when the change needs its sequence number, e.g. to
    store it beside the change); otherwise it is written when the block ends."""

    def __init__(self, view: View, conn: Connection, action: str, case: GrantedCase | None,
                 target: str | None, detail: dict[str, Any]) -> None:
        self._view, self.conn, self.action, self.case = view, conn, action, case
        self.target, self.detail = target, detail
        self.entry: AuditRecord | None = None
        # The case whose rows a job view changes (an alert tied to a case): the entry names it.
        self.case_ref: str | None = None

    def record(self, **detail: Any) -> AuditRecord:
        if self.entry is not None:
            raise GovernError(f"{self.action} is already recorded")
        self.detail.update(detail)
        self.entry = self._view._record(self.action, target=self.target, detail=self.detail, conn=self.conn,
                                        case=self.case_ref)
        return self.entry

    def values_of(self, ids: list[str], props: list[str]) -> list[Row]:
        """These entities' values of these properties, for a check before the change (two records
        with different CNICs cannot be merged): read in this transaction, handed to no one."""
        with Session(bind=self.conn) as session:
            return reads.links.values_of(session, ids, props)

    def attach_subject(self, entity_id: str, note: str | None = None) -> None:
        """Name an entity as a subject of this write's case (retention spares it while the case is
        open), in this transaction; its own audit entry records it."""
        if self.case is None:
            raise GovernError("subjects belong to a case; open a case view")
        _attach(self._view, self.conn, self.case, entity_id, note)


def _attach(view: View, conn: Connection, case: GrantedCase, entity_id: str, note: str | None) -> None:
    exists = conn.execute(select(CaseSubject.entity_id).where(
        CaseSubject.case_id == case.id, CaseSubject.entity_id == entity_id)).first()
    if exists:
        return
    conn.execute(insert(CaseSubject).values(
        case_id=case.id, entity_id=entity_id, note=note, added_by=view.principal.user_id, added_at=utcnow()))
    view._record("case.attach_subject", target=entity_id, detail={}, conn=conn)


class View:
    """What CaseView and JobView share: decide, read, write, record. Subclasses say how to decide."""

    def __init__(self, gate: Gate, principal: Principal, purpose: str) -> None:
        self.gate, self.principal, self.purpose = gate, principal, (purpose or "").strip()
        self.closed = False

    # --- what the subclasses define -----------------------------------------------------------

    @property
    def case_ref(self) -> str | None:
        return None

    def _refusal(self, conn: Connection) -> tuple[GrantedCase | None, str | None]:
        """(the case, why access must be refused or None) for this view's principal."""
        raise NotImplementedError

    # --- the protocol -------------------------------------------------------------------------

    def decide(self, action: str, *, target: str | None = None,
               detail: dict[str, Any] | None = None) -> GrantedCase | None:
        """Decide `action` now; refuse with AccessDenied (written to the log) or return the case."""
        if self.closed:
            raise GovernError("this view is closed; open a new gate session")
        with self.gate.engine.connect() as conn:
            reason = identity.still_valid(conn, self.principal)
            case = None
            if reason is None:
                case, reason = self._refusal(conn)
        if reason is None and len(self.purpose) < MIN_PURPOSE:
            reason = "state the purpose of this access (at least a few words)"
        if reason is not None:
            raise self.refuse(action, reason, target=target, detail=detail)
        return case

    def refuse(self, action: str, reason: str, *, target: str | None = None,
               detail: dict[str, Any] | None = None) -> AccessDenied:
        """Record a refusal of `action` under this view and return the exception to raise."""
        return deny(self.gate.audit, self.principal, action, reason, target=target, case=self.case_ref,
                    purpose=self.purpose, detail=detail)

    @contextmanager
    def read(self, action: str, *, target: str | None = None,
             detail: dict[str, Any] | None = None) -> Iterator[Reader]:
        """Decide `action`, then yield a reader. When the block ends one grant is written: its target
        is `target`, or else the ids the reader disclosed; its detail the disclosed ids, their count,
        `detail` and what the feature added with `reader.note(...)`."""
        case = self.decide(action, target=target, detail=detail)
        with session_factory(self.gate.engine)() as session, _decided(action):
            reader = Reader(session, case)
            failed: BaseException | None = None
            try:
                yield reader
            except BaseException as exc:
                failed = exc
                raise
            finally:
                # A refusal inside was recorded there; a failure records what was handed out, if anything.
                if not isinstance(failed, AccessDenied) and (failed is None or reader.disclosed):
                    ids = list(reader.disclosed)
                    named = target if target is not None else reader.target
                    reader.entry = self._record(action, target=named if named is not None else (",".join(ids) or None),
                                                detail={"ids": ids, "count": len(ids), **(detail or {}),
                                                        **reader.detail}, case=reader.case_ref)

    @contextmanager
    def write(self, action: str, *, target: str | None = None,
              detail: dict[str, Any] | None = None) -> Iterator[Writer]:
        """Decide `action`, then yield a writer whose transaction commits with the audit entry (or
        rolls back with it when the block raises)."""
        case = self.decide(action, target=target, detail=detail)
        with self.gate.audit.transaction() as conn, _decided(action):
            writer = Writer(self, conn, action, case, target, dict(detail or {}))
            yield writer
            if writer.entry is None:
                writer.record()

    @contextmanager
    def probe(self, action: str, *, target: str | None = None) -> Iterator[Connection]:
        """Decide `action` (a refusal is recorded as usual), then yield a connection for a query that
        returns no personal data (a count, the newest id) and so writes no grant: what lets an open
        control room poll for news without filling the log. Anything it finds that a person will
        see is read again through `read`."""
        self.decide(action, target=target)
        with self.gate.engine.connect() as conn, _decided(action):
            yield conn

    def _record(self, action: str, *, target: str | None, detail: dict[str, Any], decision: str = "grant",
                conn: Connection | None = None, case: str | None = None) -> AuditRecord:
        return record(self.gate.audit, self.principal, action, decision=decision, case=case or self.case_ref,
                      purpose=self.purpose, target=target, detail=detail, conn=conn)

    def note(self, action: str, *, target: str | None = None, detail: dict[str, Any] | None = None) -> AuditRecord:
        """An entry of `decision: info` under this view (e.g. the end of a streamed read)."""
        return self._record(action, target=target, detail=detail or {}, decision="info")


class CaseView(View):
    """Personal data under one case, for one purpose. Get it from `Gate.session`."""

    def __init__(self, gate: Gate, principal: Principal, case: str, purpose: str) -> None:
        super().__init__(gate, principal, purpose)
        self.case = case

    @property
    def case_ref(self) -> str | None:
        return self.case

    def _refusal(self, conn: Connection) -> tuple[GrantedCase | None, str | None]:
        case, reason = case_access(conn, self.principal, self.case)
        return (GrantedCase.of(case) if case is not None else None), reason

    # --- the common reads, each one decided block --------------------------------------------

    def entities(self, ids: list[str] | tuple[str, ...]) -> list[EntityView]:
        ids = list(dict.fromkeys(ids))
        with self.read("read.entities", detail={"requested": len(ids)}) as r:
            found = r.entities(ids)
            r.note(missing=len(ids) - len(found))
        return found

    def entity(self, entity_id: str) -> EntityView | None:
        found = self.entities([entity_id])
        return found[0] if found else None

    def find(self, prop: str, value: str, limit: int = 100) -> list[EntityView]:
        """Entities with exactly this (normalised) value, e.g. find("cnic", "35202-1234567-1"). The
        log keeps a keyed hash of the value, never the value."""
        with self.read("read.find", target=f"{prop}#{self.gate.digest(prop, value)}", detail={"prop": prop}) as r:
            return r.find(prop, value, limit=limit)

    def subjects(self) -> list[EntityView]:
        with self.read("read.subjects") as r:
            return r.entities(r.subject_ids())

    def source_records(self, source: str, record_ids: list[str]) -> list[SourceRecord]:
        with self.read("read.source_records", target=source, detail={"source": source}) as r:
            return r.source_records(source, record_ids)

    def quarantined_row(self, row_id: int) -> QuarantinedRow | None:
        with self.read("read.quarantine", target=str(row_id), detail={"row": row_id}) as r:
            row = r.quarantined_row(row_id)
            r.note(found=row is not None, source=row.source if row else None)
            return row

    def iter_entities(self, schema: str | None = None, source: str | None = None) -> Iterator[EntityView]:
        """Every entity (of a schema / source), for export: a bulk read, so a supervisor's. The grant
        is logged before the first entity; the count when the iteration ends (or is abandoned)."""
        detail = {"schema": schema, "source": source}
        self.decide("read.bulk", detail=detail)
        if self.principal.role != SUPERVISOR:
            raise self.refuse("read.bulk", "bulk reads of the store need a supervisor; read the case's subjects "
                                           "instead", detail=detail)
        start = self._record("read.bulk", target=None, detail=detail)

        def stream() -> Iterator[EntityView]:
            count = 0
            try:
                with session_factory(self.gate.engine)() as session:
                    for ent in Reader(session, None).iter_entities(schema=schema, source=source):
                        count += 1
                        yield ent
            finally:
                self.note("read.bulk.done", detail={**detail, "count": count, "started": start.seq})

        return stream()

    def attach_subject(self, entity_id: str, note: str | None = None) -> None:
        """Name an entity as a subject of this case (retention spares it while the case is open)."""
        case = self.decide("case.attach_subject", target=entity_id)
        assert case is not None
        with self.gate.audit.transaction() as conn:
            if conn.execute(select(Entity.id).where(Entity.id == entity_id)).scalar() is None:
                raise GovernError(f"no entity {entity_id}")
            _attach(self, conn, case, entity_id, note)


class JobView(View):
    """Work with no case (a resolution run, the detection worker, a control room's alert desk,
    retention): the principal must still be active, hold one of `roles` (the SYSTEM principal of
    scheduled jobs may act where `system` allows), and state a purpose. Get it from `Gate.scope`."""

    def __init__(self, gate: Gate, principal: Principal, purpose: str, *, roles: tuple[str, ...] = READER_ROLES,
                 system: bool = True, refusal: str | None = None) -> None:
        super().__init__(gate, principal, purpose)
        self.roles, self.system, self.refusal = roles, system, refusal

    def _refusal(self, conn: Connection) -> tuple[GrantedCase | None, str | None]:
        if self.principal.is_system:
            return None, None if self.system else "this needs a named person, not a scheduled job"
        if self.principal.role in self.roles:
            return None, None
        if self.refusal:
            return None, self.refusal
        if set(self.roles) <= set(READER_ROLES):  # the gate's own words for roles that read no personal data
            return None, case_access(conn, self.principal, None)[1]
        return None, f"role {self.principal.role!r} may not do this (needs {' or '.join(self.roles)})"

    def readable_cases(self, conn: Connection, now: datetime | None = None) -> list[tuple[int, str]]:
        """(id, reference) of the open, unexpired cases whose data this principal may use in bulk:
        every one for SYSTEM (the detection worker), the agency's for a supervisor, and for others
        the cases the gate grants them."""
        now = now or utcnow()
        open_cases = select(Case.id, Case.reference).where(Case.status == "open", Case.expires_at > now)
        if self.principal.is_system:
            rows = list(conn.execute(open_cases.order_by(Case.reference)))
        elif self.principal.role == SUPERVISOR:
            rows = list(conn.execute(open_cases.where(Case.agency_id == self.principal.agency_id)
                                     .order_by(Case.reference)))
        else:
            rows = [r for r in conn.execute(open_cases.order_by(Case.reference))
                    if case_access(conn, self.principal, r.reference)[1] is None]
        return [(r.id, r.reference) for r in rows]

    def usable_cases(self, now: datetime | None = None) -> Select[str]:
        """A subquery of the references of the cases whose case-tied rows (an alert raised on a case's
        watchlist entry) this principal may see from a control room: open, unexpired, naming a legal
        basis, and of the principal's agency or with the principal as a member (a member from
        another agency only when added as such). Closed and expired cases grant nothing."""
        now = now or utcnow()
        joined = select(CaseMember.case_id).where(CaseMember.user_id == self.principal.user_id,
                                                  CaseMember.cross_agency.is_(True))
        return select(Case.reference).where(
            Case.status == "open", Case.expires_at > now, Case.basis_kind.in_(BASIS_KINDS),
            func.length(func.trim(func.coalesce(Case.basis_ref, ""))) > 0,
            or_(Case.agency_id == self.principal.agency_id, Case.id.in_(joined)))

    def agency_cases(self) -> Select[str]:
        """A subquery of the references of the principal's agency's cases (for "alerts of my
        agency's cases", a supervisor's view)."""
        return select(Case.reference).where(Case.agency_id == self.principal.agency_id)


__all__ = ["CaseView", "GrantedCase", "JobView", "MIN_PURPOSE", "View", "Writer", "decided_action"]
