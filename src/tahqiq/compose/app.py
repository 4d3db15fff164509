"""The web application: `create_app(engine)` builds the FastAPI app that serves the JSON API under
/api/ (tahqiq.api; documented at /openapi.json and /docs), the pages and the offline map of
tahqiq.web, and the static assets.

/docs is Swagger UI from the package's own static files (npm's swagger-ui-dist, copied by `make
assets`) started by a small local script: FastAPI's default page loads it from a CDN with an inline
script, which the offline machines cannot reach and our Content-Security-Policy forbids. Errors:
a browser asking for a page (Accept: text/html, outside /api/) gets the app's own error page (404
for an unknown address; 500 with a reference that is logged with the traceback, never the trace
itself); API clients keep JSON problems.

    app = create_app(engine)                       # behind https (Secure cookies)
    app = create_app(engine, secure_cookies=False) # plain http on a developer's machine

`tahqiq serve` runs it with uvicorn (tahqiq.cli.web_cmds).
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.middleware.base import RequestResponseEndpoint

from tahqiq.api import (
    deps,
    exports,
    openapi,
    routes_alerts,
    routes_audit,
    routes_auth,
    routes_cases,
    routes_graph,
    routes_intel,
    routes_networks,
    routes_people,
    routes_review,
)
from tahqiq.api.auth import SESSION_COOKIE, Sessions
from tahqiq.api.limits import BodyLimits
from tahqiq.api.routes_auth import local_path
from tahqiq.govern import Gate, Principal
from tahqiq.govern.throttle import SigninThrottle
from tahqiq.store import open_store
from tahqiq.web import STATIC_DIR, forecast_pages, i18n, maps, network_pages, osint_pages, pages, templates
from tahqiq.web.render import page, speak

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # Everything is served by Tahqiq itself (offline machines): no other origin is ever needed.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not the JSON API, not an htmx fragment, not a script's fetch)."""
    if request.url.path.startswith("/api/") or request.headers.get("HX-Request") == "true":
        return False
    return "text/html" in (request.headers.get("accept") or "")


def _reader(request: Request) -> Principal | None:
    """Who is signed in, for the error page's top bar; nobody when that cannot be told."""
    try:
        return deps.resolve_principal(request)
    except Exception:  # noqa: BLE001 - an error page must render even when the store is what failed
        return None


def _way_back(request: Request) -> str | None:
    """The page the reader came from, when it is one of ours (never an open redirect)."""
    referer = urlsplit(request.headers.get("referer") or "")
    if not referer.path or referer.netloc != request.url.netloc:
        return None
    back = local_path(referer.path + (f"?{referer.query}" if referer.query else ""))
    return back if back != request.url.path else None


def error_page(request: Request, status: int, *, kind: str, message: str | None = None,
               reference: str | None = None) -> HTMLResponse:
    """The app's error page in the reader's language, with the top bar when they are signed in."""
    return page(request, "error.html", _reader(request), status_code=status, kind=kind, status=status,
                message=message, reference=reference, path=request.url.path, back=_way_back(request))


def server_error(request: Request, exc: BaseException) -> Response:
    """Log the failure with a reference and answer with that reference alone: the traceback may
    hold personal data and the code's insides, which the reader of a page has no business seeing."""
    reference = f"E-{secrets.token_hex(4).upper()}"
    log.error("unhandled error, reference %s, on %s %s", reference, request.method, request.url.path,
              exc_info=(type(exc), exc, exc.__traceback__))
    if wants_page(request):
        try:
            return error_page(request, 500, kind="server", reference=reference)
        except Exception:  # noqa: BLE001 - rendering failed too: the reference still reaches the reader
            log.exception("the error page for %s failed", reference)
            return PlainTextResponse(f"Internal error. Reference: {reference}", status_code=500)
    return JSONResponse({"detail": "internal server error; the server's log has the details under this reference",
                         "reference": reference}, status_code=500)


def signin_locked(request: Request, exc: routes_auth.SigninLocked) -> Response:
    """The sign-in form refused by the throttle: the sign-in page again, saying when to retry."""
    response = page(request, "login.html", None, status_code=429, next=exc.next_url,
                    locked_minutes=max(1, -(-exc.retry_after // 60)))
    response.headers.update(exc.headers or {})
    return response


def create_app(engine: Engine | None = None, *, secure_cookies: bool = True, gate: Gate | None = None) -> FastAPI:
    """The application over `engine` (default: the configured store, migrated)."""
    if engine is None:
        engine = open_store()
    app = FastAPI(title="Tahqiq", version="0.1.0",
                  description="Accountable police intelligence fusion. Every route that returns personal data "
                              "reads it through the governance gate under a case, and the read is audited. "
                              "Browsers sign in with POST /api/login (session cookie + X-CSRF-Token); "
                              "programs send Authorization: Bearer <token> (`tahqiq token create`).",
                  # Our own /docs below (local assets, no inline script); no ReDoc, which needs a CDN too.
                  docs_url=None, redoc_url=None)
    app.state.gate = gate or Gate(engine)
    app.state.sessions = Sessions(app.state.gate.engine)
    app.state.secure_cookies = secure_cookies
    app.state.i18n = i18n  # the API's report speaks the reader's language; api may not import web
    app.state.signin_throttle = SigninThrottle()
    # Inside the session middleware below (it needs the session): bodies refused before reading.
    app.add_middleware(BodyLimits)

    @app.middleware("http")
    async def session_and_headers(request: Request, call_next: RequestResponseEndpoint) -> Response:
        session = request.app.state.sessions.read(request.cookies.get(SESSION_COOKIE))
        request.state.session = session
        request.state.csrf_token = session.csrf_token if session else None
        try:
            response = await call_next(request)
        except Exception as exc:  # noqa: BLE001 - every failure becomes a referenced 500, never a trace
            response = server_error(request, exc)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") and "cache-control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"  # personal data stays out of browser caches
        return response

    @app.exception_handler(HTTPException)
    async def http_errors(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, deps.LoginRequired):
            return RedirectResponse(exc.location, status_code=303)
        if isinstance(exc, routes_auth.SigninLocked):
            return signin_locked(request, exc)
        if isinstance(exc, deps.CaseDenied):
            return JSONResponse({"detail": exc.reason, "audit_seq": exc.audit_seq}, status_code=403)
        if exc.status_code >= 400 and wants_page(request):
            # Starlette's own 404/405 say "Not Found"; our routes' details are sentences for people.
            own = exc.detail not in ("Not Found", "Method Not Allowed")
            return error_page(request, exc.status_code, kind="not-found" if exc.status_code == 404 else "http",
                              message=str(exc.detail) if own else None)
        return await http_exception_handler(request, exc)

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        """Swagger UI over /openapi.json, from local files only (see the module's docstring)."""
        lang = speak(request)
        return templates.TemplateResponse(request, "api_docs.html", {
            "title": app.title, "csrf_token": getattr(request.state, "csrf_token", None), "lang": lang,
            "rtl": i18n.is_rtl(lang)})

    for router in (routes_auth.router, routes_cases.router, routes_people.router, routes_graph.router,
                   routes_review.router, exports.router, routes_audit.router,
                   routes_alerts.router, maps.router, routes_networks.router, routes_intel.router,
                   network_pages.router, osint_pages.router, forecast_pages.router, pages.router):
        app.include_router(router)
    STATIC_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    openapi.document_contract(app)
    return app


__all__ = ["create_app", "error_page", "server_error", "signin_locked", "wants_page"]
