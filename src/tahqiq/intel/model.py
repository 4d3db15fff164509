"""The shapes threat intelligence takes inside Tahqiq, shared by import, matching, logs and export.

One shape per thing: an `Indicator` is one matchable observable value (or one STIX pattern) with its
lifecycle and its sharing marking; an `IntelObject` is any other STIX/MISP object kept whole (malware,
threat actor, intrusion set, campaign, relationship, sighting, report) with its marking. Markings
follow FIRST's TLP 2.0; MISP distribution levels map onto them (`MISP_DISTRIBUTION_TLP`).

Who may read what is the gate's decision (`tahqiq.govern` markings), not this module's: these are
plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

__all__ = ["INDICATOR_KINDS", "KIND_LABELS", "MISP_DISTRIBUTION_TLP", "TLP_LEVELS", "Indicator",
           "IndicatorHit", "IntelObject", "Kind", "Tlp"]

Kind = Literal["ipv4", "ipv6", "cidr", "domain", "url", "md5", "sha1", "sha256", "sha512", "email", "phone",
               "iban", "wallet", "pattern"]
# Every kind an indicator can be; "cidr" holds IPv4 and IPv6 networks ("10.0.0.0/8", "2001:db8::/32");
# "pattern" is a STIX pattern kept as text, matched by the compiled pattern matcher.
INDICATOR_KINDS: tuple[str, ...] = ("ipv4", "ipv6", "cidr", "domain", "url", "md5", "sha1", "sha256", "sha512",
                                    "email", "phone", "iban", "wallet", "pattern")
KIND_LABELS: dict[str, str] = {
    "ipv4": "IPv4 address", "ipv6": "IPv6 address", "cidr": "IP network", "domain": "Domain", "url": "Web address",
    "md5": "MD5 file hash", "sha1": "SHA-1 file hash", "sha256": "SHA-256 file hash",
    "sha512": "SHA-512 file hash", "email": "E-mail address", "phone": "Phone number", "iban": "IBAN",
    "wallet": "Crypto wallet", "pattern": "STIX pattern",
}

Tlp = Literal["clear", "green", "amber", "amber+strict", "red"]
TLP_LEVELS: tuple[str, ...] = ("clear", "green", "amber", "amber+strict", "red")
# MISP distribution: 0 your organisation only, 1 this community, 2 connected communities,
# 3 all communities, 4 a sharing group, 5 inherit the event's.
MISP_DISTRIBUTION_TLP: dict[int, str] = {0: "amber+strict", 1: "amber", 2: "green", 3: "clear", 4: "red"}


@dataclass(frozen=True)
class Indicator:
    """One matchable indicator. `value` is normalised for its kind (lower-case domain without a
    trailing dot, canonical IP text, lower-case hex hash, E.164 phone, compact IBAN); `pattern` holds
    the STIX pattern text when kind == "pattern" (then value is "")."""

    id: str                          # the STIX id ("indicator--…") or a MISP attribute's "misp-attribute--<uuid>"
    kind: str                        # one of INDICATOR_KINDS
    value: str
    pattern: str = ""
    name: str = ""
    description: str = ""
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    revoked: bool = False
    confidence: int = 50             # 0–100 as STIX 2.1 and MISP (where MISP gives none: 50)
    tlp: str = "amber"               # one of TLP_LEVELS; unmarked objects are treated as AMBER
    owner_agency: str = ""           # the agency that imported it (AMBER limits reads to it)
    recipients: tuple[str, ...] = () # usernames named for TLP:RED
    source: str = ""                 # the feed or file it came from (provenance)
    labels: tuple[str, ...] = ()     # STIX labels / indicator_types, MISP tags (other than tlp:*)
    created: datetime | None = None
    modified: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class IntelObject:
    """A STIX domain/relationship object or MISP event kept whole, with its marking."""

    id: str                          # STIX id
    type: str                        # "malware", "threat-actor", "intrusion-set", "campaign", "relationship",
                                     # "sighting", "report", "identity", "attack-pattern", "observed-data", …
    name: str
    body: dict[str, object]          # the object as JSON (what export writes back)
    tlp: str = "amber"
    owner_agency: str = ""
    recipients: tuple[str, ...] = ()
    source: str = ""
    source_ref: str = ""             # relationship / sighting: the object it starts from
    target_ref: str = ""             # relationship / sighting: the object it points at


@dataclass(frozen=True)
class IndicatorHit:
    """An observed value that matched an indicator: the field it was in and the indicator's id."""

    indicator_id: str
    kind: str
    value: str                       # the observed value as normalised for matching
    field: str = ""                  # the event or log field it was found in
