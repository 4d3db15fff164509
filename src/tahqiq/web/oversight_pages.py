"""Oversight pages for supervisors and auditors: the audit log told in plain words, with look-ups
that find the searches (a name in any script or spelling, a phone in any format, a CNIC, a plate),
filters by user, case, record and local dates, pages and a CSV download; the latest signed tree head
with its verification status; access statistics per user and case.

The page calls the same functions as the JSON API (tahqiq.api.routes_audit and tahqiq.api.trail):
the log is read through `govern.audit_search` (auditors everything, supervisors their agency's part;
each read of the log is itself an audit entry) and the records the entries name are read through the
gate (`audit.names`, an audited read under a job view), so no page shows a hash or an id as a label.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from tahqiq.api import deps, routes_audit, trail
from tahqiq.api.models import refuse_nul
from tahqiq.govern import AccessDenied, Principal
from tahqiq.govern.audit_search import OVERSEERS, AuditQuery, BadLookup, find_entries, iter_entries, lookup_kinds
from tahqiq.web import i18n, when, zone_label
from tahqiq.web.i18n import N_
from tahqiq.web.i18n import gettext as _
from tahqiq.web.oversight_words import KIND_NAMES, decision_label, lookup_problem, record_label, what
from tahqiq.web.render import MAX_PAGE, denial, error, page, speak

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
FILTERS = ("case", "actor", "entity", "action", "decision", "prop", "value", "date_from", "date_to")
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_SIZE = 50
STATS_WINDOW = 100_000  # the access statistics cover the latest entries (the whole log: the JSON API's `since`)
ACTION_FAMILIES = ("read.*", "read.search", "read.entities", "audit.*", "case.*", "alert.*", "auth.*")


def _filters(request: Request) -> dict[str, str | None]:
    got = {k: (request.query_params.get(k) or "").strip() or None for k in FILTERS}
    if got["value"] is None:
        got["prop"] = None
    return got


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


@router.get("/oversight")
def oversight(request: Request, full: bool = False, who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)  # the look-up's problems are phrased before the page renders
    filters = _filters(request)
    size = _int(request.query_params.get("size") or request.query_params.get("limit"), DEFAULT_SIZE)
    size = size if size in PAGE_SIZES else DEFAULT_SIZE
    number = min(MAX_PAGE, max(1, _int(request.query_params.get("page"), 1)))
    gate = deps.gate(request)
    problem = None
    query: AuditQuery | None = None
    try:
        query = trail.audit_query(gate, **filters)
    except BadLookup as exc:
        problem = lookup_problem(exc.code)
    except HTTPException as exc:
        problem = _("Dates are days written as YYYY-MM-DD, the first no later than the last.") \
            if exc.status_code == 400 else str(exc.detail)
    try:
        # The log first: the gate decides (and audits) a refusal there, so a refused visit is on the record.
        result = find_entries(gate, who, query or AuditQuery(), offset=(number - 1) * size,
                              limit=size if query else 1, count=query is not None)
        if query is None:
            result.records, result.total, result.more = [], 0, False
        rows = trail.describe(gate, who, result.records, query.lookup if query else None)
        focus = _focus(gate, who, query)
        head = routes_audit.audit_head(request, full=full, who=who)
        since = max(0, head.log_size - STATS_WINDOW)
        stats = routes_audit.audit_stats(request, who=who, since=since, limit=200)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    except HTTPException as exc:
        if exc.status_code == 403:
            return denial(request, who, str(exc.detail))
        return error(request, who, str(exc.detail), status_code=exc.status_code, back="/oversight")
    pages = max(1, -(-result.total // size))
    sources = gate.source_labels()
    return page(request, "oversight.html", who, nav="oversight", head=head, rows=rows, stats=stats.rows,
                stats_since=since, filters=filters, size=size, page_sizes=PAGE_SIZES, full=full, problem=problem,
                number=number, pages=pages, total=result.total, more=result.more, focus=focus,
                kinds=[(k, KIND_NAMES.get(k, k)) for k in ("any", *lookup_kinds())],  # translated by the template
                families=ACTION_FAMILIES, what=lambda d: what(d, sources=sources),
                name_of=lambda ref: record_label(ref, sources), decision_label=decision_label,
                link=lambda **kw: _link(filters, size, **kw), csv_link=_link(filters, None, "/oversight/export.csv"),
                zone=zone_label())


def _focus(gate: Any, who: Principal, query: AuditQuery | None) -> trail.EntityRef | None:
    """The record the log is filtered by, named (an audited read like the rows' names)."""
    if query is None or not query.entity:
        return None
    with gate.scope(who, trail.NAMES_PURPOSE, roles=OVERSEERS) as job, job.read("audit.names") as r:
        found = r.entities([query.entity])
    return trail.entity_ref(found[0]) if found else trail.EntityRef(query.entity, False)


def _link(filters: dict[str, str | None], page_size: int | None, path: str = "/oversight", **changes: Any) -> str:
    """This page's URL with some parameters changed (pagination, a filter from a row)."""
    params: dict[str, Any] = {k: v for k, v in filters.items() if v}
    params["size"] = page_size
    params.update(changes)
    return path + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


@router.get("/oversight/export.csv")
def oversight_csv(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    """The filtered log as CSV in the reader's language: local times with their zone, plain-language
    sentences, records by name; every cell safe against spreadsheet formulas."""
    gate = deps.gate(request)
    lang = i18n.language_of(request)
    i18n.use_language(lang)
    try:
        query = trail.audit_query(gate, **_filters(request))
        records = iter_entries(gate, who, query)
    except BadLookup as exc:
        return error(request, who, lookup_problem(exc.code), back="/oversight")
    except HTTPException as exc:
        return error(request, who, str(exc.detail), status_code=exc.status_code, back="/oversight")
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)

    def lines() -> Iterator[str]:
        i18n.use_language(lang)  # the stream runs after this function returned
        rows = routes_audit.described_batches(request, who, records, query)
        yield "\ufeff"  # spreadsheets read UTF-8 (Urdu) only with the byte-order mark
        sources = gate.source_labels()
        yield from trail.csv_lines(rows, what=lambda d: str(what(d, html=False, sources=sources)),
                                   when=lambda t: when(t, seconds=True), label=lambda ref: record_label(ref, sources),
                                   headers=[_(h) for h in CSV_HEADERS])

    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})


CSV_HEADERS = (N_("Entry"), N_("Time"), N_("User"), N_("Name"), N_("Role"), N_("Action code"), N_("What"),
               N_("Decision"), N_("Case"), N_("Purpose"), N_("Records"), N_("Searched for"),
               N_("Matches the look-up"), N_("Reason"), N_("Count"))
assert len(CSV_HEADERS) == len(trail.CSV_COLUMNS)

__all__ = ["router"]
