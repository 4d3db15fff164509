"""Response and request bodies of the JSON API (pydantic), so that /openapi.json documents them."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tahqiq.model.ftm import EntityLike


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


class CaseOut(BaseModel):
    reference: str
    agency: str
    basis_kind: str
    basis_ref: str
    authorising_officer: str
    purpose: str
    status: str
    opened_at: datetime
    expires_at: datetime
    members: list[str]
    subjects: int
    member: bool = Field(description="whether you are a member (only members can read its data)")


class ValueOut(BaseModel):
    value: str
    original: str | None
    script: str | None = Field(description="'Arab' for Urdu script, 'Latn', ...")
    source: str
    record_id: str
    batch_id: int
    seen_at: datetime


class EntityOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema", serialization_alias="schema")
    source: str
    caption: str
    properties: dict[str, list[ValueOut]]

    model_config = {"populate_by_name": True}

    @classmethod
    def of(cls, entity: EntityLike) -> "EntityOut":
        from tahqiq.govern.graph import caption

        return cls(id=entity.id, schema=entity.schema, source=entity.source, caption=caption(entity),
                   properties={p: [ValueOut(**v.__dict__) for v in vals] for p, vals in entity.properties.items()})


class SearchHit(BaseModel):
    kind: str = Field(description="what the query was taken for: cnic, phone, plate, iban, chassis, name, id")
    entity: EntityOut


class SearchOut(BaseModel):
    query: str
    detected: list[str]
    hits: list[SearchHit]


class FieldContributionOut(BaseModel):
    field: str
    level: str
    bayes_factor: float | None
    log2_bayes_factor: float | None = Field(description="the field's bar in the waterfall (null: infinite)")


class LinkExplanationOut(BaseModel):
    left_id: str
    right_id: str
    match_weight: float | None = Field(description="null for an analyst's decision (certain by fiat)")
    probability: float
    source: str = Field(description="model or analyst")
    status: str | None = None
    fields: list[FieldContributionOut]

    @classmethod
    def of(cls, link) -> "LinkExplanationOut":
        def finite(x):
            return x if x is not None and math.isfinite(x) else None

        return cls(left_id=link.left_id, right_id=link.right_id, match_weight=finite(link.match_weight),
                   probability=link.probability, source=link.source, status=getattr(link, "status", None),
                   fields=[FieldContributionOut(field=f.field, level=f.level, bayes_factor=finite(f.bayes_factor),
                                                log2_bayes_factor=finite(f.log2_bayes_factor)) for f in link.fields])


class ResolvedOut(BaseModel):
    cluster_id: str
    members: list[EntityOut]
    links: list[LinkExplanationOut]


class ViewerOut(BaseModel):
    seq: int
    time: str
    actor: str
    action: str
    case: str | None
    purpose: str | None


class EntityPage(BaseModel):
    entity: EntityOut
    resolved: ResolvedOut | None = Field(None, description="the records it was resolved from, and why")
    links: dict[str, Any] = Field(description="neighbours as cytoscape elements {nodes, edges}")
    viewers: list[ViewerOut] | None = Field(
        None, description="who read it (the audit trail); only supervisors and auditors may read the log")
    viewers_note: str | None = None


class GraphOut(BaseModel):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]


class PathsOut(GraphOut):
    paths: list[list[str]]


class EventOut(BaseModel):
    id: str
    time: str | None
    kind: str
    kind_label: str
    label: str
    place: str | None
    latitude: float | None
    longitude: float | None
    source: str
    involves: list[str]


class FeatureCollection(BaseModel):
    type: str = "FeatureCollection"
    features: list[dict[str, Any]]


class NoteIn(BaseModel):
    body: str = Field(min_length=1, max_length=20_000)
    entity_id: str | None = Field(None, max_length=32)


class NoteOut(BaseModel):
    id: int
    case: str
    author: str
    body: str
    entity_id: str | None
    created_at: datetime
    audit_seq: int


class EvidenceOut(BaseModel):
    id: int
    sha256: str
    case: str
    filename: str
    size_bytes: int
    description: str | None
    added_by: str
    added_at: datetime
    custody_seq: int = Field(description="the audit entry that took the file into custody")


class AuditRecordOut(BaseModel):
    seq: int
    time: str
    actor: str
    role: str | None
    action: str
    case: str | None
    purpose: str | None
    decision: str
    target: str | None
    detail: dict[str, Any]
    leaf_hash: str


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
    root_matches_entries: bool | None = Field(description="the root recomputed from the stored entries equals the head's")
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
