"""What a watchlist entry may contain, and the checks an entry passes before it is stored.

Pure validation (no database, no gate): `tahqiq.screen.watchlists` calls `validate_entry` for each
entry or CSV row, collects every error, and only then writes. Keys are normalised with
`tahqiq.screen.keys`; error reasons name the field and never repeat the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from tahqiq.model.schema import model
from tahqiq.model.types import InvalidValue
from tahqiq.screen import keys as K
from tahqiq.store.base import aware_utc

ENTRY_KINDS = ("person", "phone", "plate", "chassis", "indicator")
# Which keys each kind of entry may carry, and which one it must (at least one of).
ALLOWED_KEYS = {
    "person": ("name", "cnic", "phone", "iban"),
    "phone": ("phone",),
    "plate": ("plate", "chassis"),
    "chassis": ("chassis", "plate"),
    "indicator": ("indicator",),
}
REQUIRED_KEYS = {"person": ("name", "cnic"), "phone": ("phone",), "plate": ("plate",), "chassis": ("chassis",),
                 "indicator": ("indicator",)}
# The store schema an entity must have to back an entry (indicators come from no entity).
ENTRY_SCHEMA = {"person": "Person", "phone": "Phone", "plate": "Vehicle", "chassis": "Vehicle"}


def entity_keys(kind: str) -> tuple[str, dict[str, str]] | None:
    """(schema, {property: key kind}) of the store entity an entry of `kind` is made from: every
    property whose type is a key the entry may carry (for names, the entity's own names only)."""
    if kind not in ENTRY_SCHEMA:
        return None
    schema = model().get(ENTRY_SCHEMA[kind])
    return schema.name, {p.name: p.type for p in schema.properties.values()
                         if p.type in ALLOWED_KEYS[kind] and (p.type != "name" or p.is_own_name)}


@dataclass
class Draft:
    kind: str
    reason: str
    expires_at: datetime
    keys: list[tuple[str, str, str | None]] = field(default_factory=list)  # kind, value, original
    birth_date: str | None = None
    father_name: str | None = None
    indicator_type: str | None = None
    stix_pattern: str | None = None
    entity_id: str | None = None

    @property
    def label(self) -> str:
        first = next((v for k, v, _ in self.keys if k == "name"), None) or self.keys[0][1]
        return first[:300]


def as_list(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    return [v for v in values if v is not None and str(v).strip()]


def validate_entry(kind: str, *, reason: str, expires_at: datetime | None, keys: Mapping[str, Iterable[str] | str],
                   case_ref: str, case_expires: datetime, now: datetime, birth_date: str | None = None,
                   father_name: str | None = None, indicator_type: str | None = None,
                   stix_pattern: str | None = None, entity_id: str | None = None,
                   row: int | None = None) -> tuple[Draft | None, list]:
    """Check one entry as an officer (or a CSV row) gave it: (draft, []) or (None, errors), each error
    (row, field, reason). The expiry must be in the future and not after the case's."""
    errors: list[tuple[int | None, str, str]] = []

    def bad(fld: str, why: str) -> None:
        errors.append((row, fld, why))

    if kind not in ENTRY_KINDS:
        bad("kind", f"must be one of {', '.join(ENTRY_KINDS)}")
        return None, errors
    if not reason or len(reason.strip()) < 3:
        bad("reason", "give the reason for the entry (a few words)")
    expires = aware_utc(expires_at) if expires_at else None
    case_expiry = aware_utc(case_expires)
    if expires is None:
        bad("expires", "every entry needs an expiry")
    elif expires <= now:
        bad("expires", "the expiry must be in the future")
    elif expires > case_expiry:
        bad("expires", f"cannot outlast its case (case {case_ref} expires {case_expiry:%Y-%m-%d %H:%M} UTC)")
    draft = Draft(kind, (reason or "").strip(), expires or now, entity_id=entity_id)
    unknown = sorted(set(keys) - set(ALLOWED_KEYS[kind]))
    for k in unknown:
        if as_list(keys[k]):
            bad(k, f"a {kind} entry carries only {', '.join(ALLOWED_KEYS[kind])}")
    seen: set[tuple[str, str]] = set()
    for key_kind in ALLOWED_KEYS[kind]:
        for raw in as_list(keys.get(key_kind)):
            try:
                if key_kind == "indicator":
                    itype, value = K.normalise_indicator(raw, indicator_type)
                    if draft.indicator_type and itype != draft.indicator_type:
                        bad("indicator", "all indicators of one entry must be of one type")
                    draft.indicator_type = itype
                else:
                    value = K.normalise_key(key_kind, raw)
            except InvalidValue as exc:
                bad(key_kind, str(exc))
                continue
            if (key_kind, value) not in seen:
                seen.add((key_kind, value))
                draft.keys.append((key_kind, value, str(raw) if str(raw) != value else None))
    if kind == "indicator" and stix_pattern:
        draft.stix_pattern = stix_pattern.strip()
        try:
            itype, value = K.indicator_from_stix(stix_pattern)
        except InvalidValue as exc:
            if not draft.keys:
                bad("stix", str(exc))
        else:
            if not draft.keys:
                draft.keys.append(("indicator", value, None))
                draft.indicator_type = itype
            elif ("indicator", value) not in seen:
                bad("stix", "the pattern names a different indicator than the one given")
    has_required = any(k in REQUIRED_KEYS[kind] for k, _, _ in draft.keys)
    if not has_required and not any(f in ALLOWED_KEYS[kind] for _, f, _ in errors):  # not already reported
        bad("keys", f"a {kind} entry needs {' or '.join(REQUIRED_KEYS[kind])}")
    if birth_date:
        if kind != "person":
            bad("birth_date", "only person entries have a date of birth")
        else:
            try:
                draft.birth_date = K.normalise_birth_date(birth_date)
            except InvalidValue as exc:
                bad("birth_date", str(exc))
    if father_name:
        if kind != "person":
            bad("father_name", "only person entries have a father's name")
        else:
            try:
                draft.father_name = K.normalise_name(father_name)
            except InvalidValue as exc:
                bad("father_name", str(exc).replace("name:", "father's name:"))
    return (None if errors else draft), errors
