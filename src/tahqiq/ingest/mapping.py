"""Declarative source mappings: how one agency's rows become entities of the model.

A mapping is a YAML file::

    source: nadra_id_registry          # provenance name of the source system
    label: NADRA ID registry extract
    format: csv                        # csv | jsonl | parquet | sql
    encoding: auto                     # auto | utf-8 | utf-8-sig | utf-16 | cp1256 | ...
    record_id: record_id               # column(s) identifying a row in the source (else: row number)
    retention_days: 3650               # how long this source's data may be kept (governance)
    input: ../sources/nadra.csv        # optional default input, relative to the mapping file
                                       # (for format: sql, a database URL)
    query: SELECT ...                  # format: sql only
    entities:
      person:                          # a local name, used for references inside the row
        schema: Person
        key: [cnic]                    # columns whose values identify the entity in this source
        properties:
          name: full_name              # shorthand: a column name
          cnic: {column: cnic, required: true}
          birthDate: {column: dob, format: "%d/%m/%Y"}
          gender: {column: sex}
          nationality: {value: PK}     # a constant
          fatherName: {column: father_name}
      phone:
        schema: Phone
        key: [msisdn]
        properties:
          number: {column: msisdn, required: true}
          owner: {entity: person}      # a reference to another entity of the same row

A value that fails its normaliser sends the whole row to quarantine (with the field and the reason)
unless the property says ``on_invalid: skip``, in which case only that value is dropped. Empty cells
are simply absent, unless the property is ``required``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tahqiq.model.schema import model


class MappingError(ValueError):
    """A mapping file that cannot be used; the message says where and why."""


class PropertyMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    column: str | list[str] | None = None  # several columns are joined with a space
    value: str | None = None  # a constant
    entity: str | None = None  # reference to another entity mapped from the same row
    required: bool = False
    format: str | list[str] | None = None  # strptime format(s) for dates and datetimes
    split: str | None = None  # split one cell into several values on this separator
    on_invalid: Literal["quarantine", "skip"] = "quarantine"

    @model_validator(mode="after")
    def _one_origin(self) -> PropertyMapping:
        origins = [x for x in (self.column, self.value, self.entity) if x is not None]
        if len(origins) != 1:
            raise ValueError("give exactly one of column, value or entity")
        return self

    @property
    def columns(self) -> list[str]:
        if self.column is None:
            return []
        return [self.column] if isinstance(self.column, str) else list(self.column)

    @property
    def formats(self) -> list[str]:
        if self.format is None:
            return []
        return [self.format] if isinstance(self.format, str) else list(self.format)


class EntityMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: str = Field(alias="schema")
    key: list[str] = Field(min_length=1)
    properties: dict[str, PropertyMapping]

    @field_validator("properties", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        # `name: full_name` is shorthand for `name: {column: full_name}`
        return {k: ({"column": p} if isinstance(p, (str, list)) else p) for k, p in (v or {}).items()}

    @field_validator("key", mode="before")
    @classmethod
    def _key_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$")
    label: str | None = None
    format: Literal["csv", "jsonl", "parquet", "sql"]
    encoding: str = "auto"
    delimiter: str = ","
    record_id: list[str] | None = None
    retention_days: int | None = Field(default=None, gt=0)
    query: str | None = None
    input: str | None = None
    entities: dict[str, EntityMapping] = Field(min_length=1)

    @field_validator("record_id", mode="before")
    @classmethod
    def _record_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _check_against_model(self) -> Mapping:
        m = model()
        for local, ent in self.entities.items():
            schema = m.get(ent.schema_)  # raises with the list of known schemata
            for pname, pm in ent.properties.items():
                prop = schema.get(pname)
                if pm.entity is not None:
                    if not prop.is_reference:
                        raise ValueError(f"{local}.{pname}: only entity-typed properties take `entity:`")
                    if pm.entity not in self.entities:
                        raise ValueError(f"{local}.{pname}: refers to unknown entity {pm.entity!r}")
                elif prop.is_reference:
                    raise ValueError(f"{local}.{pname}: an entity property must use `entity: <name>`")
        if self.format == "sql" and not self.query:
            raise ValueError("format sql needs a `query`")
        return self

    @property
    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        cols = set(self.record_id or [])
        for ent in self.entities.values():
            cols.update(ent.key)
            for pm in ent.properties.values():
                cols.update(pm.columns)
        return cols

    def fingerprint(self) -> str:
        """Stable hash of the mapping's meaning (not its comments), part of a batch's identity."""
        return hashlib.sha256(self.model_dump_json(by_alias=True).encode()).hexdigest()[:16]


def default_input(mapping: Mapping, mapping_path: str | Path) -> str | None:
    """The mapping's own `input:`, with a relative file path taken from the mapping's folder."""
    if mapping.input is None:
        return None
    if mapping.format == "sql" or "://" in mapping.input:
        return mapping.input
    return str((Path(mapping_path).parent / mapping.input).resolve())


def load_mapping(path: str | Path) -> Mapping:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except FileNotFoundError:
        raise MappingError(f"mapping file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise MappingError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise MappingError(f"{path}: a mapping must be a YAML mapping (key: value), got {type(raw).__name__}")
    try:
        return Mapping.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: invalid mapping"]
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            lines.append(f"  {where}: {err['msg']}")
        raise MappingError("\n".join(lines)) from None
