"""People, not records: the records of one person drawn as one node.

Outside the ID registry every person mentioned in a record is its own entity (see
docs/architecture.md, "Mentions, not merged people"). Resolution joins them into clusters; before
it has run, or for records it has not placed, records carrying the same CNIC or passport are the
same person too. A chart of records would show one suspect as five dots joined by "same CNIC"
links; this module folds them into one node that lists its records (the page can open it up).

Everything here is exploration (ids, cluster ids, identifier links) except the captions of the
records folded in, which are read, and so disclosed, like any node's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from tahqiq.govern import Reader
from tahqiq.graph.links import Link, find_links
from tahqiq.graph.shapes import Edge, Node, Record
from tahqiq.model.entity import EntityView, common_title
from tahqiq.model.schema import model

# Identifiers that belong to one person alone: two Person records holding the same one are the same
# person. A phone is not one of them (a family shares a number), nor a vehicle's `ownerCnic` (that is
# the owner's CNIC, on a vehicle). The model has no flag for this yet; timeline (events.py) uses
# the same two.
PER_PERSON = 50  # records folded into one node at most (a common CNIC typo must not swallow a district)


@cache
def resolved_schemata() -> frozenset[str]:
    """Schemata whose records are joined into people: those with an own identity document number
    in the model's person-identity types (the Person schema)."""
    identity = model().person_identity_types
    return frozenset(name for name, sch in model().schemata.items()
                     if not sch.is_event and not sch.edge
                     and any(p.type in identity and p.name == p.type for p in sch.properties.values()))


def clusters(reader: Reader, ids: Iterable[str]) -> dict[str, str]:
    """Cluster id of each of these records that resolution placed, and of their cluster-mates (at
    most PER_PERSON per cluster, those of `ids` first): two batched queries, whatever the number."""
    ids = list(dict.fromkeys(ids))
    placed = reader.clusters_of(ids)
    found: dict[str, str] = {}
    taken: dict[str, int] = {}
    for eid in ids + sorted(set(placed) - set(ids)):
        if eid in placed:
            cluster_id = placed[eid][0]
            if taken.get(cluster_id, 0) < PER_PERSON:
                found[eid] = cluster_id
                taken[cluster_id] = taken.get(cluster_id, 0) + 1
    return found


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def people_of(reader: Reader, ids: list[str], schemata: dict[str, str]) -> dict[str, list[str]]:
    """For the person records among `ids`: each one's person, as the list of its records (the
    records of `ids` first, then cluster-mates and CNIC/passport-mates found in the store).
    Records of no one else map to themselves alone. Three batched look-ups whatever the number."""
    people = [i for i in ids if schemata.get(i) in resolved_schemata()]
    if not people:
        return {}
    placed = clusters(reader, people)
    mates = find_links(reader, people, {f"same_{t}" for t in model().person_identity_types}, fanout=PER_PERSON)
    others = {x for link in mates for x in (link.source, link.target)} - set(people)
    kinds = reader.schemata(others) if others else {}
    kinds.update({i: schemata[i] for i in people})
    union = _Union()
    by_cluster: dict[str, str] = {}
    for record, cluster_id in placed.items():
        union.join(record, by_cluster.setdefault(cluster_id, record))
    for link in mates:
        if kinds.get(link.source) in resolved_schemata() and kinds.get(link.target) in resolved_schemata():
            union.join(link.source, link.target)
    groups: dict[str, list[str]] = {}
    order = {x: i for i, x in enumerate(ids)}
    for record in sorted(set(placed) | set(people) | others, key=lambda x: (order.get(x, len(order)), x)):
        if kinds.get(record, "") not in resolved_schemata() and record not in placed:
            continue
        groups.setdefault(union.find(record), []).append(record)
    return {record: members[:PER_PERSON] for members in groups.values() for record in members}


def fold(reader: Reader, entities: list[EntityView], links: list[Link], subjects: set[str],
         times: dict[str, str] | None = None) -> tuple[list[Node], list[Edge], dict[str, str]]:
    """Nodes and edges with each person's records folded into one node. Returns the nodes, the
    edges between them (links inside one person dropped, parallel links of one relation merged)
    and which node each record went to. The records folded in beyond `entities` are read here."""
    ids = [e.id for e in entities]
    schemata = {e.id: e.schema for e in entities}
    person = people_of(reader, ids, schemata)
    extra = sorted({r for members in person.values() for r in members} - set(ids))
    found = {e.id: e for e in entities}
    found.update({e.id: e for e in reader.entities(extra)} if extra else {})
    times = times if times is not None else {}
    node_of: dict[str, str] = {}
    nodes: list[Node] = []
    for eid in ids:
        if eid in node_of:
            continue
        members = [m for m in person.get(eid, [eid]) if m in found]
        # The node is named after a subject among its records when there is one, else the first record shown.
        head = next((m for m in members if m in subjects), eid)
        records = [found[m] for m in members]
        node = Node.of(found[head], subject=any(m in subjects for m in members), time=times.get(head))
        if len(members) > 1:
            label, script = common_title(records)
            node = replace(node, label=label, label_script=script,
                           records=[Record.of(e, e.title) for e in records],
                           sources=sorted({e.source for e in records}))
        else:
            node = replace(node, label=found[head].title)
        nodes.append(node)
        node_of.update(dict.fromkeys(members, head))
    edges: dict[tuple[str, str, str], Edge] = {}
    for link in links:
        a, b = node_of.get(link.source), node_of.get(link.target)
        if a is None or b is None or a == b:
            continue
        edge = Edge.of(Link(a, b, link.relation))
        kept = edges.setdefault((edge.source, edge.target, edge.relation), edge)
        pair = (link.source, link.target) if edge.source == a else (link.target, link.source)
        if pair not in kept.via:
            kept.via.append(pair)
    return nodes, list(edges.values()), node_of


__all__ = ["clusters", "fold", "people_of", "resolved_schemata"]
