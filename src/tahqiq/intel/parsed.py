"""What a parser hands the store, and how every indicator value is normalised.

Both parsers (STIX, MISP) and the matcher that compares observed values with indicators must agree
on one normal form per kind, or a lower-case domain in a feed would never meet an upper-case one in
a log: `normalise_value` gives the matcher's own form (`tahqiq.intel.observables.normalise`). A value
that does not normalise is not an indicator; the parser quarantines it with the reason (`Rejected`),
and the rest of the bundle or event loads.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from dataclasses import dataclass, field

from tahqiq.intel.model import TLP_LEVELS, Indicator, IntelObject
from tahqiq.intel.observables import normalise as observed_form
from tahqiq.model.types import InvalidValue, normalise

__all__ = ["HASH_LENGTHS", "MAX_URL", "ParsedIntel", "Rejected", "normalise_value", "ip_kind", "strictest"]

HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}
# Longer URLs are refused: the (kind, value) index of PostgreSQL holds entries up to ~2.7 kB, and a
# multi-kilobyte URL is a payload, not an indicator.
MAX_URL = 2000
_HEX = re.compile(r"[0-9a-f]+")
_WALLET = re.compile(r"[A-Za-z0-9]{20,120}")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")


@dataclass(frozen=True)
class Rejected:
    """An object (or MISP attribute) left out of an import, with the reason a person can act on."""

    ref: str            # its id, or "#<position>" when it had none
    reason: str
    raw: dict | str     # what was read, kept in quarantine


@dataclass
class ParsedIntel:
    """One bundle or event, parsed: what becomes indicators, what is kept whole, what was refused."""

    indicators: list[Indicator] = field(default_factory=list)
    objects: list[IntelObject] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        """Fill `counts` from the lists (per indicator kind and object type) and return it."""
        kinds = Counter(i.kind for i in self.indicators)
        types = Counter(o.type for o in self.objects)
        self.counts.update({"indicators": len(self.indicators), "objects": len(self.objects),
                            "rejected": len(self.rejected),
                            **{f"kind.{k}": n for k, n in sorted(kinds.items())},
                            **{f"type.{t}": n for t, n in sorted(types.items())}})
        return self.counts

    def extend(self, other: ParsedIntel) -> None:
        self.indicators.extend(other.indicators)
        self.objects.extend(other.objects)
        self.rejected.extend(other.rejected)
        for k, v in other.counts.items():
            if not k.startswith(("kind.", "type.")) and k not in ("indicators", "objects", "rejected"):
                self.counts[k] = self.counts.get(k, 0) + v


def ip_kind(value: str) -> tuple[str, str]:
    """(kind, canonical text) of an IP address or network: "ipv4"/"ipv6", or "cidr" when a prefix
    length narrower than a single host is given ("10.0.0.0/8"). Raises InvalidValue."""
    text = value.strip()
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=False)
            if net.prefixlen == net.max_prefixlen:
                return ("ipv4" if net.version == 4 else "ipv6"), str(net.network_address)
            return "cidr", str(net)
        addr = ipaddress.ip_address(text)
    except ValueError as exc:
        raise InvalidValue(f"not an IP address or network ({exc})") from None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return "ipv4", str(addr.ipv4_mapped)
    return ("ipv4" if addr.version == 4 else "ipv6"), str(addr)


def _domain(value: str) -> str:
    text = value.strip().rstrip(".").lower()
    if text.startswith("*."):
        text = text[2:]
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidValue(f"not a domain name ({exc})") from None
    labels = text.split(".")
    if len(text) > 253 or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise InvalidValue("not a domain name (labels of letters, digits and hyphens, at least two)")
    return text


def _url(value: str) -> str:
    text = value.strip()
    if len(text) > MAX_URL:
        raise InvalidValue(f"URL longer than {MAX_URL:,} characters")
    match = re.fullmatch(r"(?i)([a-z][a-z0-9+.-]*)://([^/?#\s]+)(.*)", text)
    if not match or " " in text:
        raise InvalidValue("not a URL (scheme://host...)")
    scheme, host, rest = match.groups()
    userinfo, _, hostport = host.rpartition("@")
    # scheme and host are case-insensitive (RFC 3986); the path is not
    return f"{scheme.lower()}://{userinfo + '@' if userinfo else ''}{hostport.lower()}{rest}"


def _hash(kind: str, value: str) -> str:
    text = value.strip().lower()
    if not _HEX.fullmatch(text) or len(text) != HASH_LENGTHS[kind]:
        raise InvalidValue(f"not an {kind.upper()} hash ({HASH_LENGTHS[kind]} hexadecimal digits)")
    return text


def _wallet(value: str) -> str:
    text = value.strip()
    if not _WALLET.fullmatch(text):
        raise InvalidValue("not a crypto wallet address (20-120 letters and digits)")
    return text


def _reason(kind: str, value: str) -> str:
    """Why `value` is not of `kind`, in a person's words (the matching form itself comes from
    `tahqiq.intel.observables`)."""
    try:
        if kind == "domain":
            _domain(value)
        elif kind == "url":
            _url(value)
        elif kind in HASH_LENGTHS:
            _hash(kind, value)
        elif kind == "wallet":
            _wallet(value)
        elif kind in ("email", "phone", "iban"):
            normalise(kind, value.strip())
    except InvalidValue as exc:
        return str(exc)
    return f"not a valid {kind}"


def normalise_value(kind: str, value: str) -> tuple[str, str]:
    """(kind, value) in the form the matcher compares (`tahqiq.intel.observables.normalise`, so an
    indicator and an observed value meet); an IP with a prefix length comes back as kind "cidr", and
    kind "ip" (either version) as the version found. Raises InvalidValue with the reason."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("empty value")
    if kind in ("ip", "ipv4", "ipv6", "cidr"):
        found, text = ip_kind(value)
        if kind in ("ipv4", "ipv6") and found not in (kind, "cidr"):
            raise InvalidValue(f"not an {kind.upper()} address")
        return found, text
    if kind not in ("domain", "url", "email", "phone", "iban", "wallet", *HASH_LENGTHS):
        raise InvalidValue(f"no indicator kind {kind!r}")
    text = value.strip()
    if kind == "domain" and text.startswith("*."):
        text = text[2:]  # a wildcard names the domain (its subdomains are the matcher's to follow)
    if kind == "url" and len(text) > MAX_URL:
        raise InvalidValue(f"URL longer than {MAX_URL:,} characters")
    result = observed_form(kind, text)
    if result is None:
        raise InvalidValue(_reason(kind, text))
    return kind, result


def strictest(levels: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The most restrictive of these TLP levels (several markings on one object: the strictest
    governs), or None when there are none."""
    known = [lv for lv in levels if lv in TLP_LEVELS]
    return max(known, key=TLP_LEVELS.index) if known else None
