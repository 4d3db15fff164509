"""Pakistan's provinces, districts and tehsils, from the admin list shipped in `pk-address-checker`
(MIT). Used to normalise district names in source records ("D.G. Khan" -> "Dera Ghazi Khan")."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class District:
    name: str
    province: str
    tehsils: tuple[str, ...]


# Spellings seen in police and registry records that the admin list writes differently.
_ALIASES = {
    "dg khan": "Dera Ghazi Khan", "d g khan": "Dera Ghazi Khan", "dera ghazi khan": "Dera Ghazi Khan",
    "ryk": "Rahim Yar Khan", "r y khan": "Rahim Yar Khan", "tt singh": "Toba Tek Singh",
    "t t singh": "Toba Tek Singh", "mandi bahaudin": "Mandi Bahauddin", "m b din": "Mandi Bahauddin",
    "sheikhupura": "Sheikhupura", "shekhupura": "Sheikhupura", "pindi": "Rawalpindi",
    "nankana": "Nankana Sahib", "muzaffar garh": "Muzaffargarh", "bahawal nagar": "Bahawalnagar",
    "di khan": "Dera Ismail Khan", "d i khan": "Dera Ismail Khan", "islamabad": "Islamabad",
    "lahore city": "Lahore", "lhr": "Lahore", "fsd": "Faisalabad", "lyallpur": "Faisalabad",
}
_PROVINCE_ALIASES = {
    "punjab": "Punjab", "pb": "Punjab", "sindh": "Sindh", "kp": "Khyber Pakhtunkhwa",
    "kpk": "Khyber Pakhtunkhwa", "khyber pakhtunkhwa": "Khyber Pakhtunkhwa",
    "balochistan": "Balochistan", "baluchistan": "Balochistan", "ict": "Islamabad Capital Territory",
    "islamabad": "Islamabad Capital Territory", "islamabad capital territory": "Islamabad Capital Territory",
    "gb": "Gilgit-Baltistan", "gilgit baltistan": "Gilgit-Baltistan", "gilgit-baltistan": "Gilgit-Baltistan",
    "ajk": "Azad Kashmir", "azad kashmir": "Azad Kashmir", "azad jammu and kashmir": "Azad Kashmir",
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


@cache
def districts() -> dict[str, District]:
    """Every district, by name."""
    path = files("pk_address_checker").joinpath("pk_admin_data/admin_units.csv")
    tehsils: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            entry = tehsils.setdefault((row["province"], row["district"]), [])
            if row["tehsil"]:
                entry.append(row["tehsil"])
    return {d: District(d, p, tuple(t)) for (p, d), t in tehsils.items()}


@cache
def _index() -> dict[str, str]:
    index = {_key(name): name for name in districts()}
    index.update({_key(alias): name for alias, name in _ALIASES.items() if name in districts()})
    return index


def find_district(text: str) -> str | None:
    key = _key(text)
    key = re.sub(r"^(district|zila|zilla)\s+|\s+(district|city)$", "", key)
    return _index().get(key)


def find_province(text: str) -> str | None:
    return _PROVINCE_ALIASES.get(_key(text).replace(" ", " "))


def punjab_districts() -> list[District]:
    return [d for d in districts().values() if d.province == "Punjab"]
