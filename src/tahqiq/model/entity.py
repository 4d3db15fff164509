"""An entity as the store holds it: its schema, its source and every value with its provenance.

The store builds these (`tahqiq.store.reads`, behind the gate); features, exports and the API take
them as they are. One shape everywhere: the API's JSON is this dataclass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tahqiq.model.schema import model


@dataclass(frozen=True)
class Value:
    """One value with its provenance: where it was read, in which ingest batch, and when."""

    value: str
    original: str | None  # as the source wrote it, when normalising changed it
    script: str | None  # 'Arab' for Urdu script, 'Latn', ...
    source: str
    record_id: str
    batch_id: int
    seen_at: datetime


@dataclass
class EntityView:
    id: str
    schema: str
    source: str
    properties: dict[str, list[Value]] = field(default_factory=dict)

    def values(self, prop: str) -> list[str]:
        return [v.value for v in self.properties.get(prop, [])]

    def first(self, prop: str) -> str | None:
        vals = self.values(prop)
        return vals[0] if vals else None

    @property
    def caption(self) -> str:
        """What to call the entity on screen: its schema's caption property, else a name, number
        or title, else its id."""
        schema = model().schemata.get(self.schema)
        for prop in ([schema.caption] if schema and schema.caption else []) + ["name", "number", "title"]:
            value = self.first(prop)
            if value:
                return value
        return self.id

    @property
    def title(self) -> str:
        """What to call the entity on screen, never its id: its caption; for one without a name, its
        kind and an identifier ("Vehicle LEK-200") or its time ("ANPR plate read 2026-11-29 09:10"),
        else its kind."""
        caption = self.caption
        if caption != self.id:
            return caption
        schema = model().schemata.get(self.schema)
        kind = schema.label if schema else self.schema
        idents = self.identifiers(limit=1)
        if idents:
            return f"{kind} {idents[0]}"
        when = next((self.first(p) for p in model().time_props if self.first(p)), None)
        return f"{kind} {when[:16].replace('T', ' ')}" if when else kind

    @property
    def caption_script(self) -> str | None:
        """The script of the caption's value ('Arab' for Urdu), for right-to-left display."""
        label = self.caption
        return next((v.script for vals in self.properties.values() for v in vals if v.value == label), None)

    def identifiers(self, limit: int = 4) -> list[str]:
        """The entity's identifier values (CNIC, phone, plate, ...), for a one-line summary."""
        schema = model().schemata.get(self.schema)
        if schema is None:
            return []
        kinds = model().identifier_types
        return [v.value for name, prop in schema.properties.items() if prop.type in kinds
                for v in self.properties.get(name, [])][:limit]


@dataclass(frozen=True)
class MergedValue:
    """One value of a person or thing known from several records, once, with every source and
    record that states it (what a profile, a graph's details panel and a report show)."""

    prop: str
    label: str
    value: str
    script: str | None
    type: str
    sources: list[str]
    record_ids: list[str]
    originals: list[str]  # other spellings the sources wrote
    loaded: datetime | None  # when the earliest of those records was loaded


@dataclass
class _Slot:
    label: str
    type: str
    script: str | None
    loaded: datetime | None
    sources: dict[str, None] = field(default_factory=dict)  # dicts keep first-seen order, once each
    records: dict[str, None] = field(default_factory=dict)
    originals: dict[str, None] = field(default_factory=dict)


def merge_values(records: Sequence[EntityView]) -> list[MergedValue]:
    """Every (property, value) of these records once, in the model's property order (the first
    record's schema decides it); within a property, the value most records state first."""
    if not records:
        return []
    first = model().schemata.get(records[0].schema)
    order = {p: i for i, p in enumerate(first.properties)} if first else {}
    merged: dict[tuple[str, str], _Slot] = {}
    for record in records:
        schema = model().schemata.get(record.schema)
        for prop, values in record.properties.items():
            spec = schema.properties.get(prop) if schema else None
            for v in values:
                slot = merged.get((prop, v.value))
                if slot is None:
                    slot = merged[(prop, v.value)] = _Slot(spec.label if spec else model().property_label(prop),
                                                           spec.type if spec else "text", v.script, v.seen_at)
                slot.sources[v.source] = None
                slot.records[record.id] = None
                if v.original and v.original != v.value:
                    slot.originals[v.original] = None
                if v.seen_at and (slot.loaded is None or v.seen_at < slot.loaded):
                    slot.loaded = v.seen_at
    out = [MergedValue(prop, s.label, value, s.script, s.type, list(s.sources), list(s.records), list(s.originals),
                       s.loaded) for (prop, value), s in merged.items()]
    out.sort(key=lambda m: (order.get(m.prop, len(order)), m.prop, -len(m.record_ids), m.value))
    return out


def common_title(records: Sequence[EntityView]) -> tuple[str, str | None]:
    """What to call one person or thing known from several records: the caption most of them give
    (Roman script first, so a heading reads in either interface language), with its script."""
    named = [(e.caption, e.caption_script) for e in records if e.caption != e.id]
    if not named:
        return (records[0].title, None) if records else ("", None)
    votes = Counter(named)
    return max(named, key=lambda c: (votes[c], c[1] != "Arab", -named.index(c)))


__all__ = ["EntityView", "MergedValue", "Value", "common_title", "merge_values"]
