"""OSINT event trends: ACLED-style CSV files read into counts by district, ISO week and theme.

    read = read_events_csv("acled_pakistan.csv")          # ACLED's export, or the simpler Tahqiq form
    rows = aggregate(read.events)                           # [TrendRow(district, week, theme, events, ...)]
    for d in totals_by_district(rows): ...                  # per-district totals with a map centroid

Two forms are read. ACLED's own export (its column names: event_date, event_type, sub_event_type,
inter1, admin1, admin2, latitude, longitude, fatalities, source, notes, ...) and a simpler form a
district office can fill in by hand (date, district, event_type, actor_type, fatalities, source,
latitude, longitude). `columns` renames the fields of any other file ({"date": "Event Date"}).

What is kept, and why so little. Trends need a date, a place, a category and counts. A row's
`theme` is ACLED's own event type (six fixed categories; a sub-event type names its parent), looked
up in a fixed table: nothing here classifies text. ACLED's `notes`, the actor names (`actor1`,
`actor2`, `assoc_actor_*`) and the `source` text are not kept: the notes are a summary of what was
reported (Tahqiq monitors no speech), actor names are not needed to count events, and the sources
are counted (each outlet's name becomes a digest, enough to tell two sources apart) and dropped.
Only the actor *type* (ACLED's inter codes: state forces, protesters, ...) is read, as a category.

Districts are matched to Pakistan's admin list (`tahqiq.model.types.district`: "D.G. Khan" is Dera
Ghazi Khan); a district that does not match is counted under "Other/unknown" (with the name it had,
for the reader to fix), and a row without a usable date or event type is quarantined with a reason.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

from tahqiq.model import types
from tahqiq.model.geography import geography

__all__ = ["ACLED_COLUMNS", "ACTOR_TYPES", "EVENT_TYPES", "OTHER_DISTRICT", "SIMPLE_COLUMNS", "THEMES",
           "DistrictTotal", "OsintEvent", "OsintRead", "Quarantined", "TrendRow", "aggregate", "district_centre",
           "district_name", "parse_date", "read_events_csv", "theme_of", "totals_by_district", "week_of"]

OTHER_DISTRICT = "Other/unknown"

# ACLED's event types and their sub-event types (ACLED Codebook, 2023 and later): the themes.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": ("Chemical weapon", "Air/drone strike", "Suicide bomb",
                                   "Shelling/artillery/missile attack", "Remote explosive/landmine/IED", "Grenade"),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": ("Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
                               "Headquarters or base established", "Looting/property destruction",
                               "Non-violent transfer of territory", "Other"),
}
THEMES: tuple[str, ...] = tuple(EVENT_TYPES)
# Other spellings of the event types seen in hand-made files and older exports.
_THEME_ALIASES = {"explosions": "Explosions/Remote violence", "remote violence": "Explosions/Remote violence",
                  "explosions remote violence": "Explosions/Remote violence", "battle": "Battles",
                  "protest": "Protests", "riot": "Riots", "violence against civilian": "Violence against civilians",
                  "strategic development": "Strategic developments"}
# ACLED's actor types: the inter1/inter2 codes (numbers before 2024, words since).
ACTOR_TYPES: dict[str, str] = {"1": "State forces", "2": "Rebel group", "3": "Political militia",
                               "4": "Identity militia", "5": "Rioters", "6": "Protesters", "7": "Civilians",
                               "8": "External/Other forces"}

# ACLED's export columns (what `write_acled` writes and `read_events_csv` recognises).
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
SIMPLE_COLUMNS: tuple[str, ...] = ("date", "district", "event_type", "actor_type", "fatalities", "source",
                                   "latitude", "longitude")
# field -> the column it is read from, per form.
_ACLED_FIELDS = {"date": "event_date", "district": "admin2", "province": "admin1", "event_type": "event_type",
                 "sub_event_type": "sub_event_type", "actor_type": "inter1", "fatalities": "fatalities",
                 "source": "source", "latitude": "latitude", "longitude": "longitude", "country": "country"}
_SIMPLE_FIELDS = {f: f for f in (*SIMPLE_COLUMNS, "sub_event_type", "province", "country")}
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%B-%Y", "%d-%b-%Y", "%d/%m/%Y", "%Y/%m/%d", "%B %d, %Y")


@dataclass(frozen=True)
class OsintEvent:
    """One reported event, reduced to what a trend needs (see the module's docstring)."""

    date: date
    district: str                    # a district of Pakistan's admin list, or OTHER_DISTRICT
    theme: str                       # one of THEMES
    sub_event_type: str = ""         # ACLED's sub-event type, when given and known
    actor_type: str = ""             # an ACTOR_TYPES category, never a name
    fatalities: int = 0
    source_keys: frozenset[str] = frozenset()  # digests of the outlets' names: counted, never shown
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Quarantined:
    line: int                        # the file's line number (the header is line 1)
    reason: str


@dataclass
class OsintRead:
    """What a file gave: the events, the rows held back with reasons, the district names not matched."""

    format: str                      # "acled" | "simple"
    rows: int
    events: list[OsintEvent] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    unknown_districts: dict[str, int] = field(default_factory=dict)  # name as written -> events
    unplaced: int = 0                # events without usable coordinates

    @property
    def other_unknown(self) -> int:
        return sum(self.unknown_districts.values())


@dataclass(frozen=True)
class TrendRow:
    """Events of one theme in one district in one ISO week (`week` is its Monday)."""

    district: str
    week: date
    theme: str
    events: int
    fatalities: int
    sources: int                     # distinct sources reporting them
    placed: int = 0                  # events with coordinates
    latitude: float | None = None    # their mean position
    longitude: float | None = None


@dataclass(frozen=True)
class DistrictTotal:
    district: str
    events: int
    fatalities: int
    latitude: float | None           # the district's centre (Punjab's geography), else its events' mean
    longitude: float | None


# --- values ---------------------------------------------------------------------------------------

def _key(text: str) -> str:
    return re.sub(r"[^a-z]+", " ", text.lower()).strip()


@cache
def _theme_index() -> dict[str, str]:
    index = {_key(t): t for t in THEMES} | {_key(a): t for a, t in _THEME_ALIASES.items()}
    return index


@cache
def _sub_index() -> dict[str, tuple[str, str]]:
    return {_key(s): (s, t) for t, subs in EVENT_TYPES.items() for s in subs}


@lru_cache(maxsize=256)
def theme_of(event_type: str, sub_event_type: str = "") -> tuple[str, str] | None:
    """(theme, sub-event type) from ACLED's event type, or from its sub-event type when the type is
    missing; None when neither is one of ACLED's categories."""
    sub = _sub_index().get(_key(sub_event_type)) if sub_event_type.strip() else None
    theme = _theme_index().get(_key(event_type)) if event_type.strip() else None
    if theme is None:
        return (sub[1], sub[0]) if sub else None
    return theme, sub[0] if sub and sub[1] == theme else ""


def district_name(text: str) -> str:
    """A district as a filter names it: the admin list's spelling where it matches ("lhr" is Lahore),
    else the text as typed (Other/unknown, or a name the admin list lacks)."""
    text = " ".join(text.split())
    try:
        return types.district(text)
    except types.InvalidValue:
        return text


@lru_cache(maxsize=4096)  # a file repeats its dates and categories many times
def parse_date(text: str) -> date | None:
    """A date in any of ACLED's forms ("15 January 2024", "2024-01-15", ...); None if unreadable."""
    text = " ".join(text.split())
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def week_of(day: date) -> date:
    """The Monday of `day`'s ISO week (ISO 8601: weeks start on Monday; 2021-01-03 is in 2020's week 53)."""
    return day - timedelta(days=day.weekday())


@lru_cache(maxsize=256)
def _actor_type(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text in ACTOR_TYPES:
        return ACTOR_TYPES[text]
    wanted = _key(text)
    for label in ACTOR_TYPES.values():
        if _key(label) == wanted or _key(label).rstrip("s") == wanted.rstrip("s"):
            return label
    return "Other"


@lru_cache(maxsize=4096)
def _source_keys(text: str) -> frozenset[str]:
    """A digest per outlet (ACLED separates them with ";"), so distinct sources can be counted
    without keeping their names."""
    names = {" ".join(part.split()).casefold() for part in text.split(";")}
    return frozenset(hashlib.blake2b(n.encode(), digest_size=8).hexdigest() for n in names if n)


def _coordinate(text: str, limit: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if -limit <= value <= limit else None


# --- reading --------------------------------------------------------------------------------------

def _fields(header: list[str], columns: Mapping[str, str] | None) -> tuple[str, dict[str, str]]:
    present = {h.strip() for h in header}
    form = "acled" if "event_date" in present else "simple"
    fields = dict(_ACLED_FIELDS if form == "acled" else _SIMPLE_FIELDS)
    fields.update(columns or {})
    missing = [f for f in ("date", "event_type") if fields[f] not in present]
    if missing or fields["district"] not in present:
        wanted = ", ".join(fields[f] for f in ("date", "district", "event_type"))
        raise ValueError(f"not an ACLED or Tahqiq event file: the columns {wanted} are needed "
                         f"(found: {', '.join(sorted(present)) or 'none'})")
    return form, fields


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield reader.line_num, {k.strip(): (v or "") for k, v in row.items() if k is not None}


def read_events_csv(path: str | Path, *, columns: Mapping[str, str] | None = None) -> OsintRead:
    """Read an ACLED export or a Tahqiq event file (see the module's docstring)."""
    path = Path(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    form, fields = _fields(header, columns)
    out = OsintRead(form, 0)
    unknown: Counter[str] = Counter()

    def get(row: dict[str, str], name: str) -> str:
        return row.get(fields.get(name, ""), "").strip()

    for line, row in _rows(path):
        out.rows += 1
        raw_date = get(row, "date")
        day = parse_date(raw_date)
        if day is None:
            out.quarantined.append(Quarantined(line, f"unreadable date {raw_date!r}" if raw_date else "no date"))
            continue
        found = theme_of(get(row, "event_type"), get(row, "sub_event_type"))
        if found is None:
            out.quarantined.append(Quarantined(line, f"unknown event type {get(row, 'event_type')!r} (ACLED's: "
                                                     f"{', '.join(THEMES)})"))
            continue
        raw_fatalities = get(row, "fatalities") or "0"
        if not raw_fatalities.isdigit():
            out.quarantined.append(Quarantined(line, f"fatalities must be a whole number, not {raw_fatalities!r}"))
            continue
        raw_district = get(row, "district")
        try:
            district = types.district(raw_district)
        except types.InvalidValue:
            district = OTHER_DISTRICT
            unknown[raw_district or "(none)"] += 1
        lat, lon = _coordinate(get(row, "latitude"), 90), _coordinate(get(row, "longitude"), 180)
        if lat is None or lon is None:
            lat = lon = None
            out.unplaced += 1
        out.events.append(OsintEvent(day, district, found[0], found[1], _actor_type(get(row, "actor_type")),
                                     int(raw_fatalities), _source_keys(get(row, "source")), lat, lon))
    out.unknown_districts = dict(unknown.most_common())
    return out


# --- aggregating ----------------------------------------------------------------------------------

def aggregate(events: Iterable[OsintEvent]) -> list[TrendRow]:
    """Counts by (district, ISO week, theme), in week, district, theme order."""
    groups: dict[tuple[str, date, str], list[OsintEvent]] = defaultdict(list)
    for e in events:
        groups[(e.district, week_of(e.date), e.theme)].append(e)
    rows = []
    for (district, week, theme), group in groups.items():
        placed = [e for e in group if e.latitude is not None and e.longitude is not None]
        lat = sum(e.latitude for e in placed if e.latitude is not None) / len(placed) if placed else None
        lon = sum(e.longitude for e in placed if e.longitude is not None) / len(placed) if placed else None
        sources: set[str] = set().union(*(e.source_keys for e in group))
        rows.append(TrendRow(district, week, theme, len(group), sum(e.fatalities for e in group), len(sources),
                             len(placed), None if lat is None else round(lat, 5),
                             None if lon is None else round(lon, 5)))
    return sorted(rows, key=lambda r: (r.week, r.district, r.theme))


@cache
def _centres() -> dict[str, tuple[float, float]]:
    return {d.name: (d.lat, d.lon) for d in geography().districts}


def district_centre(district: str) -> tuple[float, float] | None:
    """The district's centre where the model's geography knows it (Punjab's 36 districts)."""
    return _centres().get(district)


def totals_by_district(rows: Iterable[TrendRow]) -> list[DistrictTotal]:
    """Events and fatalities per district, most events first, each with a point for the map: the
    district's centre, else the mean position of its events; None where neither is known (the
    Other/unknown group has no place)."""
    events: Counter[str] = Counter()
    deaths: Counter[str] = Counter()
    weight: Counter[str] = Counter()
    lat_sum: defaultdict[str, float] = defaultdict(float)
    lon_sum: defaultdict[str, float] = defaultdict(float)
    for r in rows:
        events[r.district] += r.events
        deaths[r.district] += r.fatalities
        if r.placed and r.latitude is not None and r.longitude is not None:
            weight[r.district] += r.placed
            lat_sum[r.district] += r.latitude * r.placed
            lon_sum[r.district] += r.longitude * r.placed
    out = []
    for district, n in sorted(events.items(), key=lambda kv: (-kv[1], kv[0])):
        centre = district_centre(district)
        if centre is None and weight[district] and district != OTHER_DISTRICT:
            centre = (round(lat_sum[district] / weight[district], 5), round(lon_sum[district] / weight[district], 5))
        out.append(DistrictTotal(district, n, deaths[district], *(centre or (None, None))))
    return out
