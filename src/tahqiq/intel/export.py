"""A case's indicators out, for sharing: a STIX 2.1 bundle or a MISP event, markings kept.

    bundle = to_stix_bundle(indicators, objects, identity_name="FIA Cyber Crime Wing", created_by_agency="FIA")
    event = to_misp_event(indicators, objects, info="CASE-2026-0001 indicators", org_name="FIA")
    name, data = export_case(view, "CASE-2026-0001", "stix")       # audited as "intel.export"

Both documents are built by the formats' own libraries (`stix2`, `pymisp`), so what leaves is what
those libraries accept; the importers (`parse_stix`, `parse_misp`) read them back to the same kinds,
values, validity, revocation, confidence and marking (tests/intel/test_export.py).

Markings travel with every object: STIX gets the OASIS TLP 2.0 marking definitions (the published
ids, so any TLP-aware consumer recognises them), MISP a `tlp:<level>` tag and the matching
distribution on each attribute. TLP:RED is refused unless the caller says `allow_red=True`: RED is
for its named recipients only, and a file leaves the platform for whoever holds it, which is exactly
the further sharing TLP:RED forbids. Who may read an indicator in the first place is the gate's
decision (`case_indicators` returns only what the view's principal may read); this module decides
only what may leave.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import stix2
from pymisp import MISPEvent, MISPOrganisation

from tahqiq.govern import View
from tahqiq.intel.model import MISP_DISTRIBUTION_TLP, TLP_LEVELS, Indicator, IntelObject

__all__ = ["TLP2_MARKING_IDS", "MISP_TLP_DISTRIBUTION", "ExportRefused", "stix_pattern", "misp_type", "misp_confidence",
           "to_stix_bundle", "to_misp_event", "export_case"]

# The OASIS TLP 2.0 marking definitions (cti-stix-common-objects, extension-definition
# specification "tlp-2.0"): fixed ids and creation time, one property extension naming the level.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_MARKING_IDS: dict[str, str] = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_TLP2_CREATED = "2022-10-01T00:00:00.000Z"
# TLP 1.0 ids a kept object's own markings may still name: replaced by the TLP 2.0 one on export.
_TLP1_IDS = {stix2.TLP_WHITE.id, stix2.TLP_GREEN.id, stix2.TLP_AMBER.id, stix2.TLP_RED.id}
# The inverse of MISP_DISTRIBUTION_TLP: RED is a sharing group (4), which the receiving instance
# names (to_misp_event's sharing_group_id); the tag says RED either way.
MISP_TLP_DISTRIBUTION: dict[str, int] = {level: dist for dist, level in MISP_DISTRIBUTION_TLP.items()}
# Ids made for objects that had none in STIX form (an agency's identity, a MISP attribute's
# indicator) are name-based, so exporting twice gives the same ids and a receiver updates, not adds.
_NAMESPACE = uuid.UUID("5b7e2f9c-3d0a-4c57-9a3e-6f1d2b8c4e10")

_HASH_KEYS = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}
_OBSERVABLE = {"ipv4": "ipv4-addr:value", "ipv6": "ipv6-addr:value", "domain": "domain-name:value",
               "url": "url:value", "email": "email-addr:value",
               # STIX 2.1 has no phone, bank-account or wallet observable: the extension drafts' forms,
               # which parse_stix reads (SIMPLE_PATHS)
               "phone": "phone-number:value", "iban": "bank-account:iban", "wallet": "cryptocurrency-wallet:value"}
_MISP_TYPES = {"ipv4": "ip-dst", "ipv6": "ip-dst", "cidr": "ip-dst", "domain": "domain", "url": "url", "md5": "md5",
               "sha1": "sha1", "sha256": "sha256", "sha512": "sha512", "email": "email", "phone": "phone-number",
               "iban": "iban", "pattern": "stix2-pattern"}
# The labels STIX 2.1 lists for indicator_types (indicator-type-ov); other labels stay `labels`.
_INDICATOR_TYPES = {"anomalous-activity", "anonymization", "benign", "compromised", "malicious-activity",
                    "attribution", "unknown"}
_STIX_ID = re.compile(r"[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# Wallet address shapes MISP has a type for (base58 and bech32 bitcoin, monero, dash).
_BTC = re.compile(r"(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc|tb)1[02-9ac-hj-np-z]{11,71})")
_XMR = re.compile(r"[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?")
_DASH = re.compile(r"X[1-9A-HJ-NP-Za-km-z]{33}")


class ExportRefused(ValueError):
    """The export would share what may not leave (TLP:RED without allow_red)."""


# --- STIX ----------------------------------------------------------------------------------------

def _quote(value: str) -> str:
    """A STIX pattern string literal: quotes and backslashes escaped (STIX 2.1 §9.3)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def stix_pattern(ind: Indicator) -> str:
    """The STIX pattern of an indicator: one comparison of its observable, or its own pattern text."""
    if ind.kind == "pattern":
        return ind.pattern
    if ind.kind in _HASH_KEYS:
        return f"[file:hashes.'{_HASH_KEYS[ind.kind]}' = {_quote(ind.value)}]"
    if ind.kind == "cidr":
        path = "ipv6-addr:value" if ":" in ind.value else "ipv4-addr:value"
        return f"[{path} = {_quote(ind.value)}]"
    if ind.kind not in _OBSERVABLE:
        raise ValueError(f"no STIX pattern for indicator kind {ind.kind!r}")
    return f"[{_OBSERVABLE[ind.kind]} = {_quote(ind.value)}]"


def _marking(level: str) -> stix2.MarkingDefinition:
    return stix2.MarkingDefinition(
        id=TLP2_MARKING_IDS[level], created=_TLP2_CREATED, name=f"TLP:{level.upper()}",
        extensions={TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": level}})


def _check_red(levels: Iterable[str], allow_red: bool) -> None:
    if "red" in levels and not allow_red:
        raise ExportRefused("TLP:RED is for its named recipients only: a file that leaves the platform can be "
                            "passed on by whoever holds it, which TLP:RED forbids. Export without the RED items, "
                            "or pass allow_red only when the file goes to exactly those recipients")


def _level(tlp: str) -> str:
    if tlp not in TLP_LEVELS:
        raise ValueError(f"unknown TLP level {tlp!r}")
    return tlp


def _stix_id(ind: Indicator) -> str:
    if ind.id.startswith("indicator--") and _STIX_ID.fullmatch(ind.id):
        return ind.id
    tail = ind.id.rpartition("--")[2]
    try:
        return f"indicator--{uuid.UUID(tail)}"
    except ValueError:
        return f"indicator--{uuid.uuid5(_NAMESPACE, ind.id)}"


def _stix_indicator(ind: Indicator, identity: str, now: datetime) -> stix2.Indicator:
    valid_from = ind.valid_from or ind.created or now
    valid_until = ind.valid_until
    if valid_until is not None and valid_until <= valid_from:
        # STIX requires valid_until after valid_from; an empty window is kept as the shortest one.
        valid_until = valid_from + timedelta(milliseconds=1)
    types = [lb for lb in ind.labels if lb in _INDICATOR_TYPES]
    others = [lb for lb in ind.labels if lb not in _INDICATOR_TYPES]
    props: dict[str, Any] = {
        "id": _stix_id(ind), "pattern": stix_pattern(ind), "pattern_type": "stix", "valid_from": valid_from,
        "revoked": ind.revoked, "confidence": ind.confidence, "created_by_ref": identity,
        "object_marking_refs": [TLP2_MARKING_IDS[_level(ind.tlp)]],
    }
    created = ind.created or ind.modified
    modified = max(ind.modified, created) if ind.modified and created else None
    optional = {"name": ind.name, "description": ind.description, "valid_until": valid_until,
                "indicator_types": types, "labels": others, "created": created, "modified": modified}
    props.update({k: v for k, v in optional.items() if v})
    return stix2.Indicator(**props)


def _stix_object(obj: IntelObject) -> dict[str, Any] | None:
    """A kept object's body with its marking as TLP 2.0; None for what is not a STIX object (a MISP
    event kept whole has no place in a bundle)."""
    body = dict(obj.body)
    if not isinstance(body.get("id"), str) or not _STIX_ID.fullmatch(str(body["id"])) or "type" not in body:
        return None
    refs = body.get("object_marking_refs")
    refs = refs if isinstance(refs, list) else []
    kept = [r for r in refs if isinstance(r, str) and r not in _TLP1_IDS and r not in TLP2_MARKING_IDS.values()]
    body["object_marking_refs"] = [TLP2_MARKING_IDS[_level(obj.tlp)], *kept]
    body.setdefault("spec_version", "2.1")
    return body


def to_stix_bundle(indicators: Sequence[Indicator], objects: Sequence[IntelObject] = (), *, identity_name: str,
                   created_by_agency: str, allow_red: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """A STIX 2.1 bundle of these indicators and kept objects, created by the agency's Identity, each
    object marked with its TLP 2.0 marking definition (included once per level used). Raises
    ExportRefused for TLP:RED without `allow_red`, ValueError for a kind with no pattern."""
    _check_red([i.tlp for i in indicators] + [o.tlp for o in objects], allow_red)
    now = now or datetime.now(UTC)
    identity = stix2.Identity(id=f"identity--{uuid.uuid5(_NAMESPACE, 'agency:' + created_by_agency)}",
                              name=identity_name or created_by_agency, identity_class="organization",
                              object_marking_refs=[TLP2_MARKING_IDS["clear"]])
    out: list[Any] = [identity]
    out += [_stix_indicator(ind, identity.id, now) for ind in indicators]
    out += [stix2.parse(body, allow_custom=True) for obj in objects if (body := _stix_object(obj)) is not None]
    used = {"clear"} | {_level(i.tlp) for i in indicators} | {_level(o.tlp) for o in objects}
    markings = [_marking(level) for level in TLP_LEVELS if level in used]
    bundle = stix2.Bundle(objects=[*markings, *out], allow_custom=True)
    result: dict[str, Any] = json.loads(bundle.serialize())
    return result


# --- MISP ----------------------------------------------------------------------------------------

def misp_type(ind: Indicator) -> str:
    """The MISP attribute type of an indicator; a wallet's by its address shape (btc, xmr, dash).
    MISP has no type for other chains' addresses (an Ethereum 0x… address): those go out as "text",
    which a receiver reads as context, not as a detection value."""
    if ind.kind == "wallet":
        for shape, name in ((_BTC, "btc"), (_XMR, "xmr"), (_DASH, "dash")):
            if shape.fullmatch(ind.value):
                return name
        return "text"
    if ind.kind not in _MISP_TYPES:
        raise ValueError(f"no MISP attribute type for indicator kind {ind.kind!r}")
    return _MISP_TYPES[ind.kind]


def misp_confidence(confidence: int) -> str:
    """The `misp` taxonomy's confidence-level nearest to a 0-100 confidence (MISP has no number)."""
    levels = ((100, "completely-confident"), (75, "usually-confident"), (50, "fairly-confident"),
              (25, "rarely-confident"), (0, "unconfident"))
    return min(levels, key=lambda lv: (abs(lv[0] - confidence), -lv[0]))[1]


def _misp_uuid(ind: Indicator) -> str:
    tail = ind.id.rpartition("--")[2]
    try:
        return str(uuid.UUID(tail))
    except ValueError:
        return str(uuid.uuid5(_NAMESPACE, ind.id))


def _active(ind: Indicator, at: datetime) -> bool:
    return not ind.revoked and (ind.valid_until is None or ind.valid_until > at)


def _strictest(levels: Iterable[str]) -> str:
    return max(levels, key=TLP_LEVELS.index, default="amber")


def to_misp_event(indicators: Sequence[Indicator], objects: Sequence[IntelObject] = (), *, info: str, org_name: str,
                  allow_red: bool = False, sharing_group_id: int | None = None,
                  now: datetime | None = None) -> dict[str, Any]:
    """A MISP event of these indicators: one attribute each, typed by kind, `to_ids` only for active
    ones (not revoked, not expired at `now`), distribution and a `tlp:<level>` tag from its marking,
    first_seen/last_seen from its validity, comment its description, its labels as tags and its
    confidence as the `misp:confidence-level` tag nearest to it (MISP keeps no number). The event
    carries the strictest marking of what it holds (passing it on can never go wider than its most
    guarded attribute). RED is MISP's sharing group (distribution 4) when `sharing_group_id` names
    the receiving instance's group of recipients, else "this organisation only" (0); the `tlp:red`
    tag says RED either way. Kept objects have no MISP attribute form and are left out. Raises
    ExportRefused for TLP:RED without `allow_red`."""
    _check_red([i.tlp for i in indicators] + [o.tlp for o in objects], allow_red)
    now = now or datetime.now(UTC)
    event = MISPEvent()
    event.info = info
    org = MISPOrganisation()
    org.name = org_name
    event.Orgc = org
    event.set_date(now.date())
    level = _strictest(_level(i.tlp) for i in indicators)
    def distribution(tlp: str) -> dict[str, int]:
        if tlp != "red":
            return {"distribution": MISP_TLP_DISTRIBUTION[tlp]}
        if sharing_group_id is None:
            return {"distribution": 0}
        return {"distribution": MISP_TLP_DISTRIBUTION["red"], "sharing_group_id": sharing_group_id}

    for key, val in distribution(level).items():
        setattr(event, key, val)
    event.add_tag(f"tlp:{level}")
    for ind in indicators:
        kwargs: dict[str, Any] = {"uuid": _misp_uuid(ind), "to_ids": _active(ind, now), "comment": ind.description,
                                  **distribution(_level(ind.tlp))}
        if ind.valid_from is not None:
            kwargs["first_seen"] = ind.valid_from
        if ind.valid_until is not None and (ind.valid_from is None or ind.valid_until >= ind.valid_from):
            kwargs["last_seen"] = ind.valid_until
        value = ind.pattern if ind.kind == "pattern" else ind.value
        if ind.modified or ind.created:
            kwargs["timestamp"] = ind.modified or ind.created
        tags = [f"tlp:{ind.tlp}", f'misp:confidence-level="{misp_confidence(ind.confidence)}"', *ind.labels]
        event.add_attribute(misp_type(ind), value, Tag=[{"name": t} for t in dict.fromkeys(tags)], **kwargs)
    result: dict[str, Any] = json.loads(event.to_json())
    return result


# --- the store path ------------------------------------------------------------------------------

def export_case(view: View, case_ref: str, fmt: Literal["stix", "misp"], *, allow_red: bool = False,
                identity_name: str = "", now: datetime | None = None) -> tuple[str, bytes]:
    """(file name, JSON bytes) of the case's indicators and related objects that the view's principal
    may read, as a STIX bundle or a MISP event. One audited read ("intel.export") names the case, the
    format and the counts; a RED refusal is written to the log before ExportRefused is raised."""
    from tahqiq.intel.service import case_indicators, case_objects

    if fmt not in ("stix", "misp"):
        raise ValueError(f"unknown export format {fmt!r} (stix or misp)")
    detail = {"case": case_ref, "format": fmt, "allow_red": allow_red}
    with view.read("intel.export", target=case_ref, detail=detail) as reader:
        indicators = case_indicators(view, case_ref)
        objects = case_objects(view, case_ref)
        agency = view.principal.agency or ""
        try:
            if fmt == "stix":
                doc = to_stix_bundle(indicators, objects, identity_name=identity_name or agency,
                                     created_by_agency=agency, allow_red=allow_red, now=now)
            else:
                doc = to_misp_event(indicators, objects, info=f"{case_ref} indicators", org_name=agency,
                                    allow_red=allow_red, now=now)
        except ExportRefused as exc:
            raise view.refuse("intel.export", str(exc), target=case_ref, detail=detail) from exc
        reader.note(indicators=len(indicators), objects=len(objects),
                    tlp={lv: sum(1 for i in indicators if i.tlp == lv) for lv in TLP_LEVELS})
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", case_ref)
    suffix = "stix.json" if fmt == "stix" else "misp.json"
    return f"{safe}-{stamp}.{suffix}", json.dumps(doc, indent=1, sort_keys=True).encode()
