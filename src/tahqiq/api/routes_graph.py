"""The case's link graph, timeline and map events, and the charts saved in its workspace (each a
read or write through the gate, audited)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from tahqiq import casework, graph
from tahqiq.api import deps
from tahqiq.api.models import (
    DENIED,
    SIGNED_IN,
    UNDER_CASE,
    FeatureCollection,
    GraphOut,
    PathsOut,
    RowId,
    aware_model,
    events_response,
    json_response,
)
from tahqiq.casework import Chart, ChartSummary
from tahqiq.graph import Details, Event

router = APIRouter(prefix="/api/cases", tags=["graph"], responses=DENIED, dependencies=SIGNED_IN)
Purpose = Annotated[str | None, Query(max_length=500, description="why you read this (default: the case's purpose)")]


Ids = Annotated[str, Query(max_length=1700, description="an entity id; with people=true, the comma-separated "
                                                       "ids of the records one node stands for (at most 50)")]
People = Annotated[bool, Query(description="one node per person: the records of one resolved cluster, or sharing "
                                           "a CNIC or passport, folded into one node that lists them")]


class ChartIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: dict[str, Any] = Field(description="nodes (cytoscape node data with a position), edges, split (people "
                                             "shown as their records), annotations (a text per node id), hops, "
                                             "relations")


def _split(ids: str | None) -> list[str] | None:
    return [r.strip() for r in ids.split(",") if r.strip()] if ids else None


_relations = _split


@router.get("/{ref}/graph/start", response_model=aware_model(GraphOut), responses=UNDER_CASE)
def graph_start(request: Request, ref: str, purpose: Purpose = None) -> Response:
    """The workspace's first chart: the subjects, one node per person, and what joins them."""
    with deps.case_view(request, ref, purpose) as view:
        return json_response(GraphOut.of(graph.start(view)))


@router.get("/{ref}/graph/neighbours", response_model=aware_model(GraphOut), responses=UNDER_CASE)
def graph_neighbours(request: Request, ref: str, entity: Ids,
                     relations: Annotated[str | None, Query(description="comma-separated, "
                                                                        "e.g. owner,same_cnic")] = None,
                     limit: Annotated[int, Query(ge=1, le=2000)] = 200, people: People = False,
                     purpose: Purpose = None) -> Response:
    """The entity and its neighbours, as cytoscape elements."""
    with deps.case_view(request, ref, purpose) as view:
        if people:
            return json_response(GraphOut.of(graph.expand(view, _split(entity) or [], _relations(relations),
                                                          limit=limit)))
        return json_response(GraphOut.of(graph.neighbours(view, entity, _relations(relations), limit=limit)))


@router.get("/{ref}/graph/paths", response_model=aware_model(PathsOut), responses=UNDER_CASE)
def graph_paths(request: Request, ref: str, a: Ids, b: Ids, max_hops: Annotated[int, Query(ge=1, le=6)] = 4,
                relations: str | None = None, people: People = False, purpose: Purpose = None) -> Response:
    """Shortest paths between two entities (with people=true: between two nodes of the workspace's chart)."""
    with deps.case_view(request, ref, purpose) as view:
        if people:
            return json_response(PathsOut.of(graph.people_paths(view, _split(a) or [], _split(b) or [],
                                                                max_hops=max_hops, relations=_relations(relations))))
        return json_response(PathsOut.of(graph.paths(view, a, b, max_hops=max_hops, relations=_relations(relations))))


@router.get("/{ref}/graph/details", response_model=aware_model(Details), responses=UNDER_CASE)
def graph_details(request: Request, ref: str, entity: Ids, purpose: Purpose = None) -> Details:
    """What the details panel shows of a node: caption, kind, facts and identifiers with their sources, records."""
    with deps.case_view(request, ref, purpose) as view:
        return graph.details(view, _split(entity) or [])


@router.get("/{ref}/charts", response_model=aware_model(list[ChartSummary]), responses=UNDER_CASE)
def charts(request: Request, ref: str, purpose: Purpose = None) -> list[ChartSummary]:
    """The link charts saved in the case, newest first."""
    with deps.case_view(request, ref, purpose) as view:
        return casework.list_charts(view)


@router.post("/{ref}/charts", status_code=201, response_model=aware_model(ChartSummary), responses=UNDER_CASE)
def save_chart(request: Request, ref: str, body: ChartIn, purpose: Purpose = None) -> ChartSummary:
    """Save the workspace's chart (positions, people opened up, annotations) under the case."""
    with deps.case_view(request, ref, purpose) as view:
        return casework.save_chart(view, body.title, body.body)


@router.get("/{ref}/charts/{chart_id}", response_model=aware_model(Chart), responses=UNDER_CASE)
def open_chart(request: Request, ref: str, chart_id: RowId, purpose: Purpose = None) -> Chart:
    """One saved chart, whole."""
    with deps.case_view(request, ref, purpose) as view:
        return casework.open_chart(view, chart_id)


@router.get("/{ref}/graph/relations", response_model=list[str])
def graph_relations(ref: str) -> list[str]:
    """The relation names a link can have (for filters)."""
    return graph.relation_names()


@router.get("/{ref}/timeline", response_model=aware_model(list[Event]), responses=UNDER_CASE)
def timeline(request: Request, ref: str, purpose: Purpose = None,
             limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Response:
    """Events of the case's subjects and their neighbours, newest first."""
    with deps.case_view(request, ref, purpose) as view:
        return events_response(graph.timeline(view, limit=limit))


@router.get("/{ref}/places", response_model=aware_model(FeatureCollection), responses=UNDER_CASE)
def places(request: Request, ref: str, purpose: Purpose = None,
           limit: Annotated[int, Query(ge=1, le=5000)] = 1000) -> Response:
    """The case's events with coordinates, as GeoJSON."""
    with deps.case_view(request, ref, purpose) as view:
        return json_response(FeatureCollection.of(graph.places(view, limit=limit)))


__all__ = ["router"]
