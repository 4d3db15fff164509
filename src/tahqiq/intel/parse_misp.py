"""MISP events (MISP's JSON, read with pymisp's classes) into indicators and kept objects: pure.

Each attribute is loaded on its own (`pymisp.MISPAttribute.from_dict`), so a malformed attribute is
refused with pymisp's reason and the rest of the event loads. Attribute types:

    ip-src, ip-dst, ip-src|port, ip-dst|port     ipv4 / ipv6 (cidr with a prefix length)
    domain, hostname, hostname|port, domain|ip   domain (domain|ip gives the IP too, id "…#ip")
    url                                          url
    md5, sha1, sha256, sha512, filename|<hash>   the hash
    email, email-src, email-dst                  email
    phone-number                                 phone (E.164)
    iban                                         iban
    btc, xmr, dash                               wallet

The attributes of MISP objects are read alike. An attribute whose `to_ids` is false is context
(MISP's own flag for "do not use this for detection"): it is kept as an IntelObject of type
"misp-attribute" and never matches; so are attributes of other types. Deleted attributes are left out.

Marking: an attribute's `tlp:*` tag wins; else its own distribution (0-4; 5 inherits), else the
event's tag, else the event's distribution, mapped by MISP_DISTRIBUTION_TLP; a sharing group (4) is
TLP:RED for the recipients named at import. `first_seen`/`last_seen` give the validity; the
confidence is MISP's `misp:confidence-level` tag (taxonomy values 0-100), else 50.

Each event is kept as a `report` (id "report--<event uuid>", `object_refs` naming its attributes);
its galaxy clusters (threat actors, malware, tools...) as objects, each matching attribute linked
to each cluster by an `indicates` relationship, as MISP's own STIX export does.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from pymisp import MISPAttribute, MISPEvent

from tahqiq.intel.model import MISP_DISTRIBUTION_TLP, TLP_LEVELS, Indicator, IntelObject
from tahqiq.intel.parsed import ParsedIntel, Rejected, normalise_value
from tahqiq.model.types import InvalidValue

__all__ = ["MISP_CONFIDENCE", "MISP_TYPES", "misp_events", "parse_misp"]

# MISP attribute type -> (indicator kind, which part of a composite "a|b" value holds it); "ip" is
# any IP address or network (MISP's ip types hold both versions)
MISP_TYPES: dict[str, tuple[str, int]] = {
    "ip-src": ("ip", 0), "ip-dst": ("ip", 0), "ip-src|port": ("ip", 0), "ip-dst|port": ("ip", 0),
    "domain": ("domain", 0), "hostname": ("domain", 0), "hostname|port": ("domain", 0), "domain|ip": ("domain", 0),
    "url": ("url", 0),
    "md5": ("md5", 0), "sha1": ("sha1", 0), "sha256": ("sha256", 0), "sha512": ("sha512", 0),
    "filename|md5": ("md5", 1), "filename|sha1": ("sha1", 1), "filename|sha256": ("sha256", 1),
    "filename|sha512": ("sha512", 1),
    "email": ("email", 0), "email-src": ("email", 0), "email-dst": ("email", 0),
    "phone-number": ("phone", 0), "iban": ("iban", 0), "btc": ("wallet", 0), "xmr": ("wallet", 0),
    "dash": ("wallet", 0),
}
# The `misp` taxonomy's confidence-level predicate and its numerical values.
MISP_CONFIDENCE = {"completely-confident": 100, "usually-confident": 75, "fairly-confident": 50,
                   "rarely-confident": 25, "unconfident": 0, "confidence-cannot-be-evaluated": 50}
_GALAXY_TYPES = {"threat-actor": "threat-actor", "mitre-intrusion-set": "intrusion-set", "mitre-malware": "malware",
                 "malpedia": "malware", "ransomware": "malware", "botnet": "malware", "backdoor": "malware",
                 "banker": "malware", "stealer": "malware", "rat": "malware", "android": "malware",
                 "mitre-tool": "tool", "tool": "tool", "mitre-attack-pattern": "attack-pattern"}
_NS = uuid.UUID("6f1f8f7e-3c4e-4d0b-9f67-2f1d0a6e8b11")  # names the relationships this parser makes


def misp_events(data: str | bytes | dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    """The events in MISP JSON: one event ({"Event": …} or bare), a list of them, or a search
    response ({"response": [...]})."""
    loaded = json.loads(data) if isinstance(data, str | bytes) else data
    if isinstance(loaded, dict) and isinstance(loaded.get("response"), list):
        loaded = loaded["response"]
    items = loaded if isinstance(loaded, list) else [loaded]
    events = []
    for item in items:
        event = item.get("Event", item) if isinstance(item, dict) else None
        if not isinstance(event, dict) or not ({"info", "Attribute", "Object", "uuid"} & event.keys()):
            raise ValueError("not a MISP event: expected {\"Event\": {...}} or a list of events")
        events.append(event)
    return events


def _tag_names(tags: Any) -> list[str]:
    out = []
    for tag in tags or []:
        name = tag.get("name") if isinstance(tag, dict) else getattr(tag, "name", None)
        if isinstance(name, str):
            out.append(name.strip())
    return out


def _tlp_tag(tags: list[str]) -> str | None:
    levels = []
    for tag in tags:
        low = tag.lower()
        if low.startswith("tlp:"):
            level = low[4:].strip('"')
            level = "clear" if level == "white" else level
            if level in TLP_LEVELS:
                levels.append(level)
    return max(levels, key=TLP_LEVELS.index) if levels else None


def _confidence(tags: list[str]) -> int | None:
    for tag in tags:
        if tag.lower().startswith("misp:confidence-level="):
            value = tag.split("=", 1)[1].strip().strip('"').lower()
            if value in MISP_CONFIDENCE:
                return MISP_CONFIDENCE[value]
    return None


def _distribution(value: Any) -> int | None:
    try:
        level = int(value)
    except (TypeError, ValueError):
        return None
    return level if level in MISP_DISTRIBUTION_TLP else None  # 5 (inherit) and unknown: not set here


class _Marking:
    """The event's marking, and an attribute's given its own tags and distribution."""

    def __init__(self, raw: dict[str, Any], default_tlp: str) -> None:
        self.tags = _tag_names(raw.get("Tag"))
        dist = _distribution(raw.get("distribution"))
        self.tlp = _tlp_tag(self.tags) or (MISP_DISTRIBUTION_TLP[dist] if dist is not None else default_tlp)
        self.confidence = _confidence(self.tags)

    def of(self, tags: list[str], *distributions: Any) -> str:
        tagged = _tlp_tag(tags)
        if tagged:
            return tagged
        for d in distributions:
            dist = _distribution(d)
            if dist is not None:
                return MISP_DISTRIBUTION_TLP[dist]
        return self.tlp


def parse_misp(data: str | bytes | dict[str, Any] | list[Any], *, source: str, owner_agency: str = "",
               default_tlp: str = "amber", recipients: tuple[str, ...] = ()) -> ParsedIntel:
    """Parse MISP events into indicators, kept objects and refused attributes (see the module's doc)."""
    if default_tlp not in TLP_LEVELS:
        raise ValueError(f"default TLP must be one of {', '.join(TLP_LEVELS)}; got {default_tlp!r}")
    out = ParsedIntel(counts={"read": 0})
    for raw in misp_events(data):
        _event(raw, out, source=source, owner_agency=owner_agency, default_tlp=default_tlp,
               recipients=tuple(recipients))
    out.count()
    return out


def _event(raw: dict[str, Any], out: ParsedIntel, *, source: str, owner_agency: str, default_tlp: str,
           recipients: tuple[str, ...]) -> None:
    shell = {k: v for k, v in raw.items() if k not in ("Attribute", "Object")}
    event = MISPEvent()
    try:
        event.load({"Event": shell})
    except Exception as exc:  # noqa: BLE001 - pymisp's refusal is the reason
        out.rejected.append(Rejected(f"misp-event--{raw.get('uuid', '?')}", f"{type(exc).__name__}: {exc}", raw))
        return
    mark = _Marking(raw, default_tlp)
    common = {"owner_agency": owner_agency, "source": source}
    clusters = _clusters(raw, mark, common, recipients)
    out.objects.extend(clusters)
    refs: list[str] = []
    entries: list[tuple[dict[str, Any], dict[str, Any] | None]] = [(a, None) for a in raw.get("Attribute") or []]
    for obj in raw.get("Object") or []:
        if not isinstance(obj, dict) or obj.get("deleted") in (True, "1", 1):
            continue
        out.objects.append(_misp_object(obj, mark, common, recipients))
        refs.append(out.objects[-1].id)
        entries.extend((a, obj) for a in obj.get("Attribute") or [])
    for pos, (attr, parent) in enumerate(entries):
        out.counts["read"] += 1
        made = _attribute(attr, parent, pos, event, mark, common, recipients, out)
        for item in made:
            refs.append(item.id)
            if isinstance(item, Indicator):
                out.indicators.append(item)
                out.objects.extend(_indicates(item, clusters, common))
            else:
                out.objects.append(item)
    out.objects.append(IntelObject(
        id=f"report--{event.uuid}", type="report", name=str(getattr(event, "info", "") or "MISP event")[:500],
        body={"type": "report", "name": getattr(event, "info", ""), "published": str(shell.get("date") or ""),
              "object_refs": refs,
              "misp_event": {k: shell.get(k) for k in ("uuid", "info", "date", "threat_level_id", "analysis",
                                                        "distribution", "Orgc", "timestamp")},
              "labels": mark.tags},
        tlp=mark.tlp, recipients=recipients if mark.tlp == "red" else (), **common))


def _attribute(attr: Any, parent: dict[str, Any] | None, pos: int, event: MISPEvent, mark: _Marking,
               common: dict[str, Any], recipients: tuple[str, ...], out: ParsedIntel) -> list[Indicator | IntelObject]:
    ref = f"misp-attribute--{attr.get('uuid')}" if isinstance(attr, dict) and attr.get("uuid") else \
        f"misp-event--{event.uuid}#{pos}"
    if not isinstance(attr, dict):
        out.rejected.append(Rejected(ref, "not a JSON object", str(attr)))
        return []
    if attr.get("deleted") in (True, "1", 1):
        out.counts["skipped"] = out.counts.get("skipped", 0) + 1
        return []
    a = MISPAttribute()
    try:
        a.from_dict(**{k: v for k, v in attr.items() if k != "Galaxy"})
    except Exception as exc:  # noqa: BLE001 - pymisp's refusal is the reason
        out.rejected.append(Rejected(ref, f"{type(exc).__name__}: {exc}", attr))
        return []
    ref = f"misp-attribute--{a.uuid}"
    tags = _tag_names(attr.get("Tag"))
    tlp = mark.of(tags, attr.get("distribution"), (parent or {}).get("distribution"))
    who = recipients if tlp == "red" else ()  # a sharing group (4) is "red" by MISP_DISTRIBUTION_TLP
    known = MISP_TYPES.get(a.type)
    if known is None or not a.to_ids:
        name = f"{a.type}: {str(a.value)[:200]}"
        return [IntelObject(id=ref, type="misp-attribute", name=name, body=attr, tlp=tlp, recipients=who,
                            source_ref=f"report--{event.uuid}", **common)]
    kind, part = known
    pieces = str(a.value).split("|")
    if len(pieces) <= part:
        out.rejected.append(Rejected(ref, f"{a.type} value {a.value!r} lacks its {kind} part", attr))
        return []
    # TLP and confidence tags are the marking and the confidence, not labels
    labels = tuple(t for t in [*tags, *mark.tags] if not t.lower().startswith(("tlp:", "misp:confidence-level=")))
    base = {"name": f"{a.type} in MISP event {getattr(event, 'info', '') or event.uuid}"[:500],
            "description": str(getattr(a, "comment", "") or ""), "valid_from": getattr(a, "first_seen", None),
            "valid_until": getattr(a, "last_seen", None),
            "confidence": _confidence(tags) if _confidence(tags) is not None else
            (mark.confidence if mark.confidence is not None else 50),
            "tlp": tlp, "recipients": who, "labels": tuple(dict.fromkeys(labels)),
            "created": getattr(a, "timestamp", None), "modified": getattr(a, "timestamp", None),
            "extra": {"misp_type": a.type, "misp_event": str(event.uuid)}, **common}
    made: list[Indicator | IntelObject] = []
    wanted = [(ref, kind, pieces[part].strip())]
    if a.type == "domain|ip" and len(pieces) > 1:
        wanted.append((f"{ref}#ip", "ip", pieces[1].strip()))
    for ind_id, want, raw_value in wanted:
        try:
            found, value = normalise_value(want, raw_value)
        except InvalidValue as exc:
            out.rejected.append(Rejected(ind_id, f"{a.type} value {raw_value!r}: {exc}", attr))
            continue
        made.append(Indicator(id=ind_id, kind=found, value=value, **base))  # type: ignore[arg-type]
    return made


def _clusters(raw: dict[str, Any], mark: _Marking, common: dict[str, Any],
              recipients: tuple[str, ...]) -> list[IntelObject]:
    out = []
    for galaxy in raw.get("Galaxy") or []:
        if not isinstance(galaxy, dict):
            continue
        kind = _GALAXY_TYPES.get(str(galaxy.get("type", "")), "misp-galaxy-cluster")
        for cluster in galaxy.get("GalaxyCluster") or []:
            if not isinstance(cluster, dict) or not cluster.get("uuid"):
                continue
            out.append(IntelObject(id=f"{kind}--{cluster['uuid']}", type=kind, name=str(cluster.get("value", ""))[:500],
                                   body={"type": kind, "name": cluster.get("value"),
                                         "description": cluster.get("description"), "galaxy": galaxy.get("type"),
                                         "meta": cluster.get("meta") or {}},
                                   tlp=mark.tlp, recipients=recipients if mark.tlp == "red" else (), **common))
    return out


def _misp_object(obj: dict[str, Any], mark: _Marking, common: dict[str, Any],
                 recipients: tuple[str, ...]) -> IntelObject:
    tlp = mark.of([], obj.get("distribution"))
    body = {k: v for k, v in obj.items() if k != "Attribute"}
    body["attribute_refs"] = [f"misp-attribute--{a.get('uuid')}" for a in obj.get("Attribute") or []
                              if isinstance(a, dict)]
    return IntelObject(id=f"misp-object--{obj.get('uuid') or uuid.uuid4()}", type="misp-object",
                       name=str(obj.get("name", "object"))[:500], body=body, tlp=tlp,
                       recipients=recipients if tlp == "red" else (), **common)


def _indicates(ind: Indicator, clusters: list[IntelObject], common: dict[str, Any]) -> list[IntelObject]:
    return [IntelObject(id=f"relationship--{uuid.uuid5(_NS, ind.id + '|' + c.id)}", type="relationship",
                        name="indicates", body={"type": "relationship", "relationship_type": "indicates",
                                                "source_ref": ind.id, "target_ref": c.id},
                        tlp=ind.tlp, recipients=ind.recipients, source_ref=ind.id, target_ref=c.id, **common)
            for c in clusters]
