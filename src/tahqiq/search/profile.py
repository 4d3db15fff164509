"""One person (or thing) from many sources: the values of a resolved cluster merged, each value once
with the sources and records that say it, and the warrants and FIRs that name any of its records.

    with gate.session(me, case, purpose) as view:
        p = profile(view, entity_id)        # one gated read, however many records the cluster has
        p.facts                             # [Fact(prop, label, value, sources, record_ids, ...)]
        p.legal                             # [Linked(...)]: warrants and FIRs naming this person

Resolution (tahqiq.resolve) decides which records are one person and stores the clusters beside
the entities; this module only reads them through the gate (`Reader.cluster_of`). The case report
and the entity page both build on `profile`; search cards use `merge_facts` on what they loaded.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from tahqiq.govern import CaseView, Reader
from tahqiq.model.entity import EntityView, common_title, merge_values
from tahqiq.model.schema import Property, model

# Which records are the legal basis for treating someone as wanted or accused. The model has no flag
# for this yet (requested: `legal: true` on these schemata in schema.yml); until then, named here once.
# Facts of a warrant or FIR worth showing beside the person: what it is, not whom it names.
_LEGAL_FACT_TYPES = ("identifier", "text", "date", "datetime", "enum", "district")
HOLDERS_PER_VALUE = 50  # records naming one of the person's values: enough for a page, never a flood


@dataclass(frozen=True)
class Ref:
    """The entity a reference value points to, as people read it (its caption, never its id)."""

    id: str
    schema: str
    schema_label: str
    caption: str


@dataclass(frozen=True)
class Fact:
    """One value of the person, once, with every source record that states it."""

    prop: str
    label: str
    value: str
    script: str | None
    sources: list[str]
    record_ids: list[str]
    originals: list[str] = field(default_factory=list)  # other spellings the sources wrote
    loaded: datetime | None = None  # when the earliest of those records was loaded
    type: str = "text"
    ref: Ref | None = None  # for references to other entities

    @property
    def display(self) -> str:
        return self.ref.caption if self.ref else self.value


@dataclass(frozen=True)
class Record:
    """One source record of the person."""

    id: str
    schema: str
    source: str
    caption: str
    identifiers: list[str]
    loaded: datetime | None


@dataclass(frozen=True)
class Linked:
    """A warrant or FIR that names one of the person's records or carries one of their identifiers."""

    id: str
    schema: str
    schema_label: str
    caption: str
    relation: str  # how it names the person: "Subject", "Accused CNIC"
    facts: list[tuple[str, str, str]]  # (label, value, type)
    status: str | None


@dataclass(frozen=True)
class Profile:
    id: str  # the entity asked for
    schema: str
    schema_label: str
    caption: str
    caption_script: str | None
    cluster_id: str | None
    member_ids: list[str]
    facts: list[Fact]
    identifiers: list[str]
    sources: dict[str, int]
    records: list[Record] = field(default_factory=list)
    legal: list[Linked] = field(default_factory=list)

    @property
    def wanted(self) -> bool:
        """An active warrant names this person."""
        return any(x.schema == "Warrant" and x.status in (None, "active") for x in self.legal)


def _spec(schema: str, prop: str) -> Property | None:
    s = model().schemata.get(schema)
    return s.properties.get(prop) if s else None


def merge_facts(members: Iterable[EntityView], refs: dict[str, Ref] | None = None) -> list[Fact]:
    """Every (property, value) of these records once, with the sources and records that state it
    (model.entity.merge_values), references shown by the other record's caption."""
    return [Fact(m.prop, m.label, m.value, m.script, m.sources, m.record_ids, m.originals, m.loaded, m.type,
                 (refs or {}).get(m.value) if m.type == "entity" else None) for m in merge_values(list(members))]


def best_caption(members: list[EntityView], prefer: EntityView | None = None) -> tuple[str, str | None]:
    """What to call a cluster: the asked record's title when it was asked for, else the caption most
    of its records give."""
    if prefer is not None:
        return prefer.title, prefer.caption_script
    return common_title(members)


def identifiers_of(facts: list[Fact]) -> list[str]:
    kinds = model().identifier_types
    return list(dict.fromkeys(f.value for f in facts if f.type in kinds))


def _loaded(entity: EntityView) -> datetime | None:
    times = [v.seen_at for vals in entity.properties.values() for v in vals if v.seen_at]
    return min(times) if times else None


def _legal(r: Reader, members: list[EntityView], facts: list[Fact]) -> list[Linked]:
    """Warrants and FIRs that reference one of the records or carry one of the identifiers: one
    batched holders lookup, then the records found, read (and disclosed) together."""
    ids = {m.id for m in members}
    pairs = [(p, mid) for p in model().props_of_type("entity") for mid in ids]
    for f in facts:
        if f.type in model().identifier_types:
            pairs += [(p, f.value) for p in model().props_of_type(f.type)]
    relation: dict[str, str] = {}
    for eid, holder_schema, prop, _ in r.holders(pairs, HOLDERS_PER_VALUE):
        if holder_schema in model().legal_schemata and eid not in ids:
            spec = _spec(holder_schema, prop)
            relation.setdefault(eid, spec.label if spec else model().property_label(prop))
    if not relation:
        return []
    out = []
    for e in r.entities(list(relation)):
        schema = model().schemata.get(e.schema)
        shown = []
        for name, spec in (schema.properties.items() if schema else ()):
            if spec.type in _LEGAL_FACT_TYPES and name != "status":
                shown += [(spec.label, v, spec.type) for v in e.values(name)]
        out.append(Linked(e.id, e.schema, schema.label if schema else e.schema, e.title, relation[e.id], shown,
                          e.first("status")))
    out.sort(key=lambda x: (model().legal_schemata.index(x.schema), x.caption))  # in the model's order
    return out


def read_profile(r: Reader, entity_id: str) -> Profile | None:
    """The profile, read with a reader the caller holds (inside its own decided block)."""
    cluster_id, ids = r.cluster_of(entity_id)
    ids = ids or [entity_id]
    if entity_id not in ids:
        ids = [entity_id, *ids]
    members = r.entities(ids)
    asked = next((m for m in members if m.id == entity_id), None)
    if asked is None:
        return None
    # The asked record first: its schema orders the facts, and its caption heads the page.
    members.sort(key=lambda m: (m.id != entity_id, m.source, m.id))
    refs_wanted = {v.value for m in members for p, vals in m.properties.items()
                   if (s := _spec(m.schema, p)) and s.is_reference for v in vals} - set(ids)
    refs = {}
    for e in r.entities(sorted(refs_wanted)) if refs_wanted else []:
        ref_schema = model().schemata.get(e.schema)
        label = ref_schema.label if ref_schema else e.schema
        refs[e.id] = Ref(e.id, e.schema, label, e.title)
    facts = merge_facts(members, refs)
    caption, script = best_caption(members, asked)
    schema = model().schemata.get(asked.schema)
    records = [Record(m.id, m.schema, m.source, m.title, m.identifiers(), _loaded(m)) for m in members]
    legal = _legal(r, members, facts)
    r.note(cluster=cluster_id, members=len(members), legal=len(legal))
    return Profile(entity_id, asked.schema, schema.label if schema else asked.schema, caption, script, cluster_id,
                   [m.id for m in members], facts, identifiers_of(facts), dict(Counter(m.source for m in members)),
                   records, legal)


def profile(view: CaseView, entity_id: str) -> Profile | None:
    """The merged profile of the person (or thing) `entity_id` belongs to, or None when there is no
    such entity. One gated read ("read.profile"), however many records the cluster has."""
    with view.read("read.profile", target=entity_id) as r:
        return read_profile(r, entity_id)


__all__ = ["Fact", "Linked", "Profile", "Record", "Ref", "best_caption", "identifiers_of",
           "merge_facts", "profile", "read_profile"]
