"""Sign in and out: `POST /login` (the browser's form), `POST /api/login` (JSON), `POST /logout`,
`POST /api/logout`, and `GET /api/me`.

Sign-ins pass the throttle (govern.throttle) per account and per client address: while either is
locked the JSON sign-in answers 429 with Retry-After, and the form raises `SigninLocked`, which the
application renders as the sign-in page saying when to try again (also 429). Sign-in comes before
any CSRF token, so a request whose Origin (or, without one, Referer) is another site's, or the
opaque "null" of a sandboxed frame or a redirect chain, is refused.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response, Security
from fastapi.responses import RedirectResponse

from tahqiq.api import deps
from tahqiq.api.auth import SESSION_COOKIE, SESSION_MAX_AGE, audit_login, audit_logout
from tahqiq.api.models import Login, Me, Problem
from tahqiq.api.openapi import BEARER, SESSION
from tahqiq.govern import AuthenticationFailed, Principal, identity
from tahqiq.govern.throttle import SigninThrottle, SigninThrottled

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


class SigninLocked(HTTPException):
    """The form's sign-in refused by the throttle: 429, rendered by the app as the sign-in page."""

    def __init__(self, retry_after: int, next_url: str) -> None:
        super().__init__(429, "too many failed sign-ins: try again later",
                         headers={"Retry-After": str(retry_after)})
        self.retry_after, self.next_url = retry_after, next_url


def _same_origin(request: Request) -> None:
    # Sign-in happens before any CSRF token exists: the browser's Origin must be ours. "null" (a
    # sandboxed frame, a data: page, a cross-site redirect) names no site and is refused too.
    # Without an Origin, a Referer from elsewhere is refused; a client sending neither is no browser.
    host = request.headers.get("host")
    origin = request.headers.get("origin")
    if origin is not None:
        if origin == "null" or urlsplit(origin).netloc != host:
            raise HTTPException(403, "sign-in from another site refused")
        return
    referer = request.headers.get("referer")
    if referer and urlsplit(referer).netloc != host:
        raise HTTPException(403, "sign-in from another site refused")


def _authenticate(request: Request, username: str, password: str) -> Principal:
    """Check the password through the throttle, counting this client's address."""
    throttle: SigninThrottle | None = getattr(request.app.state, "signin_throttle", None)
    return identity.authenticate_password(deps.gate(request).audit, username, password,
                                          address=request.client.host if request.client else None,
                                          throttle=throttle)


@router.post("/login", include_in_schema=False)
def login_form(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/")):
    _same_origin(request)
    target = local_path(next)
    try:
        who = _authenticate(request, username.strip(), password)
    except SigninThrottled as exc:
        raise SigninLocked(exc.retry_after, target) from None
    except AuthenticationFailed:
        return RedirectResponse(f"/login?error=1&next={quote(target)}", status_code=303)
    response = RedirectResponse(target, status_code=303)
    _start(request, response, who, "password")
    return response


@router.post("/api/login", response_model=Me,
             responses={401: {"model": Problem}, 403: {"model": Problem}, 429: {"model": Problem}})
def login_json(body: Login, request: Request, response: Response) -> Me:
    """Sign in with a password; sets the session cookie and returns the CSRF token to send with
    unsafe requests (header X-CSRF-Token). After repeated failures the account or the address is
    locked for a while: 429 with Retry-After (seconds), whatever the password."""
    _same_origin(request)
    try:
        who = _authenticate(request, body.username.strip(), body.password)
    except SigninThrottled as exc:
        raise HTTPException(429, exc.reason, headers={"Retry-After": str(exc.retry_after)}) from None
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


@router.get("/api/me", response_model=Me, responses={401: {"model": Problem}},
            dependencies=[Security(SESSION), Security(BEARER)])
def me(request: Request, who: Principal = Depends(deps.principal)) -> Me:
    """Who you are signed in as (and your session's CSRF token)."""
    return Me(username=who.username, role=who.role, agency=who.agency,
              csrf_token=getattr(request.state, "csrf_token", None))
