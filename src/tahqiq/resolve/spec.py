"""Which fields take part in resolving a schema, and how each is compared: derived from the model.

A field's *kind* decides its comparison and whether it may block; the kind comes from the property's
type in `tahqiq/model/schema.yml`, so adding a property of type `cnic` to a schema makes it a strong
identifier for resolution without touching this package:

    name                 -> "name"        canonical key, skeleton key, Jaro-Winkler levels
    cnic                 -> "national_id" exact; two different values forbid a merge (never-merge)
    phone, passport,
    iban, email,
    identifier, chassis,
    plate                -> "identifier"  exact, one-edit typo
    date                 -> "date"        exact, day/month swapped, one-digit typo, same year
    district, country    -> "category"    exact
    text                 -> "text"        exact, Jaro-Winkler
    gender, enum         -> "category"    exact (weak evidence; never blocks)

Foreign datasets (FEBRL in the evaluation) declare their columns' kinds directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tahqiq.model.schema import model

TYPE_KINDS = {
    "name": "name",
    "cnic": "national_id",
    "phone": "identifier",
    "passport": "identifier",
    "iban": "identifier",
    "email": "identifier",
    "identifier": "identifier",
    "chassis": "identifier",
    "plate": "identifier",
    "date": "date",
    "district": "category",
    "province": "category",
    "country": "category",
    "text": "text",
    "gender": "category",
    "enum": "category",
    "number": "category",
}

# How the records of several tables relate (Splink's link_type): one table's duplicates, matches
# across tables only, or both.
LinkType = Literal["link_only", "link_and_dedupe", "dedupe_only"]

KINDS = ("name", "national_id", "identifier", "date", "category", "text", "postcode")

# The properties of each schema that describe *who* a record is about. Relations (addressEntity,
# owner) and free text that changes over a life (occupation, address) are left out on purpose.
RESOLVED_PROPERTIES = {
    "Person": ("name", "fatherName", "birthDate", "cnic", "phone", "district", "gender"),
}

# Name properties that can be recovered from another name's "s/o", "d/o", "w/o", "bin" part.
PARENTAGE = {"Person": {"fatherName": "name"}}


@dataclass(frozen=True)
class Field:
    column: str
    kind: str
    # Strong fields may form a blocking rule on their own (a national ID, a phone number).
    blocks_alone: bool = False
    # A name field whose value, when missing, may be read from another name field's parentage
    # part: police write "Aslam s/o Akram" in one column, NADRA keeps the father's name apart.
    parentage_of: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"field {self.column!r}: unknown kind {self.kind!r} (known: {', '.join(KINDS)})")


def fields_for(schema: str) -> list[Field]:
    """The resolution fields of a model schema, each with the kind its property type implies."""
    if schema not in RESOLVED_PROPERTIES:
        raise ValueError(f"no resolution fields are declared for schema {schema!r} "
                         f"(resolvable: {', '.join(RESOLVED_PROPERTIES)})")
    sch = model().get(schema)
    out = []
    for prop in RESOLVED_PROPERTIES[schema]:
        ptype = sch.get(prop).type
        kind = TYPE_KINDS.get(ptype)
        if kind is None:
            raise ValueError(f"{schema}.{prop}: type {ptype!r} has no resolution kind")
        out.append(Field(prop, kind, blocks_alone=kind in ("national_id", "identifier"),
                         parentage_of=PARENTAGE.get(schema, {}).get(prop)))
    return out
