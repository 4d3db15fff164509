"""Bodies of the JSON API, so that /openapi.json documents them.

Where a room's dataclass is the answer (a note, an evidence item, an alert, an audit entry, a
timeline event, a graph node, a value with its provenance), the API returns that dataclass as it is:
one shape per thing. The models here are only what the API adds: requests, the cytoscape and GeoJSON
shapes its pages' libraries read, and an entity with its caption.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Path, Query, Request, Response, Security
from pydantic import BaseModel, Field, PlainSerializer, TypeAdapter

from tahqiq.api import deps
from tahqiq.api.openapi import BEARER, SESSION
from tahqiq.govern import AuditRecord, CaseInfo
from tahqiq.graph import Edge, Event, Graph, Node, Paths
from tahqiq.model.entity import EntityView, Value
from tahqiq.resolve import LinkExplanation, ResolvedView
from tahqiq.search import Card, Facet, Profile

# --- parameters the database sees, and the closed vocabularies of the API -----------------------------
# An integer past its column's range cannot be compared with it: SQLite raises OverflowError past 64
# bits, PostgreSQL "integer out of range" past 32 bits for an `Integer` id (alerts, charts), both a
# 500. Bounding every integer that reaches a query makes such a request a 422 that says the limit.

INT32_MAX = 2**31 - 1  # `Integer` columns: the ids of alerts, notes, charts
INT64_MAX = 2**63 - 1  # `BigInteger` columns (audit sequence numbers) and OFFSET
RowId = Annotated[int, Path(ge=1, le=INT32_MAX, description="a row's id")]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX, description="rows to skip")]
Since = Annotated[int, Query(ge=0, le=INT64_MAX, description="only entries from this audit sequence number on")]
AfterId = Annotated[int, Query(ge=0, le=INT32_MAX, description="only alerts after this alert id")]
PageNo = Annotated[int, Query(ge=1, le=1_000_000, description="the page, from 1")]


async def refuse_nul(request: Request) -> None:
    """HTTP 400 for a NUL character (0x00) in the path, the query or a JSON body's strings: PostgreSQL
    text cannot hold one, so it would otherwise end as a database error (500) wherever it is compared."""
    if "\x00" in request.scope.get("path", "") or any("\x00" in k or "\x00" in v
                                                  for k, v in request.query_params.multi_items()):
        raise HTTPException(400, "text may not contain NUL characters (0x00)")
    if (request.headers.get("content-type") or "").startswith("application/json"):
        body = await request.body()
        if b"\\u0000" in body:
            raise HTTPException(400, "text may not contain NUL characters (\\u0000)")


# Spelled out (not built from the rooms' tuples) so that type checkers and /openapi.json see them;
# tests/api/test_contract.py checks that they equal the rooms' own lists.
AlertStatus = Literal["new", "acknowledged", "verified", "false_positive", "dispatched", "closed"]
AlertStatusFilter = Literal["new", "acknowledged", "verified", "false_positive", "dispatched", "closed", "open"]
Severity = Literal["critical", "high", "medium", "low"]
TriageSort = Literal["severity", "time"]
AlertAction = Literal["acknowledge", "verify", "false_positive", "dispatch", "close", "ack", "false-positive", "fp"]
ExportFormat = Literal["ftm", "graphml", "csv", "html", "pdf"]
Decision = Literal["merge", "split"]
AuditDecision = Literal["grant", "deny", "info"]
LookupKind = Literal["cnic", "phone", "plate", "iban", "chassis", "name", "any"]


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


BAD_INPUT: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "the input is well-formed but cannot be used (the detail says why)"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": Problem, "description": "no such case, record or item"}}
DENIED: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "not signed in: no session cookie or bearer token, or a bad one"},
    403: {"model": Problem, "description": "the gate refused (the reason; the refusal is audited)"},
}
# The guards of every signed-in route, before any work: no NUL characters (400), the CSRF token of a
# cookie session (unsafe methods), then a signed-in user (401), with the security schemes it accepts
# (for /openapi.json, which lists them and the 400 on these operations: tahqiq.api.openapi).
SIGNED_IN = [Depends(refuse_nul), Depends(deps.csrf_check), Security(SESSION), Security(BEARER),
             Depends(deps.principal)]
# A route under a case: the gate may refuse (403), the case may not exist (404), or what is asked
# for may not exist or make sense in it (400).
UNDER_CASE = {**DENIED, **NOT_FOUND, **BAD_INPUT}


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


# --- timezone-aware times ------------------------------------------------------------------------------
# Everything Tahqiq stores is UTC, but SQLite hands datetimes back naive, and a naive time is not the
# `date-time` (RFC 3339: with an offset) that /openapi.json promises. Every answer passes through
# `aware` on its way out (response models declared `aware_model(...)`, json_response, events_response).

def aware(value: Any) -> Any:
    """`value` with every naive datetime inside it (dataclasses, models, lists, dicts) marked UTC;
    what holds none is returned as it is."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list):
        return [aware(v) for v in value]
    if isinstance(value, tuple):
        return tuple(aware(v) for v in value)
    if isinstance(value, dict):
        return {k: aware(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_copy(update={name: aware(getattr(value, name)) for name in type(value).model_fields})
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(changed, f.name, aware(getattr(value, f.name)))  # frozen dataclasses too
        return changed
    return value


def aware_model(model: Any) -> Any:
    """`model` as a response_model whose JSON has every datetime timezone-aware (`aware`); the
    document shows `model`'s own schema."""
    return Annotated[model, PlainSerializer(aware, return_type=model, when_used="json")]


# --- answering with what is already typed ----------------------------------------------------------
# A route that builds its answer from typed records declares `response_model` for /openapi.json and
# answers with the JSON directly: FastAPI would otherwise dump the model, validate the dump against
# the same model and dump it again (≈3 ms for a graph of 100 nodes, once per expanded node).

def json_response(value: BaseModel) -> Response:
    return Response(aware(value).model_dump_json(by_alias=True), media_type="application/json")


_EVENTS = TypeAdapter(list[Event])


def events_response(events: list[Event]) -> Response:
    return Response(_EVENTS.dump_json(aware(events)), media_type="application/json")


__all__ = ["BAD_INPUT", "DENIED", "INT32_MAX", "INT64_MAX", "NOT_FOUND", "SIGNED_IN", "UNDER_CASE", "AccessStat",
           "AccessStats", "AfterId", "AlertAction", "AlertStatus", "AlertStatusFilter", "AuditDecision", "CaseOut",
           "Decision", "EdgeElement", "EntityOut", "EntityPage", "ExportFormat", "FeatureCollection", "GraphOut",
           "HeadStatus", "Login", "LookupKind", "Me", "NodeElement", "NoteIn", "Offset", "PageNo", "PathsOut",
           "Problem", "ResolvedOut", "RowId", "SearchHit", "SearchOut", "Severity", "Since", "TreeHeadOut",
           "TriageSort", "aware", "aware_model", "events_response", "json_response", "refuse_nul"]
