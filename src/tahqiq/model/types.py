"""Normalisers for property types: each turns a source value into Tahqiq's canonical form or raises
InvalidValue with a reason a data steward can act on. Reasons never repeat the value itself: they are
listed to people who may not see personal data (the value is in the quarantined row, behind the gate).

Canonical forms (what resolution and screening compare):
  cnic      NNNNN-NNNNNNN-N          phone    E.164 (+923001234567), default region PK
  plate     LETTERS-DIGITS (LEA-1234; LEB-09-1234 -> LEB-091234, separator-insensitive like ANPR)
  chassis   upper-case, no spaces     iban     PK + 22 characters, mod-97 checked, no spaces
  date      YYYY-MM-DD                datetime ISO 8601 with offset (naive times are Asia/Karachi)
  name/text NFC Unicode, single spaces, as spelled by the source (the original script is kept)
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import phonenumbers

from tahqiq.model import places

PAKISTAN_TIME = timezone(timedelta(hours=5), "PKT")  # Asia/Karachi has no daylight saving time


class InvalidValue(ValueError):
    """A value that cannot be normalised; str(exc) is the reason."""


def clean_text(value: object) -> str:
    """NFC-normalise and collapse white space. Urdu typed on different keyboards differs in
    composition (e.g. ۂ vs ہ + hamza); NFC makes equal text compare equal."""
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("\u200c", " ").replace("\u200f", "").replace("\u200e", "").replace("\ufeff", "")
    return " ".join(text.split())


def script_of(text: str) -> str | None:
    """The dominant writing system of the letters in `text`: 'Arab' (Urdu), 'Latn', or None."""
    arab = latn = 0
    for ch in text:
        if not ch.isalpha():
            continue
        # Arabic, Arabic Supplement, Arabic Presentation Forms A and B
        if (
            "\u0600" <= ch <= "\u06ff"
            or "\u0750" <= ch <= "\u077f"
            or "\ufb50" <= ch <= "\ufdff"
            or "\ufe70" <= ch <= "\ufeff"
        ):
            arab += 1
        elif ch.isascii() or "\u00c0" <= ch <= "\u024f":
            latn += 1
    if not (arab or latn):
        return None
    return "Arab" if arab >= latn else "Latn"


_DIGITS = re.compile(r"\D")
# Eastern Arabic and Persian/Urdu digits appear in Urdu-script records.
_DIGIT_MAP = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _digits(value: str) -> str:
    return _DIGITS.sub("", value.translate(_DIGIT_MAP))


def cnic(value: str) -> str:
    raw = clean_text(value).translate(_DIGIT_MAP)
    if re.search(r"[^\d\s\-.]", raw):
        raise InvalidValue("CNIC may contain only digits and dashes")
    digits = _digits(raw)
    if len(digits) != 13:
        raise InvalidValue(f"CNIC must have 13 digits, got {len(digits)}")
    if digits[0] == "0":
        raise InvalidValue("CNIC cannot start with 0 (first digit is the NADRA region)")
    if len(set(digits)) == 1:
        raise InvalidValue("CNIC is a placeholder (all digits equal)")
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


_PK_MOBILE = re.compile(r"(?:\+92|0092|92|0)?(3\d{9})")


@lru_cache(maxsize=4096)
def _pk_mobile_range_valid(head: str) -> bool:
    # Validity of a Pakistani mobile number depends only on its operator prefix (the first digits),
    # so phonenumbers' full parse runs once per prefix instead of once per number.
    number = phonenumbers.parse("+92" + head + "0" * (10 - len(head)), None)
    return phonenumbers.is_valid_number(number)


def phone(value: str, region: str = "PK") -> str:
    raw = clean_text(value).translate(_DIGIT_MAP)
    if region == "PK":
        compact = re.sub(r"[\s\-().]", "", raw)
        fast = _PK_MOBILE.fullmatch(compact)
        if fast and _pk_mobile_range_valid(fast.group(1)[:5]):
            return "+92" + fast.group(1)
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif re.fullmatch(r"92\d{10}", _digits(raw)) and not raw.startswith("0"):
        raw = "+" + _digits(raw)  # 923001234567: country code without the plus
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(f"not a phone number ({exc})") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_PLATE_TOKENS = re.compile(r"[A-Z]+|\d+")


def plate(value: str) -> str:
    raw = clean_text(value).upper().translate(_DIGIT_MAP)
    if re.search(r"[^A-Z0-9\s\-./]", raw):
        raise InvalidValue("plate may contain only Latin letters, digits and separators")
    tokens = _PLATE_TOKENS.findall(raw)
    letters = "".join(t for t in tokens if t.isalpha())
    digits = "".join(t for t in tokens if t.isdigit())
    first_digit = next((i for i, t in enumerate(tokens) if t.isdigit()), len(tokens))
    if any(t.isalpha() for t in tokens[first_digit:]):
        raise InvalidValue("plate must be letters then digits (e.g. LEA-1234)")
    if not 1 <= len(letters) <= 5 or not 1 <= len(digits) <= 6:
        raise InvalidValue("plate needs 1-5 letters and 1-6 digits (e.g. LEA-1234, LEB-09-1234)")
    return f"{letters}-{digits}"


_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
_FRAME = re.compile(r"[A-Z0-9]{2,8}-\d{4,8}")  # Japanese frame numbers (many imports): NZE141-1234567


def chassis(value: str) -> str:
    raw = clean_text(value).upper().replace(" ", "")
    if _VIN.fullmatch(raw) or _FRAME.fullmatch(raw):
        return raw
    if len(raw) == 17 and re.search("[IOQ]", raw):
        raise InvalidValue("VIN cannot contain I, O or Q")
    raise InvalidValue("chassis number must be a 17-character VIN or a frame number like NZE141-1234567")


def iban(value: str) -> str:
    raw = re.sub(r"[\s\-]", "", clean_text(value).upper())
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{1,30}", raw):
        raise InvalidValue("not an IBAN")
    if raw.startswith("PK") and not re.fullmatch(r"PK\d{2}[A-Z]{4}\d{16}", raw):
        raise InvalidValue("a Pakistani IBAN is PK, 2 check digits, a 4-letter bank code and 16 digits")
    rearranged = raw[4:] + raw[:4]
    if int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 != 1:
        raise InvalidValue("IBAN check digits are wrong (mod-97)")
    return raw


def passport(value: str) -> str:
    raw = re.sub(r"[\s\-]", "", clean_text(value).upper())
    if not re.fullmatch(r"[A-Z0-9]{6,12}", raw):
        raise InvalidValue("passport number must be 6-12 letters/digits")
    return raw


_ISO_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def date_(value: str, formats: list[str] | None = None) -> str:
    raw = clean_text(value).translate(_DIGIT_MAP)
    for fmt in formats or _ISO_DATE_FORMATS:
        try:
            parsed = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if not date(1900, 1, 1) <= parsed <= date(2100, 12, 31):
            raise InvalidValue("date out of range 1900-2100")
        return parsed.isoformat()
    tried = ", ".join(formats or _ISO_DATE_FORMATS)
    raise InvalidValue(f"not a date in the expected format ({tried})")


def datetime_(value: str, formats: list[str] | None = None) -> str:
    raw = clean_text(value).translate(_DIGIT_MAP)
    parsed = None
    if formats:
        for fmt in formats:
            try:
                parsed = datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
    else:
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise InvalidValue(f"not a date-time (ISO 8601 expected{', or ' + ', '.join(formats) if formats else ''})")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=PAKISTAN_TIME)
    if not 1900 <= parsed.year <= 2100:
        raise InvalidValue("date-time out of range 1900-2100")
    return parsed.isoformat()


_GENDERS = {"m": "male", "male": "male", "man": "male", "mard": "male", "مرد": "male",
            "f": "female", "female": "female", "woman": "female", "aurat": "female", "عورت": "female",
            "x": "other", "other": "other", "t": "other", "transgender": "other", "khawaja sira": "other"}


def gender(value: str) -> str:
    key = clean_text(value).lower()
    if key not in _GENDERS:
        raise InvalidValue("gender must be male/female/other (or m/f/x)")
    return _GENDERS[key]


def number(value: str) -> str:
    raw = clean_text(value).translate(_DIGIT_MAP).replace(",", "")
    try:
        num = Decimal(raw)
    except InvalidOperation:
        raise InvalidValue("not a number") from None
    if not num.is_finite():
        raise InvalidValue("not a finite number")
    return format(num.normalize(), "f")


def amount(value: str) -> str:
    raw = re.sub(r"^(PKR|RS\.?|Rs\.?)\s*", "", clean_text(value), flags=re.I)
    out = number(raw)
    if Decimal(out) < 0:
        raise InvalidValue("amount cannot be negative")
    return out


def _coordinate(value: str, limit: int, what: str) -> str:
    num = Decimal(number(value))
    if not -limit <= num <= limit:
        raise InvalidValue(f"{what} must be between -{limit} and {limit}")
    return str(round(num, 6).normalize())


def latitude(value: str) -> str:
    return _coordinate(value, 90, "latitude")


def longitude(value: str) -> str:
    return _coordinate(value, 180, "longitude")


def district(value: str) -> str:
    found = places.find_district(clean_text(value))
    if found is None:
        raise InvalidValue("unknown district (not in the Pakistani admin list)")
    return found


def province(value: str) -> str:
    found = places.find_province(clean_text(value))
    if found is None:
        raise InvalidValue("unknown province")
    return found


def country(value: str) -> str:
    raw = clean_text(value).upper()
    aliases = {"PAKISTAN": "PK", "PAK": "PK", "PAKISTANI": "PK"}
    raw = aliases.get(raw, raw)
    if not re.fullmatch(r"[A-Z]{2}", raw):
        raise InvalidValue("country must be an ISO 3166 two-letter code")
    return raw


def currency(value: str) -> str:
    raw = clean_text(value).upper()
    raw = {"RS": "PKR", "RS.": "PKR", "RUPEES": "PKR"}.get(raw, raw)
    if not re.fullmatch(r"[A-Z]{3}", raw):
        raise InvalidValue("currency must be an ISO 4217 code like PKR")
    return raw


def email(value: str) -> str:
    raw = clean_text(value).lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", raw):
        raise InvalidValue("not an e-mail address")
    return raw


def url(value: str) -> str:
    raw = clean_text(value)
    if not re.fullmatch(r"(?i)(https?|hxxps?)://[^\s/$.?#][^\s]*", raw):
        raise InvalidValue("not an http(s) URL")
    return raw


def boolean(value: str) -> str:
    key = clean_text(value).lower()
    if key in {"1", "true", "yes", "y", "t"}:
        return "true"
    if key in {"0", "false", "no", "n", "f"}:
        return "false"
    raise InvalidValue("not a yes/no value")


def name(value: str) -> str:
    text = clean_text(value)
    if not any(ch.isalpha() for ch in text):
        raise InvalidValue("a name needs letters")
    return text


def text_(value: str) -> str:
    return clean_text(value)


def identifier(value: str) -> str:
    text = clean_text(value)
    if len(text) > 200:
        raise InvalidValue("identifier longer than 200 characters")
    return text


def enum(value: str, allowed: tuple[str, ...]) -> str:
    key = clean_text(value).lower().replace(" ", "_").replace("-", "_")
    if key not in allowed:
        raise InvalidValue(f"not one of: {', '.join(allowed)}")
    return key


NORMALISERS = {
    "cnic": cnic, "phone": phone, "plate": plate, "chassis": chassis, "iban": iban,
    "passport": passport, "gender": gender, "number": number, "amount": amount,
    "latitude": latitude, "longitude": longitude, "district": district, "province": province,
    "country": country, "currency": currency, "email": email, "url": url, "boolean": boolean,
    "name": name, "text": text_, "identifier": identifier,
}


# Types whose values repeat a lot across rows (districts, dates, genders...): cache their results.
_REPEATING = {"district", "province", "gender", "country", "currency", "boolean", "date", "enum"}


def normalise(type_: str, value: str, *, formats: list[str] | None = None, values: tuple[str, ...] = ()) -> str:
    """Normalise `value` as `type_`; raises InvalidValue with the reason."""
    if type_ in _REPEATING:
        return _normalise_cached(type_, value, tuple(formats or ()), values)
    return _normalise(type_, value, formats, values)


@lru_cache(maxsize=65536)
def _normalise_cached(type_: str, value: str, formats: tuple[str, ...], values: tuple[str, ...]) -> str:
    return _normalise(type_, value, list(formats) or None, values)


def _normalise(type_: str, value: str, formats: list[str] | None, values: tuple[str, ...]) -> str:
    if type_ == "date":
        return date_(value, formats)
    if type_ == "datetime":
        return datetime_(value, formats)
    if type_ == "enum":
        return enum(value, values)
    try:
        fn = NORMALISERS[type_]
    except KeyError:
        raise InvalidValue(f"no normaliser for type {type_!r}") from None
    return fn(value)


def parse_expiry(text: str) -> datetime:
    """An expiry as a person types it: a date (2026-12-31) means through the end of that day, UTC;
    an ISO 8601 time without an offset is UTC. Raises ValueError."""
    text = text.strip()
    ts = datetime.fromisoformat(text)
    if len(text) <= 10:
        return datetime.combine(ts.date() + timedelta(days=1), datetime.min.time(), UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
