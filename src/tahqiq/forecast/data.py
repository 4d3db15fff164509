"""Incident tables into `Incidents`: a CSV or Parquet file with named latitude, longitude and time
columns, or FIR incidents from the store through the gate's aggregate path.

Forecasts are about places and times, never persons. A reader takes only the columns it is told to
use (position, time, optionally a category) and refuses any of them that names or holds a person
identifier (CNIC, phone, name, passport, suspect, accused …): `PersonLevelInput` says why.

Times: ISO date-times (an offset is honoured; naive times are taken as UTC: only their order and
spacing matter to a forecast), dates (midnight), and "YYYY-MM" months (the UK's street-level data).
A month is put at its first instant and the report says `month_resolution`: such data can only be
evaluated with windows of whole months, since every event of a month sits at the same instant.

Positions are projected to metres with pyproj: the UTM zone of the data's median point, or `crs`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tahqiq.forecast.types import Incidents
from tahqiq.govern import aggregate

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Connection

    from tahqiq.govern import View

__all__ = ["PersonLevelInput", "ReadReport", "incidents_from_frame", "incidents_from_records",
           "incidents_from_store", "read_incidents", "refuse_person_level", "utm_crs"]

# Words in a column's name that mark a person identifier. A place word beside them ("LSOA name",
# "station name", "district name") makes the column a place's label, not a person's.
PERSON_WORDS = frozenset({
    "cnic", "nic", "nicop", "name", "names", "phone", "phones", "mobile", "msisdn", "imsi", "imei", "passport",
    "person", "persons", "people", "suspect", "suspects", "accused", "complainant", "victim", "offender",
    "witness", "father", "husband", "email", "dob", "birth", "surname", "firstname", "lastname", "fullname",
    "subject", "driver", "owner", "holder", "caller", "callee", "race", "gender", "sex", "religion", "caste",
    "ethnicity", "sect",
})
PLACE_WORDS = frozenset({
    "lsoa", "msoa", "district", "tehsil", "station", "area", "street", "road", "place", "location", "city",
    "ward", "neighbourhood", "neighborhood", "precinct", "beat", "province", "region", "town", "village",
    "crime", "offence", "offense", "category", "type",
})
_CNIC = re.compile(r"^\d{5}-?\d{7}-?\d$")
_PHONE = re.compile(r"^(\+|00)?\d[\d\s-]{8,14}\d$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.I)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


class PersonLevelInput(ValueError):
    """A column or value that identifies a person was offered to the forecaster."""


@dataclass
class ReadReport:
    """What a reader did: rows read, rows used, rows dropped by reason, and the projection."""

    rows: int = 0
    used: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    crs: str = ""
    month_resolution: bool = False

    def summary(self) -> str:
        why = ", ".join(f"{n:,} {reason}" for reason, n in sorted(self.dropped.items())) or "none"
        note = "; month resolution: events at each month's first instant" if self.month_resolution else ""
        return f"{self.used:,} of {self.rows:,} rows used (dropped: {why}); projected to {self.crs}{note}"


def _words(column: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", column)
    return set(re.split(r"[^a-z0-9]+", spaced.lower())) - {""}


def _looks_personal(values: Any) -> str | None:
    sample = [str(v).strip() for v in list(values)[:500] if v is not None and str(v).strip() not in ("", "nan")]
    if not sample:
        return None
    for label, rx in (("CNICs", _CNIC), ("phone numbers", _PHONE), ("e-mail addresses", _EMAIL)):
        if sum(bool(rx.match(v)) for v in sample) >= max(1, len(sample) // 2):
            return label
    return None


def refuse_person_level(role: str, column: str, values: Any = None) -> None:
    """Raise `PersonLevelInput` when the column named for `role` (lat, lon, time, category) is by
    its name or its values a person identifier."""
    words = _words(column)
    personal = words & PERSON_WORDS
    if personal and not (words & PLACE_WORDS):
        raise PersonLevelInput(
            f"column {column!r} (given as {role}) names a person ({', '.join(sorted(personal))}): Tahqiq forecasts "
            "places and times, never persons; give a place or time column")
    if values is not None and (kind := _looks_personal(values)):
        raise PersonLevelInput(
            f"column {column!r} (given as {role}) holds {kind}: Tahqiq forecasts places and times, never persons")


def utm_crs(lon: float, lat: float) -> str:
    """The WGS 84 / UTM zone of a point (EPSG:326zz north, 327zz south)."""
    zone = int(np.clip(np.floor((lon + 180.0) / 6.0) + 1, 1, 60))
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def _parse_times(values: pd.Series, report: ReadReport) -> np.ndarray:
    """Seconds since the epoch (float, NaN where unusable)."""
    import pandas as pd

    text = values.astype("string").str.strip()
    months = text.str.fullmatch(_MONTH.pattern).fillna(False)
    if bool(months.any()) and bool(months[text.notna()].all()):
        report.month_resolution = True
        parsed = pd.to_datetime(text, format="%Y-%m", errors="coerce", utc=True)
    elif pd.api.types.is_datetime64_any_dtype(values):
        parsed = pd.to_datetime(values, utc=True)
    else:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
        if parsed.isna().mean() > 0.5:  # not ISO: let pandas try each value's own form
            parsed = pd.to_datetime(text, format="mixed", errors="coerce", utc=True)
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    return seconds.to_numpy(dtype=float, na_value=np.nan)


def incidents_from_frame(frame: pd.DataFrame, *, lat: str, lon: str, time: str, category: str | None = None,
                         crs: str | None = None, bounds: tuple[float, float, float, float] | None = None,
                         ) -> tuple[Incidents, ReadReport]:
    """The incidents of a table with these columns (`bounds`: min lon, min lat, max lon, max lat)."""
    import pandas as pd
    from pyproj import Transformer

    for role, col in (("lat", lat), ("lon", lon), ("time", time), ("category", category)):
        if col is None:
            continue
        if col not in frame.columns:
            have = ", ".join(map(str, frame.columns))
            raise KeyError(f"no column {col!r} (given as --{role}); the table has: {have}")
        refuse_person_level(role, col, frame[col] if role == "category" else None)
    report = ReadReport(rows=len(frame))
    drops: Counter[str] = Counter()
    y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(dtype=float)
    x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(dtype=float)
    t = _parse_times(frame[time], report)
    keep = np.ones(len(frame), dtype=bool)

    def drop(mask: np.ndarray, reason: str) -> None:
        nonlocal keep
        hit = keep & mask
        if hit.any():
            drops[reason] += int(hit.sum())
        keep &= ~mask

    drop(np.isnan(t), "no usable time")
    drop(np.isnan(x) | np.isnan(y), "no usable position")
    with np.errstate(invalid="ignore"):
        drop((np.abs(y) > 90) | (np.abs(x) > 180) | ((x == 0) & (y == 0)), "position out of range")
        if bounds is not None:
            drop((x < bounds[0]) | (y < bounds[1]) | (x > bounds[2]) | (y > bounds[3]), "outside bounds")
    cats = None if category is None else frame[category].astype("string").fillna("").to_numpy(dtype=object)
    x, y, t = x[keep], y[keep], t[keep]
    cats = None if cats is None else cats[keep]
    order = np.argsort(t, kind="stable")
    x, y, t = x[order], y[order], t[order]
    cats = None if cats is None else cats[order].astype(str)
    if len(t) == 0:
        target = crs or "EPSG:3857"
    else:
        target = crs or utm_crs(float(np.median(x)), float(np.median(y)))
    px, py = Transformer.from_crs("EPSG:4326", target, always_xy=True).transform(x, y)
    report.used, report.dropped, report.crs = int(len(t)), dict(drops), target
    return Incidents(np.asarray(px, float), np.asarray(py, float), t, x, y, cats, target), report


def read_incidents(path: str | Path, *, lat: str, lon: str, time: str, category: str | None = None,
                   crs: str | None = None, bounds: tuple[float, float, float, float] | None = None,
                   report: ReadReport | None = None) -> Incidents:
    """Read a CSV or Parquet incident table (only the named columns are loaded); `report`, when
    given, is filled with the rows read, used and dropped by reason."""
    import pandas as pd

    path = Path(path)
    cols = [c for c in dict.fromkeys((lat, lon, time, category)) if c]
    for role, col in (("lat", lat), ("lon", lon), ("time", time), ("category", category)):
        if col:
            refuse_person_level(role, col)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        names = pq.ParquetFile(path).schema_arrow.names
        missing = [c for c in cols if c not in names]
        if missing:
            raise KeyError(f"no column {missing[0]!r} in {path.name}; it has: {', '.join(names)}")
        frame = pd.read_parquet(path, columns=cols)
    else:
        header = pd.read_csv(path, nrows=0).columns
        missing = [c for c in cols if c not in header]
        if missing:
            raise KeyError(f"no column {missing[0]!r} in {path.name}; it has: {', '.join(map(str, header))}")
        frame = pd.read_csv(path, usecols=cols, dtype={time: "string", **({category: "string"} if category else {})},
                            low_memory=False)
    incidents, got = incidents_from_frame(frame, lat=lat, lon=lon, time=time, category=category, crs=crs,
                                          bounds=bounds)
    if report is not None:
        report.__dict__.update(got.__dict__)
    return incidents


def incidents_from_records(rows: list[dict[str, Any]], *, crs: str | None = None) -> tuple[Incidents, ReadReport]:
    """Incidents from the aggregate's rows (latitude, longitude, time, category)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["latitude", "longitude", "time", "category"])
    return incidents_from_frame(frame, lat="latitude", lon="longitude", time="time", category="category", crs=crs)


# --- the store, through the gate's aggregate path ---------------------------------------------------

@aggregate("forecast.incidents")
def _incidents_stat(conn: Connection, *, schema: str = "FirIncident", since: str | None = None) -> list[dict[str, Any]]:
    """Place, time and offence of every incident entity of `schema`: no ids, no names, no numbers.
    The entity id is used only to pivot one entity's statements together and is never returned."""
    from sqlalchemy import select

    from tahqiq.store.base import Base

    s = Base.metadata.tables["statements"].c
    wanted = ("latitude", "longitude", "occurredAt", "reportedAt", "offence")
    q = select(s.entity_id, s.prop, s.value).where(s.schema == schema, s.prop.in_(wanted)).order_by(s.entity_id, s.prop,
                                                                                                   s.value)
    found: dict[str, dict[str, str]] = {}
    for eid, prop, value in conn.execute(q):
        found.setdefault(eid, {}).setdefault(prop, value)  # the smallest value of each, as schema_table does
    rows = []
    for props in found.values():
        when = props.get("occurredAt") or props.get("reportedAt")
        if not when or "latitude" not in props or "longitude" not in props:
            continue
        if since and when[:len(since)] < since:
            continue
        rows.append({"latitude": props["latitude"], "longitude": props["longitude"], "time": when,
                     "category": props.get("offence", "")})
    rows.sort(key=lambda r: (r["time"], r["latitude"], r["longitude"], r["category"]))
    return rows


def incidents_from_store(view: View, *, schema: str = "FirIncident", since: datetime | str | None = None,
                         crs: str | None = None, report: ReadReport | None = None) -> Incidents:
    """FIR places and times from the store through the gate's `forecast.incidents` aggregate
    (audited as a statistic: it returns no personal data, so no case is needed)."""
    stamp = since.isoformat() if isinstance(since, datetime) else since
    params: dict[str, Any] = {"schema": schema} | ({"since": stamp[:10]} if stamp else {})
    rows = view.gate.stats(view.principal, "forecast.incidents", **params)
    incidents, got = incidents_from_records(rows, crs=crs)
    if stamp:  # the aggregate filters by day; the exact instant here
        import pandas as pd

        incidents = incidents.between(pd.Timestamp(stamp, tz="UTC").timestamp() if pd.Timestamp(stamp).tzinfo is None
                                      else pd.Timestamp(stamp).timestamp(), np.inf)
        got.used = len(incidents)
    if report is not None:
        report.__dict__.update(got.__dict__)
    return incidents
