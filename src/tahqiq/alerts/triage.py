"""Triage: which alerts a control room looks at first, and how a supervisor sees the room.

* **Filters** (severity, rule, district, status, case) and **counts** per status and severity, so an
  operator sees how much waits where before choosing.
* **Groups of repeats**: alerts of one rule on one key (the same plate, the same CNIC) whose times
  lie within `window` seconds of the previous one form one group ("3 reads in 30 minutes"), shown
  as one card that opens to its members. Alerts without a key stand alone.
* **Order**: by severity (critical first), then newest; or newest first.
* **Pages** of groups: every alert is reachable, however old.
* **Supervision**: time to acknowledge (median and 90th percentile) and the workload per district.

Grouping reads only a few narrow columns of the filtered alerts (ids, rule, key, time, severity);
full rows and their histories are read for the page's alerts alone, in two queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from tahqiq.alerts.tables import ALERT_STATUSES, Alert, AlertAction
from tahqiq.store.base import aware, aware_utc

SEVERITY_ORDER = ("critical", "high", "medium", "low")
SORTS = ("severity", "time")
OPEN = "open"  # a status filter meaning: every status but closed
GROUP_WINDOW_S = 1800
MAX_PER_PAGE = 100
MAX_MEMBERS = 50  # members of one group read in full for its card (the count stays exact)


@dataclass
class AlertFilter:
    severity: tuple[str, ...] = ()
    rule: str | None = None
    district: str | None = None
    status: tuple[str, ...] = ()  # statuses, or (OPEN,)
    case: str | None = None

    def conditions(self, *, skip: Iterable[str] = ()) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        skip = set(skip)
        if self.severity and "severity" not in skip:
            out.append(Alert.severity.in_(self.severity))
        if self.rule:
            out.append(Alert.rule_id == self.rule)
        if self.district:
            out.append(Alert.district == self.district)
        if self.case:
            out.append(Alert.case_ref == self.case)
        if self.status and "status" not in skip:
            if OPEN in self.status:
                out.append(Alert.status != "closed")
            else:
                out.append(Alert.status.in_(self.status))
        return out

    def severity_ok(self, severity: str) -> bool:
        return not self.severity or severity in self.severity

    def status_ok(self, status: str) -> bool:
        if not self.status:
            return True
        return status != "closed" if OPEN in self.status else status in self.status

    def as_detail(self) -> dict[str, object]:
        return {k: v for k, v in (("severity", list(self.severity)), ("rule", self.rule), ("district", self.district),
                                  ("status", list(self.status)), ("case", self.case)) if v}


@dataclass
class Group:
    """Repeats of one rule on one key, close in time; `alert_ids` newest first."""

    rule_id: str
    key_kind: str | None
    key_value: str | None
    severity: str
    count: int
    first_at: datetime
    last_at: datetime
    alert_ids: list[int]


@dataclass
class Counts:
    status: dict[str, int] = field(default_factory=dict)
    severity: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass
class Facets:
    """The values the filters can take among the alerts this user may see."""

    rules: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)


def _rank(severity: str) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def _at(row: Row) -> datetime:
    return aware(row.occurred_at) or aware_utc(row.created_at)


def counts(conn: Connection, visible: ColumnElement[bool], filt: AlertFilter) -> Counts:
    """Alerts per status (under the severity filter) and per severity (under the status filter):
    each count tells what choosing that value would show."""
    rows = conn.execute(select(Alert.status, Alert.severity, func.count()).where(
        visible, *filt.conditions(skip=("status", "severity"))).group_by(Alert.status, Alert.severity)).all()
    out = Counts(status=dict.fromkeys(ALERT_STATUSES, 0), severity=dict.fromkeys(SEVERITY_ORDER, 0))
    for status, severity, n in rows:
        sev_ok, st_ok = filt.severity_ok(severity), filt.status_ok(status)
        if sev_ok:
            out.status[status] = out.status.get(status, 0) + n
        if st_ok:
            out.severity[severity] = out.severity.get(severity, 0) + n
        if sev_ok and st_ok:
            out.total += n
    return out


def facets(conn: Connection, visible: ColumnElement[bool]) -> Facets:
    def distinct(col: Any) -> list[str]:
        return sorted(v for v in conn.execute(select(col).where(visible).distinct()).scalars() if v)

    return Facets(distinct(Alert.rule_id), distinct(Alert.district), distinct(Alert.case_ref))


def groups(conn: Connection, visible: ColumnElement[bool], filt: AlertFilter, *, window: int = GROUP_WINDOW_S,
           sort: str = "severity") -> list[Group]:
    """Every group of the filtered alerts, in the order asked."""
    rows = conn.execute(select(Alert.id, Alert.rule_id, Alert.key_kind, Alert.key_value, Alert.severity,
                               Alert.occurred_at, Alert.created_at).where(visible, *filt.conditions())).all()
    by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    out: list[Group] = []
    for row in rows:
        if row.key_value:
            by_key[(row.rule_id, row.key_value)].append(row)
        else:
            out.append(_group([row]))
    for members in by_key.values():
        members.sort(key=lambda r: (_at(r), r.id))
        run = [members[0]]
        for row in members[1:]:
            if (_at(row) - _at(run[-1])).total_seconds() <= window:
                run.append(row)
            else:
                out.append(_group(run))
                run = [row]
        out.append(_group(run))
    if sort == "time":
        out.sort(key=lambda g: (g.last_at, g.alert_ids[0]), reverse=True)
    else:
        out.sort(key=lambda g: (-_rank(g.severity), g.last_at, g.alert_ids[0]), reverse=True)
    return out


def _group(rows: Sequence[Row]) -> Group:
    ordered = sorted(rows, key=lambda r: (_at(r), r.id), reverse=True)
    top = min(rows, key=lambda r: _rank(r.severity))
    return Group(top.rule_id, top.key_kind, top.key_value, top.severity, len(rows), _at(ordered[-1]), _at(ordered[0]),
                 [r.id for r in ordered])


def histories(conn: Connection, alert_ids: Sequence[int]) -> dict[int, list[dict[str, object]]]:
    """Who did what when, for these alerts, in one query."""
    out: dict[int, list[dict[str, object]]] = defaultdict(list)
    for start in range(0, len(alert_ids), 500):
        for h in conn.execute(select(AlertAction).where(AlertAction.alert_id.in_(alert_ids[start:start + 500]))
                              .order_by(AlertAction.id)):
            out[h.alert_id].append(step(h))
    return out


def step(h: Row) -> dict[str, object]:
    """One action as the desk hands it on (`h`: a row of alert_actions)."""
    return {"action": h.action, "from": h.from_status, "to": h.to_status, "user": h.username, "note": h.note,
            "unit": h.unit, "at": aware(h.at), "audit_seq": h.audit_seq}


# --- supervision ---------------------------------------------------------------------------------

@dataclass
class DistrictLoad:
    district: str | None
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    open: int = 0
    ack_median_s: float | None = None


@dataclass
class Supervision:
    since: datetime | None
    alerts: int
    acknowledged: int
    waiting: int  # new, not yet acknowledged
    oldest_waiting_at: datetime | None
    ack_median_s: float | None
    ack_p90_s: float | None
    districts: list[DistrictLoad]
    operators: dict[str, int]  # actions per user


def _quantile(values: list[float], q: float) -> float | None:
    """The q-quantile by linear interpolation (as numpy's default), or None without values."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def supervision(conn: Connection, visible: ColumnElement[bool], since: datetime | None) -> Supervision:
    where = [visible] + ([Alert.created_at >= since] if since else [])
    first_ack = (select(AlertAction.alert_id, func.min(AlertAction.at).label("at"))
                 .where(AlertAction.action == "acknowledge").group_by(AlertAction.alert_id).subquery())
    rows = conn.execute(select(Alert.id, Alert.district, Alert.status, Alert.created_at, first_ack.c.at)
                        .outerjoin(first_ack, first_ack.c.alert_id == Alert.id).where(*where)).all()
    loads: dict[str | None, DistrictLoad] = {}
    waits: dict[str | None, list[float]] = defaultdict(list)
    all_waits: list[float] = []
    waiting, oldest = 0, None
    for row in rows:
        load = loads.setdefault(row.district, DistrictLoad(row.district))
        load.total += 1
        load.by_status[row.status] = load.by_status.get(row.status, 0) + 1
        if row.status != "closed":
            load.open += 1
        created = aware_utc(row.created_at)
        if row.at is not None:
            wait = max(0.0, (aware_utc(row.at) - created).total_seconds())
            waits[row.district].append(wait)
            all_waits.append(wait)
        elif row.status == "new":
            waiting += 1
            oldest = created if oldest is None or created < oldest else oldest
    for district, load in loads.items():
        load.ack_median_s = _quantile(waits[district], 0.5)
    operators = dict(conn.execute(
        select(AlertAction.username, func.count()).join(Alert, Alert.id == AlertAction.alert_id).where(*where)
        .group_by(AlertAction.username).order_by(func.count().desc())).all())
    return Supervision(since, len(rows), len(all_waits), waiting, oldest, _quantile(all_waits, 0.5),
                       _quantile(all_waits, 0.9),
                       sorted(loads.values(), key=lambda d: (-d.open, -d.total, d.district or "")), operators)


__all__ = ["AlertFilter", "Counts", "DistrictLoad", "Facets", "GROUP_WINDOW_S", "Group", "MAX_MEMBERS",
           "MAX_PER_PAGE", "OPEN", "SEVERITY_ORDER", "SORTS", "Supervision", "counts", "facets", "groups",
           "histories", "step", "supervision"]
