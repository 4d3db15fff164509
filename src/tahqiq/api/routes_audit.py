"""Oversight routes: the audit log with filters, the latest signed tree head with its verification,
and access statistics per user and case.

The log is read through `govern.audit_search` (auditors see everything, supervisors their agency's
part; each read of the log is itself logged): by user, case, record, action, local dates, and by a
searched value in any form search accepts (a name in either script, a phone in any format), a page
at a time (`/api/audit`, `/api/audit/entries` with the entries told as facts) or as CSV
(`/api/audit/export.csv`). Access statistics are a registered aggregate
("access_by_user_case"): counts of grants and refusals per user and case, no personal data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection, case, func, select

from tahqiq.api import deps, trail
from tahqiq.api.models import (
    BAD_INPUT,
    DENIED,
    SIGNED_IN,
    AccessStat,
    AccessStats,
    AuditDecision,
    HeadStatus,
    LookupKind,
    Offset,
    Since,
    TreeHeadOut,
    aware_model,
)
from tahqiq.govern import AUDITOR, SUPERVISOR, AccessDenied, AuditRecord, GovernError, Principal, aggregate
from tahqiq.govern.audit_search import AuditPage, AuditQuery, BadLookup, find_entries, iter_entries
from tahqiq.govern.keys import public_key_pem
from tahqiq.govern.tables import AuditEntry, Case, User

router = APIRouter(prefix="/api/audit", tags=["oversight"], dependencies=SIGNED_IN, responses=DENIED)


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


Prop = Annotated[LookupKind | None, Query(description="with value: what the value is (cnic, phone, plate, iban, "
                                                        "chassis, name, or any: every kind it parses as, as the "
                                                        "search box does)")]
Value = Annotated[str | None, Query(description="the searched value, in any form search accepts (0300-1234567, "
                                                "+92 300 1234567; a name in Roman or Urdu script); the log holds "
                                                "only its keyed hash")]
DateFrom = Annotated[str | None, Query(description="first local day (YYYY-MM-DD, the deployment's zone)")]
DateTo = Annotated[str | None, Query(description="last local day, included (YYYY-MM-DD)")]


def audit_filters(request: Request, case: str | None = None, actor: str | None = None, entity: str | None = None,
                  action: Annotated[str | None, Query(description="an action code, or a family: read.*")] = None,
                  decision: AuditDecision | None = None,
                  prop: Prop = None, value: Value = None, date_from: DateFrom = None,
                  date_to: DateTo = None) -> AuditQuery:
    """The filters of a look-up in the log (HTTP 400 for a value or date that cannot be used)."""
    if prop and not (value or "").strip():
        raise HTTPException(400, "give prop and value together (e.g. prop=cnic&value=35202-1234567-1)")
    try:
        return trail.audit_query(deps.gate(request), case=case, actor=actor, entity=entity, action=action,
                                 decision=decision, prop=prop, value=value, date_from=date_from, date_to=date_to)
    except BadLookup as exc:
        raise HTTPException(400, LOOKUP_PROBLEMS.get(exc.code, "this value cannot be looked up") +
                            f" (prop={exc.kind})") from None


LOOKUP_PROBLEMS = {
    "nothing": "the value is no CNIC, phone, plate, IBAN or chassis number, and has no letters for a name",
    "no_letters": "a name needs at least one letter",
    "unknown_kind": "prop must be cnic, phone, plate, iban, chassis, name or any",
}


def _page(request: Request, who: Principal, query: AuditQuery, *, offset: int = 0, limit: int = 50, since: int = 0,
          newest_first: bool = True) -> AuditPage:
    try:
        return find_entries(deps.gate(request), who, query, offset=offset, limit=limit, since=since,
                            newest_first=newest_first)
    except AccessDenied as exc:
        raise HTTPException(403, exc.reason) from None


@router.get("", response_model=aware_model(list[AuditRecord]), responses=BAD_INPUT)
def audit_log(request: Request, response: Response, who: Principal = Depends(deps.principal),
              query: AuditQuery = Depends(audit_filters),
              since: Since = 0, offset: Offset = 0,
              limit: Annotated[int, Query(ge=1, le=2000)] = 200,
              newest_first: bool = True) -> list[AuditRecord]:
    """Who accessed what (auditors: all; supervisors: their agency's cases and users): `limit`
    entries matching the filters from `offset`, newest first, or with newest_first=false those from
    `since` on. X-Total-Count says how many match (X-Total-Exact: false past 10,000)."""
    page = _page(request, who, query, offset=offset, limit=limit, since=since, newest_first=newest_first)
    response.headers["X-Total-Count"] = str(page.total)
    response.headers["X-Total-Exact"] = "false" if page.more else "true"
    return page.records


@dataclass
class AuditEntries:
    """A page of the log, each entry told as facts (names of users, captions of records)."""

    entries: list[trail.Described]
    total: int
    total_exact: bool
    offset: int
    limit: int


@router.get("/entries", response_model=aware_model(AuditEntries), responses=BAD_INPUT)
def audit_entries(request: Request, who: Principal = Depends(deps.principal),
                  query: AuditQuery = Depends(audit_filters), offset: Offset = 0,
                  limit: Annotated[int, Query(ge=1, le=500)] = 50) -> AuditEntries:
    """A page of the log newest first, each entry with its user's name, the records it names (their
    captions read through the gate: itself an audited read), the kinds of value it searched and
    whether it matched the look-up."""
    page = _page(request, who, query, offset=offset, limit=limit)
    described = trail.describe(deps.gate(request), who, page.records, query.lookup)
    return AuditEntries(described, page.total, not page.more, page.offset, page.limit)


@router.get("/export.csv", response_class=StreamingResponse,
            responses={**BAD_INPUT, 200: {"content": {"text/csv": {}}, "description": "the matching entries as CSV"}})
def audit_export(request: Request, who: Principal = Depends(deps.principal),
                 query: AuditQuery = Depends(audit_filters)) -> StreamingResponse:
    """Every entry matching the filters (newest first, at most 100,000) as CSV, cells safe against
    spreadsheet formulas. The download is itself an audit entry (audit.export)."""
    gate = deps.gate(request)
    try:
        records = iter_entries(gate, who, query)
    except AccessDenied as exc:
        raise HTTPException(403, exc.reason) from None
    rows = described_batches(request, who, records, query)
    lines = trail.csv_lines(rows, what=lambda d: "", when=trail.local_iso, label=trail.plain_label, what_column=False)
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


def described_batches(request: Request, who: Principal, records: Iterator[AuditRecord], query: AuditQuery,
                      batch: int = 500) -> Iterator[trail.Described]:
    """`records` told as facts, a batch at a time (one audited read of captions per batch)."""
    gate = deps.gate(request)
    chunk: list[AuditRecord] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= batch:
            yield from trail.describe(gate, who, chunk, query.lookup)
            chunk = []
    if chunk:
        yield from trail.describe(gate, who, chunk, query.lookup)


@router.get("/head", response_model=aware_model(HeadStatus))
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


@router.get("/stats", response_model=aware_model(AccessStats), responses=BAD_INPUT)
def audit_stats(request: Request, who: Principal = Depends(deps.principal),
                since: Since = 0,
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
