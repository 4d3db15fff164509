"""The control room: triage of the alerts routed to the operator (filters, counts, groups of repeats,
pages), each alert explained in a sentence with its facts and links, the lifecycle buttons, and the
supervisors' view of the rooms. The alert desk (tahqiq.alerts) decides who sees which alert and
audits every read and action; these pages only draw what it returns.

    GET  /control-room                      triage page (filters as query parameters)
    GET  /control-room/list                 the list alone (htmx / the live script's refresh)
    POST /control-room/alerts/{id}/act      a lifecycle step (form: action, note, unit)
    GET  /control-room/alerts/{id}          the alert explained (?case= opens links under that case)
    GET  /control-room/supervisor           time to acknowledge, workload per district (supervisors)

New alerts come over `GET /api/alerts/stream` (control-room.js) and are merged into the list the
operator is looking at when they match its filters.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from tahqiq.alerts import (
    ALERT_STATUSES,
    GROUP_WINDOW_S,
    OPEN,
    SEVERITY_ORDER,
    TRANSITIONS,
    AlertDesk,
    AlertFilter,
    AlertNotFound,
    DispatchIncomplete,
)
from tahqiq.api import deps
from tahqiq.api.models import RowId, refuse_nul
from tahqiq.govern import AccessDenied, GovernError, Principal, list_cases
from tahqiq.web import alert_text, network_pages
from tahqiq.web.i18n import gettext as _
from tahqiq.web.render import denial, error, page

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
# The buttons, in the order of the lifecycle. Which one applies to an alert's status comes from the
# desk's own transition table, so the page never offers a move the desk would refuse.
ACTIONS = ("acknowledge", "verify", "false_positive", "dispatch", "close")
PER_PAGE = 20


def lifecycle() -> dict[str, list[str]]:
    """action -> the statuses it may follow (from the alert desk's TRANSITIONS)."""
    return {action: list(allowed) for action, (allowed, _) in TRANSITIONS.items()}


def action_label(action: str) -> str:
    return {"acknowledge": _("Acknowledge"), "verify": _("Verified"), "false_positive": _("False positive"),
            "dispatch": _("Dispatch"), "close": _("Close")}.get(action, action)


def _desk(request: Request) -> AlertDesk:
    app = request.app
    if getattr(app.state, "alert_desk", None) is None:
        app.state.alert_desk = AlertDesk(deps.gate(request))
    return app.state.alert_desk


def _per_page(request: Request) -> int:
    try:
        return min(100, max(1, int(request.query_params.get("per_page") or PER_PAGE)))
    except ValueError:
        return PER_PAGE


def _filters(request: Request) -> tuple[AlertFilter, str, int]:
    """The triage filters from the query string (or a form). A first visit shows open alerts."""
    q = request.query_params
    statuses = tuple(s for s in q.getlist("status") if s in ALERT_STATUSES or s == OPEN)
    if "status" not in q and not q.get("filtered"):
        statuses = (OPEN,)
    filt = AlertFilter(severity=tuple(s for s in q.getlist("severity") if s in SEVERITY_ORDER),
                       rule=q.get("rule") or None, district=q.get("district") or None, status=statuses,
                       case=q.get("case") or None)
    sort = q.get("sort") or "severity"
    sort = sort if sort in ("severity", "time") else "severity"
    try:
        number = max(1, int(q.get("page") or 1))
    except ValueError:
        number = 1
    return filt, sort, number


def _context(request: Request, who: Principal, **extra: Any) -> dict[str, Any]:
    filt, sort, number = _filters(request)
    per_page = _per_page(request)
    triage = _desk(request).triage(who, filt, sort=sort, page=number, per_page=per_page, window=GROUP_WINDOW_S)
    query = _query(filt, sort) + ([("per_page", str(per_page))] if per_page != PER_PAGE else [])
    return {"triage": triage, "filt": filt, "sort": sort, "transitions": lifecycle(), "actions": ACTIONS,
            "action_label": action_label, "text": alert_text, "statuses": (OPEN, *ALERT_STATUSES),
            "severities": SEVERITY_ORDER, "window_s": GROUP_WINDOW_S, "query": query, **extra}


def _query(filt: AlertFilter, sort: str) -> list[tuple[str, str]]:
    """The filters as query pairs (for page links and the live script), `filtered` marking a choice."""
    pairs = [("filtered", "1"), ("sort", sort)]
    pairs += [("severity", s) for s in filt.severity] + [("status", s) for s in filt.status]
    pairs += [(k, v) for k, v in (("rule", filt.rule), ("district", filt.district), ("case", filt.case)) if v]
    return pairs


def _refused(request: Request, who: Principal, exc: Exception) -> Response:
    if isinstance(exc, AccessDenied):
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    return error(request, who, str(exc), back="/control-room")


@router.get("/control-room")
def control_room(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    try:
        context = _context(request, who)
    except (AccessDenied, GovernError) as exc:
        return _refused(request, who, exc)
    return page(request, "control_room.html", who, nav="control", **context)


@router.get("/control-room/list")
def control_room_list(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    try:
        context = _context(request, who)
    except (AccessDenied, GovernError) as exc:
        return _refused(request, who, exc)
    return page(request, "partials/alert_list.html", who, **context)


def _problem(exc: GovernError) -> str:
    if isinstance(exc, DispatchIncomplete):
        if exc.missing == ["unit"]:
            return _("Name the unit or police station you dispatched.")
        if exc.missing == ["note"]:
            return _("Write a note for the dispatch: what the unit was told.")
        return _("A dispatch needs the unit or police station sent and a note of what they were told.")
    return str(exc)


@router.post("/control-room/alerts/{alert_id}/act", dependencies=[Depends(deps.csrf_check)])
def act(request: Request, alert_id: RowId, action: str = Form(...), note: str = Form(""), unit: str = Form(""),
        back: str = Form(""), who: Principal = Depends(deps.page_principal)) -> Response:
    """A lifecycle step. From the list (htmx) the answer is the refreshed list, with the reason when
    the desk refused (422); from the alert's page, back to that page."""
    problem = None
    try:
        _desk(request).act(who, alert_id, action, note or None, unit or None)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    except AlertNotFound as exc:  # like the alert's page and the API: an unknown alert is a 404
        return error(request, who, str(exc), back="/control-room", status_code=404)
    except GovernError as exc:
        problem = _problem(exc)
    if request.headers.get("HX-Request") != "true":
        if problem:
            return error(request, who, problem, back=f"/control-room/alerts/{alert_id}", status_code=422)
        target = back if back.startswith("/control-room") and not back.startswith("//") else "/control-room"
        return RedirectResponse(target, status_code=303)
    try:
        context = _context(request, who, problem=problem, problem_alert=alert_id)
    except (AccessDenied, GovernError) as exc:
        return _refused(request, who, exc)
    return page(request, "partials/alert_list.html", who, status_code=422 if problem else 200, **context)


@router.get("/control-room/alerts/{alert_id}")
def alert_page(request: Request, alert_id: RowId, case: str | None = None,
               who: Principal = Depends(deps.page_principal)) -> Response:
    """The alert explained. Entity pages live under a case: links open under the case the operator
    chooses among theirs (the alert's own case first when they are a member of it)."""
    try:
        alert = _desk(request).explain(who, alert_id)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    except GovernError as exc:
        return error(request, who, str(exc), back="/control-room",
                     status_code=404 if isinstance(exc, AlertNotFound) else 400)
    mine = [c.reference for c in list_cases(deps.gate(request).engine, who)
            if who.username in c.members and c.is_active()]
    chosen = case if case in mine else (alert.case_ref if alert.case_ref in mine else (mine[0] if mine else None))
    return page(request, "alert.html", who, nav="control", alert=alert, facts=alert.facts, f=alert.facts, cases=mine,
                link_case=chosen, transitions=lifecycle(), actions=ACTIONS, action_label=action_label,
                text=alert_text, network_subgraph=network_pages.subgraph, zone_note=network_pages.zone_note(),
                iso_local=network_pages.iso_local)


@router.get("/control-room/supervisor")
def supervisor(request: Request, days: int | None = None, who: Principal = Depends(deps.page_principal)) -> Response:
    """Supervisors: how quickly alerts are acknowledged and where the work is (the desk refuses,
    and audits the refusal of, anyone else)."""
    since = datetime.now(UTC) - timedelta(days=days) if days and 0 < days <= 366 else None
    try:
        stats = _desk(request).supervise(who, since)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    return page(request, "alert_supervisor.html", who, nav="control", stats=stats, days=days,
                statuses=ALERT_STATUSES, text=alert_text)


__all__ = ["ACTIONS", "action_label", "lifecycle", "router"]
