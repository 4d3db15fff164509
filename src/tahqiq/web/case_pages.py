"""Pages under one case: the workspace and the htmx endpoints that add notes, evidence and subjects
(search and entity pages: tahqiq.web.people_pages). Every read happens inside `under_case` (a gate session, audited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from tahqiq import casework, graph
from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.api.trail import UploadTooLarge, spooled
from tahqiq.govern import AccessDenied, CaseInfo, CaseView, GovernError, Principal, get_case
from tahqiq.govern.evidence import add_evidence, list_evidence
from tahqiq.web.entities import summary
from tahqiq.web.render import page, purpose_of, under_case

# A NUL (0x00) in a path or query would end as a PostgreSQL error: refused with 400 first.
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
EXPORTS = (("ftm", "followthemoney JSON lines (.ftm.json)"), ("graphml", "GraphML for Gephi / i2"),
           ("csv", "CSV (safe against spreadsheet formulas)"), ("html", "Printable case report (HTML)"),
           ("pdf", "Case report (PDF)"))


def _case_info(request: Request, ref: str) -> CaseInfo | None:
    try:
        return get_case(deps.gate(request).engine, ref)
    except GovernError:
        return None


@router.get("/cases/{ref}")
def workspace(request: Request, ref: str, who: Principal = Depends(deps.page_principal)) -> Response:
    purpose = purpose_of(request)

    def build(view: CaseView) -> Response:
        # The chart reads its own first view (/graph/start: subjects folded into people, and their
        # links) once the page is up, so the page itself answers without walking the graph.
        subjects = view.subjects()
        return page(
            request, "case.html", who, case_ref=ref, case=_case_info(request, ref), purpose=view.purpose,
            purpose_given=purpose is not None, subjects=[summary(e) for e in subjects],
            relations=[(r, graph.relation_label(r)) for r in graph.relation_names()],
            notes=casework.list_notes(view), evidence=list_evidence(view), exports=EXPORTS,
        )

    return under_case(request, who, ref, purpose, build)


@router.post("/cases/{ref}/subjects", dependencies=[Depends(deps.csrf_check)])
def attach_subject(request: Request, ref: str, entity_id: str = Form(...), note: str = Form(""),
                   purpose: str = Form(""), who: Principal = Depends(deps.page_principal)) -> Response:
    def build(view: CaseView) -> Response:
        view.attach_subject(entity_id, note.strip() or None)
        return RedirectResponse(f"/cases/{ref}/entities/{entity_id}", status_code=303)

    return under_case(request, who, ref, purpose or None, build)


@router.post("/cases/{ref}/notes", dependencies=[Depends(deps.csrf_check)])
def add_note(request: Request, ref: str, body: str = Form(""), entity_id: str = Form(""),
             purpose: str = Form(""), who: Principal = Depends(deps.page_principal)) -> Response:
    """htmx: add a note, answer with the refreshed list (or the list with the reason it failed)."""

    def build(view: CaseView) -> Response:
        problem = None
        try:
            casework.add_note(view, body, entity_id.strip() or None)
        except GovernError as exc:
            if isinstance(exc, AccessDenied):
                raise
            problem = str(exc)
        listed = casework.list_notes(view, entity_id.strip() or None)
        return page(request, "partials/notes.html", who, notes=listed, note_error=problem,
                    status_code=200 if problem is None else 422)

    return under_case(request, who, ref, purpose or None, build)


@router.post("/cases/{ref}/evidence", dependencies=[Depends(deps.csrf_check)])
def upload_evidence(request: Request, ref: str, file: UploadFile = File(...), description: str = Form(""),
                    purpose: str = Form(""), who: Principal = Depends(deps.page_principal)) -> Response:
    """htmx: take an uploaded file into custody (hashed, an audit entry), answer with the list."""

    def build(view: CaseView, error: str | None, path: str | None) -> Response:
        if error is None and path is not None:
            try:
                add_evidence(view, path, description.strip() or None)
            except GovernError as exc:
                if isinstance(exc, AccessDenied):
                    raise
                error = str(exc)
        return page(request, "partials/evidence.html", who, evidence=list_evidence(view), evidence_error=error,
                    status_code=200 if error is None else 422)

    try:
        with spooled(file) as path:
            return under_case(request, who, ref, purpose or None, lambda view: build(view, None, str(path)))
    except UploadTooLarge as exc:
        too_large = str(exc)
    return under_case(request, who, ref, purpose or None, lambda view: build(view, too_large, None))


__all__ = ["router"]
