"""Request bodies: who may send one, and how big it may be, decided before a byte of it is read.

`BodyLimits` is an ASGI middleware that sits inside the session middleware (it needs the session
that middleware reads from the cookie). For every request that carries a body:

1. **Credentials first.** Except for the sign-ins (`/login`, `/api/login`), the request must carry
   a working credential, checked exactly as routes check it (`deps.resolve_principal`: a bearer
   token or the session cookie). Without one the answer is 401 (the JSON API) or the redirect to
   the sign-in page (pages), and the body is never read: an anonymous client cannot make the
   server spool 500 MiB to disk just to be told to sign in.
2. **Size.** A declared Content-Length over the route's limit is answered 413 at once. A body
   without one (chunked) is counted as the application reads it and stopped with 413 as soon as it
   passes the limit. Routes that take a file (an `UploadFile` parameter, found in the app's own
   routes) may receive `upload_limit` bytes (`trail.MAX_UPLOAD`); every other body `body_limit`.

    app.add_middleware(BodyLimits)        # compose.create_app, before the session middleware
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import HTTPException, Request, params
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tahqiq.api import deps
from tahqiq.api.trail import MAX_UPLOAD

BODY_LIMIT = 1 << 20  # JSON and form bodies: notes, look-ups, sign-ins are a few kB
UPLOAD_LIMIT = MAX_UPLOAD
OPEN_PATHS = frozenset({"/login", "/api/login"})  # a body here is how one gets a credential


class BodyTooLarge(HTTPException):
    """Raised inside the application's read of a body that passed its limit (FastAPI lets an
    HTTPException raised while parsing the body through as it is: 413, not a parse error)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than this route accepts ({_size(limit)})")


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def _takes_file(dependant: Dependant) -> bool:
    """Whether this endpoint or any of its dependencies takes an uploaded file."""
    return (any(isinstance(p.field_info, params.File) for p in dependant.body_params)
            or any(_takes_file(d) for d in dependant.dependencies))


@dataclass
class BodyLimits:
    app: ASGIApp
    body_limit: int | None = None  # None: the module's BODY_LIMIT / UPLOAD_LIMIT at request time
    upload_limit: int | None = None
    _upload_routes: list[APIRoute] | None = field(default=None, init=False, repr=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _has_body(scope):
            await self.app(scope, receive, send)
            return
        refusal = None if scope["path"] in OPEN_PATHS else await _unauthenticated(scope)
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if refusal is None and declared is not None and declared > limit:
            refusal = JSONResponse({"detail": BodyTooLarge(limit).detail}, status_code=413,
                                   headers={"Connection": "close"})
        if refusal is not None:
            await refusal(scope, _nothing, send)
            return
        await self.app(scope, _counted(receive, limit), send)

    def limit_for(self, scope: Scope) -> int:
        if self._upload_routes is None:
            routes = getattr(scope.get("app"), "routes", [])
            self._upload_routes = [r for r in routes if isinstance(r, APIRoute) and _takes_file(r.dependant)]
        if any(r.matches(scope)[0] == Match.FULL for r in self._upload_routes):
            return self.upload_limit or UPLOAD_LIMIT
        return self.body_limit or BODY_LIMIT


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope.get("headers", []) if k.lower() == name), None)


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _has_body(scope: Scope) -> bool:
    declared = _content_length(scope)
    return (declared is not None and declared > 0) or _header(scope, b"transfer-encoding") is not None


async def _unauthenticated(scope: Scope) -> Response | None:
    """The answer for a request without a working credential (None when it has one). The check is
    the routes' own (`deps.resolve_principal`, remembered for the request, so a failed token is
    audited once); it reads the store, so it runs off the event loop."""
    request = Request(scope)
    try:
        who = await run_in_threadpool(deps.resolve_principal, request)
        if who is not None:
            return None
        deps.principal(request)  # raises the routes' own 401
    except HTTPException as exc:
        if not scope["path"].startswith("/api/"):
            return RedirectResponse(deps.LoginRequired(scope["path"]).location, status_code=303,
                                    headers={"Connection": "close"})
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers={**(exc.headers or {}), "Connection": "close"})
    return None


async def _nothing() -> Message:
    # A refusal's response must not read the body it refuses.
    return {"type": "http.disconnect"}


def _counted(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


__all__ = ["BODY_LIMIT", "OPEN_PATHS", "UPLOAD_LIMIT", "BodyLimits", "BodyTooLarge"]
