"""Links between entities, found in the store through the gate's reader.

Two entities are linked when one names the other (an FIR's `accused`, a phone's `owner`: the model's
entity-reference properties; the relation is the property's name) or when they carry the same
identifier (`same_cnic`, `same_phone`, `same_plate`, ...; the model's identifier types): that is how
an FIR's complainant leads to the NADRA record of the same CNIC before resolution has run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from tahqiq.govern import Reader
from tahqiq.model.schema import model


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

    @property
    def label(self) -> str:
        return relation_label(self.relation)


@cache
def _link_props() -> tuple[frozenset[str], dict[tuple[str, str], str]]:
    """Names of reference properties, and identifier type by (schema, property)."""
    refs, idents = set(), {}
    for schema in model().schemata.values():
        for prop in schema.properties.values():
            if prop.is_reference:
                refs.add(prop.name)
            elif prop.type in model().identifier_types:
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


def relation_label(relation: str) -> str:
    """How people read a relation: "addressEntity" -> "Address entity", "same_cnic" -> "Same CNIC"."""
    if relation.startswith("same_"):
        kind = relation.removeprefix("same_")
        label = model().types[kind].label if kind in model().types else kind
        return f"Same {label}" if label.isupper() else f"Same {label[:1].lower()}{label[1:]}"
    return model().property_label(relation)


def find_links(reader: Reader, ids: Iterable[str], relations: set[str] | None = None, fanout: int = 200, *,
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
    schemata = reader.schemata(ids)
    for eid, schema, prop, value in reader.values_of(ids, set(refs) | ident_props):
        if prop in refs:
            links.append(Link(eid, value, prop))
        elif (schema, prop) in idents:
            own.append((eid, idents[(schema, prop)], value))
    # Incoming references (only the properties whose range admits the entity's schema) and the other
    # holders of the same identifiers (only properties of the same type): the (prop, value) index
    # answers each pair, at most `fanout` (+ the entity itself) per pair.
    incoming = [(prop, eid) for eid in ids for prop in _refs_to(schemata.get(eid), events_by_time)]
    links.extend(Link(eid, value, prop) for eid, _, prop, value
                 in reader.holders(incoming, per=fanout, events_by_time=events_by_time))
    by_type = _props_of_type(events_by_time)
    holders: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)  # in the order found (events: newest first)
    pairs = [(prop, value) for _, kind, value in own for prop in by_type.get(kind, ())]
    for eid, schema, prop, value in reader.holders(pairs, per=fanout + 1, events_by_time=events_by_time):
        if kind := idents.get((schema, prop)):
            holders[(kind, value)][eid] = None
    for eid, kind, value in own:
        for other in list(holders.get((kind, value), ()))[: fanout + 1]:
            if other != eid:
                links.append(Link(eid, other, f"same_{kind}"))
    if relations:
        links = [link for link in links if link.relation in relations]
    # Cap each entity's links per relation, and drop duplicates (a same_* link is found from both ends).
    seen: set[tuple[str, str, str]] = set()
    kept: list[Link] = []
    per: dict[tuple[str, str], int] = defaultdict(int)
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


@cache
def holding_schemata() -> frozenset[str]:
    """Schemata of things a person holds or is the subject of (a phone, a vehicle, an account, a
    document, a warrant): not events, not relationships, with a reference to a Person."""
    return frozenset(name for name, sch in model().schemata.items()
                     if not sch.is_event and not sch.edge
                     and any(p.is_reference and p.range == "Person" for p in sch.properties.values()))


__all__ = ["Link", "find_links", "holding_schemata", "relation_label", "relation_names"]
