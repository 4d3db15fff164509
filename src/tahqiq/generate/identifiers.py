"""Identifiers as Pakistani agencies issue and write them, and deliberately broken variants.

CNIC: NNNNN-NNNNNNN-N. The first digit is the province (3 = Punjab), the next two the division and
district, then the tehsil; the last digit is odd for men and even for women.
Mobile numbers: 03XX-NNNNNNN with real operator prefixes; every one is valid for `phonenumbers`.
IBAN: PK + 2 ISO 13616 check digits + 4-letter bank code + 16 digits.
Plates: district mark + series letter + number, sometimes with the year ("LEB-09-1234").
Chassis: 17-character VINs (no I, O, Q) for locally assembled cars, Japanese frame numbers
("NZE141-1234567") for imported ones.
"""

from __future__ import annotations

import random

OPERATORS = (
    # operator, prefixes, market share
    ("Jazz", tuple(range(300, 310)) + tuple(range(320, 330)), 0.37),
    ("Zong", tuple(range(310, 319)), 0.25),
    ("Ufone", tuple(range(330, 338)), 0.14),
    ("Telenor", tuple(range(340, 350)), 0.24),
)

BANKS = (
    # code, name, share of accounts
    ("HABB", "Habib Bank Limited", 0.18), ("MUCB", "MCB Bank Limited", 0.12), ("UNIL", "United Bank Limited", 0.13),
    ("ABPA", "Allied Bank Limited", 0.10), ("NBPA", "National Bank of Pakistan", 0.11), ("MEZN", "Meezan Bank", 0.12),
    ("ALFH", "Bank Alfalah", 0.09), ("BAHL", "Bank AL Habib", 0.07),
    ("SCBL", "Standard Chartered Bank (Pakistan)", 0.03), ("BKIP", "BankIslami Pakistan", 0.05),
)

VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q
VIN_WMI = {"Suzuki": "MA3", "Toyota": "MR0", "Honda": "MRH", "Kia": "KNA", "Hyundai": "KMH",
           "Yamaha": "ME1", "United": "LUJ", "Road Prince": "LRP"}

# make, model, vehicle type, share, frame-number prefixes for Japanese imports (empty: local VIN)
VEHICLE_MODELS = (
    ("Honda", "CD-70", "Motorcycle", 0.30, ()),
    ("Honda", "CG-125", "Motorcycle", 0.10, ()),
    ("Yamaha", "YBR 125", "Motorcycle", 0.05, ()),
    ("United", "US-70", "Motorcycle", 0.08, ()),
    ("Road Prince", "RP-70", "Motorcycle", 0.04, ()),
    ("Suzuki", "Mehran", "Car", 0.08, ()),
    ("Suzuki", "Alto", "Car", 0.07, ()),
    ("Suzuki", "Cultus", "Car", 0.04, ()),
    ("Suzuki", "Wagon R", "Car", 0.03, ()),
    ("Suzuki", "Bolan", "Car", 0.02, ()),
    ("Toyota", "Corolla", "Car", 0.07, ("NZE141", "NZE161", "ZRE172")),
    ("Toyota", "Vitz", "Car", 0.02, ("KSP130", "NSP130")),
    ("Toyota", "Aqua", "Car", 0.015, ("NHP10",)),
    ("Honda", "City", "Car", 0.045, ("GM2", "GM6")),
    ("Honda", "Civic", "Car", 0.03, ("FD1", "FB2")),
    ("Honda", "Vezel", "Car", 0.01, ("RU3",)),
    ("Kia", "Sportage", "Car", 0.01, ()),
    ("Hyundai", "Tucson", "Car", 0.005, ()),
)
COLOURS = ("White", "Silver", "Black", "Grey", "Red", "Blue", "Maroon", "Beige", "Green")
MOTORCYCLE_COLOURS = ("Red", "Black", "Blue", "Red", "Black")


def cnic(prefix5: str, body7: int, male: bool, last_pick: int) -> str:
    odd = (1, 3, 5, 7, 9)
    even = (0, 2, 4, 6, 8)
    last = (odd if male else even)[last_pick % 5]
    return f"{prefix5}-{body7:07d}-{last}"


def cnic_digits(c: str) -> str:
    return c.replace("-", "")


def cnic_variant(c: str, r: random.Random, p_digits: float = 0.3, p_spaced: float = 0.05) -> str:
    """How a CNIC is written: with dashes, digits only, or with spaces."""
    u = r.random()
    if u < p_digits:
        return c.replace("-", "")
    if u < p_digits + p_spaced:
        return c.replace("-", " ")
    return c


def bad_cnic(c: str) -> str:
    """A malformed CNIC: 12 digits (one dropped from the middle block)."""
    return c[:6] + c[7:]


def phone_national(prefix: int, sub: int) -> str:
    return f"0{prefix}{sub:07d}"


PHONE_FORMATS = ("dash", "plus_spaced", "intl_digits", "national", "plus", "spaced")


def phone_format(national: str, style: str) -> str:
    """0300-1234567, +92 300 1234567, 923001234567, 03001234567, +923001234567, 0300 1234567."""
    if style == "dash":
        return f"{national[:4]}-{national[4:]}"
    if style == "plus_spaced":
        return f"+92 {national[1:4]} {national[4:]}"
    if style == "intl_digits":
        return "92" + national[1:]
    if style == "plus":
        return "+92" + national[1:]
    if style == "spaced":
        return f"{national[:4]} {national[4:]}"
    return national


def bad_phone(national: str, r: random.Random) -> str:
    """A phone number that no Pakistani numbering plan accepts."""
    u = r.random()
    if u < 0.4:
        return f"{national[:4]}-{national[4:10]}"  # a digit short
    if u < 0.7:
        return national + str(r.randrange(10))  # a digit too many
    return "0" + national[4:9]  # a fragment


_LETTER_DIGITS: dict[str, str] = {}


def iban(bank_code: str, account16: str) -> str:
    """A Pakistani IBAN with correct ISO 13616 mod-97 check digits."""
    code = _LETTER_DIGITS.get(bank_code)
    if code is None:
        code = _LETTER_DIGITS[bank_code] = "".join(str(int(ch, 36)) for ch in bank_code)
    # rearranged: BBAN + "PK00", letters as numbers (P=25, K=20)
    check = 98 - int(code + account16 + "252000") % 97
    return f"PK{check:02d}{bank_code}{account16}"


def iban_valid(value: str) -> bool:
    v = value.replace(" ", "").upper()
    if len(v) != 24 or not v.startswith("PK"):
        return False
    rearranged = v[4:] + v[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def iban_spaced(value: str) -> str:
    return " ".join(value[i:i + 4] for i in range(0, len(value), 4))


def plate(mark: str, series: str, number: int, year: int | None) -> str:
    if year is not None:
        return f"{mark}{series}-{year % 100:02d}-{number}"
    return f"{mark}{series}-{number}"


def plate_variant(p: str, style: str) -> str:
    """LEA-1234 (excise), LEA 1234 (police), lea1234 (typed), LEA1234 (ANPR)."""
    if style == "space":
        return p.replace("-", " ")
    if style == "lower":
        return p.replace("-", "").lower()
    if style == "compact":
        return p.replace("-", "")
    return p


def vin(make: str, year: int, r: random.Random) -> str:
    wmi = VIN_WMI.get(make, "MA3")
    year_code = "ABCDEFGHJKLMNPRSTVWXY123456789"[(year - 2010) % 30]
    body = "".join(r.choice(VIN_CHARS) for _ in range(5))
    return f"{wmi}{body}{r.choice(VIN_CHARS)}{year_code}{r.choice(VIN_CHARS)}{r.randrange(1000000):06d}"


def frame_number(prefix: str, r: random.Random) -> str:
    return f"{prefix}-{r.randrange(1000000, 9999999)}"


def engine_number(make: str, vtype: str, r: random.Random) -> str:
    if vtype == "Motorcycle":
        return f"{make[:1].upper()}{r.choice('ABCDEFGH')}{r.randrange(1000000, 9999999)}"
    code = {"Suzuki": ("F8D", "K10B", "K12M"), "Toyota": ("1NZ", "2ZR", "1KR"), "Honda": ("L15Z", "R18Z")}
    return f"{r.choice(code.get(make, ('G4FC', 'D4FB')))}-{r.randrange(100000, 9999999)}"
