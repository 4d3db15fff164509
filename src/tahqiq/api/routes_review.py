"""The resolution review queue under a case: uncertain record pairs, and an analyst's merge or split
(the same gate and decisions as `tahqiq resolve review`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from tahqiq import resolve
from tahqiq.api import deps
from tahqiq.api.models import Problem
from tahqiq.resolve import LinkExplanation

DENIED: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "the gate refused (the reason; the refusal is audited)"},
    401: {"model": Problem},
}
router = APIRouter(prefix="/api/cases", tags=["resolution"], responses=DENIED, dependencies=[Depends(deps.csrf_check)])
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


@router.get("/{ref}/resolution/review", response_model=list[LinkExplanation])
def review(request: Request, ref: str, purpose: Purpose = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50,
           offset: Annotated[int, Query(ge=0, description="pairs to skip (the next page starts at offset+limit)")] = 0,
           ) -> list[LinkExplanation]:
    """Uncertain record pairs no analyst has decided yet, most likely first (a page of `limit` from `offset`)."""
    with deps.case_view(request, ref, purpose) as view:
        return resolve.review_queue(view, limit=limit, offset=offset)


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


__all__ = ["router"]
