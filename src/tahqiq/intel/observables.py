"""Observed values made comparable with indicators: one normaliser per kind, and a guess of the kinds
an event field holds.

Every function here is total: it never raises and answers None (or an empty tuple) when the value is
not of the kind, because it runs on every field of every log line and one odd value must not stop a
stream. The forms match those the importers give `Indicator.value`, so equal things compare equal:

  ip      canonical text (IPv4 dotted quad; IPv6 RFC 5952) and its integer; IPv4-mapped IPv6 is IPv4
  cidr    the network with host bits cleared, and its first and last address as integers
  domain  lower-case, IDNA (xn--) for non-ASCII, trailing dot removed; "www." kept (it is a host)
  url     RFC 3986 section 6 (url-normalize), fragment dropped, empty path "/"
  hash    lower-case hex; md5, sha1, sha256 or sha512 by its length
  email   lower-case     phone  E.164     iban  compact, checked     wallet  trimmed, as given
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping
from functools import lru_cache

import idna
from url_normalize import url_normalize

from tahqiq.model.types import InvalidValue
from tahqiq.model.types import normalise as _normalise_type

__all__ = ["HASH_KINDS", "OBSERVED_KINDS", "guess_kinds", "hash_values", "normalise", "normalise_cidr",
           "normalise_domain", "normalise_email", "normalise_hash", "normalise_iban", "normalise_ip",
           "normalise_phone", "normalise_url", "normalise_wallet", "url_and_host", "url_host"]

# The kinds an observed value can be looked up as; "ip" covers IPv4 and IPv6 (and the networks holding it).
OBSERVED_KINDS: tuple[str, ...] = ("ip", "domain", "url", "hash", "email", "phone", "iban", "wallet")
HASH_KINDS: dict[int, str] = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}

_AF4, _AF6 = socket.AF_INET, socket.AF_INET6
_MAPPED = 0xFFFF << 32
_HEX = frozenset("0123456789abcdef")
_IP_CHARS = frozenset("0123456789abcdefABCDEF.:[] \t")


def normalise_ip(value: object) -> tuple[str, int, int] | None:
    """(canonical text, version 4 or 6, integer) of an address; brackets and an IPv6 zone are dropped,
    an IPv4-mapped IPv6 address (::ffff:1.2.3.4) is the IPv4 address it carries."""
    if not isinstance(value, str):
        return None
    try:
        return value, 4, int.from_bytes(socket.inet_pton(_AF4, value), "big")
    except (OSError, ValueError):
        pass
    if not _IP_CHARS.issuperset(value.split("%", 1)[0]):
        return None
    text = value.strip().strip("[]").split("%", 1)[0]
    try:
        return text, 4, int.from_bytes(socket.inet_pton(_AF4, text), "big")
    except (OSError, ValueError):
        pass
    try:
        packed = socket.inet_pton(_AF6, text)
    except (OSError, ValueError):
        return None
    number = int.from_bytes(packed, "big")
    if number >> 32 == 0xFFFF:
        low = number & 0xFFFFFFFF
        return socket.inet_ntop(_AF4, low.to_bytes(4, "big")), 4, low
    return socket.inet_ntop(_AF6, packed), 6, number


def normalise_cidr(value: object) -> tuple[str, int, int, int] | None:
    """(network text, version, first, last) of a network ("10.1.2.3/8" is 10.0.0.0/8) or of one address
    (a /32 or /128). An IPv6 network inside ::ffff:0:0/96 is the IPv4 network it maps."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if "/" not in text:
        ip = normalise_ip(text)
        if ip is None:
            return None
        width = 32 if ip[1] == 4 else 128
        return f"{ip[0]}/{width}", ip[1], ip[2], ip[2]
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    first, last = int(net.network_address), int(net.broadcast_address)
    if net.version == 6 and net.prefixlen >= 96 and first >> 32 == 0xFFFF:
        first, last = first & 0xFFFFFFFF, last & 0xFFFFFFFF
        net4 = ipaddress.IPv4Network((first, net.prefixlen - 96))
        return str(net4), 4, first, last
    return str(net), net.version, first, last


_DOMAIN = re.compile(r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


@lru_cache(maxsize=65536)
def _idna(text: str) -> str | None:
    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def normalise_domain(value: object) -> str | None:
    """A DNS name in lower case, non-ASCII labels as IDNA A-labels, no trailing dot; an IP address is not
    a domain."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text.endswith("."):
        text = text[:-1]
    if not text.isascii():
        encoded = _idna(text)
        if encoded is None:
            return None
        text = encoded
    if len(text) > 253 or not _DOMAIN.fullmatch(text):
        return None
    last = text.rsplit(".", 1)[-1]
    if last.isdigit():
        return None
    return text


# A URL already in normal form: http(s), lower-case host, no port, no percent sign, no fragment. Such a URL
# is its own normal form (the tests hold this against url-normalize); every other goes through the library.
_QCHAR = r"[A-Za-z0-9\-._~!$'()*+,;:@/?]"                  # a query character other than & and =
_QPARAM = rf"(?:{_QCHAR}+(?:={_QCHAR}*)?|={_QCHAR}*)"       # what url-normalize leaves as it is
_URL_FAST = re.compile(r"([Hh][Tt][Tt][Pp][Ss]?)://([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::([1-9][0-9]{0,4}))?"
                       rf"((?:/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)(\?{_QPARAM}(?:&{_QPARAM})*)?")
_DEFAULT_PORT = {"http": "80", "https": "443"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_DEFANG = re.compile(r"^hxxp", re.IGNORECASE)


def _has_dot_segment(path: str) -> bool:
    return "/./" in path or "/../" in path or "//" in path or path.endswith(("/.", "/.."))


def normalise_url(value: object) -> str | None:
    """The RFC 3986 normal form of an absolute URL (scheme://host...), fragment dropped; None for a
    relative reference or anything that does not parse."""
    parts = url_and_host(value)
    return None if parts is None else parts[0]


def url_and_host(value: object) -> tuple[str, str] | None:
    """(normal form, host) of a URL in one pass: the matcher looks up both."""
    if not isinstance(value, str):
        return None
    fast = _URL_FAST.fullmatch(value)
    if fast is not None:
        scheme, host, port, path, query = fast.groups()
        if not _has_dot_segment(path) and int(port or 1) < 65536:
            if not (scheme.islower() and host.islower()):
                scheme, host = scheme.lower(), host.lower()
            elif port is None and path:
                return value, host
            authority = host if port is None or port == _DEFAULT_PORT[scheme] else f"{host}:{port}"
            return f"{scheme}://{authority}{path or '/'}{query or ''}", host
    url = _normalise_url_slow(value)
    if url is None:
        return None
    host = url_host(url)
    return None if host is None else (url, host)


@lru_cache(maxsize=65536)
def _normalise_url_slow(value: str) -> str | None:
    text = _DEFANG.sub("http", value.strip()).split("#", 1)[0]
    if not _SCHEME.match(text):
        return None
    try:
        result = url_normalize(text)
    except (ValueError, UnicodeError, TypeError, idna.IDNAError):
        return None
    if not result or "://" not in result:
        return None
    scheme, rest = result.split("://", 1)
    if not rest or rest[0] in "/?":
        return None
    if "/" not in rest.split("?", 1)[0]:
        head, sep, query = rest.partition("?")
        rest = head + "/" + sep + query
    return f"{scheme}://{rest}"


def url_host(url: str) -> str | None:
    """The host of a normalised URL (no user information, no port, no IPv6 brackets)."""
    rest = url.split("://", 1)[-1]
    end = len(rest)
    for sep in "/?#":
        i = rest.find(sep)
        if 0 <= i < end:
            end = i
    authority = rest[:end].rsplit("@", 1)[-1]
    if authority.startswith("["):
        host = authority[1:authority.find("]")] if "]" in authority else ""
    else:
        host = authority.rsplit(":", 1)[0] if authority.count(":") == 1 else authority
    return host or None


def normalise_hash(value: object) -> tuple[str, str] | None:
    """(kind, lower-case hex) of an MD5, SHA-1, SHA-256 or SHA-512 digest, the kind told by the length."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    kind = HASH_KINDS.get(len(text))
    if kind is None or not _HEX.issuperset(text):
        return None
    return kind, text


_HASH_PAIR = re.compile(r"([A-Za-z0-9-]+)\s*[=:]\s*([0-9A-Fa-f]+)")
_NOT_FILE_HASHES = frozenset({"imphash", "ssdeep", "tlsh", "authentihash"})


def hash_values(value: object) -> list[tuple[str, str]]:
    """Every file digest in a field: a plain hex digest, a mapping {"SHA-256": …}, or Sysmon's
    "MD5=…,SHA256=…,IMPHASH=…" (an import hash is not a file digest and is skipped)."""
    if isinstance(value, Mapping):
        return [h for k, v in value.items() if str(k).lower() not in _NOT_FILE_HASHES
                for h in hash_values(v)]
    if not isinstance(value, str):
        return []
    single = normalise_hash(value)
    if single is not None:
        return [single]
    out = []
    for name, digest in _HASH_PAIR.findall(value):
        if name.lower() in _NOT_FILE_HASHES:
            continue
        found = normalise_hash(digest)
        if found is not None:
            out.append(found)
    return out


def normalise_email(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or " " in local or normalise_domain(domain) != domain or "." not in domain:
        return None
    return text


@lru_cache(maxsize=65536)
def _typed(type_: str, value: str) -> str | None:
    try:
        return _normalise_type(type_, value)
    except InvalidValue:
        return None


def normalise_phone(value: object) -> str | None:
    """E.164, through the model's phone normaliser (Pakistan is the default region)."""
    return _typed("phone", value) if isinstance(value, str) and value.strip() else None


def normalise_iban(value: object) -> str | None:
    return _typed("iban", value) if isinstance(value, str) and value.strip() else None


def normalise_wallet(value: object) -> str | None:
    """A crypto wallet address as given (addresses are case-sensitive in most chains), trimmed."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if 20 <= len(text) <= 120 and text.isalnum() else None


def normalise(kind: str, value: object) -> str | None:
    """The matching form of `value` as `kind` (an indicator kind or "ip"/"hash"), or None."""
    if kind in ("ip", "ipv4", "ipv6"):
        ip = normalise_ip(value)
        if ip is None or (kind == "ipv4" and ip[1] != 4) or (kind == "ipv6" and ip[1] != 6):
            return None
        return ip[0]
    if kind == "cidr":
        net = normalise_cidr(value)
        return None if net is None else net[0]
    if kind == "hash" or kind in HASH_KINDS.values():
        found = normalise_hash(value)
        if found is None or (kind != "hash" and found[0] != kind):
            return None
        return found[1]
    fn = _NORMALISERS.get(kind)
    return None if fn is None else fn(value)


_NORMALISERS = {"domain": normalise_domain, "url": normalise_url, "email": normalise_email,
                "phone": normalise_phone, "iban": normalise_iban, "wallet": normalise_wallet}

_FIELD_KINDS: dict[str, tuple[str, ...]] = {}
for _kind, _names in {
    "ip": ("src_ip", "dst_ip", "ipaddress", "ip", "client_ip", "source_ip", "destination_ip", "remote_ip",
           "remote_addr", "server_ip", "host_ip", "ip_address", "src_addr", "dst_addr", "sourceip",
           "destinationip", "source.ip", "destination.ip", "client.ip", "server.ip", "host.ip", "ipv4", "ipv6",
           "c-ip", "s-ip", "sourceaddress", "destaddress", "x_forwarded_for"),
    "domain": ("domain", "host", "hostname", "query", "dns_query", "queryname", "query_name", "qname",
               "url.domain", "dns.question.name", "destination.domain", "server.domain", "sni", "server_name",
               "http_host", "cs-host"),
    "url": ("url", "uri", "request_url", "url.full", "url.original", "http_url", "referrer", "referer",
            "cs-uri", "request_uri"),
    "hash": ("md5", "sha1", "sha256", "sha512", "hash", "hashes", "file_hash", "file.hash.md5",
             "file.hash.sha1", "file.hash.sha256", "file.hash.sha512", "process.hash.sha256"),
    "email": ("email", "sender", "recipient", "from", "to", "mail_from", "rcpt_to", "email.from.address",
              "email.to.address", "sender_address", "recipient_address"),
    "phone": ("phone", "msisdn", "caller", "callee", "calling_number", "called_number", "a_number", "b_number"),
    "iban": ("iban", "payer_iban", "payee_iban"),
    "wallet": ("wallet", "wallet_address", "payer_wallet", "payee_wallet"),
}.items():
    for _name in _names:
        _FIELD_KINDS[_name] = (_kind,)
        _FIELD_KINDS[_name.replace("_", "").replace(".", "").replace("-", "")] = (_kind,)

_IBAN_SHAPE = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


def _shape_kinds(text: str) -> tuple[str, ...]:
    if normalise_ip(text) is not None:
        return ("ip",)
    if _SCHEME.match(text):
        return ("url",)
    if normalise_hash(text) is not None:
        return ("hash",)
    if "@" in text:
        return ("email",) if normalise_email(text) is not None else ()
    if _IBAN_SHAPE.fullmatch(text):
        return ("iban",)
    if "." in text and normalise_domain(text) is not None:
        return ("domain",)
    return ()


def guess_kinds(field_name: str, value: object) -> tuple[str, ...]:
    """The kinds to look `value` up as: by the field's name where it is a known one (an address in a
    "host" field is an IP), else by the value's shape. A URL's host is looked up by the URL match itself,
    so "url" is not followed by "domain" here."""
    key = field_name.strip().lower()
    kinds = _FIELD_KINDS.get(key) or _FIELD_KINDS.get(key.replace("_", "").replace(".", "").replace("-", ""))
    if isinstance(value, Mapping):
        return kinds if kinds == ("hash",) else ()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)                            # a phone number or an IP's integer stored as a number
    if not isinstance(value, str):
        return ()
    text = value.strip()
    if not text:
        return ()
    if kinds is None:
        return _shape_kinds(text)
    if kinds == ("domain",) and normalise_ip(text) is not None:
        return ("ip",)
    return kinds
