"""How the pages show entities: a one-line summary, a person's merged values grouped by property
(each value once, with the sources that state it), and the entity's links as rows."""

from __future__ import annotations

from typing import Any

from tahqiq.graph import Graph
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.search import Fact, Profile


def summary(entity: EntityView) -> dict[str, Any]:
    """A record in one line: its caption (never its id), kind, source and identifiers."""
    schema = model().schemata.get(entity.schema)
    return {"id": entity.id, "schema": entity.schema, "schema_label": schema.label if schema else entity.schema,
            "source": entity.source, "label": entity.title, "identifiers": entity.identifiers()}


def profile_summary(p: Profile) -> dict[str, Any]:
    return {"id": p.id, "schema": p.schema, "schema_label": p.schema_label, "label": p.caption,
            "identifiers": p.identifiers, "source": next(iter(p.sources), "")}


def fact_rows(p: Profile) -> list[dict[str, Any]]:
    """The person's values grouped by property, in the model's order: [{label, facts: [Fact]}]."""
    return group_facts(p.facts)


def group_facts(facts: list[Fact]) -> list[dict[str, Any]]:
    """Consecutive facts of one property together (they come in the model's order)."""
    rows: list[dict[str, Any]] = []
    for f in facts:
        if rows and rows[-1]["prop"] == f.prop:
            rows[-1]["facts"].append(f)
        else:
            rows.append({"prop": f.prop, "label": f.label, "facts": [f]})
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


__all__ = ["fact_rows", "group_facts", "link_rows", "profile_summary", "summary"]
