"""What the graph room returns: typed records, not cytoscape or GeoJSON (the API and the pages
shape them for their libraries)."""

from __future__ import annotations

from dataclasses import dataclass, field

from tahqiq.graph.links import Link, relation_label
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model


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

    @classmethod
    def of(cls, entity: EntityView, *, subject: bool = False) -> Node:
        schema = model().schemata.get(entity.schema)
        return cls(entity.id, entity.caption, entity.caption_script, entity.schema,
                   schema.label if schema else entity.schema, entity.source, bool(schema and schema.is_event), subject)


@dataclass(frozen=True)
class Edge:
    id: str
    source: str
    target: str
    relation: str
    label: str

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


__all__ = ["CaseGraph", "Edge", "Event", "Graph", "Node", "Paths"]
