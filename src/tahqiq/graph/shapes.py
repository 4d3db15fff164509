"""What the graph room returns: typed records, not cytoscape or GeoJSON (the API and the pages
shape them for their libraries)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tahqiq.graph.links import Link, relation_label
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model


@dataclass(frozen=True)
class Record:
    """One source record folded into a person's node."""

    id: str
    label: str
    label_script: str | None
    source: str

    @classmethod
    def of(cls, entity: EntityView, label: str) -> Record:
        return cls(entity.id, label, entity.caption_script, entity.source)


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    label_script: str | None  # 'Arab' when the label is in Urdu script (drawn right to left)
    schema: str
    schema_label: str
    source: str
    is_event: bool
    subject: bool = False  # a subject of the case
    # A person known from several records (one resolved cluster, or records sharing a CNIC): those
    # records, this node's own first; empty for a node that is one record.
    records: list[Record] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    time: str | None = None  # when an event happened (for brushing a time range)

    @classmethod
    def of(cls, entity: EntityView, *, subject: bool = False, time: str | None = None) -> Node:
        schema = model().schemata.get(entity.schema)
        return cls(entity.id, entity.title, entity.caption_script, entity.schema,
                   schema.label if schema else entity.schema, entity.source, bool(schema and schema.is_event), subject,
                   time=time)


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    relation: str
    label: str
    # Between people (nodes that fold records): the (source record, target record) pairs the link
    # stands for, so that a page opening a person up into records can draw each at its record.
    via: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def of(cls, link: Link) -> Edge:
        source, target, relation = link.key
        return cls(f"{source}~{relation}~{target}", source, target, relation, relation_label(relation))


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


@dataclass
class Paths(Graph):
    paths: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Event:
    """Something that happened to a case's subjects: when, what, where, and whom it involves."""

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


@dataclass
class CaseGraph:
    """What an export of a case holds: entities, the links among them, and which are subjects."""

    entities: list[EntityView]
    links: list[Link]
    subjects: set[str]


@dataclass(frozen=True)
class Fact:
    """One value shown in a details panel: the property's label, the value, its source(s)."""

    prop: str
    label: str
    value: str
    script: str | None
    sources: list[str]
    identifier: bool


@dataclass
class Details:
    """What the details panel of a selected node shows: the node's caption and kind, its key facts
    and identifiers (merged over its records, each with its sources) and its records."""

    id: str
    label: str
    label_script: str | None
    schema: str
    schema_label: str
    facts: list[Fact]
    records: list[Record]
    sources: list[str]


__all__ = ["CaseGraph", "Details", "Edge", "Event", "Fact", "Graph", "Node", "Paths", "Record"]
