"""Search results as people, not records: the records a query matched, grouped by the resolved
entity they belong to (one card per person, or per lone record), with the facts that tell namesakes
apart, the sources each person is known to, facets to narrow the list, and honest pagination.

    with gate.session(me, case, purpose) as view:
        res = search_people(view, "محمد اسلم", page=1)
        res.people, res.records          # "5 people · 25 records" (res.more: the engine's cap was hit)
        res.cards[0].facts               # father's name, birth date, district, CNIC ... merged

The whole search is one gated read ("read.search"), like `query.search`. Records are grouped with
the clusters resolution stored (`Reader.clusters_of`, batched).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from tahqiq.govern import CaseView, Reader
from tahqiq.model.entity import EntityView
from tahqiq.model.schema import model
from tahqiq.search.names import index_for
from tahqiq.search.profile import Fact, best_caption, merge_facts
from tahqiq.search.query import Candidate, Hit, candidates, interpret, query_key, rank

PAGE_SIZE = 20
CANDIDATES = 120  # records read for one search; more are counted as "more than" this, never hidden silently
# (250 took 527 ms at p95 on a 200k-person store with a cold page cache, 120 took 71 ms: docs/benchmarks.md)
FACETS = ("schema", "source", "district")


@dataclass(frozen=True)
class RecordRef:
    """One matching record of a card, as a link."""

    id: str
    schema: str
    source: str
    caption: str
    kind: str  # how the query matched it


@dataclass(frozen=True)
class Card:
    id: str  # the record the card opens (its best match)
    schema: str
    schema_label: str
    caption: str
    caption_script: str | None
    cluster_id: str | None
    exact: bool
    matched: list[str]  # the kinds the query was taken for (cnic, name ...)
    hits: list[RecordRef]  # the records of this person the query matched
    records: int  # every record of the person (the cluster)
    sources: dict[str, int]  # the person's records per source
    facts: list[Fact]  # what tells namesakes apart: kin names, dates, districts, identifiers
    names: list[Fact]  # the other ways the sources write the person's name (Urdu script included)
    is_event: bool = False
    time: str | None = None  # for events: when (ISO, as the source gave it)
    place: list[Fact] = field(default_factory=list)  # for events: district, coordinates
    details: list[Fact] = field(default_factory=list)  # for events: camera, checkpoint, officer ...


@dataclass(frozen=True)
class Facet:
    field: str
    value: str
    label: str
    count: int  # people with a matching record of this value
    active: bool


@dataclass(frozen=True)
class PeopleResult:
    query: str
    detected: list[str]
    cards: list[Card]
    people: int  # after the filters
    records: int  # matching records after the filters
    more: bool  # the engine stopped at `cap` records: there are more than `records`
    cap: int
    page: int
    pages: int
    page_size: int
    facets: dict[str, list[Facet]]
    filters: dict[str, str]
    hits: list[Hit] = field(default_factory=list)  # every record read, best first (the API's flat list)


def _clusters(r: Reader, ids: list[str]) -> dict[str, tuple[str, list[str]]]:
    """entity id -> (cluster id, members) for the resolved ones among `ids` (batched queries)."""
    return r.clusters_of(ids) if ids else {}


def _district_props() -> set[str]:
    return set(model().props_of_type("district"))


def _facet_values(entity: EntityView) -> dict[str, set[str]]:
    districts = {v for p in _district_props() for v in entity.values(p)}
    return {"schema": {entity.schema}, "source": {entity.source}, "district": districts}


def _distinguishing(spec_type: str, role: str | None) -> bool:
    """Facts that tell two namesakes apart: a relative's name, dates, districts, identifiers."""
    return spec_type in model().identifier_types or spec_type in ("date", "district") or role == "kin"


def _card(hits: list[tuple[EntityView, Candidate]], members: list[EntityView], cluster_id: str | None) -> Card:
    best_entity, best = hits[0]
    schema = model().schemata.get(best_entity.schema)
    facts = merge_facts(members)
    caption, script = best_caption(members, None if cluster_id else best_entity)
    specs = {name: p for s in model().schemata.values() for name, p in s.properties.items() if s.name in
             {m.schema for m in members}}
    distinguishing, names, place, details = [], [], [], []
    for f in facts:
        spec = specs.get(f.prop)
        if spec is None:
            continue
        if spec.is_own_name:
            if f.value != caption:
                names.append(f)
        elif schema and schema.is_event:
            if f.type in ("district", "latitude", "longitude"):
                place.append(f)
            elif f.type == "text" and f.prop != schema.caption:
                details.append(f)
            elif _distinguishing(f.type, spec.name_role):
                distinguishing.append(f)
        elif _distinguishing(f.type, spec.name_role):
            distinguishing.append(f)
    time = None
    if schema and schema.is_event:
        time = next((v for p in schema.time for v in best_entity.values(p)), None)
    return Card(
        id=best_entity.id, schema=best_entity.schema, schema_label=schema.label if schema else best_entity.schema,
        caption=caption, caption_script=script,
        cluster_id=cluster_id, exact=best.exact, matched=list(dict.fromkeys(c.kind for _, c in hits)),
        hits=[RecordRef(e.id, e.schema, e.source, e.title, c.kind) for e, c in hits],
        records=len(members), sources=dict(Counter(m.source for m in members)), facts=distinguishing[:8],
        names=sorted(names, key=lambda f: f.script != "Arab")[:4],  # the Urdu spelling is never cut off
        is_event=bool(schema and schema.is_event), time=time, place=place, details=details)


def search_people(view: CaseView, q: str, *, page: int = 1, page_size: int = PAGE_SIZE,
                  filters: dict[str, str] | None = None, cap: int = CANDIDATES) -> PeopleResult:
    """The records matching `q`, grouped into people and ranked (exact matches first, then name
    similarity), filtered by `filters` (schema, source, district), one page of cards."""
    kinds = interpret(q)
    text = q.strip()
    filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v}
    keys = [query_key(view, k, v) for k, v in kinds]
    with view.read("read.search", target=keys[0],
                   detail={"queried": keys, "kinds": [k for k, _ in kinds], "page": page, "filters": filters}) as r:
        found, more = candidates(r, index_for(view.gate), kinds, cap)
        by_id = {c.id: c for c in found}
        entities = {e.id: e for e in r.entities(list(by_id))}
        clusters = _clusters(r, list(entities))
        # Group the matching records by person: a cluster, or the record alone.
        groups: dict[str, list[tuple[EntityView, Candidate]]] = defaultdict(list)
        for eid, entity in entities.items():
            groups[clusters[eid][0] if eid in clusters else eid].append((entity, by_id[eid]))
        for matched in groups.values():
            matched.sort(key=lambda h: rank(h[0], h[1], text))

        def score(key: str) -> tuple:
            entity, cand = groups[key][0]
            schema = model().schemata.get(entity.schema)
            event = bool(schema and schema.is_event)
            when = next((v for p in (schema.time if schema else ()) for v in entity.values(p)), "")
            # A record named by the query (a person) before things that merely mention the name (a phone).
            named = bool(schema and cand.kind == "name" and schema.caption in model().props_of_type("name"))
            tier, similarity = rank(entity, cand, text)
            return (tier, not named, similarity, event, _desc(when), -len(groups[key]), entity.caption, key)

        ordered = sorted(groups, key=score)
        facet_values = {k: [_facet_values(e) for e, _ in groups[k]] for k in ordered}

        def passes(key: str, skip: str | None = None) -> bool:
            return all(any(v in fv[f] for fv in facet_values[key]) for f, v in filters.items() if f != skip)

        facets = {f: _facets(f, ordered, facet_values, filters, passes) for f in FACETS}
        kept = [k for k in ordered if passes(k)]
        pages = max(1, math.ceil(len(kept) / page_size))
        page = max(1, min(page, pages))
        shown = kept[(page - 1) * page_size: page * page_size]
        # The cards' other records (the same person in sources the query did not match): one read.
        missing: set[str] = set()
        for k in shown:
            missing.update(clusters.get(groups[k][0][0].id, ("", []))[1])
        missing -= set(entities)
        extra = {e.id: e for e in r.entities(sorted(missing))} if missing else {}
        cards = []
        for k in shown:
            first = groups[k][0][0].id
            cluster_id, member_ids = clusters.get(first, (None, [first]))
            members = [entities.get(m) or extra.get(m) for m in member_ids]
            cards.append(_card(groups[k], [m for m in members if m is not None], cluster_id))
        records = sum(len(groups[k]) for k in kept)
        r.note(records=records, people=len(kept), more=more, shown=len(cards))
    hits = [Hit(c.kind, entities[c.id]) for k in ordered for _, c in groups[k]]
    return PeopleResult(text, [k for k, _ in kinds], cards, len(kept), records, more, cap, page, pages, page_size,
                        facets, filters, hits)


def _desc(when: str) -> str:
    """Newest first for ISO times sorted ascending."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in when)


def _facets(name: str, ordered: list[str], values: dict[str, list[dict[str, set[str]]]], filters: dict[str, str],
            passes) -> list[Facet]:  # type: ignore[no-untyped-def]
    """Counts of people per value of one facet, under the other facets' filters (so each link says
    how many people choosing it would leave)."""
    counts: Counter[str] = Counter()
    for key in ordered:
        if passes(key, skip=name):
            counts.update(set().union(*(fv[name] for fv in values[key])))
    labels = {s: model().schemata[s].label for s in counts if name == "schema" and s in model().schemata}
    return [Facet(name, v, labels.get(v, v), n, filters.get(name) == v)
            for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


__all__ = ["CANDIDATES", "Card", "FACETS", "Facet", "PAGE_SIZE", "PeopleResult", "RecordRef", "search_people"]
