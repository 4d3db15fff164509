"""Watchlist keys: turning what an officer types (or a feed reports) into the one form that is compared.

Identity keys use the model's normalisers (`tahqiq.model.types`): CNIC, phone (E.164), plate,
chassis, IBAN. Cyber indicators (domain, URL, IP address, e-mail, file hash) are normalised here:
refanged (``hxxp``, ``[.]``), lower-cased where case carries no meaning, IP addresses in their
canonical text form, hashes as lower-case hex of a known length. A STIX 2.1 pattern with one
equality comparison (``[ipv4-addr:value = '203.0.113.7']``) yields its indicator; other patterns are
kept only as provenance, with the indicator given separately.

Every failure raises `InvalidValue` whose message names the field and the problem but never repeats
the value (messages may reach people who may not see the personal data).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from tahqiq.model import types
from tahqiq.model.types import InvalidValue
from tahqiq.names import parse_name

INDICATOR_TYPES = ("domain", "url", "ip", "email", "hash")
# Key kinds a watchlist entry may carry: the exact keys of the shared contract, plus names.
NAME = "name"

_HASH_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_HEX = re.compile(r"[0-9a-f]+")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_REFANG = (("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[:]", ":"),
           ("[@]", "@"), ("[at]", "@"), ("(at)", "@"), ("[/]", "/"))


def _refang(raw: str) -> str:
    """Indicators are often shared 'defanged' so nobody clicks them: undo the usual forms."""
    text = raw
    for a, b in _REFANG:
        text = text.replace(a, b)
    return re.sub(r"(?i)^hxxp(s?)://", r"http\1://", text)


def _domain(raw: str) -> str:
    host = raw.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")  # internationalised names compare in punycode
    except UnicodeError:
        raise InvalidValue("domain: not a valid internationalised domain name") from None
    labels = host.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise InvalidValue("domain: needs dot-separated labels of letters, digits and hyphens")
    if not re.fullmatch(r"[a-z]{2,63}|xn--[a-z0-9-]+", labels[-1]):
        raise InvalidValue("domain: the last label is not a top-level domain")
    return host


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https", "ftp") or not parts.hostname:
        raise InvalidValue("url: needs http://, https:// or ftp:// and a host")
    host = parts.hostname
    try:
        host = str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        host = _domain(host)
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = host if port is None else f"{host}:{port}"
    # Paths and queries are case-sensitive on most servers: kept as written; the fragment never
    # reaches the server, so it is dropped.
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _ip(raw: str) -> str:
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise InvalidValue("ip: not an IPv4 or IPv6 address") from None


def _hash(raw: str) -> str:
    digest = raw.lower().split(":", 1)[-1] if ":" in raw else raw.lower()  # "sha256:abc..."
    if not _HEX.fullmatch(digest) or len(digest) not in _HASH_LENGTHS:
        raise InvalidValue("hash: expected MD5, SHA-1, SHA-256 or SHA-512 as hexadecimal")
    return digest


def _guess_type(raw: str) -> str:
    low = raw.lower()
    if re.match(r"^[a-z][a-z0-9+.-]*://", low):
        return "url"
    if "@" in raw:
        return "email"
    if _HEX.fullmatch(low.split(":", 1)[-1]) and len(low.split(":", 1)[-1]) in _HASH_LENGTHS:
        return "hash"
    try:
        ipaddress.ip_address(raw)
        return "ip"
    except ValueError:
        return "domain"


def normalise_indicator(value: str, indicator_type: str | None = None) -> tuple[str, str]:
    """(type, canonical value) of a cyber indicator; the type is guessed from the shape if not given."""
    raw = _refang(types.clean_text(value)).strip()
    if not raw:
        raise InvalidValue("indicator: empty")
    kind = (indicator_type or _guess_type(raw)).strip().lower()
    if kind not in INDICATOR_TYPES:
        raise InvalidValue(f"indicator type must be one of {', '.join(INDICATOR_TYPES)}")
    if kind == "email":
        try:
            local, domain = types.email(raw).rsplit("@", 1)
        except InvalidValue:
            raise InvalidValue("email: not an e-mail address") from None
        return kind, f"{local}@{_domain(domain)}"
    return kind, {"domain": _domain, "url": _url, "ip": _ip, "hash": _hash}[kind](raw)


# One comparison of a STIX 2.1 pattern: [object-type:path = 'value']
_STIX_ONE = re.compile(r"^\[\s*([a-z0-9-]+):([A-Za-z0-9_.'\-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$")
_STIX_TYPES = {"domain-name": "domain", "url": "url", "ipv4-addr": "ip", "ipv6-addr": "ip", "email-addr": "email"}


def indicator_from_stix(pattern: str) -> tuple[str, str]:
    """The indicator of a single-comparison STIX 2.1 pattern, normalised; InvalidValue otherwise."""
    m = _STIX_ONE.match(types.clean_text(pattern))
    if not m:
        raise InvalidValue("stix: only a single '[type:property = 'value']' comparison can give the indicator; "
                           "give the indicator separately and keep the pattern as provenance")
    obj, path, literal = m.groups()
    literal = literal.replace("\\'", "'").replace("\\\\", "\\")
    if obj == "file" and path.startswith("hashes."):
        return normalise_indicator(literal, "hash")
    if obj in _STIX_TYPES and path == "value":
        return normalise_indicator(literal, _STIX_TYPES[obj])
    raise InvalidValue(f"stix: no indicator for '{obj}:{path}' (use domain-name, url, ipv4-addr, ipv6-addr, "
                       "email-addr :value or file:hashes)")


def normalise_name(value: str) -> str:
    """A person's name as written (any script), cleaned; refused if no name words remain."""
    text = types.name(value)
    if not parse_name(text).given:
        raise InvalidValue("name: nothing is left after removing titles and parentage")
    return text


def normalise_key(kind: str, value: str) -> str:
    """The canonical form of one watchlist key of `kind` (cnic, phone, plate, chassis, iban,
    indicator, name), or InvalidValue naming the kind and the problem."""
    if value is None or not str(value).strip():
        raise InvalidValue(f"{kind}: empty")
    if kind == "indicator":
        try:
            return normalise_indicator(value)[1]
        except InvalidValue as exc:
            message = str(exc)
            raise InvalidValue(message if message.startswith("indicator") else f"indicator {message}") from None
    if kind == NAME:
        return normalise_name(value)
    if kind not in ("cnic", "phone", "plate", "chassis", "iban"):
        raise InvalidValue(f"unknown key kind {kind!r}")
    try:
        return types.NORMALISERS[kind](str(value))
    except InvalidValue as exc:
        message = str(exc)
        raise InvalidValue(message if message.lower().startswith(kind) else f"{kind}: {message}") from None


def normalise_birth_date(value: str) -> str:
    try:
        return types.date_(value)
    except InvalidValue as exc:
        raise InvalidValue(f"birth date: {exc}") from None
