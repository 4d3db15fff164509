"""Oversight routes: the audit log with filters, the latest signed tree head with its verification,
and access statistics per user and case.

The log is read through `Gate.access_log` (auditors see everything, supervisors their agency's
part; each read of the log is itself logged). Access statistics are a registered aggregate
("access_by_user_case"): counts of grants and refusals per user and case, no personal data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import Connection, case, func, select

from tahqiq.api import deps
from tahqiq.api.models import AccessStat, AccessStats, HeadStatus, Problem, TreeHeadOut
from tahqiq.govern import AUDITOR, SUPERVISOR, AccessDenied, AuditRecord, GovernError, Principal, aggregate
from tahqiq.govern.keys import public_key_pem
from tahqiq.govern.tables import AuditEntry, Case, User

router = APIRouter(prefix="/api/audit", tags=["oversight"], dependencies=[Depends(deps.csrf_check)],
                   responses={403: {"model": Problem}, 401: {"model": Problem}})


@aggregate("access_by_user_case")
def access_by_user_case(conn: Connection, *, agency_id: int | None = None, since: int = 0,
                        limit: int = 500) -> list[dict]:
    """Grants and refusals of reads of personal data, per user and case (counts only). With
    `agency_id`: only that agency's cases and users (what a supervisor may see)."""
    e = AuditEntry.__table__.c
    q = (select(e.actor, e.case_ref, func.sum(case((e.decision == "grant", 1), else_=0)).label("grants"),
                func.sum(case((e.decision == "deny", 1), else_=0)).label("denials"), func.max(e.seq).label("last_seq"))
         .where(e.seq >= since, e.action.like("read.%") | (e.action == "session.open") | (e.action == "export"))
         .group_by(e.actor, e.case_ref).order_by(func.max(e.seq).desc()).limit(limit))
    if agency_id is not None:
        q = q.where(e.case_ref.in_(select(Case.reference).where(Case.agency_id == agency_id))
                    | e.actor.in_(select(User.username).where(User.agency_id == agency_id)))
    return [{"actor": r.actor, "case": r.case_ref, "grants": int(r.grants or 0), "denials": int(r.denials or 0),
             "last_seq": int(r.last_seq)} for r in conn.execute(q)]


def _overseer(request: Request, who: Principal, action: str) -> None:
    # The gate decides for the log itself; the head and statistics are for the same people, and a
    # refusal is written to the log like every other.
    if who.role not in (AUDITOR, SUPERVISOR):
        exc = deps.gate(request).refuse(who, action, "only auditors and supervisors oversee the audit log")
        raise HTTPException(403, f"{exc.reason} (audit entry {exc.audit_seq})")


@router.get("", response_model=list[AuditRecord])
def audit_log(request: Request, who: Principal = Depends(deps.principal),
              case: str | None = None, actor: str | None = None, entity: str | None = None,
              action: str | None = None,
              prop: Annotated[str | None, Query(description="with value: find searches for this value, "
                                                            "e.g. cnic")] = None,
              value: Annotated[str | None, Query(description="the searched value (the log holds only its "
                                                             "keyed hash)")] = None,
              since: Annotated[int, Query(ge=0)] = 0, limit: Annotated[int, Query(ge=1, le=2000)] = 200,
              newest_first: bool = True) -> list[AuditRecord]:
    """Who accessed what (auditors: all; supervisors: their agency's cases and users): the newest
    `limit` entries matching the filters, or with newest_first=false those from `since` on."""
    if (prop is None) != (value is None):
        raise HTTPException(400, "give prop and value together (e.g. prop=cnic&value=35202-1234567-1)")
    g = deps.gate(request)
    try:
        records = g.access_log(who, case=case, actor=actor, entity=entity, action=action,
                               value=(prop, value) if prop and value else None, since=since, limit=limit,
                               newest_first=newest_first)
    except AccessDenied as exc:
        raise HTTPException(403, exc.reason) from None
    return records


@router.get("/head", response_model=HeadStatus)
def audit_head(request: Request, full: bool = False, who: Principal = Depends(deps.principal)) -> HeadStatus:
    """The latest signed tree head, whether its signature holds, whether the stored entries still
    hash to its root, and (with full=true, slower) a re-check of every entry and head."""
    _overseer(request, who, "audit.head")
    audit = deps.gate(request).audit
    head = audit.latest_head()
    public = audit.signer.public_key
    status = HeadStatus(head=TreeHeadOut(**head.to_dict()) if head else None, log_size=audit.size(),
                        signature_valid=head.verify(public) if head else None,
                        root_matches_entries=None, full_verification=None, public_key_pem=public_key_pem(public),
                        key_id=audit.signer.key_id)
    if head is not None:
        try:
            status.root_matches_entries = audit.root(head.tree_size).hex() == head.root_hash
        except LookupError:
            status.root_matches_entries = False
    if full:
        report = audit.verify()
        status.full_verification = {"ok": report.ok, "entries": report.entries, "heads": report.heads,
                                    "first_bad_entry": report.first_bad_entry, "problems": report.problems[:20]}
    deps.gate(request).record(who, "audit.head", detail={"tree_size": head.tree_size if head else 0, "full": full,
                                                         "signature_valid": status.signature_valid,
                                                         "root_matches": status.root_matches_entries})
    return status


@router.get("/stats", response_model=AccessStats)
def audit_stats(request: Request, who: Principal = Depends(deps.principal),
                since: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> AccessStats:
    """Reads granted and refused per user and case (supervisors: their agency's)."""
    _overseer(request, who, "audit.stats")
    params = {"since": since, "limit": limit}
    if who.role == SUPERVISOR:
        params["agency_id"] = who.agency_id
    try:
        rows = deps.gate(request).stats(who, "access_by_user_case", **params)
    except AccessDenied as exc:
        raise HTTPException(403, exc.reason) from None
    except GovernError as exc:
        raise HTTPException(400, str(exc)) from None
    return AccessStats(rows=[AccessStat(**r) for r in rows])
