"""Case routes: the cases you can see, and under a case (each a read through the gate, audited):
subjects, search, entity pages, the link graph, timeline, map events, notes and evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from tahqiq import casework, graph, resolve
from tahqiq.api import deps
from tahqiq.api.models import (
    CaseOut,
    EntityOut,
    EntityPage,
    FeatureCollection,
    GraphOut,
    NoteIn,
    PathsOut,
    Problem,
    ResolvedOut,
    SearchHit,
    SearchOut,
    events_response,
    json_response,
)
from tahqiq.api.trail import UploadTooLarge, spooled, viewers
from tahqiq.casework import Note
from tahqiq.govern import Principal, list_cases
from tahqiq.govern.evidence import EvidenceInfo, add_evidence, list_evidence
from tahqiq.graph import Event
from tahqiq.resolve import LinkExplanation
from tahqiq.search import detected_kinds, search

DENIED: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "the gate refused (the reason; the refusal is audited)"},
    401: {"model": Problem},
}
router = APIRouter(prefix="/api/cases", tags=["cases"], responses=DENIED, dependencies=[Depends(deps.csrf_check)])
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


@router.get("", response_model=list[CaseOut])
def cases(request: Request, closed: bool = False, who: Principal = Depends(deps.principal)) -> list[CaseOut]:
    """Cases of your agency and cases you are a member of (auditors: all)."""
    return [CaseOut.of(c, who.username) for c in list_cases(deps.gate(request).engine, who, include_closed=closed)]


@router.get("/{ref}/subjects", response_model=list[EntityOut])
def subjects(request: Request, ref: str, purpose: Purpose = None) -> list[EntityOut]:
    with deps.case_view(request, ref, purpose) as view:
        return [EntityOut.of(e) for e in view.subjects()]


class SubjectIn(BaseModel):
    entity_id: str = Field(min_length=1, max_length=32)
    note: str | None = Field(None, max_length=2000)


@router.post("/{ref}/subjects", status_code=201, response_model=EntityOut)
def attach_subject(request: Request, ref: str, body: SubjectIn, purpose: Purpose = None) -> EntityOut:
    """Name an entity as a subject of the case (retention spares it while the case is open)."""
    with deps.case_view(request, ref, purpose) as view:
        view.attach_subject(body.entity_id, body.note)
        entity = view.entity(body.entity_id)
    if entity is None:
        raise HTTPException(404, f"no entity {body.entity_id}")
    return EntityOut.of(entity)


@router.get("/{ref}/search", response_model=SearchOut)
def search_case(request: Request, ref: str, q: Annotated[str, Query(min_length=1, max_length=200)],
                purpose: Purpose = None, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> SearchOut:
    """CNIC, phone, plate, IBAN, chassis number, entity id or a name in any script."""
    with deps.case_view(request, ref, purpose) as view:
        hits = search(view, q, limit=limit)
    return SearchOut(query=q, detected=detected_kinds(q),
                     hits=[SearchHit(kind=h.kind, entity=EntityOut.of(h.entity)) for h in hits])


@router.get("/{ref}/entities/{entity_id}", response_model=EntityPage, responses={404: {"model": Problem}})
def entity_page(request: Request, ref: str, entity_id: str, purpose: Purpose = None) -> Response:
    """Every value with its source and time, what it was resolved from and why, its links, and
    (for supervisors) who read it."""
    who = deps.principal(request)
    with deps.case_view(request, ref, purpose, who) as view:
        entity = view.entity(entity_id)
        if entity is None:
            raise HTTPException(404, f"no entity {entity_id}")
        found = resolve.resolved(view, entity_id)
        links = graph.neighbours(view, entity_id, limit=100)
    readers, note = viewers(deps.gate(request), who, entity_id)
    return json_response(EntityPage(entity=EntityOut.of(entity), resolved=ResolvedOut.of(found) if found else None,
                                    links=GraphOut.of(links), viewers=readers, viewers_note=note))


def _relations(relations: str | None) -> list[str] | None:
    return [r.strip() for r in relations.split(",") if r.strip()] if relations else None


@router.get("/{ref}/graph/neighbours", response_model=GraphOut, responses={404: {"model": Problem}})
def graph_neighbours(request: Request, ref: str, entity: Annotated[str, Query(max_length=32)],
                     relations: Annotated[str | None, Query(description="comma-separated, "
                                                                        "e.g. owner,same_cnic")] = None,
                     limit: Annotated[int, Query(ge=1, le=2000)] = 200, purpose: Purpose = None) -> Response:
    """The entity and its neighbours, as cytoscape elements."""
    with deps.case_view(request, ref, purpose) as view:
        return json_response(GraphOut.of(graph.neighbours(view, entity, _relations(relations), limit=limit)))


@router.get("/{ref}/graph/paths", response_model=PathsOut, responses={404: {"model": Problem}})
def graph_paths(request: Request, ref: str, a: Annotated[str, Query(max_length=32)],
                b: Annotated[str, Query(max_length=32)], max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
                relations: str | None = None, purpose: Purpose = None) -> Response:
    """Shortest paths between two entities."""
    with deps.case_view(request, ref, purpose) as view:
        return json_response(PathsOut.of(graph.paths(view, a, b, max_hops=max_hops, relations=_relations(relations))))


@router.get("/{ref}/graph/relations", response_model=list[str])
def graph_relations(ref: str) -> list[str]:
    """The relation names a link can have (for filters)."""
    return graph.relation_names()


@router.get("/{ref}/timeline", response_model=list[Event])
def timeline(request: Request, ref: str, purpose: Purpose = None,
             limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Response:
    """Events of the case's subjects and their neighbours, newest first."""
    with deps.case_view(request, ref, purpose) as view:
        return events_response(graph.timeline(view, limit=limit))


@router.get("/{ref}/places", response_model=FeatureCollection)
def places(request: Request, ref: str, purpose: Purpose = None,
           limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Response:
    """The case's events with coordinates, as GeoJSON."""
    with deps.case_view(request, ref, purpose) as view:
        return json_response(FeatureCollection.of(graph.places(view, limit=limit)))


@router.get("/{ref}/notes", response_model=list[Note])
def get_notes(request: Request, ref: str, entity: str | None = None, purpose: Purpose = None) -> list[Note]:
    with deps.case_view(request, ref, purpose) as view:
        return casework.list_notes(view, entity)


@router.post("/{ref}/notes", status_code=201, response_model=Note)
def post_note(request: Request, ref: str, body: NoteIn, purpose: Purpose = None) -> Note:
    with deps.case_view(request, ref, purpose) as view:
        return casework.add_note(view, body.body, body.entity_id)


@router.get("/{ref}/evidence", response_model=list[EvidenceInfo])
def get_evidence(request: Request, ref: str, purpose: Purpose = None) -> list[EvidenceInfo]:
    with deps.case_view(request, ref, purpose) as view:
        return list_evidence(view)


@router.post("/{ref}/evidence", status_code=201, response_model=EvidenceInfo, responses={413: {"model": Problem}})
def post_evidence(request: Request, ref: str, file: UploadFile = File(...),
                  description: str | None = Form(None, max_length=2000), purpose: Purpose = None) -> EvidenceInfo:
    """Upload a file into custody: stored under its SHA-256, the upload an audit entry."""
    try:
        with spooled(file) as path, deps.case_view(request, ref, purpose) as view:
            return add_evidence(view, path, description)
    except UploadTooLarge as exc:
        raise HTTPException(413, f"evidence {exc}") from None


@router.get("/{ref}/resolution/review", response_model=list[LinkExplanation])
def review(request: Request, ref: str, purpose: Purpose = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[LinkExplanation]:
    """Uncertain record pairs no analyst has decided yet, most likely first."""
    with deps.case_view(request, ref, purpose) as view:
        return resolve.review_queue(view, limit=limit)


class DecisionIn(BaseModel):
    left_id: str = Field(min_length=1, max_length=32)
    right_id: str = Field(min_length=1, max_length=32)
    decision: str = Field(pattern="^(merge|split)$")
    reason: str = Field(min_length=5, max_length=2000)


@router.post("/{ref}/resolution/decide", status_code=201)
def decide(request: Request, ref: str, body: DecisionIn, purpose: Purpose = None) -> dict[str, int]:
    """Merge or split two records (kept with your name and reason; every later run obeys it)."""
    with deps.case_view(request, ref, purpose) as view:
        return {"id": resolve.decide(view, body.left_id, body.right_id, body.decision, body.reason)}
