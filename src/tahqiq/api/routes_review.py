"""The resolution review queue under a case: uncertain record pairs, and an analyst's merge or split
(the same gate and decisions as `tahqiq resolve review`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from tahqiq import resolve
from tahqiq.api import deps
from tahqiq.api.models import DENIED, SIGNED_IN, UNDER_CASE, Decision, Offset, aware_model
from tahqiq.resolve import LinkExplanation

router = APIRouter(prefix="/api/cases", tags=["resolution"], responses=DENIED, dependencies=SIGNED_IN)
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


@router.get("/{ref}/resolution/review", response_model=aware_model(list[LinkExplanation]), responses=UNDER_CASE)
def review(request: Request, ref: str, purpose: Purpose = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 50,
           offset: Offset = 0,
           ) -> list[LinkExplanation]:
    """Uncertain record pairs no analyst has decided yet, most likely first (a page of `limit` from `offset`)."""
    with deps.case_view(request, ref, purpose) as view:
        return resolve.review_queue(view, limit=limit, offset=offset)


class DecisionIn(BaseModel):
    left_id: str = Field(min_length=1, max_length=32)
    right_id: str = Field(min_length=1, max_length=32)
    decision: Decision
    reason: str = Field(min_length=5, max_length=2000)


@router.post("/{ref}/resolution/decide", status_code=201, responses=UNDER_CASE)
def decide(request: Request, ref: str, body: DecisionIn, purpose: Purpose = None) -> dict[str, int]:
    """Merge or split two records (kept with your name and reason; every later run obeys it)."""
    with deps.case_view(request, ref, purpose) as view:
        return {"id": resolve.decide(view, body.left_id, body.right_id, body.decision, body.reason)}


__all__ = ["router"]
