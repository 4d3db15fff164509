"""Sign in and out: `POST /login` (the browser's form), `POST /api/login` (JSON), `POST /logout`,
`POST /api/logout`, and `GET /api/me`."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from tahqiq.api import deps
from tahqiq.api.auth import SESSION_COOKIE, SESSION_MAX_AGE, audit_login, audit_logout
from tahqiq.api.models import Login, Me, Problem
from tahqiq.govern import AuthenticationFailed, Principal

router = APIRouter(tags=["auth"])


def local_path(next_url: str | None) -> str:
    """Only same-site paths: an open redirect after login would hand phishers a trusted link."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return "/"
    parts = urlsplit(next_url)
    return "/" if parts.scheme or parts.netloc else next_url


def _start(request: Request, response: Response, who: Principal, how: str) -> str:
    cookie, session = request.app.state.sessions.issue(who)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=SESSION_MAX_AGE, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, path="/")
    audit_login(deps.gate(request), who, session, how)
    return session.csrf_token


def _same_origin(request: Request) -> None:
    # Sign-in happens before any CSRF token exists; a foreign Origin is refused instead.
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "sign-in from another site refused")


@router.post("/login", include_in_schema=False)
def login_form(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")):
    _same_origin(request)
    target = local_path(next)
    try:
        who = deps.gate(request).authenticate_password(username.strip(), password)
    except AuthenticationFailed:
        return RedirectResponse(f"/login?error=1&next={quote(target)}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    _start(request, response, who, "password")
    return response


@router.post("/api/login", response_model=Me, responses={401: {"model": Problem}})
def login_json(body: Login, request: Request, response: Response) -> Me:
    """Sign in with a password; sets the session cookie and returns the CSRF token to send with
    unsafe requests (header X-CSRF-Token)."""
    _same_origin(request)
    try:
        who = deps.gate(request).authenticate_password(body.username.strip(), body.password)
    except AuthenticationFailed as exc:
        raise HTTPException(401, exc.reason) from None
    csrf = _start(request, response, who, "password")
    return Me(username=who.username, role=who.role, agency=who.agency, csrf_token=csrf)


def _end(request: Request, response: Response) -> None:
    session = getattr(request.state, "session", None)
    if session is not None:
        request.app.state.sessions.end(session)
        audit_logout(deps.gate(request), deps.gate(request).session_user(session.user_id), session)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.app.state.secure_cookies)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(deps.csrf_check)])
def logout_form(request: Request):
    response = RedirectResponse("/login", status_code=303)
    _end(request, response)
    return response


@router.post("/api/logout", status_code=204, dependencies=[Depends(deps.csrf_check)])
def logout_json(request: Request, response: Response) -> Response:
    """End the session (the cookie stops working at once, also if copied)."""
    response = Response(status_code=204)
    _end(request, response)
    return response


@router.get("/api/me", response_model=Me, responses={401: {"model": Problem}})
def me(request: Request, who: Principal = Depends(deps.principal)) -> Me:
    """Who you are signed in as (and your session's CSRF token)."""
    return Me(username=who.username, role=who.role, agency=who.agency,
              csrf_token=getattr(request.state, "csrf_token", None))
