"""Alert routes over the alert desk (tahqiq.alerts.AlertDesk), which decides who sees which alert
(the districts routed to a user's control room) and audits every read and action.

`GET /api/alerts/stream` is a server-sent event stream: each alert is sent as `event: alert` with
its JSON as data and its id as the SSE `id:`, so a browser that reconnects sends Last-Event-ID and
resumes after the last alert it received. A comment line is sent as a heartbeat every 15 seconds
so that proxies keep the connection open. Between checks the stream sleeps on the event loop; each
check (the desk's `wait` with no timeout: a count, not audited) borrows a worker thread briefly;
alerts found are read through `list`, which audits them.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, TypeAdapter

from tahqiq.alerts import (
    GROUP_WINDOW_S,
    OPEN,
    SEVERITY_ORDER,
    SORTS,
    AlertDesk,
    AlertFilter,
    AlertView,
    Supervision,
    TriagePage,
)
from tahqiq.alerts.tables import ALERT_STATUSES
from tahqiq.api import deps
from tahqiq.api.models import (
    BAD_INPUT,
    DENIED,
    INT32_MAX,
    NOT_FOUND,
    SIGNED_IN,
    AfterId,
    AlertAction,
    AlertStatusFilter,
    Offset,
    PageNo,
    RowId,
    Severity,
    TriageSort,
    aware_model,
)
from tahqiq.govern import AccessDenied, GovernError, Principal

T = TypeVar("T")
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 0.2  # how often an open stream checks for new alerts
router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=SIGNED_IN, responses=DENIED)


class ActionIn(BaseModel):
    note: str | None = Field(None, max_length=2000, description="why, for the record (required to dispatch)")
    unit: str | None = Field(None, max_length=200, description="dispatch only: the unit or police station sent")


class RouteIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    district: str = Field(min_length=1, max_length=100)


def desk(request: Request) -> AlertDesk:
    app = request.app
    if getattr(app.state, "alert_desk", None) is None:
        app.state.alert_desk = AlertDesk(deps.gate(request))
    return app.state.alert_desk


def _call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    try:
        return fn(*args, **kwargs)
    except AccessDenied as exc:
        raise deps.CaseDenied(exc.reason, exc.audit_seq) from None
    except GovernError as exc:
        status = 404 if str(exc).startswith("no alert") else 400
        raise HTTPException(status, str(exc)) from None


SeverityParam = Annotated[Severity | None, Query(description=f"one of {', '.join(SEVERITY_ORDER)}")]
Status = Annotated[AlertStatusFilter | None,
                   Query(description=f"one of {', '.join(ALERT_STATUSES)}, or {OPEN!r}: all but closed")]
Rule = Annotated[str | None, Query(description="a rule id, e.g. anpr.wanted-plate")]
CaseRef = Annotated[str | None, Query(alias="case", description="the case of the watchlist entry matched")]


@router.get("", response_model=aware_model(list[AlertView]), responses=BAD_INPUT)
def list_alerts(request: Request, who: Principal = Depends(deps.principal), district: str | None = None,
                status: Status = None, severity: SeverityParam = None, rule: Rule = None, case: CaseRef = None,
                after_id: AfterId = 0, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                offset: Offset = 0,
                newest_first: bool = False) -> list[AlertView]:
    """Alerts routed to your control room (supervisors: also their agency's watchlist alerts), oldest
    first after `after_id` (a feed), or newest first in pages of `limit` from `offset`."""
    return _call(desk(request).list, who, district=district, status=status, after_id=after_id, limit=limit,
                 newest_first=newest_first, severity=severity, rule=rule, case=case, offset=offset)


@router.get("/triage", response_model=aware_model(TriagePage), responses=BAD_INPUT)
def triage(request: Request, who: Principal = Depends(deps.principal),
           severity: Annotated[list[Severity], Query(description="any of these severities")] = [],  # noqa: B006
           status: Annotated[list[AlertStatusFilter],
                             Query(description=f"any of these statuses, or {OPEN!r}")] = [],  # noqa: B006
           rule: Rule = None, district: str | None = None, case: CaseRef = None,
           sort: Annotated[TriageSort, Query(description=f"{' or '.join(SORTS)}: severity then newest, or newest")]
           = "severity",
           page: PageNo = 1, per_page: Annotated[int, Query(ge=1, le=100)] = 20,
           window: Annotated[int, Query(ge=0, le=7 * 86400, description="seconds: repeats of one rule on one key "
                                                                          "closer than this form one group")]
           = GROUP_WINDOW_S) -> TriagePage:
    """The control room's page: groups of repeats (same rule, same plate/CNIC/account, within
    `window`), filtered, sorted, paginated, with counts per status and severity and the values the
    filters can take."""
    filt = AlertFilter(severity=tuple(severity), rule=rule or None, district=district or None,
                       status=tuple(status), case=case or None)
    return _call(desk(request).triage, who, filt, sort=sort, page=page, per_page=per_page, window=window)


@router.get("/supervision", response_model=aware_model(Supervision), responses=BAD_INPUT)
def supervision(request: Request, who: Principal = Depends(deps.principal),
                days: Annotated[int | None, Query(ge=1, le=366, description="only alerts of the last N days")]
                = None) -> Supervision:
    """Supervisors: time to acknowledge (median, 90th percentile) and workload per district over
    the agency's control rooms."""
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    return _call(desk(request).supervise, who, since)


@router.get("/feedback", response_model=aware_model(list[dict[str, Any]]), responses=BAD_INPUT)
def feedback(request: Request, who: Principal = Depends(deps.principal)) -> list[dict[str, Any]]:
    """Verified matches and false positives per rule (counts only)."""
    return _call(desk(request).feedback, who)


@router.post("/routes", status_code=204, responses={**BAD_INPUT, **NOT_FOUND})
def route(request: Request, body: RouteIn, who: Principal = Depends(deps.principal)) -> None:
    """Send a district's alerts to a user's control room (supervisors and admins)."""
    _call(desk(request).route, who, body.username, body.district)


_ALERT_JSON = TypeAdapter(AlertView)


def _sse(view: AlertView) -> str:
    data = json.dumps(_ALERT_JSON.dump_python(view, mode="json"), ensure_ascii=False)
    return f"id: {view.id}\nevent: alert\ndata: {data}\n\n"


@router.get("/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "`event: alert` messages"}})
async def stream(request: Request, who: Principal = Depends(deps.principal),
                 last_event_id: Annotated[str | None, Header()] = None,
                 after: Annotated[int | None, Query(ge=0, le=INT32_MAX, description="start after this alert id")]
                 = None,
                 close_after: Annotated[int | None, Query(ge=1, description="end after this many alerts "
                                                                           "(scripts)")] = None):
    """Live alerts as server-sent events. Without Last-Event-ID or `after`, only alerts raised from
    now on are sent (load the current ones with GET /api/alerts)."""
    d = desk(request)
    resume = (last_event_id or "").strip()
    if resume.isdigit() and len(resume) <= 10 and int(resume) <= INT32_MAX:  # else ignored, as a malformed one
        after = int(resume)
    start = after if after is not None else await anyio.to_thread.run_sync(lambda: _call(d.newest_id, who))
    # The first wait runs before the response starts, so that a refusal is an HTTP 403.
    first = await anyio.to_thread.run_sync(lambda: _call(d.wait, who, start, 0.0))

    async def events() -> AsyncIterator[str]:
        after = start
        sent = 0
        batch = first
        yield f"retry: 3000\n: connected after alert {after}\n\n"
        while True:
            for view in batch:
                yield _sse(view)
                after = max(after, view.id)
                sent += 1
                if close_after and sent >= close_after:
                    return
            # Wait on the event loop, not in a worker thread: FastAPI runs every plain `def` route
            # in one pool of 40 threads, so forty open control rooms blocking there would freeze
            # the whole API. A thread is borrowed only for each quick check.
            deadline = time.monotonic() + HEARTBEAT_SECONDS
            batch = []
            while not batch and time.monotonic() < deadline:
                if await request.is_disconnected():
                    return
                await anyio.sleep(POLL_SECONDS)
                try:
                    batch = await anyio.to_thread.run_sync(d.wait, who, after, 0.0)
                except AccessDenied as exc:  # disabled meanwhile, token revoked: end the stream, say why
                    yield f"event: denied\ndata: {json.dumps({'detail': exc.reason})}\n\n"
                    return
            if not batch:
                yield ": heartbeat\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/{alert_id}", response_model=aware_model(AlertView), responses={**BAD_INPUT, **NOT_FOUND})
def get_alert(request: Request, alert_id: RowId, who: Principal = Depends(deps.principal)) -> AlertView:
    """One alert with the evidence behind it and its history of actions."""
    return _call(desk(request).get, who, alert_id)


@router.get("/{alert_id}/explanation", response_model=aware_model(AlertView), responses={**BAD_INPUT, **NOT_FOUND})
def explain_alert(request: Request, alert_id: RowId, who: Principal = Depends(deps.principal)) -> AlertView:
    """One alert with its facts enriched: the watchlist entries matched and why they exist (case,
    legal basis, reason), and the records it leads to (person, vehicle, warrants, FIRs)."""
    return _call(desk(request).explain, who, alert_id)


@router.post("/{alert_id}/{action}", response_model=aware_model(AlertView), responses={**BAD_INPUT, **NOT_FOUND})
def act(request: Request, alert_id: RowId, action: AlertAction, body: ActionIn | None = None,
        who: Principal = Depends(deps.principal)) -> AlertView:
    """acknowledge, verify, false_positive, dispatch (after verify; needs `unit` and `note`) or close."""
    return _call(desk(request).act, who, alert_id, action, body.note if body else None, body.unit if body else None)
