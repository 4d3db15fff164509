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
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field, TypeAdapter

from tahqiq.alerts import AlertDesk, AlertView
from tahqiq.api import deps
from tahqiq.api.models import Problem
from tahqiq.govern import AccessDenied, GovernError, Principal

T = TypeVar("T")
HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 0.2  # how often an open stream checks for new alerts
router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[Depends(deps.csrf_check)],
                   responses={403: {"model": Problem}, 401: {"model": Problem}})


class ActionIn(BaseModel):
    note: str | None = Field(None, max_length=2000)


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


@router.get("", response_model=list[AlertView])
def list_alerts(request: Request, who: Principal = Depends(deps.principal), district: str | None = None,
                status: str | None = None, after_id: Annotated[int, Query(ge=0)] = 0,
                limit: Annotated[int, Query(ge=1, le=1000)] = 100, newest_first: bool = False) -> list[AlertView]:
    """Alerts routed to your control room (supervisors: also their agency's watchlist alerts)."""
    return _call(desk(request).list, who, district=district, status=status, after_id=after_id, limit=limit,
                 newest_first=newest_first)


@router.get("/feedback", response_model=list[dict[str, Any]])
def feedback(request: Request, who: Principal = Depends(deps.principal)) -> list[dict[str, Any]]:
    """Verified matches and false positives per rule (counts only)."""
    return _call(desk(request).feedback, who)


@router.post("/routes", status_code=204)
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
                 after: Annotated[int | None, Query(ge=0, description="start after this alert id")] = None,
                 close_after: Annotated[int | None, Query(ge=1, description="end after this many alerts "
                                                                           "(scripts)")] = None):
    """Live alerts as server-sent events. Without Last-Event-ID or `after`, only alerts raised from
    now on are sent (load the current ones with GET /api/alerts)."""
    d = desk(request)
    if last_event_id and last_event_id.strip().isdigit():
        after = int(last_event_id.strip())
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


@router.get("/{alert_id}", response_model=AlertView, responses={404: {"model": Problem}})
def get_alert(request: Request, alert_id: int, who: Principal = Depends(deps.principal)) -> AlertView:
    """One alert with the evidence behind it and its history of actions."""
    return _call(desk(request).get, who, alert_id)


@router.post("/{alert_id}/{action}", response_model=AlertView, responses={400: {"model": Problem}})
def act(request: Request, alert_id: int, action: str, body: ActionIn | None = None,
        who: Principal = Depends(deps.principal)) -> AlertView:
    """acknowledge, verify, false_positive, dispatch (after verify) or close."""
    return _call(desk(request).act, who, alert_id, action, body.note if body else None)
