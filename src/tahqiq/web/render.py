"""Rendering helpers shared by the page modules: the common template context (who is signed in, the
CSRF token, the current case), the denial page, and running a page's body under a gate session.

A page never reads personal data except inside `under_case`, which opens the gate session through
`tahqiq.api.deps.case_view` (the same path the JSON API takes), so a page and its API twin are
decided and audited identically. A refusal renders the denial page with the gate's reason and the
audit entry that records it; bad input renders an error page, never a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from tahqiq.api import deps
from tahqiq.govern import AccessDenied, CaseView, GovernError, Principal
from tahqiq.web import i18n, templates
from tahqiq.web import labels as labels_
from tahqiq.web.i18n import gettext as _

MAX_PURPOSE = 500  # as the API's `purpose` parameter
MAX_PAGE = 1_000_000  # page numbers past this are read as this (offsets stay far inside 64 bits)


def speak(request: Request) -> str:
    """Answer this request in the reader's language from here on (`_()` in page code and in the
    templates): call it before translating anything outside a template. Returns the language."""
    lang = i18n.language_of(request)
    i18n.use_language(lang)
    return lang


def page(request: Request, template: str, who: Principal | None, *, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """Render `template` in the reader's language with what every page needs in its top bar."""
    lang = speak(request)
    context.setdefault("nav", None)
    context.setdefault("case_ref", None)
    context.setdefault("lang", lang)
    context.setdefault("rtl", i18n.is_rtl(lang))
    labels = _source_labels(request)
    context.setdefault("source_label", lambda name: _(labels.get(name) or name) if name else "")
    context.setdefault("schema_label", labels_.schema_label)
    context.setdefault("search_kind", labels_.search_kind)
    # Every source's label translated, for the page scripts (a JSON data block in the workspace).
    context.setdefault("source_labels", lambda: {name: _(label or name) for name, label in labels.items()})
    return templates.TemplateResponse(
        request, template,
        {"user": who, "csrf_token": getattr(request.state, "csrf_token", None), **context},
        status_code=status_code,
    )


def _source_labels(request: Request) -> dict[str, str]:
    gate = getattr(request.app.state, "gate", None)
    return gate.source_labels() if gate is not None else {}


def denial(request: Request, who: Principal | None, reason: str, *, case_ref: str | None = None,
           audit_seq: int | None = None) -> HTMLResponse:
    return page(request, "denial.html", who, status_code=403, reason=reason, case_ref=case_ref, audit_seq=audit_seq)


def error(request: Request, who: Principal | None, message: str, *, status_code: int = 400,
          title: str | None = None, back: str | None = None, case_ref: str | None = None) -> HTMLResponse:
    return page(request, "error.html", who, status_code=status_code, message=message, title=title, back=back,
                case_ref=case_ref)


def under_case(request: Request, who: Principal, ref: str, purpose: str | None,
               build: Callable[[CaseView], Response]) -> Response:
    """Run `build(view)` inside a gate session for case `ref`. Returns what `build` returned, or a
    rendered denial/error page when the gate refuses or the input is bad."""
    try:
        with deps.case_view(request, ref, purpose, who) as view:
            return build(view)
    except deps.CaseDenied as exc:
        return denial(request, who, exc.reason, case_ref=ref, audit_seq=exc.audit_seq)
    except AccessDenied as exc:  # raised after the session closed (e.g. by a second gate call)
        return denial(request, who, exc.reason, case_ref=ref, audit_seq=exc.audit_seq)
    except HTTPException as exc:
        speak(request)
        return error(request, who, str(exc.detail), status_code=exc.status_code, case_ref=ref,
                     back=f"/cases/{ref}", title=_("Not found") if exc.status_code == 404 else None)
    except GovernError as exc:
        return error(request, who, str(exc), case_ref=ref, back=f"/cases/{ref}")


def purpose_of(request: Request) -> str | None:
    """The purpose the user typed for this visit, if any (else the case's own purpose applies).
    HTTP 422 past MAX_PURPOSE characters (the audit log records it), as the API refuses it."""
    value = (request.query_params.get("purpose") or "").strip()
    if len(value) > MAX_PURPOSE:
        raise HTTPException(422, _("A purpose is at most %(n)d characters.") % {"n": MAX_PURPOSE})
    return value or None


__all__ = ["MAX_PAGE", "MAX_PURPOSE", "page", "denial", "error", "under_case", "purpose_of", "speak"]
