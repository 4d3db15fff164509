"""The web application: `create_app(engine)` builds the FastAPI app that serves the JSON API under
/api/ (tahqiq.api; documented at /openapi.json and /docs), the pages and the offline map of
tahqiq.web, and the static assets.

    app = create_app(engine)                       # behind https (Secure cookies)
    app = create_app(engine, secure_cookies=False) # plain http on a developer's machine

`tahqiq serve` runs it with uvicorn (tahqiq.cli.web_cmds).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.middleware.base import RequestResponseEndpoint

from tahqiq.api import (
    deps,
    exports,
    routes_alerts,
    routes_audit,
    routes_auth,
    routes_cases,
    routes_graph,
    routes_people,
    routes_review,
)
from tahqiq.api.auth import SESSION_COOKIE, Sessions
from tahqiq.govern import Gate
from tahqiq.store import open_store
from tahqiq.web import STATIC_DIR, maps, pages

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is served by Tahqiq itself (offline machines): no other origin is ever needed.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


def create_app(engine: Engine | None = None, *, secure_cookies: bool = True, gate: Gate | None = None) -> FastAPI:
    """The application over `engine` (default: the configured store, migrated)."""
    if engine is None:
        engine = open_store()
    app = FastAPI(title="Tahqiq", version="0.1.0",
                  description="Accountable police intelligence fusion. Every route that returns personal data "
                              "reads it through the governance gate under a case, and the read is audited. "
                              "Browsers sign in with POST /api/login (session cookie + X-CSRF-Token); "
                              "programs send Authorization: Bearer <token> (`tahqiq token create`).")
    app.state.gate = gate or Gate(engine)
    app.state.sessions = Sessions(app.state.gate.engine)
    app.state.secure_cookies = secure_cookies

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
        session = request.app.state.sessions.read(request.cookies.get(SESSION_COOKIE))
        request.state.session = session
        request.state.csrf_token = session.csrf_token if session else None
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") and "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # personal data stays out of browser caches
        return response

    @app.exception_handler(HTTPException)
    async def http_errors(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, deps.LoginRequired):
            return RedirectResponse(exc.location, status_code=303)
        if isinstance(exc, deps.CaseDenied):
            return JSONResponse({"detail": exc.reason, "audit_seq": exc.audit_seq}, status_code=403)
        return await http_exception_handler(request, exc)

    for router in (routes_auth.router, routes_cases.router, routes_people.router, routes_graph.router,
                   routes_review.router, exports.router, routes_audit.router,
                   routes_alerts.router, maps.router, pages.router):
        app.include_router(router)
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app
