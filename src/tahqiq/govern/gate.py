"""The governance gate: the one way personal data leaves the store.

    gate = Gate(engine)
    me = gate.authenticate_password("ayesha", password)          # or gate.authenticate_token(token)
    with gate.session(me, case="CASE-2026-0001", purpose="investigate FIR 123/2026") as view:
        view.find("cnic", "35202-1234567-1")
        with view.read("read.graph") as reader: ...              # a feature's own reads (views.py)
    with gate.scope(me, "resolution run", roles=(SUPERVISOR, ADMIN)) as job: ...   # work with no case

Each read is decided afresh (the account, the token, the role, the case's status, expiry and legal
basis, membership and agency: see `cases.case_access`) and written to the audit log *before* any
data is returned; a refusal raises `AccessDenied` and is written to the log too. Nothing outside
`tahqiq.govern` may import `tahqiq.store.reads` (an import-linter contract and
tests/store/test_boundaries.py enforce this).

Which entities may a member read? Any entity in the store, *for that case*: the FIR or warrant is
the legal basis for the investigation, which must be free to follow leads, and every read names the
case, the purpose and the entity ids, so a supervisor or an auditor can see exactly what was read
under which authority. Bulk reads of the whole store (`iter_entities`) need a supervisor.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from tahqiq.govern import identity
from tahqiq.govern.auditlog import AuditLog, AuditRecord
from tahqiq.govern.base import AUDITOR, READER_ROLES, SUPERVISOR, AccessDenied, GovernError, Principal, utcnow
from tahqiq.govern.entries import deny, record, require_role
from tahqiq.govern.keys import Signer, load_pepper, value_digest
from tahqiq.govern.tables import AuditEntry, Case, User
from tahqiq.govern.views import CaseView, JobView
from tahqiq.store.base import Base
from tahqiq.store.db import session_factory
from tahqiq.store.reads import links
from tahqiq.store.tables import Entity, QuarantinedRow, Source, Statement

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
def _overview(conn: Connection) -> dict[str, Any]:
    def counts(col: InstrumentedAttribute[Any], table: type[Base],
               where: ColumnElement[bool] | None = None) -> dict[str, int]:
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
            conn.execute(select(func.count()).select_from(Case)
                         .where(Case.status == "open", Case.expires_at > utcnow())).scalar_one()
        ),
    }


class Gate:
    def __init__(self, engine: Engine, *, audit: AuditLog | None = None, signer: Signer | None = None) -> None:
        self.engine = engine
        self.audit = audit or AuditLog(engine, signer)
        self._pepper: bytes | None = None
        self._sources: tuple[float, dict[str, str]] | None = None

    def dispose(self) -> None:
        """Release the audit log's own connections (the engine stays the caller's)."""
        self.audit.dispose()

    # --- who is asking ------------------------------------------------------------------------

    def authenticate_password(self, username: str, password: str) -> Principal:
        return identity.authenticate_password(self.audit, username, password)

    def authenticate_token(self, token: str) -> Principal:
        return identity.authenticate_token(self.audit, token)

    def session_user(self, user_id: int) -> Principal | None:
        """The principal of a signed browser session's user, if still active (checked per request)."""
        return identity.user_principal(self.engine, user_id)

    # --- personal data ------------------------------------------------------------------------

    @contextmanager
    def session(self, principal: Principal, case: str, purpose: str) -> Iterator[CaseView]:
        """Open a view of personal data under `case` for `purpose`. Raises AccessDenied (audited)
        at once if the case grants this user nothing; each read is checked and audited again."""
        view = CaseView(self, principal, case, purpose)
        view.decide("session.open")
        try:
            yield view
        finally:
            view.closed = True

    @contextmanager
    def scope(self, principal: Principal, purpose: str, *, roles: tuple[str, ...] = READER_ROLES,
              system: bool = True, refusal: str | None = None) -> Iterator[JobView]:
        """A view for work with no case (a resolution run, the detection worker, a control room):
        each read or write is decided (the principal active, one of `roles` or SYSTEM where `system`
        allows, a purpose stated; `refusal` words the role's refusal) and audited like a case's."""
        view = JobView(self, principal, purpose, roles=roles, system=system, refusal=refusal)
        try:
            yield view
        finally:
            view.closed = True

    def refuse(self, principal: Principal, action: str, reason: str, *, target: str | None = None) -> AccessDenied:
        """Record a refusal that no view decided (a page only for overseers) and return it to raise."""
        return deny(self.audit, principal, action, reason, target=target)

    def require_role(self, principal: Principal, action: str, roles: tuple[str, ...], *,
                     target: str | None = None) -> None:
        """Refuse (audited) unless the principal has one of `roles`."""
        require_role(self.audit, principal, action, roles, target=target)

    def record(self, principal: Principal | None, action: str, *, decision: str = "info", target: str | None = None,
               detail: dict[str, Any] | None = None) -> AuditRecord:
        """An entry for an act that discloses no personal data (a sign-in, a look at the log's head)."""
        return record(self.audit, principal, action, decision=decision, target=target, detail=detail)

    def store_version(self) -> tuple[object, ...]:
        """Something that changes whenever values are added to the store (no personal data, so not
        audited): lets an in-memory index (search) know when to catch up."""
        with session_factory(self.engine)() as session:
            return links.store_version(session)

    def digest(self, prop: str, value: str) -> str:
        if self._pepper is None:
            self._pepper = load_pepper()
        return value_digest(self._pepper, prop, value)

    # --- no personal data ---------------------------------------------------------------------

    def source_labels(self) -> dict[str, str]:
        """Source name -> how people call it ("NADRA ID registry extract"), from the ingest mappings'
        `label`. Not personal data; cached for a minute (ingest adds sources rarely)."""
        now = time.monotonic()
        if self._sources is None or now - self._sources[0] > 60:
            with self.engine.connect() as conn:
                rows = conn.execute(select(Source.name, Source.label)).all()
            self._sources = (now, {r.name: r.label or r.name for r in rows})
        return self._sources[1]

    def stats(self, principal: Principal, name: str = "overview", **params: Any) -> Any:
        """A registered aggregate (no personal data, so no case needed); audited."""
        self.check_active(principal, "stats")
        fn = _AGGREGATES.get(name)
        if fn is None:
            raise GovernError(f"no aggregate {name!r} (known: {', '.join(sorted(_AGGREGATES))})")
        with self.engine.connect() as conn:
            result = fn(conn, **params)
        record(self.audit, principal, "stats", target=name, detail={"params": {k: str(v) for k, v in params.items()}})
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
        self.check_active(principal, "audit.read")
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
        record(
            self.audit, principal, "audit.read", case=case,
            detail={"filters": {"case": case, "actor": actor, "entity": entity, "action": action,
                                "value": f"{value[0]}#{self.digest(*value)}" if value else None},
                    "count": len(records)},
        )
        return records

    def check_active(self, principal: Principal, action: str) -> None:
        """Refuse (audited) a principal whose account was disabled or whose token was revoked."""
        with self.engine.connect() as conn:
            reason = identity.still_valid(conn, principal)
        if reason:
            raise deny(self.audit, principal, action, reason)


__all__ = ["Gate", "aggregate"]
