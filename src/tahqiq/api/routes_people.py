"""Finding people under a case: search and the page of one entity (each a read through the gate,
audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from tahqiq import graph, resolve
from tahqiq.api import deps
from tahqiq.api.models import (
    DENIED,
    SIGNED_IN,
    UNDER_CASE,
    EntityOut,
    EntityPage,
    GraphOut,
    ResolvedOut,
    SearchHit,
    SearchOut,
    aware_model,
    json_response,
)
from tahqiq.api.trail import viewers
from tahqiq.search import CANDIDATES, profile, search_people
from tahqiq.search.query import MAX_QUERY

router = APIRouter(prefix="/api/cases", tags=["people"], responses=DENIED, dependencies=SIGNED_IN)
Facet = Annotated[str | None, Query(max_length=64, description="only people with a matching record of this value")]
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


@router.get("/{ref}/search", response_model=aware_model(SearchOut), responses=UNDER_CASE)
def search_case(request: Request, ref: str, q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY)],
                purpose: Purpose = None, limit: Annotated[int, Query(ge=1, le=500)] = 50,
                page: Annotated[int, Query(ge=1, le=10_000)] = 1,
                schema: Facet = None, source: Facet = None, district: Facet = None,
                ) -> Response:
    """CNIC, phone, plate, IBAN, chassis number, entity id or a name in any script: the matching
    records (`hits`) and the people they are (`cards`, a page of them), in one audited read."""
    filters = {"schema": schema or "", "source": source or "", "district": district or ""}
    with deps.case_view(request, ref, purpose) as view:
        res = search_people(view, q, page=page, filters=filters, cap=max(CANDIDATES, limit))
    return json_response(SearchOut(
        query=q, detected=res.detected, hits=[SearchHit(kind=h.kind, entity=EntityOut.of(h.entity))
                                              for h in res.hits[:limit]],
        people=res.people, records=res.records, more=res.more, cap=res.cap, page=res.page, pages=res.pages,
        page_size=res.page_size, cards=res.cards, facets=res.facets))


@router.get("/{ref}/entities/{entity_id}", response_model=aware_model(EntityPage), responses=UNDER_CASE)
def entity_page(request: Request, ref: str, entity_id: str, purpose: Purpose = None) -> Response:
    """Every value with its source and time, what it was resolved from and why, its links, and
    (for supervisors) who read it."""
    who = deps.principal(request)
    with deps.case_view(request, ref, purpose, who) as view:
        entity = view.entity(entity_id)
        if entity is None:
            raise HTTPException(404, f"no entity {entity_id}")
        found = resolve.resolved(view, entity_id)
        merged = profile(view, entity_id)
        links = graph.neighbours(view, entity_id, limit=100)
    readers, note = viewers(deps.gate(request), who, entity_id)
    return json_response(EntityPage(entity=EntityOut.of(entity), profile=merged,
                                    resolved=ResolvedOut.of(found) if found else None,
                                    links=GraphOut.of(links), viewers=readers, viewers_note=note))


__all__ = ["router"]
