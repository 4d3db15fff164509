"""Request dependencies shared by the JSON API (tahqiq.api) and the pages (tahqiq.web).

    gate(request)             the Gate of this application
    principal(request)        who is asking: `Authorization: Bearer <token>` or the session cookie;
                              HTTP 401 when neither (pages use page_principal, which redirects to /login)
    csrf_check(request)       unsafe methods on a cookie session need the session's CSRF token
    case_view(request, case, purpose)
                              a context manager yielding a CaseView; a refusal by the gate becomes
                              HTTP 403 with the gate's reason (and is in the audit log)

A page that wants its own denial page catches `CaseDenied` (a 403 HTTPException with `.reason`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from fastapi import HTTPException, Request

from tahqiq.api.auth import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, csrf_ok
from tahqiq.govern import AccessDenied, AuthenticationFailed, CaseView, Gate, GovernError, Principal, case_purpose


class CaseDenied(HTTPException):
    """The gate refused: HTTP 403 with its reason and the audit entry that records the refusal."""

    def __init__(self, reason: str, audit_seq: int | None = None) -> None:
        super().__init__(status_code=403, detail=reason)
        self.reason, self.audit_seq = reason, audit_seq


class LoginRequired(HTTPException):
    """A page was asked for without a session: the app answers with a redirect to /login."""

    def __init__(self, next_url: str) -> None:
        self.location = f"/login?next={quote(next_url)}"
        super().__init__(status_code=303, detail="sign in first", headers={"Location": self.location})


def gate(request: Request) -> Gate:
    return request.app.state.gate


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization") or ""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def resolve_principal(request: Request) -> Principal | None:
    """The principal of this request, once per request (the bearer check writes to the audit log
    when it fails, so it must not run twice)."""
    if hasattr(request.state, "principal"):
        return request.state.principal
    found: Principal | None = None
    token = _bearer(request)
    if token is not None:
        request.state.auth_via = "bearer"
        try:
            found = gate(request).authenticate_token(token)
        except AuthenticationFailed as exc:
            request.state.principal = None
            raise HTTPException(401, exc.reason, headers={"WWW-Authenticate": "Bearer"}) from None
    else:
        session = getattr(request.state, "session", None)
        if session is not None:
            request.state.auth_via = "cookie"
            found = gate(request).session_user(session.user_id)
    request.state.principal = found
    return found


def principal(request: Request) -> Principal:
    """The authenticated user, or HTTP 401."""
    who = resolve_principal(request)
    if who is None:
        raise HTTPException(401, "sign in (POST /api/login) or send Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


def page_principal(request: Request) -> Principal:
    """The authenticated user, or a redirect to /login that comes back here afterwards."""
    try:
        who = resolve_principal(request)
    except HTTPException:
        who = None
    if who is None:
        raise LoginRequired(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return who


async def csrf_check(request: Request) -> None:
    """Refuse an unsafe request made with the session cookie unless it carries the CSRF token."""
    if request.method in SAFE_METHODS or _bearer(request) is not None:
        return
    session = getattr(request.state, "session", None)
    if session is None:
        return  # not cookie-authenticated: `principal` decides (401)
    given = request.headers.get(CSRF_HEADER)
    if given is None and (request.headers.get("content-type") or "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_ok(session.csrf_token, given):
        raise HTTPException(403, f"missing or wrong CSRF token: send the {CSRF_HEADER} header "
                                 f"(or the {CSRF_FIELD} form field) given with your session")


@contextmanager
def case_view(request: Request, case: str, purpose: str | None = None,
              who: Principal | None = None) -> Iterator[CaseView]:
    """A gate session under `case`. The purpose is the one given, else the case's own purpose.
    AccessDenied (at opening or at any read inside) becomes CaseDenied (403); bad input 400."""
    g = gate(request)
    who = who or principal(request)
    purpose = (purpose or "").strip() or case_purpose(g.engine, case)
    try:
        with g.session(who, case, purpose) as view:
            yield view
    except AccessDenied as exc:
        raise CaseDenied(exc.reason, exc.audit_seq) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except GovernError as exc:
        raise HTTPException(400, str(exc)) from None
