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
        timeline(view)                       # events of the subjects and of what they hold, by time
        places(view)                         # the same events with coordinates, as GeoJSON
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import networkx as nx
from sqlalchemy import select, text

from tahqiq.govern.base import GovernError
from tahqiq.govern.gate import CaseView
from tahqiq.govern.tables import CaseSubject
from tahqiq.model.schema import model
from tahqiq.resolve.tables import ResolvedEntity
from tahqiq.store import reads
from tahqiq.store.reads import EntityView
from tahqiq.store.tables import Entity, Statement, props_of_these

IDENTIFIER_TYPES = ("cnic", "phone", "plate", "iban", "chassis", "passport")
TIME_PROPS = ("occurredAt", "reportedAt", "issuedAt", "date")
CHUNK = 500
PAIRS_PER_QUERY = 64  # (prop, value) lookups per UNION ALL statement (SQLite allows 500)
HOLDING_FANOUT = 500  # events per held thing and relation that the timeline considers
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


@cache
def _refs_to(schema: str | None, events_only: bool = False) -> tuple[str, ...]:
    """Reference properties that may point at an entity of `schema` (by their declared range),
    optionally only those of event schemata."""
    names = set()
    for sch in model().schemata.values():
        for prop in sch.properties.values():
            if (prop.is_reference and (prop.range in (None, schema) or schema is None)
                    and (sch.is_event or not events_only)):
                names.add(prop.name)
    return tuple(sorted(names))


@cache
def _props_of_type(events_only: bool) -> dict[str, frozenset[str]]:
    """Identifier type -> the properties of that type (optionally only those of event schemata)."""
    by_type: dict[str, set[str]] = defaultdict(set)
    for (schema, prop), kind in _link_props()[1].items():
        if model().schemata[schema].is_event or not events_only:
            by_type[kind].add(prop)
    return {kind: frozenset(props) for kind, props in by_type.items()}


def relation_names() -> list[str]:
    """Every relation a link can have (for filters in the user interface)."""
    refs, idents = _link_props()
    return sorted(refs) + sorted({f"same_{t}" for t in idents.values()})


def _chunks(items: list, n: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i: i + n]


def _capped(s, pairs: Iterable[tuple[str, str]], per: int, *, events_by_time: bool = False) -> list[tuple]:
    """(entity_id, schema, prop, value) of the statements with each (prop, value), at most `per` of
    each, a chunk of pairs per statement (UNION ALL of limited subqueries). A hub (an address shared
    by a thousand people) costs `per` index entries, not all of its rows; which ones is up to the
    index. With `events_by_time`, only events, newest first by their time (that reads the whole hub's
    index entries, but nothing else, to find the newest)."""
    rows: dict[tuple, None] = {}  # ordered, and without the padding's repeats
    pairs = sorted(set(pairs))
    if s.get_bind().dialect.name == "postgresql":
        # One lateral subquery over arrays of pairs: planned once, however many pairs.
        for chunk in _chunks(pairs, 1000):
            params = {"props": [p for p, _ in chunk], "vals": [v for _, v in chunk], "per": per}
            rows.update(dict.fromkeys(tuple(r) for r in s.execute(_capped_sql(events_by_time, True), params)))
        return list(rows)
    for chunk in _chunks(pairs, PAIRS_PER_QUERY):
        # Always PAIRS_PER_QUERY terms (the last pair repeated): one SQL text, prepared once and
        # reused from the driver's statement cache; preparing a new compound each time costs more.
        chunk = chunk + [chunk[-1]] * (PAIRS_PER_QUERY - len(chunk))
        params: dict[str, object] = {"per": per}
        for i, (prop, value) in enumerate(chunk):
            params[f"p{i}"], params[f"v{i}"] = prop, value
        rows.update(dict.fromkeys(tuple(r) for r in s.execute(_capped_sql(events_by_time, False), params)))
    return list(rows)


@cache
def _capped_sql(events_by_time: bool, lateral: bool):
    """The SQL of `_capped`: on PostgreSQL a LATERAL subquery over unnested arrays of pairs; on
    SQLite (no LATERAL) a UNION ALL of PAIRS_PER_QUERY limited subqueries. Written as text: building
    hundreds of subqueries with the expression language costs more than running them."""
    table = Statement.__tablename__
    join = where = order = ""
    if events_by_time:
        quoted = lambda names: ", ".join(f"'{name}'" for name in names)  # noqa: E731 - model names, not input
        # `prop || ''`: find the time values through the entity index (see store.tables.props_of_these).
        join = f" LEFT JOIN {table} w ON w.entity_id = s.entity_id AND w.prop || '' IN ({quoted(TIME_PROPS)})"
        where = f" AND s.schema IN ({quoted(_event_schemata())})"
        order = " ORDER BY w.value DESC NULLS LAST"

    def lookup(prop: str, value: str) -> str:
        return (f"SELECT s.entity_id, s.schema, s.prop, s.value FROM {table} s{join}"
                f" WHERE s.prop = {prop} AND s.value = {value}{where}{order} LIMIT :per")

    if lateral:
        return text("SELECT q.* FROM unnest(CAST(:props AS text[]), CAST(:vals AS text[])) AS k(prop, value)"
                    f" CROSS JOIN LATERAL ({lookup('k.prop', 'k.value')}) AS q")
    return text(" UNION ALL ".join(f"SELECT * FROM ({lookup(f':p{i}', f':v{i}')}) AS q{i}"
                                   for i in range(PAIRS_PER_QUERY)))


def _links(s, ids: Iterable[str], relations: set[str] | None = None, fanout: int = 200, *,
           events_by_time: bool = False) -> list[Link]:
    """Links of `ids` in the store: outgoing and incoming references, shared identifiers. Reads ids
    and link values only; at most `fanout` links per entity and relation, so that a hub (a bank
    account with ten thousand transactions) cannot flood a page. With `events_by_time`, incoming
    links come only from events, the newest `fanout` of each relation."""
    refs, idents = _link_props()
    ids = list(dict.fromkeys(ids))
    id_set = set(ids)
    ident_props = {p for _, p in idents}
    links: list[Link] = []
    own: list[tuple[str, str, str]] = []  # (entity, type, value) of the ids' identifiers
    schemata = _schemata(s, ids)
    for chunk in _chunks(ids):
        rows = s.execute(select(Statement.entity_id, Statement.schema, Statement.prop, Statement.value)
                         .where(Statement.entity_id.in_(chunk), props_of_these(Statement.prop, set(refs) | ident_props)))
        for eid, schema, prop, value in rows:
            if prop in refs:
                links.append(Link(eid, value, prop))
            elif (schema, prop) in idents:
                own.append((eid, idents[(schema, prop)], value))
    # Incoming references (only the properties whose range admits the entity's schema) and the other
    # holders of the same identifiers (only properties of the same type): the (prop, value) index
    # answers each pair, at most `fanout` (+ the entity itself) per pair.
    incoming = [(prop, eid) for eid in ids for prop in _refs_to(schemata.get(eid), events_by_time)]
    links.extend(Link(eid, value, prop) for eid, _, prop, value
                 in _capped(s, incoming, per=fanout, events_by_time=events_by_time))
    by_type = _props_of_type(events_by_time)
    holders: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)  # in the order found (events: newest first)
    pairs = [(prop, value) for _, kind, value in own for prop in by_type.get(kind, ())]
    for eid, schema, prop, value in _capped(s, pairs, per=fanout + 1, events_by_time=events_by_time):
        if kind := idents.get((schema, prop)):
            holders[(kind, value)][eid] = None
    for eid, kind, value in own:
        for other in list(holders.get((kind, value), ()))[: fanout + 1]:
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


@cache
def _event_schemata() -> tuple[str, ...]:
    return tuple(sorted(n for n, sch in model().schemata.items() if sch.is_event))


@cache
def _holdings() -> frozenset[str]:
    """Schemata of things a person holds or is the subject of (a phone, a vehicle, an account, a
    document, a warrant): not events, not relationships, with a reference to a Person."""
    return frozenset(name for name, sch in model().schemata.items()
                     if not sch.is_event and not sch.edge
                     and any(p.is_reference and p.range == "Person" for p in sch.properties.values()))


def _schemata(s, ids: Iterable[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(ids))):
        found.update(s.execute(select(Entity.id, Entity.schema).where(Entity.id.in_(chunk))).all())
    return found


def _same_people(s, subjects: list[str], per: int = 50) -> set[str]:
    """The other records resolved into the subjects' clusters (the same person in other sources)."""
    clusters = select(ResolvedEntity.cluster_id).where(ResolvedEntity.entity_id.in_(subjects))
    return set(s.execute(select(ResolvedEntity.entity_id).where(ResolvedEntity.cluster_id.in_(clusters))
                         .limit(per * max(1, len(subjects)))).scalars())


def _newest(s, event_ids: list[str], limit: int) -> list[str]:
    """The `limit` newest of these events, from their time values alone (no other value is read)."""
    rank = {p: i for i, p in enumerate(TIME_PROPS)}
    best: dict[str, tuple[int, int, str]] = {}  # entity -> (prop rank, statement id, time)
    for chunk in _chunks(event_ids):
        rows = s.execute(select(Statement.entity_id, Statement.prop, Statement.id, Statement.value)
                         .where(Statement.entity_id.in_(chunk), props_of_these(Statement.prop, TIME_PROPS)))
        for eid, prop, sid, value in rows:
            key = (rank[prop], sid, value)
            if eid not in best or key < best[eid]:
                best[eid] = key
    ordered = sorted(event_ids, key=lambda e: (best[e][2] if e in best else "", e), reverse=True)
    return ordered[:limit]


def _events(view: CaseView, action: str, limit: int) -> list[dict]:
    """Events (schemata marked `event`) of the case's subjects, newest first: those that name a
    subject or carry its identifiers, and those of what the subject holds (a person → their vehicle
    → its plate reads; → their account → its transactions) or of the subject's other records (the
    same CNIC or passport, the same resolved cluster). Relatives', associates' and neighbours' events
    are not the subject's and stay out. A hub (an account with ten thousand transactions) gives at
    most HOLDING_FANOUT events per relation; the newest `limit` of all are returned."""
    case = view._decide(action)
    events_schemata = set(_event_schemata())
    with view._session() as s:
        subjects = _subject_ids(s, case.id)
        selves = set(subjects) | _same_people(s, subjects)
        hop1 = _links(s, selves) + _links(s, selves, fanout=HOLDING_FANOUT, events_by_time=True)
        near = {x for link in hop1 for x in (link.source, link.target)} | selves
        schemata = _schemata(s, near)
        identity = {link.target if link.source in selves else link.source for link in hop1
                    if link.relation in ("same_cnic", "same_passport")}
        carriers = sorted(x for x in near - selves
                          if schemata.get(x) in _holdings() or (x in identity and schemata.get(x) == "Person"))
        hop2 = _links(s, carriers, fanout=HOLDING_FANOUT, events_by_time=True)
        involves: dict[str, set[str]] = defaultdict(set)
        for link in hop1 + hop2:
            involves[link.source].add(link.target)
            involves[link.target].add(link.source)
        far = {x for link in hop2 for x in (link.source, link.target)} - near
        schemata.update(_schemata(s, far))
        event_ids = sorted(i for i in near | far if schemata.get(i) in events_schemata)
        found = reads.get_entities(s, _newest(s, event_ids, limit))
    events = [_event(e, sorted(involves.get(e.id, set()) & near)) for e in found]
    events.sort(key=lambda ev: (ev["time"] or "", ev["id"]), reverse=True)
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
