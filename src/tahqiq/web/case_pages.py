"""Pages under one case: the workspace, search, entity pages, and the htmx endpoints that add notes,
evidence and subjects. Every read happens inside `under_case` (a gate session, audited)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse

from tahqiq.api import deps
from tahqiq.api.search import detected_kinds, search
from tahqiq.govern import AUDITOR, SUPERVISOR, AccessDenied, CaseView, GovernError, Principal, graph, notes
from tahqiq.govern.cases import get_case
from tahqiq.govern.evidence import add_evidence, list_evidence
from tahqiq.model.schema import model
from tahqiq.web.explain import resolution_available, resolution_of
from tahqiq.web.render import page, purpose_of, under_case

router = APIRouter(include_in_schema=False)
IDENTIFIER_TYPES = ("cnic", "phone", "plate", "iban", "chassis", "passport")
EXPORTS = (("ftm", "followthemoney JSON lines (.ftm.json)"), ("graphml", "GraphML for Gephi / i2"),
           ("csv", "CSV (safe against spreadsheet formulas)"), ("html", "Printable case report (HTML)"),
           ("pdf", "Case report (PDF)"))
MAX_UPLOAD = 512 * 1024 * 1024
ACRONYMS = {"cnic", "iban", "ntn", "imei", "imsi", "ppc", "fir", "url", "id"}


def identifiers(entity) -> list[str]:
    """The entity's identifier values (CNIC, phone, plate, ...), for a one-line summary."""
    schema = model().schemata.get(entity.schema)
    if schema is None:
        return []
    return [v.value for name, prop in schema.properties.items() if prop.type in IDENTIFIER_TYPES
            for v in entity.properties.get(name, [])][:4]


def summary(entity) -> dict:
    return {"id": entity.id, "schema": entity.schema, "source": entity.source, "label": graph.caption(entity),
            "identifiers": identifiers(entity)}


def _case_info(request: Request, ref: str):
    try:
        return get_case(deps.gate(request).engine, ref)
    except GovernError:
        return None


@router.get("/cases/{ref}")
def workspace(request: Request, ref: str, who: Principal = Depends(deps.page_principal)):
    purpose = purpose_of(request)

    def build(view: CaseView):
        subjects = view.subjects()
        return page(
            request, "case.html", who, case_ref=ref, case=_case_info(request, ref), purpose=view.purpose,
            purpose_given=purpose is not None, subjects=[summary(e) for e in subjects],
            subject_nodes=[graph.node(e, subject=True) for e in subjects], relations=graph.relation_names(),
            notes=notes.list_notes(view), evidence=list_evidence(view), exports=EXPORTS,
        )

    return under_case(request, who, ref, purpose, build)


@router.get("/cases/{ref}/search")
def search_page(request: Request, ref: str, q: str = "", who: Principal = Depends(deps.page_principal)):
    purpose = purpose_of(request)
    q = q.strip()

    def build(view: CaseView):
        hits, problem = [], None
        if q:
            try:
                hits = [{"kind": h["kind"], **summary(h["entity"])} for h in search(view, q)]
            except GovernError as exc:  # a query that is nothing searchable: say so on the page
                problem = str(exc)
        return page(request, "search.html", who, case_ref=ref, q=q, hits=hits, problem=problem,
                    detected=detected_kinds(q) if q else [], purpose=view.purpose, purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


def _viewers(request: Request, who: Principal, entity_id: str) -> tuple[list | None, str | None]:
    """Who read this entity, from the audit log, for those who may read the log."""
    if who.role not in (SUPERVISOR, AUDITOR):
        return None, "The audit trail of this record is shown to supervisors and auditors."
    try:
        records = deps.gate(request).access_log(who, entity=entity_id, limit=200)
    except AccessDenied as exc:
        return None, exc.reason
    return [r for r in reversed(records) if r.action.startswith("read.")], None


def humanise(prop: str) -> str:
    """A property name as a label: "fatherName" -> "Father name", "cnic" -> "CNIC"."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", prop).lower().split()
    words = [w.upper() if w in ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def value_rows(entity) -> list[dict]:
    """Every value with its provenance, grouped by property in the model's order."""
    schema = model().schemata.get(entity.schema)
    order = list(schema.properties) if schema else []
    rows = []
    for prop in sorted(entity.properties, key=lambda p: (order.index(p) if p in order else len(order), p)):
        spec = schema.properties.get(prop) if schema else None
        label, is_ref = humanise(prop), bool(spec and spec.is_reference)
        for v in entity.properties[prop]:
            rows.append({"prop": prop, "label": label, "is_ref": is_ref, "value": v.value, "original": v.original, "script": v.script,
                         "source": v.source, "record_id": v.record_id, "batch_id": v.batch_id, "seen_at": v.seen_at})
    return rows


def link_rows(entity_id: str, elements: dict) -> list[dict]:
    nodes = {n["data"]["id"]: n["data"] for n in elements.get("nodes", [])}
    rows = []
    for e in elements.get("edges", []):
        d = e["data"]
        other = d["target"] if d["source"] == entity_id else d["source"]
        if other in nodes:
            rows.append({"relation": d["relation"], "outgoing": d["source"] == entity_id, "other": nodes[other]})
    rows.sort(key=lambda r: (r["relation"], r["other"]["schema"], r["other"]["label"]))
    return rows


@router.get("/cases/{ref}/entities/{entity_id}")
def entity_page(request: Request, ref: str, entity_id: str, who: Principal = Depends(deps.page_principal)):
    purpose = purpose_of(request)

    def build(view: CaseView):
        entity = view.entity(entity_id)
        if entity is None:
            raise HTTPException(404, f"no entity {entity_id} in the store")
        resolved = resolution_of(view, entity_id)
        links = graph.neighbours(view, entity_id, limit=100)
        entity_notes = notes.list_notes(view, entity_id)
        viewers, viewers_note = _viewers(request, who, entity_id)
        return page(request, "entity.html", who, case_ref=ref, entity=summary(entity), values=value_rows(entity),
                    resolved=resolved, resolved_available=resolution_available(), links=link_rows(entity_id, links), notes=entity_notes, viewers=viewers,
                    viewers_note=viewers_note, purpose=view.purpose, purpose_given=purpose is not None)

    return under_case(request, who, ref, purpose, build)


@router.post("/cases/{ref}/subjects", dependencies=[Depends(deps.csrf_check)])
def attach_subject(request: Request, ref: str, entity_id: str = Form(...), note: str = Form(""),
                   purpose: str = Form(""), who: Principal = Depends(deps.page_principal)):
    def build(view: CaseView):
        view.attach_subject(entity_id, note.strip() or None)
        return RedirectResponse(f"/cases/{ref}/entities/{entity_id}", status_code=303)

    return under_case(request, who, ref, purpose or None, build)


@router.post("/cases/{ref}/notes", dependencies=[Depends(deps.csrf_check)])
def add_note(request: Request, ref: str, body: str = Form(""), entity_id: str = Form(""),
             purpose: str = Form(""), who: Principal = Depends(deps.page_principal)):
    """htmx: add a note, answer with the refreshed list (or the list with the reason it failed)."""

    def build(view: CaseView):
        problem = None
        try:
            notes.add_note(view, body, entity_id.strip() or None)
        except GovernError as exc:
            if isinstance(exc, AccessDenied):
                raise
            problem = str(exc)
        listed = notes.list_notes(view, entity_id.strip() or None)
        return page(request, "partials/notes.html", who, notes=listed, note_error=problem,
                    status_code=200 if problem is None else 422)

    return under_case(request, who, ref, purpose or None, build)


@router.post("/cases/{ref}/evidence", dependencies=[Depends(deps.csrf_check)])
def upload_evidence(request: Request, ref: str, file: UploadFile = File(...), description: str = Form(""),
                    purpose: str = Form(""), who: Principal = Depends(deps.page_principal)):
    """htmx: take an uploaded file into custody (hashed, an audit entry), answer with the list."""
    with tempfile.TemporaryDirectory(prefix="tahqiq-upload-") as tmp:
        name = Path((file.filename or "").replace("\\", "/")).name.strip().lstrip(".")[:200] or "upload.bin"
        path, size, problem = Path(tmp) / name, 0, None
        with open(path, "wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    problem = f"uploads are limited to {MAX_UPLOAD >> 20} MiB; use `tahqiq evidence add` for larger files"
                    break
                out.write(chunk)

        def build(view: CaseView):
            error = problem
            if error is None:
                try:
                    add_evidence(view, path, description.strip() or None)
                except GovernError as exc:
                    if isinstance(exc, AccessDenied):
                        raise
                    error = str(exc)
            return page(request, "partials/evidence.html", who, evidence=list_evidence(view), evidence_error=error,
                        status_code=200 if error is None else 422)

        return under_case(request, who, ref, purpose or None, build)


__all__ = ["router", "summary", "value_rows", "link_rows"]
