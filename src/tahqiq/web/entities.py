"""How the pages show entities: a one-line summary, every value with its provenance, and the
entity's links as rows."""

from __future__ import annotations

from typing import Any

from tahqiq.graph import Graph
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model


def summary(entity: EntityView) -> dict[str, Any]:
    return {"id": entity.id, "schema": entity.schema, "source": entity.source, "label": entity.caption,
            "identifiers": entity.identifiers()}


def value_rows(entity: EntityView) -> list[dict[str, Any]]:
    """Every value with its provenance, grouped by property in the model's order."""
    schema = model().schemata.get(entity.schema)
    order = list(schema.properties) if schema else []
    rows = []
    for prop in sorted(entity.properties, key=lambda p: (order.index(p) if p in order else len(order), p)):
        spec = schema.properties.get(prop) if schema else None
        label, is_ref = (spec.label if spec else model().property_label(prop)), bool(spec and spec.is_reference)
        for v in entity.properties[prop]:
            rows.append({"prop": prop, "label": label, "is_ref": is_ref, "value": v.value, "original": v.original,
                         "script": v.script, "source": v.source, "record_id": v.record_id, "batch_id": v.batch_id,
                         "seen_at": v.seen_at})
    return rows


def link_rows(entity_id: str, graph: Graph) -> list[dict[str, Any]]:
    """The entity's links: relation, direction and the entity at the other end."""
    nodes = {n.id: n for n in graph.nodes}
    rows: list[dict[str, Any]] = []
    for e in graph.edges:
        other = e.target if e.source == entity_id else e.source
        if other in nodes:
            rows.append({"relation": e.relation, "relation_label": e.label, "outgoing": e.source == entity_id,
                         "other": nodes[other]})
    rows.sort(key=lambda r: (r["relation"], nodes[r["other"].id].schema, nodes[r["other"].id].label))
    return rows


__all__ = ["link_rows", "summary", "value_rows"]
