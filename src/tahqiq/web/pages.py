"""Server-rendered pages of the analysts' web application (Jinja2 + htmx). See docs/web.md.

    /login                       sign-in form (POST /login is tahqiq.api.routes_auth)
    /                            my cases
    /control-room                live alerts (tahqiq.web.control_pages)
    /cases/{ref}...              case workspace, search, entity pages (tahqiq.web.case_pages)
    /oversight                   audit log, signed tree head, access statistics (tahqiq.web.oversight_pages)

Pages call the same Python functions as the JSON API (the feature rooms: graph, search, casework,
resolve, alerts) inside a gate session, so what a page shows is decided and audited exactly like the
API's answer. Pages that need a signed-in user use `deps.page_principal`, which redirects to /login
and back.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.api.routes_auth import local_path
from tahqiq.govern import Principal, list_cases
from tahqiq.web import case_pages, control_pages, i18n, oversight_pages, people_pages, review_pages
from tahqiq.web.render import page

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])

LOGIN_FAILED = "Sign-in failed: wrong user name or password, or the account is disabled. The attempt is logged."


@router.get("/login")
def login_page(request: Request, next: str = "/", error: str | None = None) -> Response:
    try:
        who = deps.resolve_principal(request)
    except HTTPException:  # a bad bearer token on the login page just means "not signed in"
        who = None
    target = local_path(next)
    if who is not None and not error:
        return RedirectResponse(target, status_code=303)
    return page(request, "login.html", None, next=target, error=LOGIN_FAILED if error else None,
                status_code=401 if error else 200)


@router.get("/")
def home(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    cases = [
        {**c.__dict__, "member": who.username in c.members, "active": c.is_active()}
        for c in list_cases(deps.gate(request).engine, who, include_closed=False)
    ]
    # Cases the user can open come first; the rest are listed so that a supervisor sees the agency's work.
    cases.sort(key=lambda c: (not c["member"], c["reference"]))
    return page(request, "home.html", who, nav="home", cases=cases)


@router.get("/language/{code}")
def choose_language(request: Request, code: str, next: str = "/") -> Response:
    """The language switch: remember the reader's choice for a year and go back where they were."""
    if code not in i18n.LANGUAGES:
        raise HTTPException(404, f"no interface language {code!r}; there are {', '.join(i18n.LANGUAGES)}")
    response = RedirectResponse(local_path(next), status_code=303)
    response.set_cookie(i18n.COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                        secure=bool(request.app.state.secure_cookies))
    return response


@router.get("/i18n/{code}.js")
def script_messages(code: str) -> Response:
    """The translations the page scripts use (`Tahqiq.t`), as a script that app.js reads."""
    if code not in i18n.LANGUAGES:
        raise HTTPException(404, f"no interface language {code!r}")
    body = "window.TAHQIQ_MESSAGES = " + json.dumps(i18n.script_catalog(code), ensure_ascii=False) + ";\n"
    return Response(body, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "max-age=300"})


router.include_router(case_pages.router)
router.include_router(people_pages.router)
router.include_router(control_pages.router)
router.include_router(oversight_pages.router)
router.include_router(review_pages.router)

__all__ = ["router"]
