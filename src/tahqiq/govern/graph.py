"""The link graph of a case: neighbours, paths, timeline and map, as gated and audited reads.

Two entities are linked when one names the other (an FIR's `accused`, a phone's `owner`: the model's
entity-reference properties; the relation is the property's name) or when they carry the same
identifier (`same_cnic`, `same_phone`, `same_plate`, `same_iban`, ...): that is how an FIR's
complainant leads to the NADRA record of the same CNIC before resolution has run.

Every function takes a CaseView: each call is decided by the gate and its result (the entity ids it
discloses) written to the audit log, like any other read of personal data. Exploring the store to
find a path reads no more than ids; only the entities on the returned paths are disclosed and logged.

    with gate.session(me, case, purpose) as view:
        neighbours(view, entity_id)          # {"nodes": [...], "edges": [...]}, cytoscape's shape
        paths(view, a, b, max_hops=4)        # {"paths": [[id, ...]], "nodes": [...], "edges": [...]}
        timeline(view)                       # events of the subjects and their neighbours, by time
        places(view)                         # the same events with coordinates, as GeoJSON
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import networkx as nx
from sqlalchemy import select

from tahqiq.govern.base import GovernError
from tahqiq.govern.gate import CaseView
from tahqiq.govern.tables import CaseSubject
from tahqiq.model.schema import model
from tahqiq.store import reads
from tahqiq.store.reads import EntityView
from tahqiq.store.tables import Entity, Statement

IDENTIFIER_TYPES = ("cnic", "phone", "plate", "iban", "chassis", "passport")
TIME_PROPS = ("occurredAt", "reportedAt", "issuedAt", "date")
CHUNK = 500
MAX_EXPLORED = 20_000  # ids a path search may visit before it gives up


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    relation: str  # a reference property ("owner") or "same_<identifier type>"

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity of the link: a shared identifier has no direction, a reference has one."""
        if self.relation.startswith("same_") and self.target < self.source:
            return self.target, self.source, self.relation
        return self.source, self.target, self.relation


@cache
def _link_props() -> tuple[frozenset[str], dict[tuple[str, str], str]]:
    """Names of reference properties, and identifier type by (schema, property)."""
    refs, idents = set(), {}
    for schema in model().schemata.values():
        for prop in schema.properties.values():
            if prop.is_reference:
                refs.add(prop.name)
            elif prop.type in IDENTIFIER_TYPES:
                idents[(schema.name, prop.name)] = prop.type
    return frozenset(refs), idents


def relation_names() -> list[str]:
    """Every relation a link can have (for filters in the user interface)."""
    refs, idents = _link_props()
    return sorted(refs) + sorted({f"same_{t}" for t in idents.values()})


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i: i + n]


def _links(s, ids: Iterable[str], relations: set[str] | None = None, fanout: int = 200) -> list[Link]:
    """Links of `ids` in the store: outgoing and incoming references, shared identifiers. Reads ids
    and link values only; at most `fanout` links per entity and relation, so that a hub (a bank
    account with ten thousand transactions) cannot flood a page."""
    refs, idents = _link_props()
    ids = list(dict.fromkeys(ids))
    id_set = set(ids)
    ident_props = {p for _, p in idents}
    links: list[Link] = []
    own: list[tuple[str, str, str]] = []  # (entity, type, value) of the ids' identifiers
    for chunk in _chunks(ids):
        rows = s.execute(select(Statement.entity_id, Statement.schema, Statement.prop, Statement.value)
                         .where(Statement.entity_id.in_(chunk), Statement.prop.in_(refs | ident_props)))
        for eid, schema, prop, value in rows:
            if prop in refs:
                links.append(Link(eid, value, prop))
            elif (schema, prop) in idents:
                own.append((eid, idents[(schema, prop)], value))
        # Incoming references: the (prop, value) index answers these.
        rows = s.execute(select(Statement.entity_id, Statement.prop, Statement.value)
                         .where(Statement.prop.in_(refs), Statement.value.in_(chunk))
                         .limit(fanout * len(chunk) * 4))
        links.extend(Link(eid, value, prop) for eid, prop, value in rows)
    values = sorted({v for _, _, v in own})
    holders: dict[tuple[str, str], set[str]] = defaultdict(set)
    for chunk in _chunks(values):
        rows = s.execute(select(Statement.entity_id, Statement.schema, Statement.prop, Statement.value)
                         .where(Statement.prop.in_(ident_props), Statement.value.in_(chunk))
                         .limit(fanout * len(chunk) * 4))
        for eid, schema, prop, value in rows:
            kind = idents.get((schema, prop))
            if kind:
                holders[(kind, value)].add(eid)
    for eid, kind, value in own:
        for other in sorted(holders.get((kind, value), ()))[: fanout + 1]:
            if other != eid:
                links.append(Link(eid, other, f"same_{kind}"))
    if relations:
        links = [link for link in links if link.relation in relations]
    # Cap each entity's links per relation, and drop duplicates (a same_* link is found from both ends).
    seen, kept, per = set(), [], defaultdict(int)
    for link in links:
        if link.key in seen:
            continue
        end = link.source if link.source in id_set else link.target
        if per[(end, link.relation)] >= fanout:
            continue
        seen.add(link.key)
        per[(end, link.relation)] += 1
        kept.append(link)
    return kept


def caption(entity: EntityView) -> str:
    """What to call an entity on screen: its schema's caption property, else its first name or id."""
    schema = model().schemata.get(entity.schema)
    for prop in ([schema.caption] if schema and schema.caption else []) + ["name", "number", "title"]:
        value = entity.first(prop)
        if value:
            return value
    return entity.id


def node(entity: EntityView, *, subject: bool = False) -> dict:
    """An entity as a cytoscape node: {"data": {...}}."""
    schema = model().schemata.get(entity.schema)
    label = caption(entity)
    script = next((v.script for vals in entity.properties.values() for v in vals if v.value == label), None)
    return {"data": {"id": entity.id, "label": label, "label_script": script, "schema": entity.schema,
                     "schema_label": schema.label if schema else entity.schema, "source": entity.source,
                     "is_event": bool(schema and schema.is_event), "subject": subject}}


def edge(link: Link) -> dict:
    source, target, relation = link.key
    return {"data": {"id": f"{source}~{relation}~{target}", "source": source, "target": target,
                     "relation": relation, "label": relation.replace("_", " ")}}


def _subject_ids(s, case_id: int) -> list[str]:
    return list(s.execute(select(CaseSubject.entity_id).where(CaseSubject.case_id == case_id)
                          .order_by(CaseSubject.entity_id)).scalars())


def neighbours(view: CaseView, entity_id: str, relations: Iterable[str] | None = None, limit: int = 200) -> dict:
    """The entity and everything linked to it (at most `limit` neighbours), as cytoscape elements."""
    wanted = set(relations or ()) or None
    if wanted and (unknown := wanted - set(relation_names())):
        raise GovernError(f"unknown relation(s) {', '.join(sorted(unknown))} (known: {', '.join(relation_names())})")
    limit = max(1, min(int(limit), 2000))
    case = view._decide("read.graph", target=entity_id)
    with view._session() as s:
        center = reads.get_entities(s, [entity_id])
        links = _links(s, [entity_id], wanted, fanout=limit) if center else []
        others = list(dict.fromkeys(link.target if link.source == entity_id else link.source for link in links))
        others = others[:limit]
        found = reads.get_entities(s, [entity_id, *others]) if center else []
        subjects = set(_subject_ids(s, case.id))
    got = [e.id for e in found]
    view._grant("read.graph", target=",".join(got) or None,
                detail={"center": entity_id, "ids": got, "count": len(got), "relations": sorted(wanted or [])})
    if not center:
        raise LookupError(f"no entity {entity_id}")
    present = set(got)
    return {"nodes": [node(e, subject=e.id in subjects) for e in found],
            "edges": [edge(link) for link in links if link.source in present and link.target in present]}


def paths(view: CaseView, a: str, b: str, max_hops: int = 4, max_paths: int = 5,
          relations: Iterable[str] | None = None) -> dict:
    """The shortest paths (up to `max_paths`, at most `max_hops` links long) between two entities."""
    if not 1 <= max_hops <= 6:
        raise GovernError("max_hops must be between 1 and 6")
    wanted = set(relations or ()) or None
    view._decide("read.graph.paths", target=f"{a},{b}")
    graph = nx.Graph()
    graph.add_nodes_from([a, b])
    kinds: dict[frozenset, Link] = {}
    with view._session() as s:
        missing = {a, b} - {e.id for e in reads.get_entities(s, [a, b])}
        # Bidirectional breadth-first search: grow the smaller side one hop at a time until they meet.
        seen = {a: {a}, b: {b}}
        frontier = {a: {a}, b: {b}}
        hops = 0
        met = a == b
        while not met and hops < max_hops and not missing and frontier[a] and frontier[b]:
            side = a if len(frontier[a]) <= len(frontier[b]) else b
            nxt = set()
            for link in _links(s, frontier[side], wanted, fanout=100):
                graph.add_edge(link.source, link.target)
                kinds.setdefault(frozenset((link.source, link.target)), link)
                for end in (link.source, link.target):
                    if end not in seen[side]:
                        seen[side].add(end)
                        nxt.add(end)
            frontier[side] = nxt
            hops += 1
            met = bool(seen[a] & seen[b])
            if len(seen[a]) + len(seen[b]) > MAX_EXPLORED:
                break
        found_paths: list[list[str]] = []
        if met and not missing:
            for p in nx.all_shortest_paths(graph, a, b):
                if len(p) - 1 > max_hops:
                    break
                found_paths.append(p)
                if len(found_paths) >= max_paths:
                    break
        on_paths = list(dict.fromkeys([a, b] + [n for p in found_paths for n in p]))
        found = reads.get_entities(s, on_paths)
    got = [e.id for e in found]
    view._grant("read.graph.paths", target=",".join(got) or None,
                detail={"from": a, "to": b, "paths": len(found_paths), "ids": got, "count": len(got),
                        "explored": graph.number_of_nodes()})
    if missing:
        raise LookupError(f"no entity {', '.join(sorted(missing))}")
    pairs = {frozenset(p) for path in found_paths for p in zip(path, path[1:])}
    return {"paths": found_paths, "nodes": [node(e) for e in found],
            "edges": [edge(kinds[pair]) for pair in pairs]}


def _event(entity: EntityView, involves: list[str]) -> dict:
    schema = model().schemata.get(entity.schema)
    time = next((entity.first(p) for p in TIME_PROPS if entity.first(p)), None)
    lat, lon = entity.first("latitude"), entity.first("longitude")
    return {"id": entity.id, "time": time, "kind": entity.schema, "kind_label": schema.label if schema else entity.schema,
            "label": caption(entity), "place": entity.first("district"),
            "latitude": float(lat) if lat else None, "longitude": float(lon) if lon else None,
            "source": entity.source, "involves": involves}


def _events(view: CaseView, action: str, limit: int) -> list[dict]:
    """Events (schemata marked `event`) among the subjects, their neighbours and their neighbours'
    neighbours (a person → their vehicle → its plate reads), newest first."""
    case = view._decide(action)
    events_schemata = {n for n, sch in model().schemata.items() if sch.is_event}
    with view._session() as s:
        subjects = _subject_ids(s, case.id)
        hop1 = _links(s, subjects)
        near = {x for link in hop1 for x in (link.source, link.target)} | set(subjects)
        hop2 = _links(s, near - set(subjects), fanout=100)
        involves: dict[str, set[str]] = defaultdict(set)
        for link in hop1 + hop2:
            involves[link.source].add(link.target)
            involves[link.target].add(link.source)
        candidates = sorted(near | {x for link in hop2 for x in (link.source, link.target)})
        schemata: dict[str, str] = {}
        for chunk in _chunks(candidates):
            schemata.update(s.execute(select(Entity.id, Entity.schema).where(Entity.id.in_(chunk))).all())
        event_ids = [i for i in candidates if schemata.get(i) in events_schemata]
        found = reads.get_entities(s, event_ids)
    events = [_event(e, sorted(involves.get(e.id, set()) & near)) for e in found]
    events.sort(key=lambda ev: ev["time"] or "", reverse=True)
    events = events[:limit]
    got = [ev["id"] for ev in events]
    view._grant(action, target=",".join(got) or None, detail={"ids": got, "count": len(got)})
    return events


def timeline(view: CaseView, limit: int = 1000) -> list[dict]:
    """Events of the case's subjects and their neighbours: time, kind, label, place, coordinates."""
    return _events(view, "read.timeline", limit)


def places(view: CaseView, limit: int = 1000) -> dict:
    """The case's events that have coordinates, as a GeoJSON FeatureCollection."""
    features = [
        {"type": "Feature", "id": ev["id"],
         "geometry": {"type": "Point", "coordinates": [ev["longitude"], ev["latitude"]]},
         "properties": {k: ev[k] for k in ("id", "time", "kind", "kind_label", "label", "place", "involves")}}
        for ev in _events(view, "read.places", limit) if ev["latitude"] is not None and ev["longitude"] is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def case_graph(view: CaseView, hops: int = 1, limit: int = 5000) -> tuple[list[EntityView], list[Link], set[str]]:
    """The subjects, everything within `hops` links of them (at most `limit` entities) and the links
    among them: what an export of the case contains. Returns (entities, links, subject ids)."""
    if not 0 <= hops <= 2:
        raise GovernError("exports reach at most 2 hops from the subjects")
    case = view._decide("read.case_graph")
    with view._session() as s:
        subjects = _subject_ids(s, case.id)
        ids, frontier, links = list(subjects), list(subjects), []
        for _ in range(hops):
            new = _links(s, frontier, fanout=100)
            links.extend(new)
            frontier = [x for link in new for x in (link.source, link.target) if x not in ids]
            frontier = list(dict.fromkeys(frontier))[: max(0, limit - len(ids))]
            ids.extend(frontier)
        found = reads.get_entities(s, ids)
    got = {e.id for e in found}
    view._grant("read.case_graph", target=",".join(sorted(got)) or None,
                detail={"ids": sorted(got), "count": len(got), "hops": hops})
    unique = {link.key: link for link in links if link.source in got and link.target in got}
    return found, list(unique.values()), set(subjects) & got


def record_export(view: CaseView, fmt: str, ids: Iterable[str], sha256: str, size: int) -> int:
    """Write the "export" audit entry for a file made from entities already read; returns its seq."""
    ids = sorted(set(ids))
    view._decide("export", target=fmt)
    rec = view._grant("export", target=fmt, detail={"format": fmt, "ids": ids, "count": len(ids),
                                                    "sha256": sha256, "bytes": size})
    return rec.seq
