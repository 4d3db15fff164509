"""Cases: the legal basis for every read of personal data.

A case names its FIR number or warrant reference, the officer who authorised it, its purpose, its
members and an expiry date. Only an open, unexpired case grants anything, and only to its members.
Supervisors open, extend and close cases of their own agency and choose the members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, or_, select, update

from tahqiq.govern.auditlog import AuditLog
from tahqiq.govern.base import (
    ADMIN,
    AUDITOR,
    READER_ROLES,
    SUPERVISOR,
    GovernError,
    Principal,
    aware,
    aware_utc,
    orm,
    utcnow,
)
from tahqiq.govern.entries import deny, record, require_role
from tahqiq.govern.tables import Agency, Case, CaseMember, CaseSubject, User
from tahqiq.store.base import inserted_id

BASIS_KINDS = ("fir", "warrant")
MAX_CASE_DAYS = 366
REFERENCE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{2,63}")


@dataclass(frozen=True)
class CaseInfo:
    id: int
    reference: str
    agency: str
    basis_kind: str
    basis_ref: str
    authorising_officer: str
    purpose: str
    status: str
    opened_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    members: list[str] = field(default_factory=list)
    subjects: int = 0

    def is_active(self, now: datetime | None = None) -> bool:
        return self.status == "open" and (now or utcnow()) < self.expires_at


def _info(conn: Connection, case: Case, agency_code: str) -> CaseInfo:
    members = list(
        conn.execute(
            select(User.username).join(CaseMember, CaseMember.user_id == User.id)
            .where(CaseMember.case_id == case.id).order_by(User.username)
        ).scalars()
    )
    subjects = len(list(conn.execute(select(CaseSubject.entity_id).where(CaseSubject.case_id == case.id)).scalars()))
    return CaseInfo(
        case.id, case.reference, agency_code, case.basis_kind, case.basis_ref, case.authorising_officer,
        case.purpose, case.status, aware_utc(case.opened_at), aware_utc(case.expires_at), aware(case.closed_at),
        members, subjects,
    )


def get_case(engine: Engine, reference: str) -> CaseInfo:
    with engine.connect() as conn:
        row = orm(conn).execute(
            select(Case, Agency.code).join(Agency, Agency.id == Case.agency_id).where(Case.reference == reference)
        ).first()
        if row is None:
            raise GovernError(f"no case {reference!r}")
        return _info(conn, row.Case, row.code)


def case_purpose(engine: Engine, reference: str) -> str:
    """The case's own stated purpose ("" for no such case): what a read serves unless the user
    says otherwise."""
    with engine.connect() as conn:
        return conn.execute(select(Case.purpose).where(Case.reference == reference)).scalar() or ""


def list_cases(engine: Engine, actor: Principal, *, include_closed: bool = False) -> list[CaseInfo]:
    """Auditors and admins see every case; others see their agency's cases and cases they belong to."""
    q = select(Case, Agency.code).join(Agency, Agency.id == Case.agency_id).order_by(Case.reference)
    if actor.role not in (AUDITOR, ADMIN):
        mine = select(CaseMember.case_id).where(CaseMember.user_id == actor.user_id)
        q = q.where(or_(Case.agency_id == actor.agency_id, Case.id.in_(mine)))
    if not include_closed:
        q = q.where(Case.status == "open")
    with engine.connect() as conn:
        return [_info(conn, r.Case, r.code) for r in orm(conn).execute(q)]


def _expiry(expires_at: datetime | None, days: int | None) -> datetime:
    now = utcnow()
    if expires_at is None:
        if days is None:
            raise GovernError("a case needs an expiry (a date, or a number of days)")
        expires_at = now + timedelta(days=days)
    expires_at = aware_utc(expires_at)
    if expires_at <= now:
        raise GovernError("the expiry must be in the future")
    if expires_at > now + timedelta(days=MAX_CASE_DAYS):
        raise GovernError(f"a case may run for at most {MAX_CASE_DAYS} days; extend it later if needed")
    return expires_at


def open_case(
    audit: AuditLog,
    actor: Principal,
    reference: str,
    *,
    basis_kind: str,
    basis_ref: str,
    authorising_officer: str,
    purpose: str,
    expires_at: datetime | None = None,
    days: int | None = None,
    members: tuple[str, ...] | list[str] = (),
) -> CaseInfo:
    """Open a case for the supervisor's agency; the supervisor becomes its first member."""
    require_role(audit, actor, "case.open", (SUPERVISOR,), target=reference)
    if not REFERENCE_RE.fullmatch(reference):
        raise GovernError("case reference: 3-64 letters, digits, '.', '_', '/' or '-'")
    if basis_kind not in BASIS_KINDS:
        raise GovernError("the legal basis must be an FIR ('fir') or a warrant ('warrant')")
    for label, value in (("FIR number or warrant reference", basis_ref),
                         ("authorising officer", authorising_officer), ("purpose", purpose)):
        if not value or len(value.strip()) < 3:
            raise GovernError(f"a case needs its {label}")
    expires = _expiry(expires_at, days)
    with audit.transaction() as conn:
        if conn.execute(select(Case.id).where(Case.reference == reference)).scalar() is not None:
            raise GovernError(f"case {reference!r} already exists")
        cid = inserted_id(conn.execute(
            insert(Case).values(
                reference=reference, agency_id=actor.agency_id, basis_kind=basis_kind, basis_ref=basis_ref.strip(),
                authorising_officer=authorising_officer.strip(), purpose=purpose.strip(), status="open",
                opened_by=actor.user_id, opened_at=utcnow(), expires_at=expires,
            )
        ))
        record(audit, actor, "case.open", decision="info", case=reference, purpose=purpose, target=reference,
            detail={"basis": basis_kind, "basis_ref": basis_ref, "officer": authorising_officer,
                    "expires": expires.isoformat(), "agency": actor.agency},
            conn=conn,
        )
        _add_member(conn, audit, actor, cid, reference, actor.username, cross_agency=False)
        for m in members:
            if m != actor.username:
                _add_member(conn, audit, actor, cid, reference, m, cross_agency=False)
    return get_case(audit.engine, reference)


def _case_for_supervisor(audit: AuditLog, actor: Principal, reference: str, action: str) -> Case:
    require_role(audit, actor, action, (SUPERVISOR,), target=reference)
    with audit.engine.connect() as conn:
        case = orm(conn).execute(select(Case).where(Case.reference == reference)).scalar()
    if case is None:
        raise GovernError(f"no case {reference!r}")
    if case.agency_id != actor.agency_id:
        raise deny(audit, actor, action, "only a supervisor of the case's own agency may manage it", case=reference)
    return case


def _add_member(conn: Connection, audit: AuditLog, actor: Principal, case_id: int, reference: str, username: str, *,
                cross_agency: bool) -> None:
    user = orm(conn).execute(select(User).where(User.username == username)).scalar()
    if user is None or user.disabled:
        raise GovernError(f"no active user {username!r}")
    if user.role not in READER_ROLES:
        raise GovernError(f"{username} is an {user.role}; only analysts and supervisors can be case members")
    if user.agency_id != actor.agency_id and not cross_agency:
        raise GovernError(f"{username} belongs to another agency; add them with cross_agency (--cross-agency) "
                          "for a joint investigation")
    exists = conn.execute(
        select(CaseMember.user_id).where(CaseMember.case_id == case_id, CaseMember.user_id == user.id)
    ).first()
    if exists:
        return
    conn.execute(
        insert(CaseMember).values(
            case_id=case_id, user_id=user.id, cross_agency=user.agency_id != actor.agency_id,
            added_by=actor.user_id, added_at=utcnow(),
        )
    )
    record(audit, actor, "case.add_member", decision="info", case=reference, target=username,
                 detail={"cross_agency": user.agency_id != actor.agency_id}, conn=conn)


def add_member(audit: AuditLog, actor: Principal, reference: str, username: str, *, cross_agency: bool = False) -> None:
    case = _case_for_supervisor(audit, actor, reference, "case.add_member")
    if case.status != "open":
        raise GovernError(f"case {reference} is closed")
    with audit.transaction() as conn:
        _add_member(conn, audit, actor, case.id, reference, username, cross_agency=cross_agency)


def remove_member(audit: AuditLog, actor: Principal, reference: str, username: str) -> None:
    case = _case_for_supervisor(audit, actor, reference, "case.remove_member")
    with audit.transaction() as conn:
        uid = conn.execute(select(User.id).where(User.username == username)).scalar()
        n = conn.execute(delete(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == uid)).rowcount
        if not n:
            raise GovernError(f"{username} is not a member of {reference}")
        record(audit, actor, "case.remove_member", decision="info", case=reference, target=username, conn=conn)


def close_case(audit: AuditLog, actor: Principal, reference: str, reason: str = "") -> None:
    case = _case_for_supervisor(audit, actor, reference, "case.close")
    with audit.transaction() as conn:
        conn.execute(update(Case).where(Case.id == case.id).values(status="closed", closed_at=utcnow()))
        record(audit, actor, "case.close", decision="info", case=reference, target=reference,
                     detail={"reason": reason}, conn=conn)


def extend_case(audit: AuditLog, actor: Principal, reference: str, *, expires_at: datetime | None = None,
                days: int | None = None, authorising_officer: str | None = None) -> None:
    case = _case_for_supervisor(audit, actor, reference, "case.extend")
    if case.status != "open":
        raise GovernError(f"case {reference} is closed; open a new case")
    expires = _expiry(expires_at, days)
    with audit.transaction() as conn:
        values: dict[str, object] = {"expires_at": expires}
        if authorising_officer:
            values["authorising_officer"] = authorising_officer
        conn.execute(update(Case).where(Case.id == case.id).values(**values))
        record(audit, actor, "case.extend", decision="info", case=reference, target=reference,
               detail={"expires": expires.isoformat(), "officer": authorising_officer or case.authorising_officer},
               conn=conn)


def case_access(conn: Connection, principal: Principal, reference: str | None) -> tuple[Case | None, str | None]:
    """The case and, when access must be refused, why. The one place the rule is written down:
    role may read personal data; the case exists, is open, is unexpired and names a legal basis;
    the user is a member; and a member from another agency was added as such."""
    if principal.role not in READER_ROLES:
        if principal.role == AUDITOR:
            return None, "auditors read the audit log, never personal data"
        if principal.role == ADMIN:
            return None, "admins manage users; the role grants no reading of personal data"
        return None, f"role {principal.role!r} may not read personal data"
    if not reference:
        return None, "personal data can only be read for a case: name the case"
    case = orm(conn).execute(select(Case).where(Case.reference == reference)).scalar()
    if case is None:
        return None, f"there is no case {reference!r}"
    if case.status != "open":
        return case, f"case {reference} is {case.status}: it grants nothing"
    if aware_utc(case.expires_at) <= utcnow():
        return case, f"case {reference} expired on {aware_utc(case.expires_at):%Y-%m-%d %H:%M} UTC: it grants nothing"
    if case.basis_kind not in BASIS_KINDS or not (case.basis_ref or "").strip():
        return case, f"case {reference} names no FIR or warrant"
    member = orm(conn).execute(
        select(CaseMember).where(CaseMember.case_id == case.id, CaseMember.user_id == principal.user_id)
    ).scalar()
    if member is None:
        return case, f"{principal.username} is not a member of case {reference}"
    if case.agency_id != principal.agency_id and not member.cross_agency:
        return case, f"{principal.username}'s agency ({principal.agency}) is not the case's agency"
    return case, None
