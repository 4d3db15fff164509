"""The declarative entity model: schemata and typed properties, loaded from schema.yml.

Everything downstream (ingest normalisers, the store, FtM export, resolution) asks this module what a
schema looks like instead of hard-coding it, in the spirit of followthemoney.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import yaml


class UnknownSchema(ValueError):
    pass


class UnknownProperty(ValueError):
    pass


@dataclass(frozen=True)
class Property:
    name: str
    type: str
    schema: str
    range: str | None = None  # for entity references: the schema pointed to
    values: tuple[str, ...] = ()  # for enums
    ftm: str | None = None  # followthemoney property used on export

    @property
    def is_reference(self) -> bool:
        return self.type == "entity"


@dataclass(frozen=True)
class Schema:
    name: str
    label: str
    ftm: str
    caption: str | None
    is_event: bool
    edge: dict | None
    properties: dict[str, Property] = field(default_factory=dict)

    def get(self, prop: str) -> Property:
        try:
            return self.properties[prop]
        except KeyError:
            known = ", ".join(sorted(self.properties))
            raise UnknownProperty(f"schema {self.name} has no property {prop!r} (known: {known})") from None


@dataclass(frozen=True)
class Model:
    schemata: dict[str, Schema]

    def get(self, name: str) -> Schema:
        try:
            return self.schemata[name]
        except KeyError:
            known = ", ".join(sorted(self.schemata))
            raise UnknownSchema(f"unknown schema {name!r} (known: {known})") from None

    def __contains__(self, name: str) -> bool:
        return name in self.schemata


def _load(text: str) -> Model:
    raw = yaml.safe_load(text)
    schemata = {}
    for name, spec in raw["schemata"].items():
        props = {
            pname: Property(
                name=pname,
                type=p["type"],
                schema=name,
                range=p.get("range"),
                values=tuple(p.get("values", ())),
                ftm=p.get("ftm"),
            )
            for pname, p in spec["properties"].items()
        }
        schemata[name] = Schema(
            name=name,
            label=spec.get("label", name),
            ftm=spec["ftm"],
            caption=spec.get("caption"),
            is_event=bool(spec.get("event", False)),
            edge=spec.get("edge"),
            properties=props,
        )
    return Model(schemata)


@cache
def model() -> Model:
    """The model shipped with Tahqiq (cached: it never changes at run time)."""
    return _load(files("tahqiq.model").joinpath("schema.yml").read_text("utf-8"))
