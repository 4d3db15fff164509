"""Turn one source row into entities and statements, or into a rejection with field and reason.

Pure functions, no database: the runner batches their output. Ids are content hashes so that the
same row always yields the same ids (idempotent, resumable ingest).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field
from typing import TypedDict

from tahqiq.ingest.mapping import EntityMapping, Mapping, PropertyMapping
from tahqiq.model.schema import Schema, model
from tahqiq.model.types import InvalidValue, clean_text, normalise, script_of

_SCRIPTED_TYPES = {"name", "text"}


def make_id(*parts: str) -> str:
    """A 128-bit content hash of the parts, as 32 hex characters."""
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


class MappedStatement(TypedDict):
    """One value of one property of an entity, with its provenance (a `statements` row, less the
    batch and the time, which the runner adds)."""

    id: str
    entity_id: str
    schema: str
    prop: str
    value: str
    original: str | None  # the value as the source wrote it, when normalising changed it
    script: str | None  # the script of names and texts (Latin, Arabic...)
    source: str
    record_id: str


@dataclass
class MappedEntity:
    id: str
    schema: str
    statements: list[MappedStatement] = field(default_factory=list)
    local: str = ""  # the mapping's name for it (person, accused, complainant...)


@dataclass
class MappedRow:
    record_id: str
    entities: list[MappedEntity]


@dataclass(frozen=True)
class Rejection:
    field: str | None
    reason: str


def _cell(row: AnyMapping[str, object], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def _raw_values(pm: PropertyMapping, row: AnyMapping[str, object]) -> list[str]:
    if pm.value is not None:
        return [pm.value]
    parts = [c for c in (_cell(row, col) for col in pm.columns) if c]
    if not parts:
        return []
    joined = " ".join(parts)
    if pm.split:
        return [p.strip() for p in joined.split(pm.split) if p.strip()]
    return [joined]


class RowMapper:
    """Compiled form of a mapping: resolves schemata and property types once, not per row."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.source = mapping.source
        m = model()
        self.entities: list[tuple[str, EntityMapping, Schema]] = [
            (local, ent, m.get(ent.schema_)) for local, ent in mapping.entities.items()
        ]
        # Entities referenced by others are built first so references can use their ids.
        self.entities.sort(key=lambda e: any(pm.entity for pm in e[1].properties.values()))

    def record_id(self, row: AnyMapping[str, object], row_number: int) -> str | Rejection:
        if not self.mapping.record_id:
            return f"row:{row_number}"
        parts = [_cell(row, c) for c in self.mapping.record_id]
        cells = [p for p in parts if p]
        if len(cells) < len(parts):
            empty = [c for c, p in zip(self.mapping.record_id, parts, strict=True) if not p]
            return Rejection(",".join(empty), "record id is empty")
        return "|".join(cells)

    def map(self, row: AnyMapping[str, object], row_number: int) -> MappedRow | Rejection:
        record_id = self.record_id(row, row_number)
        if isinstance(record_id, Rejection):
            return record_id
        built: dict[str, MappedEntity] = {}
        for local, ent, schema in self.entities:
            values: dict[str, list[tuple[str, str]]] = {}
            by_column: dict[str, str] = {}
            for pname, pm in ent.properties.items():
                if pm.entity is not None:
                    continue
                prop = schema.properties[pname]
                raws = _raw_values(pm, row)
                if not raws and pm.required:
                    where = f"{local}.{pname}" + (f" ({', '.join(pm.columns)})" if pm.columns else "")
                    return Rejection(where, "required value is missing")
                for raw in raws:
                    try:
                        norm = normalise(prop.type, raw, formats=pm.formats, values=prop.values)
                    except InvalidValue as exc:
                        if pm.on_invalid == "skip":
                            continue
                        where = f"{local}.{pname}" + (f" ({', '.join(pm.columns)})" if pm.columns else "")
                        return Rejection(where, str(exc))
                    values.setdefault(pname, []).append((norm, raw))
                    for col in pm.columns:
                        by_column.setdefault(col, norm)
            if not values:
                continue  # nothing known about this entity in this row (e.g. no accused named)
            key = [by_column.get(col) or clean_text(_cell(row, col) or "") for col in ent.key]
            if not any(key):
                key = ["record", record_id, local]  # no key value: the entity is this row's own
            entity = MappedEntity(make_id(self.source, schema.name, *key), schema.name, local=local)
            for pname, pairs in values.items():
                ptype = schema.properties[pname].type
                for norm, raw in pairs:
                    entity.statements.append(self._statement(entity, pname, norm, raw, ptype, record_id))
            built[local] = entity
        for local, ent, _schema in self.entities:
            referrer = built.get(local)
            if referrer is None:
                continue
            for pname, pm in ent.properties.items():
                target = built.get(pm.entity) if pm.entity else None
                if target is not None:
                    referrer.statements.append(self._statement(referrer, pname, target.id, None, "entity", record_id))
        return MappedRow(record_id, list(built.values()))

    def _statement(self, entity: MappedEntity, prop: str, value: str, raw: str | None, ptype: str,
                   record_id: str) -> MappedStatement:
        original = raw if raw is not None and clean_text(raw) != value else None
        return {
            "id": make_id(entity.id, prop, value, record_id),
            "entity_id": entity.id,
            "schema": entity.schema,
            "prop": prop,
            "value": value,
            "original": original,
            "script": script_of(value) if ptype in _SCRIPTED_TYPES else None,
            "source": self.source,
            "record_id": record_id,
        }
