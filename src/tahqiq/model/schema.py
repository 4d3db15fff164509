"""The declarative entity model: types, schemata and typed properties, loaded from schema.yml.

Everything downstream (ingest normalisers, the store, FtM export, resolution, the graph, search,
screening, the pages) asks this module what a schema looks like and which facts hold of a type
(is it an identifier? is it searched?) instead of keeping its own list, in the spirit of
followthemoney.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

import yaml

NAME_ROLES = ("own", "part", "kin")
# Words that read as capitals in labels made from property names ("ownerCnic" -> "Owner CNIC").
ACRONYMS = frozenset({"cnic", "iban", "ntn", "imei", "imsi", "ppc", "fir", "url", "id", "str", "osint", "anpr"})


class UnknownSchema(ValueError):
    pass


class UnknownProperty(ValueError):
    pass


def humanise(name: str) -> str:
    """A property name in words: "fatherName" -> "Father name", "ownerCnic" -> "Owner CNIC"."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower().split()
    text = " ".join(w.upper() if w in ACRONYMS else w for w in words)
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Type:
    """A property type: its label, whether its values identify one person or thing (`identifier`:
    a CNIC, a plate) and whether the search box tries a query as this type (`search`)."""

    name: str
    label: str
    identifier: bool = False
    search: bool = False
    person_identity: bool = False  # one person's identity document (CNIC, passport)


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    schema: str
    range: str | None = None  # for entity references: the schema pointed to
    values: tuple[str, ...] = ()  # for enums
    ftm: str | None = None  # followthemoney property used on export
    name_role: str | None = None  # for names: own | part | kin (see schema.yml)
    declared_label: str | None = None

    @property
    def is_reference(self) -> bool:
        return self.type == "entity"

    @property
    def label(self) -> str:
        return self.declared_label or humanise(self.name)

    @property
    def is_own_name(self) -> bool:
        """A name of the entity itself (or of the person a record is about), not a relative's name
        and not a first or last name alone."""
        return self.type == "name" and self.name_role == "own"


@dataclass(frozen=True)
class Schema:
    name: str
    label: str
    ftm: str
    caption: str | None
    is_event: bool
    edge: dict[str, str] | None
    properties: dict[str, Property] = field(default_factory=dict)
    time: tuple[str, ...] = ()  # when the event happened: the first of these present
    is_legal: bool = False  # a legal process against a person (warrant, FIR): shown first on their page

    def get(self, prop: str) -> Property:
        try:
            return self.properties[prop]
        except KeyError:
            known = ", ".join(sorted(self.properties))
            raise UnknownProperty(f"schema {self.name} has no property {prop!r} (known: {known})") from None

    def of_type(self, *types: str) -> list[Property]:
        return [p for p in self.properties.values() if p.type in types]


@dataclass(frozen=True)
class Model:
    schemata: dict[str, Schema]
    types: dict[str, Type] = field(default_factory=dict)

    def get(self, name: str) -> Schema:
        try:
            return self.schemata[name]
        except KeyError:
            known = ", ".join(sorted(self.schemata))
            raise UnknownSchema(f"unknown schema {name!r} (known: {known})") from None

    def __contains__(self, name: object) -> bool:
        return name in self.schemata

    # --- facts every room asks for ------------------------------------------------------------

    @cached_property
    def identifier_types(self) -> tuple[str, ...]:
        """Types whose values identify one person or thing (CNIC, phone, plate, ...)."""
        return tuple(t.name for t in self.types.values() if t.identifier)

    @cached_property
    def person_identity_types(self) -> tuple[str, ...]:
        """Types whose value is one person's identity document: records sharing one are one person."""
        return tuple(t.name for t in self.types.values() if t.person_identity)

    @cached_property
    def search_types(self) -> tuple[str, ...]:
        """Types the search box tries a query as, in the order declared."""
        return tuple(t.name for t in self.types.values() if t.search)

    @cached_property
    def time_props(self) -> tuple[str, ...]:
        """Every property that dates an entity, in order of preference (a schema's own order first)."""
        return tuple(dict.fromkeys(p for s in self.schemata.values() for p in s.time))

    @cached_property
    def event_schemata(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, s in self.schemata.items() if s.is_event))

    @cached_property
    def legal_schemata(self) -> tuple[str, ...]:
        """Schemata of legal process against a person (`legal: true`), in the model's order."""
        return tuple(n for n, s in self.schemata.items() if s.is_legal)

    @cached_property
    def own_name_props(self) -> tuple[str, ...]:
        """Name properties that name the entity (or the person a record is about)."""
        return tuple(sorted({p.name for s in self.schemata.values() for p in s.properties.values() if p.is_own_name}))

    @cached_property
    def _props_by_type(self) -> dict[str, frozenset[str]]:
        by_type: dict[str, set[str]] = {}
        for s in self.schemata.values():
            for p in s.properties.values():
                by_type.setdefault(p.type, set()).add(p.name)
        return {t: frozenset(names) for t, names in by_type.items()}

    def props_of_type(self, *types: str) -> tuple[str, ...]:
        """Every property name, in any schema, holding values of one of these types (asked for per
        value by search ranking and pages, so answered from a table built once)."""
        by_type = self._props_by_type
        return tuple(sorted(set().union(*(by_type.get(t, frozenset()) for t in types))))

    def property_label(self, name: str) -> str:
        """How people read a property name, whichever schema it is from."""
        for schema in self.schemata.values():
            if name in schema.properties:
                return schema.properties[name].label
        return humanise(name)


def _property(schema: str, pname: str, p: dict[str, Any]) -> Property:
    role = p.get("name", "own" if p["type"] == "name" else None)
    if role is not None and (p["type"] != "name" or role not in NAME_ROLES):
        raise ValueError(f"{schema}.{pname}: `name: {role}` is only for names, one of {', '.join(NAME_ROLES)}")
    return Property(name=pname, type=p["type"], schema=schema, range=p.get("range"), values=tuple(p.get("values", ())),
                    ftm=p.get("ftm"), name_role=role, declared_label=p.get("label"))


def _load(text: str) -> Model:
    raw = yaml.safe_load(text)
    types = {name: Type(name, spec.get("label", humanise(name)), bool(spec.get("identifier")), bool(spec.get("search")),
                        bool(spec.get("person_identity")))
             for name, spec in (raw.get("types") or {}).items()}
    schemata = {}
    for name, spec in raw["schemata"].items():
        props = {pname: _property(name, pname, p) for pname, p in spec["properties"].items()}
        undeclared = sorted({p.type for p in props.values()} - set(types)) if types else []
        if undeclared:
            raise ValueError(f"schema {name} uses undeclared type(s) {', '.join(undeclared)}")
        time = tuple(spec.get("time", ()))
        if missing := [t for t in time if t not in props]:
            raise ValueError(f"schema {name}: time property {', '.join(missing)} is not one of its properties")
        schemata[name] = Schema(
            name=name,
            label=spec.get("label", name),
            ftm=spec["ftm"],
            caption=spec.get("caption"),
            is_event=bool(spec.get("event", False)),
            is_legal=bool(spec.get("legal", False)),
            edge=spec.get("edge"),
            properties=props,
            time=time,
        )
    return Model(schemata, types)


@cache
def model() -> Model:
    """The model shipped with Tahqiq (cached: it never changes at run time)."""
    return _load(files("tahqiq.model").joinpath("schema.yml").read_text("utf-8"))
