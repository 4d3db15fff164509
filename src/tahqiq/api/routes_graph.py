"""The case's link graph, timeline and map events (each a read through the gate, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from tahqiq import graph
from tahqiq.api import deps
from tahqiq.api.models import FeatureCollection, GraphOut, PathsOut, Problem, events_response, json_response
from tahqiq.graph import Event

DENIED: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "the gate refused (the reason; the refusal is audited)"},
    401: {"model": Problem},
}
router = APIRouter(prefix="/api/cases", tags=["graph"], responses=DENIED, dependencies=[Depends(deps.csrf_check)])
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


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


__all__ = ["router"]
