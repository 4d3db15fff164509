"""OSINT event trends in the store: one table of counts by district, ISO week and theme, per dataset.

    with gate.scope(SYSTEM, "load ACLED events") as job:
        report = load_trends(job, "acled_pakistan.csv", dataset="acled-2026")   # replaces that dataset
    with gate.scope(me, "event trends", roles=(ANALYST, SUPERVISOR)) as view:
        series = trend_series(view, district="Lahore", since=date(2026, 1, 1))
        totals = district_totals(view)

The table holds counts only (events, fatalities, distinct sources) and the mean position of the
events counted, never a row of the source file: not personal data, so it carries no PERSONAL_DATA
mark. Reads and writes still pass the gate's view (`view.read` / `view.write`): each is decided for
the principal and written to the audit log, as every other room's. The same counts are registered
as the gate's named aggregates "osint.trends" and "osint.districts" (`Gate.stats`), the path for
numbers that contain no personal data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.govern import SUPERVISOR, View, aggregate
from tahqiq.intel.osint import DistrictTotal, TrendRow, read_events_csv, totals_by_district
from tahqiq.intel.osint import aggregate as count_events
from tahqiq.store.base import Base, aware, utcnow

__all__ = ["DatasetInfo", "DistrictTheme", "LoadReport", "OsintTrend", "SeriesPoint", "TotalsPage", "TrendFilter",
           "TrendsOverview", "district_theme_totals", "district_totals", "load_trends", "trend_facets", "trend_series",
           "trends_overview"]

MAX_PAGE = 200
T = TypeVar("T")


class OsintTrend(Base):
    """Events of one theme in one district in one ISO week (its Monday), from one dataset."""

    __tablename__ = "osint_trends"
    __table_args__ = (UniqueConstraint("district", "week", "theme", "dataset"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(100), index=True)
    district: Mapped[str] = mapped_column(String(100))
    week: Mapped[date] = mapped_column(Date, index=True)
    theme: Mapped[str] = mapped_column(String(64))
    events: Mapped[int] = mapped_column(Integer)
    fatalities: Mapped[int] = mapped_column(Integer)
    sources: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer, default=0)  # events with coordinates
    latitude: Mapped[float | None] = mapped_column(Float)  # their mean position
    longitude: Mapped[float | None] = mapped_column(Float)
    batch: Mapped[int] = mapped_column(Integer)  # the audit entry of the load that wrote the row
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


@dataclass(frozen=True)
class LoadReport:
    dataset: str
    rows: int  # rows in the file
    events: int  # events counted
    trend_rows: int  # (district, week, theme) rows stored
    quarantined: list[tuple[int, str]]  # (line, reason)
    unknown_districts: dict[str, int]  # counted under Other/unknown
    batch: int  # the audit entry of this load
    replaced: int  # rows of the dataset that the load replaced


@dataclass(frozen=True)
class TrendFilter:
    district: str | None = None
    theme: str | None = None
    since: date | None = None  # weeks starting on or after (a date inside a week takes that week)
    until: date | None = None  # weeks starting on or before
    dataset: str | None = None

    def where(self) -> list[ColumnElement[bool]]:
        t = OsintTrend
        out: list[ColumnElement[bool]] = []
        for column, value in ((t.district, self.district), (t.theme, self.theme), (t.dataset, self.dataset)):
            if value:
                out.append(column == value)
        if self.since:
            out.append(t.week >= _monday(self.since))
        if self.until:
            out.append(t.week <= self.until)
        return out

    def detail(self) -> dict[str, str | None]:
        return {k: None if v is None else str(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class SeriesPoint:
    week: date  # the ISO week's Monday
    theme: str
    events: int
    fatalities: int


@dataclass(frozen=True)
class DistrictTheme:
    district: str
    theme: str
    events: int
    fatalities: int
    weeks: int  # weeks with events


@dataclass(frozen=True)
class TotalsPage:
    total: int
    offset: int
    limit: int
    items: list[DistrictTheme]


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    rows: int
    first_week: date | None
    last_week: date | None
    loaded_at: datetime | None  # aware UTC


@dataclass(frozen=True)
class TrendsOverview:
    """Everything the trends page shows, read in one decided block."""

    filter: TrendFilter
    series: list[SeriesPoint]
    districts: list[DistrictTotal]
    table: TotalsPage
    datasets: list[DatasetInfo]
    district_names: list[str] = field(default_factory=list)  # every district with stored counts


def _monday(day: date) -> date:
    return date.fromordinal(day.toordinal() - day.weekday())


# --- writing --------------------------------------------------------------------------------------

def _loader(view: View, action: str) -> None:
    """Loading replaces what every reader sees: a supervisor's act, or a scheduled job's."""
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse(action, "loading event datasets needs a supervisor or the scheduled job")


def load_trends(view: View, path: str | Path, *, dataset: str, columns: dict[str, str] | None = None) -> LoadReport:
    """Read an ACLED or Tahqiq event file, count it by (district, week, theme) and replace the
    dataset's rows with the counts (one audited write naming the file's SHA-256)."""
    dataset = dataset.strip()
    if not 1 <= len(dataset) <= 100:
        raise ValueError("a dataset needs a name of 1 to 100 characters")
    _loader(view, "intel.osint.load")
    path = Path(path)
    read = read_events_csv(path, columns=columns)
    rows = count_events(read.events)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    detail = {"file": path.name, "sha256": digest, "format": read.format, "rows": read.rows,
              "events": len(read.events), "quarantined": len(read.quarantined), "other_unknown": read.other_unknown}
    now = utcnow()
    with view.write("intel.osint.load", target=dataset, detail=detail) as w:
        replaced = w.conn.execute(delete(OsintTrend).where(OsintTrend.dataset == dataset)).rowcount or 0
        batch = w.record(replaced=replaced, trend_rows=len(rows)).seq
        if rows:
            w.conn.execute(insert(OsintTrend), [_stored(r, dataset, batch, now) for r in rows])
    return LoadReport(dataset, read.rows, len(read.events), len(rows),
                      [(q.line, q.reason) for q in read.quarantined], dict(read.unknown_districts), batch, replaced)


def _stored(r: TrendRow, dataset: str, batch: int, now: datetime) -> dict[str, Any]:
    return {"dataset": dataset, "district": r.district, "week": r.week, "theme": r.theme, "events": r.events,
            "fatalities": r.fatalities, "sources": r.sources, "placed": r.placed, "latitude": r.latitude,
            "longitude": r.longitude, "batch": batch, "loaded_at": now}


# --- queries on a connection (shared by the views' reads and the gate's aggregates) ------------------

def _series(conn: Connection, f: TrendFilter) -> list[SeriesPoint]:
    t = OsintTrend
    q = (select(t.week, t.theme, func.sum(t.events), func.sum(t.fatalities)).where(*f.where())
         .group_by(t.week, t.theme).order_by(t.week, t.theme))
    return [SeriesPoint(w, th, int(n), int(k)) for w, th, n, k in conn.execute(q)]


def _districts(conn: Connection, f: TrendFilter) -> list[DistrictTotal]:
    t = OsintTrend
    q = (select(t.district, func.sum(t.events), func.sum(t.fatalities), func.sum(t.placed),
                func.sum(t.latitude * t.placed), func.sum(t.longitude * t.placed))
         .where(*f.where()).group_by(t.district))
    rows = []
    for district, n, k, placed, lat_sum, lon_sum in conn.execute(q):
        placed = int(placed or 0)
        lat = float(lat_sum) / placed if placed and lat_sum is not None else None
        lon = float(lon_sum) / placed if placed and lon_sum is not None else None
        # One row per district standing for its events: totals_by_district adds the centres.
        rows.append(TrendRow(district, date.min, "", int(n), int(k), 0, placed, lat, lon))
    return totals_by_district(rows)


def _table(conn: Connection, f: TrendFilter, offset: int, limit: int) -> TotalsPage:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    t = OsintTrend
    grouped = (select(t.district, t.theme, func.sum(t.events).label("events"),
                      func.sum(t.fatalities).label("fatalities"), func.count(func.distinct(t.week)).label("weeks"))
               .where(*f.where()).group_by(t.district, t.theme))
    total = int(conn.execute(select(func.count()).select_from(grouped.subquery())).scalar_one())
    sub = grouped.subquery()
    page = (select(sub.c.district, sub.c.theme, sub.c.events, sub.c.fatalities, sub.c.weeks)
            .order_by(sub.c.events.desc(), sub.c.district, sub.c.theme).offset(offset).limit(limit))
    items = [DistrictTheme(d, th, int(n), int(k), int(w)) for d, th, n, k, w in conn.execute(page)]
    return TotalsPage(total, offset, limit, items)


def _datasets(conn: Connection) -> list[DatasetInfo]:
    t = OsintTrend
    q = (select(t.dataset, func.count(), func.min(t.week), func.max(t.week), func.max(t.loaded_at))
         .group_by(t.dataset).order_by(t.dataset))
    return [DatasetInfo(name, int(n), first, last, aware(at)) for name, n, first, last, at in conn.execute(q)]


def _district_names(conn: Connection) -> list[str]:
    return [d for (d,) in conn.execute(select(OsintTrend.district).distinct().order_by(OsintTrend.district))]


# --- reads through a view -------------------------------------------------------------------------

def _read(view: View, action: str, f: TrendFilter, fn: Callable[[Connection], T], **detail: Any) -> T:
    with view.read(action, detail={"filter": f.detail(), **detail}) as r:
        return fn(r.conn)


def trend_series(view: View, *, district: str | None = None, theme: str | None = None, since: date | None = None,
                 until: date | None = None, dataset: str | None = None) -> list[SeriesPoint]:
    """Events and fatalities per ISO week and theme (summed over the districts the filter keeps)."""
    f = TrendFilter(district, theme, since, until, dataset)
    return _read(view, "intel.osint.series", f, lambda c: _series(c, f))


def district_totals(view: View, *, theme: str | None = None, since: date | None = None, until: date | None = None,
                    dataset: str | None = None) -> list[DistrictTotal]:
    """Events and fatalities per district with a point for the map, most events first."""
    f = TrendFilter(None, theme, since, until, dataset)
    return _read(view, "intel.osint.districts", f, lambda c: _districts(c, f))


def district_theme_totals(view: View, *, district: str | None = None, theme: str | None = None,
                          since: date | None = None, until: date | None = None, dataset: str | None = None,
                          offset: int = 0, limit: int = 25) -> TotalsPage:
    """A page of (district, theme) totals, most events first."""
    f = TrendFilter(district, theme, since, until, dataset)
    return _read(view, "intel.osint.table", f, lambda c: _table(c, f, offset, limit), offset=offset, limit=limit)


def trend_facets(view: View) -> tuple[list[DatasetInfo], list[str]]:
    """The datasets loaded (with their weeks and load time) and every district with counts."""
    f = TrendFilter()
    return _read(view, "intel.osint.facets", f, lambda c: (_datasets(c), _district_names(c)))


def trends_overview(view: View, f: TrendFilter, *, offset: int = 0, limit: int = 25) -> TrendsOverview:
    """The series, the district totals (the map: the district filter does not narrow it, so the
    chosen district is seen among the others), a page of the table and the datasets, in one read."""
    def everything(c: Connection) -> TrendsOverview:
        map_filter = TrendFilter(None, f.theme, f.since, f.until, f.dataset)
        return TrendsOverview(f, _series(c, f), _districts(c, map_filter), _table(c, f, offset, limit), _datasets(c),
                              _district_names(c))

    return _read(view, "intel.osint.overview", f, everything, offset=offset, limit=limit)


# --- the gate's named aggregates (Gate.stats) -------------------------------------------------------

def _filter_of(params: dict[str, Any]) -> TrendFilter:
    def day(v: Any) -> date | None:
        return v if isinstance(v, date) or v is None else date.fromisoformat(str(v))

    return TrendFilter(params.get("district"), params.get("theme"), day(params.get("since")), day(params.get("until")),
                       params.get("dataset"))


@aggregate("osint.trends")
def _trends_stat(conn: Connection, **params: Any) -> list[dict[str, Any]]:
    return [{"week": p.week.isoformat(), "theme": p.theme, "events": p.events, "fatalities": p.fatalities}
            for p in _series(conn, _filter_of(params))]


@aggregate("osint.districts")
def _districts_stat(conn: Connection, **params: Any) -> list[dict[str, Any]]:
    return [{"district": d.district, "events": d.events, "fatalities": d.fatalities, "latitude": d.latitude,
             "longitude": d.longitude} for d in _districts(conn, _filter_of(params))]
