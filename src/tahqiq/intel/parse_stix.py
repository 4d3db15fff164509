"""STIX 2.1 (and 2.0) bundles into indicators and kept objects: pure, no database.

Every object is checked by the `stix2` library on its own (`stix2.parse(obj, allow_custom=True)`),
so one malformed object is refused with the library's message and the rest of the bundle loads.

Indicators. A STIX `indicator` whose pattern is one equality on a supported observable becomes a
matchable value:

    [ipv4-addr:value = '…'] / [ipv6-addr:value = '…']   ipv4 / ipv6, or cidr with a prefix length
    [domain-name:value = '…'] ([hostname:value = '…'])  domain
    [url:value = '…']                                    url
    [file:hashes.'SHA-256' = '…'] (MD5, SHA-1, SHA-512)  sha256 / md5 / sha1 / sha512
    [email-addr:value = '…']                             email

STIX 2.1 has no phone, IBAN or wallet observable; the forms used by the extension drafts and by
OpenCTI are read: `[phone-number:value = …]` or `[x-phone:value = …]` (phone, normalised to
E.164), `[bank-account:iban = …]` or `[x-iban:value = …]` (iban), and
`[cryptocurrency-wallet:value = …]` or `[x-cryptocurrency-wallet:value = …]` (wallet). Every other
STIX pattern (AND/OR, qualifiers, other properties) is kept as kind "pattern" with its text, for the
pattern matcher; indicators of other pattern languages (Sigma, YARA, Snort) are kept whole as objects.

Observables (SCOs: ipv4-addr, ipv6-addr, domain-name, url, file, email-addr) become indicators when
an indicator points at them (a relationship from an indicator, or `based-on` observed data) or a
sighting names them; they take the referring indicator's validity and confidence. A file with
several hashes gives one indicator per hash, id "<file id>#<kind>". Everything else (malware,
threat actors, campaigns, relationships, sightings, observed data, reports...) is kept whole.

TLP: `object_marking_refs` naming the TLP 1.0 definitions (stix2.TLP_*) or the TLP 2.0 ones OASIS
publishes (`TLP2_MARKINGS`), or a TLP marking-definition inside the bundle, give the level (the
strictest, when several); an unmarked object takes its referrer's level, else `default_tlp`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import stix2

from tahqiq.intel.model import TLP_LEVELS, Indicator, IntelObject
from tahqiq.intel.parsed import ParsedIntel, Rejected, normalise_value, strictest
from tahqiq.model.types import InvalidValue

__all__ = ["TLP1_MARKINGS", "TLP2_MARKINGS", "TLP_BY_MARKING", "SIMPLE_PATHS", "parse_stix", "simple_comparison",
           "stix_objects", "tlp_of_marking"]

TLP1_MARKINGS = {"clear": stix2.TLP_WHITE.id, "green": stix2.TLP_GREEN.id, "amber": stix2.TLP_AMBER.id,
                 "red": stix2.TLP_RED.id}
# FIRST TLP 2.0 as STIX 2.1 marking definitions, published by the OASIS CTI TC (extension
# extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d, created 2022-10-01).
TLP2_MARKINGS = {"clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
                 "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
                 "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
                 "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
                 "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"}
TLP_BY_MARKING = {mid: level for table in (TLP1_MARKINGS, TLP2_MARKINGS) for level, mid in table.items()}

# object path of a simple comparison -> indicator kind
SIMPLE_PATHS = {
    "ipv4-addr:value": "ipv4", "ipv6-addr:value": "ipv6", "domain-name:value": "domain", "hostname:value": "domain",
    "url:value": "url", "email-addr:value": "email",
    "phone-number:value": "phone", "x-phone:value": "phone", "x-phone-number:value": "phone",
    "bank-account:iban": "iban", "x-bank-account:iban": "iban", "x-iban:value": "iban",
    "cryptocurrency-wallet:value": "wallet", "x-cryptocurrency-wallet:value": "wallet",
    "x-crypto-wallet:value": "wallet",
}
_HASH_KEYS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256", "SHA512": "sha512"}
# One equality of an object path with a string: a subset of the STIX 2.1 pattern grammar (an
# identifier, a path of identifiers or quoted keys, a literal whose only escapes are \' and \\).
_SIMPLE = re.compile(r"\[\s*([a-z][a-z0-9-]*):"
                     r"((?:[A-Za-z_][A-Za-z0-9_]*)(?:\.(?:[A-Za-z_][A-Za-z0-9_]*|'[A-Za-z0-9_-]+'))?)"
                     r"\s*=\s*'((?:[^'\\]|\\['\\])*)'\s*\]")
_SCO_KIND = {"ipv4-addr": "ipv4", "ipv6-addr": "ipv6", "domain-name": "domain", "url": "url", "email-addr": "email"}
_SKIPPED = {"marking-definition", "bundle", "extension-definition", "language-content"}
_POOL_MIN = 2_000  # below this many objects a process pool costs more than it saves


def simple_comparison(pattern: str) -> tuple[str, str] | None:
    """(kind, raw value) when `pattern` is a single equality on a supported observable, else None."""
    match = _SIMPLE.fullmatch(pattern.strip())
    if match is None:
        return None
    obj, path, literal = match.groups()
    value = re.sub(r"\\(.)", r"\1", literal)
    if obj == "file" and path.startswith("hashes."):
        algo = path[len("hashes."):].strip("'").upper().replace("-", "")
        kind = _HASH_KEYS.get(algo)
        return (kind, value) if kind else None
    kind = SIMPLE_PATHS.get(f"{obj}:{path}")
    return (kind, value) if kind else None


def tlp_of_marking(obj: dict[str, Any]) -> str | None:
    """The TLP level a marking-definition object states (TLP 1.0 `definition`, the TLP 2.0
    extension's `tlp_2_0`, or a name like "TLP:AMBER+STRICT"), or None."""
    if obj.get("id") in TLP_BY_MARKING:
        return TLP_BY_MARKING[obj["id"]]
    level = None
    definition = obj.get("definition")
    if obj.get("definition_type") == "tlp" and isinstance(definition, dict):
        level = definition.get("tlp")
    for ext in (obj.get("extensions") or {}).values():
        if isinstance(ext, dict) and ext.get("tlp_2_0"):
            level = ext["tlp_2_0"]
    name = str(obj.get("name") or "")
    if level is None and name.upper().startswith("TLP:"):
        level = name[4:]
    level = str(level).lower() if level else None
    level = "clear" if level == "white" else level
    return level if level in TLP_LEVELS else None


def stix_objects(data: str | bytes | dict[str, Any] | list[Any]) -> list[Any]:
    """The objects of a bundle (or a single object, or a list of them)."""
    loaded = json.loads(data) if isinstance(data, str | bytes) else data
    if isinstance(loaded, list):
        return loaded
    if isinstance(loaded, dict) and loaded.get("type") == "bundle":
        objects = loaded.get("objects") or []
        if not isinstance(objects, list):
            raise ValueError("a STIX bundle's objects must be a list")
        return objects
    if isinstance(loaded, dict) and "type" in loaded:
        return [loaded]
    raise ValueError("not STIX: expected a bundle, an object or a list of objects")


def _check(objs: list[Any]) -> list[str | None]:
    """The library's verdict on each object: None, or why it is malformed.

    The library checks a STIX pattern with the ANTLR parser of stix2-patterns, which costs most of
    an import's time; a pattern that is one supported equality (`simple_comparison`) is already
    known to be in the grammar, so the library checks every other property of that indicator and
    not its pattern again."""
    out: list[str | None] = []
    for obj in objs:
        if not isinstance(obj, dict):
            out.append("not a JSON object")
            continue
        try:
            if (obj.get("type") == "indicator" and obj.get("pattern_type") == "stix"
                    and isinstance(obj.get("pattern"), str) and simple_comparison(obj["pattern"]) is not None):
                obj = {**obj, "pattern_type": "x-tahqiq-simple-equality"}
            stix2.parse(obj, allow_custom=True)
            out.append(None)
        except Exception as exc:  # noqa: BLE001 - every library error is a reason to quarantine
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def _verdicts(objs: list[Any], workers: int) -> list[str | None]:
    if workers <= 1 or len(objs) < _POOL_MIN:
        return _check(objs)
    size = max(1000, len(objs) // (workers * 4))
    chunks = [objs[i:i + size] for i in range(0, len(objs), size)]
    with ProcessPoolExecutor(workers) as pool:
        return [v for part in pool.map(_check, chunks) for v in part]


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    match = re.fullmatch(r"(.*?\.\d{6})\d+(.*)", text)  # Python reads at most microseconds
    if match:
        text = match.group(1) + match.group(2)
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _confidence(obj: dict[str, Any]) -> int:
    value = obj.get("confidence")
    return int(value) if isinstance(value, int) and 0 <= value <= 100 else 50


class _Bundle:
    """What resolving one object needs of the others: TLP markings and who points at which SCO."""

    def __init__(self, objs: list[Any], default_tlp: str) -> None:
        self.default_tlp = default_tlp
        self.markings = dict(TLP_BY_MARKING)
        by_id: dict[str, dict[str, Any]] = {}
        for obj in objs:
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                by_id[obj["id"]] = obj
                if obj.get("type") == "marking-definition" and (level := tlp_of_marking(obj)):
                    self.markings[obj["id"]] = level
        self.referrer: dict[str, dict[str, Any]] = {}  # SCO id -> the indicator or sighting naming it
        for obj in by_id.values():
            kind = obj.get("type")
            if kind == "relationship" and str(obj.get("source_ref", "")).startswith("indicator--"):
                self._refer(by_id, obj.get("target_ref"), by_id.get(obj["source_ref"], obj))
            elif kind == "sighting":
                self._refer(by_id, obj.get("sighting_of_ref"), obj)
                for ref in obj.get("observed_data_refs") or []:
                    self._refer(by_id, ref, obj)

    def _refer(self, by_id: dict[str, dict[str, Any]], ref: Any, referrer: dict[str, Any]) -> None:
        if not isinstance(ref, str):
            return
        if ref.startswith("observed-data--"):
            for inner in (by_id.get(ref) or {}).get("object_refs") or []:
                if isinstance(inner, str):
                    self.referrer.setdefault(inner, referrer)
        else:
            self.referrer.setdefault(ref, referrer)

    def tlp(self, obj: dict[str, Any], fallback: str | None = None) -> str:
        refs = obj.get("object_marking_refs") or []
        level = strictest([self.markings[r] for r in refs if isinstance(r, str) and r in self.markings])
        return level or fallback or self.default_tlp


def parse_stix(data: str | bytes | dict[str, Any] | list[Any], *, source: str, owner_agency: str = "",
               default_tlp: str = "amber", recipients: tuple[str, ...] = (), workers: int = 1) -> ParsedIntel:
    """Parse a STIX bundle into indicators, kept objects and refused objects (see the module's doc).
    `workers` > 1 checks large bundles in that many processes."""
    if default_tlp not in TLP_LEVELS:
        raise ValueError(f"default TLP must be one of {', '.join(TLP_LEVELS)}; got {default_tlp!r}")
    objs = stix_objects(data)
    bundle = _Bundle(objs, default_tlp)
    out = ParsedIntel(counts={"read": len(objs)})
    common = {"owner_agency": owner_agency, "recipients": tuple(recipients), "source": source}
    for pos, (obj, verdict) in enumerate(zip(objs, _verdicts(objs, workers), strict=True)):
        ref = str(obj["id"]) if isinstance(obj, dict) and isinstance(obj.get("id"), str) else f"#{pos}"
        if verdict is not None:
            out.rejected.append(Rejected(ref, verdict, obj if isinstance(obj, dict) else str(obj)))
            continue
        kind = obj["type"]
        if kind in _SKIPPED:
            out.counts["skipped"] = out.counts.get("skipped", 0) + 1
            continue
        try:
            if kind == "indicator" and obj.get("pattern_type", "stix") == "stix":
                out.indicators.append(_indicator(obj, bundle, common))
            elif kind in _SCO_KIND or kind == "file":
                referrer = bundle.referrer.get(ref)
                if referrer is not None:
                    out.indicators.extend(_sco_indicators(obj, referrer, bundle, common))
                else:
                    out.objects.append(_object(obj, bundle, common))
            else:
                out.objects.append(_object(obj, bundle, common))
        except (InvalidValue, ValueError, TypeError) as exc:
            out.rejected.append(Rejected(ref, str(exc), obj))
    out.count()
    return out


def _labels(obj: dict[str, Any]) -> tuple[str, ...]:
    found: Iterable[Any] = [*(obj.get("indicator_types") or []), *(obj.get("labels") or [])]
    return tuple(dict.fromkeys(str(x) for x in found))


def _indicator(obj: dict[str, Any], bundle: _Bundle, common: dict[str, Any]) -> Indicator:
    pattern = str(obj["pattern"])
    simple = simple_comparison(pattern)
    if simple is None:
        kind, value = "pattern", ""
    else:
        try:
            kind, value = normalise_value(*simple)
        except InvalidValue as exc:
            raise InvalidValue(f"{simple[0]} value {simple[1]!r} in the pattern: {exc}") from None
    return Indicator(
        id=obj["id"], kind=kind, value=value, pattern=pattern if kind == "pattern" else "",
        name=str(obj.get("name") or ""), description=str(obj.get("description") or ""),
        valid_from=_ts(obj.get("valid_from")), valid_until=_ts(obj.get("valid_until")),
        revoked=bool(obj.get("revoked", False)), confidence=_confidence(obj), tlp=bundle.tlp(obj),
        labels=_labels(obj), created=_ts(obj.get("created")), modified=_ts(obj.get("modified")),
        extra={"stix_pattern": pattern}, **common)


def _sco_indicators(obj: dict[str, Any], referrer: dict[str, Any], bundle: _Bundle,
                    common: dict[str, Any]) -> list[Indicator]:
    """Indicators for an observable an indicator or a sighting names, with the referrer's lifecycle."""
    if obj["type"] == "file":
        pairs = [(k, v) for algo, v in (obj.get("hashes") or {}).items()
                 if (k := _HASH_KEYS.get(str(algo).upper().replace("-", "")))]
        if not pairs:
            raise InvalidValue("a file observable named by an indicator has no MD5/SHA-1/SHA-256/SHA-512 hash")
        ids = [f"{obj['id']}#{k}" for k, _ in pairs]
    else:
        pairs, ids = [(_SCO_KIND[obj["type"]], obj.get("value"))], [obj["id"]]
    is_sighting = referrer.get("type") == "sighting"
    start = referrer.get("first_seen") if is_sighting else referrer.get("valid_from")
    until = None if is_sighting else referrer.get("valid_until")
    out = []
    for ind_id, (kind, raw) in zip(ids, pairs, strict=True):
        if not isinstance(raw, str):
            raise InvalidValue(f"{obj['type']} without a value")
        kind, value = normalise_value(kind, raw)
        out.append(Indicator(
            id=ind_id, kind=kind, value=value, name=str(referrer.get("name") or ""),
            valid_from=_ts(start), valid_until=_ts(until), revoked=bool(referrer.get("revoked", False)),
            confidence=_confidence(referrer), tlp=bundle.tlp(obj, bundle.tlp(referrer)), labels=_labels(referrer),
            created=_ts(referrer.get("created")), modified=_ts(referrer.get("modified")),
            extra={"observable": obj["type"], "referrer": referrer.get("id")}, **common))
    return out


def _object(obj: dict[str, Any], bundle: _Bundle, common: dict[str, Any]) -> IntelObject:
    kind = obj["type"]
    source_ref = target_ref = ""
    if kind == "relationship":
        source_ref, target_ref = str(obj.get("source_ref", "")), str(obj.get("target_ref", ""))
        name = str(obj.get("relationship_type", "related-to"))
    elif kind == "sighting":
        source_ref = str(obj.get("sighting_of_ref", ""))
        seen = [*(obj.get("observed_data_refs") or []), *(obj.get("where_sighted_refs") or [])]
        target_ref = str(seen[0]) if seen else ""
        name = "sighting"
    else:
        name = str(obj.get("name") or obj.get("value") or kind)
    return IntelObject(id=obj["id"], type=kind, name=name[:500], body=obj, tlp=bundle.tlp(obj),
                       source_ref=source_ref, target_ref=target_ref, **common)
