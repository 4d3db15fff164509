"""Case routes: the cases you can see, and under a case (each a read through the gate, audited):
subjects, notes and evidence. Search and entity pages: routes_people; the graph, timeline and map:
routes_graph; the resolution review queue: routes_review."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from pydantic import BaseModel, Field

from tahqiq import casework
from tahqiq.api import deps
from tahqiq.api.models import (
    DENIED,
    SIGNED_IN,
    UNDER_CASE,
    CaseOut,
    EntityOut,
    NoteIn,
    Problem,
    aware_model,
)
from tahqiq.api.trail import UploadTooLarge, spooled
from tahqiq.casework import Note
from tahqiq.govern import Principal, list_cases
from tahqiq.govern.evidence import EvidenceInfo, add_evidence, list_evidence

router = APIRouter(prefix="/api/cases", tags=["cases"], responses=DENIED, dependencies=SIGNED_IN)
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


@router.get("", response_model=aware_model(list[CaseOut]))
def cases(request: Request, closed: bool = False, who: Principal = Depends(deps.principal)) -> list[CaseOut]:
    """Cases of your agency and cases you are a member of (auditors: all)."""
    return [CaseOut.of(c, who.username) for c in list_cases(deps.gate(request).engine, who, include_closed=closed)]


@router.get("/{ref}/subjects", response_model=aware_model(list[EntityOut]), responses=UNDER_CASE)
def subjects(request: Request, ref: str, purpose: Purpose = None) -> list[EntityOut]:
    with deps.case_view(request, ref, purpose) as view:
        return [EntityOut.of(e) for e in view.subjects()]


class SubjectIn(BaseModel):
    entity_id: str = Field(min_length=1, max_length=32)
    note: str | None = Field(None, max_length=2000)


@router.post("/{ref}/subjects", status_code=201, response_model=aware_model(EntityOut), responses=UNDER_CASE)
def attach_subject(request: Request, ref: str, body: SubjectIn, purpose: Purpose = None) -> EntityOut:
    """Name an entity as a subject of the case (retention spares it while the case is open)."""
    with deps.case_view(request, ref, purpose) as view:
        view.attach_subject(body.entity_id, body.note)
        entity = view.entity(body.entity_id)
    if entity is None:
        raise HTTPException(404, f"no entity {body.entity_id}")
    return EntityOut.of(entity)


@router.get("/{ref}/notes", response_model=aware_model(list[Note]), responses=UNDER_CASE)
def get_notes(request: Request, ref: str, entity: str | None = None, purpose: Purpose = None) -> list[Note]:
    with deps.case_view(request, ref, purpose) as view:
        return casework.list_notes(view, entity)


@router.post("/{ref}/notes", status_code=201, response_model=aware_model(Note), responses=UNDER_CASE)
def post_note(request: Request, ref: str, body: NoteIn, purpose: Purpose = None) -> Note:
    with deps.case_view(request, ref, purpose) as view:
        return casework.add_note(view, body.body, body.entity_id)


@router.get("/{ref}/evidence", response_model=aware_model(list[EvidenceInfo]), responses=UNDER_CASE)
def get_evidence(request: Request, ref: str, purpose: Purpose = None) -> list[EvidenceInfo]:
    with deps.case_view(request, ref, purpose) as view:
        return list_evidence(view)


@router.post("/{ref}/evidence", status_code=201, response_model=aware_model(EvidenceInfo),
             responses={**UNDER_CASE, 413: {"model": Problem, "description": "the file is over the upload limit"}})
def post_evidence(request: Request, ref: str, file: UploadFile = File(...),
                  description: str | None = Form(None, max_length=2000), purpose: Purpose = None) -> EvidenceInfo:
    """Upload a file into custody: stored under its SHA-256, the upload an audit entry."""
    try:
        with spooled(file) as path, deps.case_view(request, ref, purpose) as view:
            return add_evidence(view, path, description)
    except UploadTooLarge as exc:
        raise HTTPException(413, f"evidence {exc}") from None


