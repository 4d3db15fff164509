"""The identifiers a scam complaint names, in one canonical form per kind, and the values that never link.

Campaigns are found by complaints naming the same value, so two spellings of one value must become one
string: "0300-1234567", "0092 300 1234567" and "+923001234567" are one phone. Phones and IBANs go
through the model's normalisers (`tahqiq.model.normalise`); a URL is reduced to its registrable domain
(the Public Suffix List decides where the suffix ends: `www.shop.example.com.pk` -> `example.com.pk`,
while `evil.github.io` stays whole because every github.io site belongs to someone else).

A value that fails its normaliser (a phone with a digit missing, an IBAN with wrong check digits) is
kept in a compact form rather than dropped: victims copy a scammer's details from one message, so the
same mistyped number in two complaints is still a link.

The stop list holds values that many unrelated complaints name because they are public: emergency
numbers, banks' and wallets' helplines, big platforms' domains and link shorteners. Linking on them
would join every campaign that mentions them into one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from ipaddress import ip_address

from publicsuffixlist import PublicSuffixList

from tahqiq.model import InvalidValue, normalise

__all__ = ["KINDS", "DEFAULT_STOP_LIST", "canonical", "stop_list", "is_public_number"]

# The kinds of identifier a complaint names, in the order campaigns report them.
KINDS = ("phone", "iban", "wallet", "domain", "device")

_SEPARATORS = re.compile(r"[\s\-().]")
_DEFANG = (("hxxp", "http"), ("[.]", "."), ("(.)", "."), ("[dot]", "."), ("[:]", ":"))
_HEX_WALLET = re.compile(r"0x[0-9a-fA-F]{40}")
_IMEI = re.compile(r"\d{14,17}")  # IMEI (15), IMEISV (16) and IMEI without its check digit (14)
_PSL = PublicSuffixList()
_BRANDED_NUMBER = re.compile(r"[A-Za-z][A-Za-z .]*?[\s:#-]*(\+?[\d][\d\s\-()]{8,})")
# Numbers that belong to organisations, not to a scammer's SIM: short codes (15, 1122), toll-free
# 0800 numbers and universal access numbers (an area code, then 111 and six digits). Scammers spoof
# them on caller ID, so many unrelated complaints name them.
_PUBLIC_NUMBER = re.compile(r"\d{2,5}|\+92800\d{5}|\+92\d{2,3}111\d{6}")


def _compact(raw: str) -> str:
    return _SEPARATORS.sub("", raw)


def _digits_of(raw: str) -> str:
    return "".join(ch for ch in raw if ch.isdigit())


def _phone(raw: str) -> str:
    try:
        return normalise("phone", raw)
    except InvalidValue:
        # Short codes (15, 1122) and mistyped numbers: the digits as written ("" when there are none:
        # "N/A" and "unknown" name no number).
        return _digits_of(raw)


def _iban(raw: str) -> str:
    try:
        return normalise("iban", raw)
    except InvalidValue:
        compact = _compact(raw).upper()
        return compact if any(ch.isdigit() for ch in compact) else ""


def _wallet(raw: str) -> str:
    # Pakistani mobile wallets (JazzCash, Easypaisa) are addressed by the holder's phone number, so a
    # wallet that is a phone number ("Easypaisa 0306-1602537" as victims write it) becomes that phone
    # and links with complaints that name it as one.
    branded = _BRANDED_NUMBER.fullmatch(raw.strip())
    if branded:
        raw = branded.group(1)
    compact = _compact(raw)
    if compact.lstrip("+").isdigit():
        return _phone(raw)
    if _HEX_WALLET.fullmatch(compact):
        return compact.lower()  # Ethereum-style addresses are case-insensitive hex
    return compact  # base58 and other addresses are case-sensitive


# scheme://user@host:port/...: the host part, or a bare host with a path ("shop.example.pk/offer").
_HOST = re.compile(r"^(?:(?:[a-z][a-z0-9+.\-]*:)?//)?(?:[^/?#@]*@)?(\[[^\]]*\]|[^/?#:\s]*)", re.I)
_IP_LIKE = re.compile(r"[\d.]+|\[?[0-9a-f:.]*\]?", re.I)


def _domain(raw: str) -> str:
    text = raw.strip()
    for fanged, plain in _DEFANG:
        if fanged in text:
            text = text.replace(fanged, plain)
    found = _HOST.match(text)
    host = found.group(1).strip("[]").rstrip(".").lower() if found else ""
    # A host without a dot ("localhost", the "n" of "N/A", the first word of "no website") is no
    # domain anyone registered, and would link unrelated complaints.
    return _registrable(host) if "." in host or ":" in host else ""


@lru_cache(maxsize=65536)
def _registrable(host: str) -> str:
    # Many URLs, few hosts: the Public Suffix List is asked once per host.
    if _IP_LIKE.fullmatch(host):
        try:
            return str(ip_address(host))
        except ValueError:
            return host  # digits and dots that are no address: no suffix to find
    try:
        host = host.encode("idna").decode("ascii")  # one spelling for internationalised names
    except UnicodeError:
        pass
    return _PSL.privatesuffix(host) or host.removeprefix("www.")


def _device(raw: str) -> str:
    compact = _compact(raw).replace("/", "")
    if _IMEI.fullmatch(compact):
        return compact
    return compact.lower()


_CANONICAL = {"phone": _phone, "iban": _iban, "wallet": _wallet, "domain": _domain, "device": _device}


# What complainants write when they have no value; such a value must not link their complaints.
_PLACEHOLDERS = frozenset({"", "na", "n/a", "none", "nil", "null", "unknown", "notknown", "notavailable", "0", "-"})


def canonical(kind: str, raw: str) -> str:
    """`raw` in its kind's canonical form, or "" when it names nothing (a blank, "N/A", "unknown").
    Raises ValueError for an unknown kind."""
    try:
        fn = _CANONICAL[kind]
    except KeyError:
        raise ValueError(f"unknown identifier kind {kind!r}; expected one of {', '.join(KINDS)}") from None
    if _compact(raw).lower() in _PLACEHOLDERS:
        return ""
    return fn(raw)


def is_public_number(value: str) -> bool:
    """Whether a canonical value is an organisation's number (short code, toll-free, UAN): a hub
    whatever its count."""
    return _PUBLIC_NUMBER.fullmatch(value) is not None


# Written as people write them; `stop_list()` brings them to canonical form.
_STOP_WRITTEN: dict[str, tuple[str, ...]] = {
    # Emergency and public-service short codes: police, fire, Edhi, motorway police, rescue, FIA
    # cybercrime, NADRA, PTA complaints.
    "phone": ("15", "16", "115", "130", "1122", "1991", "1777", "0800-55055",
              # banks' universal access numbers as victims quote them (Karachi and Lahore forms).
              "021-111-111-425", "042-111-111-425",  # HBL
              "021-111-825-888", "042-111-825-888",  # UBL
              "021-111-000-622", "042-111-000-622",  # MCB
              "021-111-331-331", "042-111-331-331",  # Meezan
              "021-111-225-111", "042-111-225-111",  # Bank Alfalah
              "021-111-627-627", "042-111-627-627"),  # NBP
    # Platforms where scams are advertised or carried on, but which every complaint may name, and
    # link shorteners whose domain says nothing about who is behind the link.
    "domain": ("facebook.com", "fb.com", "instagram.com", "whatsapp.com", "wa.me", "google.com",
               "youtube.com", "youtu.be", "tiktok.com", "twitter.com", "x.com", "t.me", "telegram.org",
               "daraz.pk", "olx.com.pk", "jazzcash.com.pk", "easypaisa.com.pk", "bit.ly", "tinyurl.com",
               "forms.gle", "linktr.ee"),
}


@lru_cache(maxsize=1)
def stop_list() -> frozenset[str]:
    """The default stop list in canonical form (values that never link, whatever their count)."""
    return frozenset(canonical(kind, raw) for kind, values in _STOP_WRITTEN.items() for raw in values)


DEFAULT_STOP_LIST: frozenset[str] = stop_list()
