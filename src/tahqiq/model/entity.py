"""An entity as the store holds it: its schema, its source and every value with its provenance.

The store builds these (`tahqiq.store.reads`, behind the gate); features, exports and the API take
them as they are. One shape everywhere: the API's JSON is this dataclass.
"""

from __future__ import annotations

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


__all__ = ["EntityView", "Value"]
