"""Bodies of the JSON API, so that /openapi.json documents them.

Where a room's dataclass is the answer (a note, an evidence item, an alert, an audit entry, a
timeline event, a graph node, a value with its provenance), the API returns that dataclass as it is:
one shape per thing. The models here are only what the API adds: requests, the cytoscape and GeoJSON
shapes its pages' libraries read, and an entity with its caption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Response
from pydantic import BaseModel, Field, TypeAdapter

from tahqiq.govern import AuditRecord, CaseInfo
from tahqiq.graph import Edge, Event, Graph, Node, Paths
from tahqiq.model.entity import EntityView, Value
from tahqiq.resolve import LinkExplanation, ResolvedView
from tahqiq.search import Card, Facet, Profile


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    username: str
    role: str
    agency: str
    csrf_token: str | None = Field(None, description="send it as X-CSRF-Token with unsafe requests")


class Problem(BaseModel):
    detail: str
    audit_seq: int | None = Field(None, description="the audit entry that records a refusal")


@dataclass(frozen=True)
class CaseOut(CaseInfo):
    """A case as its lister sees it: whether they are a member (only members read its data)."""

    member: bool = False

    @classmethod
    def of(cls, case: CaseInfo, username: str) -> CaseOut:
        return cls(**{k: getattr(case, k) for k in case.__dataclass_fields__}, member=username in case.members)


class EntityOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema", serialization_alias="schema")
    source: str
    caption: str
    properties: dict[str, list[Value]]

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, entity: EntityView) -> EntityOut:
        return cls(id=entity.id, schema=entity.schema, source=entity.source, caption=entity.caption,
                   properties=entity.properties)


class SearchHit(BaseModel):
    kind: str = Field(description="what the query was taken for: cnic, phone, plate, iban, chassis, name, id")
    entity: EntityOut


class SearchOut(BaseModel):
    query: str
    detected: list[str]
    hits: list[SearchHit] = Field(description="the matching records, best first (at most `limit`)")
    people: int = Field(0, description="how many people (resolved clusters or lone records) the records are")
    records: int = Field(0, description="how many records matched (see `more`)")
    more: bool = Field(False, description="the search stopped at `cap` records: more than `records` match")
    cap: int = 0
    page: int = 1
    pages: int = 1
    page_size: int = 20
    cards: list[Card] = Field(default_factory=list, description="this page's people, one card each")
    facets: dict[str, list[Facet]] = Field(default_factory=dict, description="schema, source, district: counts")


class ResolvedOut(BaseModel):
    cluster_id: str
    members: list[EntityOut]
    links: list[LinkExplanation]

    @classmethod
    def of(cls, found: ResolvedView) -> ResolvedOut:
        return cls(cluster_id=found.cluster_id, members=[EntityOut.of(m) for m in found.members], links=found.links)


# --- cytoscape's element shape, around the graph room's records --------------------------------------

class NodeElement(BaseModel):
    data: Node


class EdgeElement(BaseModel):
    data: Edge


class GraphOut(BaseModel):
    nodes: list[NodeElement]
    edges: list[EdgeElement]

    @classmethod
    def of(cls, graph: Graph) -> GraphOut:
        return cls(nodes=[NodeElement(data=n) for n in graph.nodes], edges=[EdgeElement(data=e) for e in graph.edges])


class PathsOut(GraphOut):
    paths: list[list[str]]

    @classmethod
    def of(cls, graph: Graph) -> PathsOut:
        assert isinstance(graph, Paths)
        return cls(nodes=[NodeElement(data=n) for n in graph.nodes], edges=[EdgeElement(data=e) for e in graph.edges],
                   paths=graph.paths)


class EntityPage(BaseModel):
    entity: EntityOut
    profile: Profile | None = Field(None, description="the person's merged values, records, warrants and FIRs")
    resolved: ResolvedOut | None = Field(None, description="the records it was resolved from, and why")
    links: GraphOut = Field(description="neighbours as cytoscape elements {nodes, edges}")
    viewers: list[AuditRecord] | None = Field(
        None, description="who read it (the audit trail); only supervisors and auditors may read the log")
    viewers_note: str | None = None


# --- GeoJSON, around timeline events -------------------------------------------------------------

class FeatureCollection(BaseModel):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]

    @classmethod
    def of(cls, events: list[Event]) -> FeatureCollection:
        keep = ("id", "time", "kind", "kind_label", "label", "place", "involves")
        return cls(features=[
            {"type": "Feature", "id": ev.id, "geometry": {"type": "Point", "coordinates": [ev.longitude, ev.latitude]},
             "properties": {k: getattr(ev, k) for k in keep}}
            for ev in events])


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    entity_id: str | None = Field(None, max_length=32)


class TreeHeadOut(BaseModel):
    tree_size: int
    root_hash: str
    timestamp_ms: int
    timestamp: str
    key_id: str
    signature: str


class HeadStatus(BaseModel):
    head: TreeHeadOut | None
    log_size: int
    signature_valid: bool | None = Field(description="the head's Ed25519 signature checks with the log's key")
    root_matches_entries: bool | None = Field(
        description="the root recomputed from the stored entries equals the head's")
    full_verification: dict[str, Any] | None = Field(None, description="with ?full=true: every entry re-checked")
    public_key_pem: str
    key_id: str


class AccessStat(BaseModel):
    actor: str
    case: str | None
    grants: int
    denials: int
    last_seq: int


class AccessStats(BaseModel):
    rows: list[AccessStat]


# --- answering with what is already typed ----------------------------------------------------------
# A route that builds its answer from typed records declares `response_model` for /openapi.json and
# answers with the JSON directly: FastAPI would otherwise dump the model, validate the dump against
# the same model and dump it again (≈3 ms for a graph of 100 nodes, once per expanded node).

def json_response(value: BaseModel) -> Response:
    return Response(value.model_dump_json(by_alias=True), media_type="application/json")


_EVENTS = TypeAdapter(list[Event])


def events_response(events: list[Event]) -> Response:
    return Response(_EVENTS.dump_json(events), media_type="application/json")
