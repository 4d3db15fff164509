"""Screening a record: which watchlist entries (and which store entities) it matches, and why.

    hits = screen_record(index, {"name": "محمد اسلم", "fatherName": "Ghulam Rasool", "cnic": "3520212345671"})
    with gate.session(me, case, purpose) as view:
        found = screen_store(view, {"phone": "0300-1234567"}, index=index)

`screen_record` needs no database: the index already holds the active entries (loaded through the
gate). Exact keys are normalised first (an unreadable value is skipped, or raises with
`strict=True`); a name is matched fuzzily with its father's name and date of birth when the record
has them. `screen_store` looks the record's exact keys up among the store's entities through the
case's view (each lookup a gated, audited read) and, given an index, screens what those entities
carry: a phone number whose subscriber's CNIC is on a watchlist is a hit through that entity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tahqiq.model.types import InvalidValue
from tahqiq.screen.hits import WatchHit
from tahqiq.screen.index import DEFAULT_THRESHOLD, WatchlistIndex
from tahqiq.screen.keys import normalise_birth_date, normalise_key

# Record fields read as exact keys: the shared key kinds, and the model's property names for them.
# These two lists stay hand-kept rather than derived from the model's property types: deriving them
# (model().props_of_type(kind)) would change what is screened. It would add accusedCnic,
# complainantCnic, complainantPhone, suspectPhone, suspectIban, sourceUrl and suspectUrl to the
# fields read; the key kinds' own names (chassis, indicator, domain, url, ip, hash) are record fields
# but no property; a property name does not fix its type (number and registrationNumber are also
# `identifier` in IdentityDocument and Organization); and STORE_PROPS looks up a deliberate subset
# (plate: registrationNumber only, not PlateRead.plate; no subjectCnic, payerIban or payeeIban).
FIELD_KINDS = {
    "cnic": "cnic", "subscriberCnic": "cnic", "ownerCnic": "cnic", "holderCnic": "cnic", "subjectCnic": "cnic",
    "phone": "phone", "number": "phone",
    "plate": "plate", "registrationNumber": "plate",
    "chassis": "chassis", "chassisNumber": "chassis",
    "iban": "iban", "payerIban": "iban", "payeeIban": "iban",
    "indicator": "indicator", "domain": "indicator", "url": "indicator", "ip": "indicator", "email": "indicator",
    "hash": "indicator",
}
NAME_FIELDS = ("name", "alias", "nameUrdu", "subjectName", "subscriberName", "ownerName", "holderName")
# Store properties that hold each key kind, for screen_store.
STORE_PROPS = {
    "cnic": ("cnic", "subscriberCnic", "ownerCnic", "holderCnic"),
    "phone": ("phone", "number"),
    "plate": ("registrationNumber",),
    "chassis": ("chassisNumber",),
    "iban": ("iban",),
    "indicator": ("email",),
}


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v) for v in value if v not in (None, "")]
    return [str(value)] if str(value).strip() else []


def record_keys(record: Mapping[str, Any], *, strict: bool = False) -> list[tuple[str, str, str]]:
    """(field, kind, normalised value) of every exact key in the record. Unreadable values are
    skipped, or raise InvalidValue naming the field with `strict`."""
    out = []
    for fld, value in record.items():
        kind = FIELD_KINDS.get(fld)
        if kind is None:
            continue
        for raw in _values(value):
            try:
                out.append((fld, kind, normalise_key(kind, raw)))
            except InvalidValue as exc:
                if strict:
                    raise InvalidValue(f"{fld}: {exc}") from None
    return list(dict.fromkeys(out))


def screen_record(index: WatchlistIndex, record: Mapping[str, Any], *, strict: bool = False,
                  threshold: float = DEFAULT_THRESHOLD, limit: int | None = None, at=None) -> list[WatchHit]:
    """Every watchlist hit for a record with any of cnic / phone / plate / chassis / iban /
    indicator (or the model's names for them), name (+ fatherName, birthDate). Best first; every
    name hit above the threshold unless `limit` caps the name hits per name field."""
    hits: dict[tuple[int, str, str], WatchHit] = {}
    for fld, kind, value in record_keys(record, strict=strict):
        for hit in index.hits(kind, value, at=at):
            hit.explanation["field"] = fld
            hits.setdefault((hit.entry_id, hit.kind, hit.value), hit)
    father = next(iter(_values(record.get("fatherName"))), None)
    birth = next(iter(_values(record.get("birthDate"))), None)
    if birth is not None:
        try:
            birth = normalise_birth_date(birth)
        except InvalidValue:
            if strict:
                raise
            birth = None  # an unreadable date only loses the date's evidence, not the name match
    for fld in NAME_FIELDS:
        for name in _values(record.get(fld)):
            try:
                found = index.match_name(name, birth_date=birth, father_name=father, threshold=threshold,
                                         limit=limit, at=at)
            except ValueError:
                if strict:
                    raise InvalidValue(f"{fld}: no name words after removing titles and parentage") from None
                continue
            for hit in found:
                hit.explanation["field"] = fld
                key = (hit.entry_id, hit.kind, hit.value)
                if key not in hits or hits[key].score < hit.score:
                    hits[key] = hit
    return sorted(hits.values(), key=lambda h: (-h.score, h.entry_id, h.kind))


@dataclass(frozen=True)
class StoreMatch:
    """A store entity carrying one of the record's keys."""

    field: str
    kind: str
    prop: str
    entity_id: str
    schema: str
    source: str
    caption: str | None


@dataclass
class StoreScreening:
    matches: list[StoreMatch] = field(default_factory=list)
    hits: list[WatchHit] = field(default_factory=list)  # watchlist hits through those entities


def _entity_record(entity) -> dict[str, list[str]]:
    record: dict[str, list[str]] = {}
    for prop in FIELD_KINDS:
        if prop in entity.properties:
            record[prop] = entity.values(prop)
    return record


def screen_store(view, record: Mapping[str, Any], *, index: WatchlistIndex | None = None,
                 limit: int = 100, strict: bool = False) -> StoreScreening:
    """Store entities that carry the record's exact keys (found through the case's view: gated and
    audited), and, with `index`, the watchlist hits of the keys those entities carry."""
    result = StoreScreening()
    seen: set[str] = set()
    for fld, kind, value in record_keys(record, strict=strict):
        for prop in STORE_PROPS.get(kind, ()):
            for entity in view.find(prop, value, limit=limit):
                caption = entity.first("name") or entity.first("number") or entity.first("registrationNumber")
                result.matches.append(StoreMatch(fld, kind, prop, entity.id, entity.schema, entity.source, caption))
                if index is None or entity.id in seen:
                    continue
                seen.add(entity.id)
                for hit in screen_record(index, _entity_record(entity)):
                    hit.explanation.update({"via_entity": entity.id, "via_field": fld})
                    result.hits.append(hit)
    result.hits = list({(h.entry_id, h.kind, h.value): h for h in result.hits}.values())
    return result


def hit_entry_ids(hits: Iterable[WatchHit]) -> list[int]:
    return sorted({h.entry_id for h in hits})


__all__ = ["screen_record", "screen_store", "record_keys", "StoreMatch", "StoreScreening", "FIELD_KINDS"]
