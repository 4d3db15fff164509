"""The alert desk: the only way users read or act on alerts (the CLI and the web app call it); it
reads and writes through the gate (`Gate.scope`: no case, the principal's role and control room).

Who sees what. Analysts and supervisors see the alerts of the districts routed to them (their
control room); supervisors also see every alert raised on a watchlist entry of their agency's
cases. A route to "*" covers every district and alerts without one. An alert tied to a case is
visible only while that case is open and unexpired, to users of its agency or its cross-agency
members (`JobView.usable_cases`); routes stay within an agency. Auditors and admins see no
alert (alerts hold personal data: docs/governance.md §2) but may read the per-rule feedback counts.
Every list and read is in the audit log (`alert.read`, with the alert ids), every action too
(`alert.<action>`), and every refusal (AccessDenied, audited).

Lifecycle, each step by a named user:

    new -> acknowledged -> verified -> dispatched -> closed
                        -> false_positive -> closed

Dispatch needs a verified alert: no response is sent on a match no human has checked; it names the
unit or police station sent and a note (what they were told). False positives and verifications
are counted per rule (`feedback`).

Triage (`triage`: filters, counts, groups of repeats, pages) and supervision (`supervise`: time
to acknowledge, workload per district) are in `tahqiq.alerts.triage`; what an alert means (`explain`)
in `tahqiq.alerts.explain`.
"""

from __future__ import annotations

import builtins
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, or_, select, update

from tahqiq.alerts import triage as tri
from tahqiq.alerts.explain import AlertFacts, enrich, facts_of
from tahqiq.alerts.tables import Alert, AlertAction, ControlRoomRoute, RuleFeedback
from tahqiq.govern import (
    ADMIN,
    AUDITOR,
    READER_ROLES,
    ROLES,
    SUPERVISOR,
    Gate,
    GovernError,
    JobView,
    Principal,
    Reader,
    Writer,
)
from tahqiq.govern.tables import Case, User
from tahqiq.model import types
from tahqiq.store.base import aware, aware_utc, utcnow

# action -> (statuses it may follow, status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "acknowledge": (("new",), "acknowledged"),
    "verify": (("acknowledged",), "verified"),
    "false_positive": (("acknowledged",), "false_positive"),
    "dispatch": (("verified",), "dispatched"),
    "close": (("dispatched", "false_positive"), "closed"),
}
ALIASES = {"ack": "acknowledge", "false-positive": "false_positive", "fp": "false_positive"}
MAX_LIST = 1000
# A route to "*" sends every alert, with or without a district (e.g. a provincial desk for
# transaction alerts, which carry no district).
ALL_DISTRICTS = "*"


@dataclass
class AlertView:
    id: int
    rule_id: str
    title: str
    severity: str
    district: str | None
    status: str
    created_at: datetime
    occurred_at: datetime | None
    key_kind: str | None
    key_value: str | None
    case_ref: str | None
    evidence: dict[str, Any]
    history: list[dict[str, Any]]
    facts: AlertFacts | None = None


@dataclass
class AlertGroupView:
    """Repeats of one rule on one key within the grouping window: one card, `alerts` newest first
    (at most triage.MAX_MEMBERS of them; `count` is exact)."""

    rule_id: str
    key_kind: str | None
    key_value: str | None
    severity: str
    count: int
    first_at: datetime
    last_at: datetime
    alerts: builtins.list[AlertView]


@dataclass
class TriagePage:
    groups: builtins.list[AlertGroupView]
    page: int
    pages: int
    per_page: int
    total_groups: int
    counts: tri.Counts
    facets: tri.Facets
    sort: str
    window_s: int
    newest_id: int


class AlertNotFound(GovernError):
    """There is no alert with this id (a 404, where a refusal is a 403)."""


class DispatchIncomplete(GovernError):
    """A dispatch without the unit sent or without a note; `missing` names the fields."""

    def __init__(self, missing: builtins.list[str]) -> None:
        self.missing = missing
        super().__init__(f"dispatch needs {' and '.join(missing)}: name the unit or police station sent "
                         "and what they were told")


class AlertDesk:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    # --- the gate's views -----------------------------------------------------------------------

    def _desk(self, principal: Principal, verb: str = "read") -> JobView:
        """A view for reading (or acting on) alerts: analysts and supervisors only."""
        why = ("auditors review the audit log and feedback; they neither read nor act on alerts"
               if principal.role == AUDITOR
               else f"role {principal.role!r} may not {verb} alerts (they hold personal data)")
        return JobView(self.gate, principal, "control room: alerts", roles=READER_ROLES, system=False, refusal=why)

    # --- routing ------------------------------------------------------------------------------

    def route(self, principal: Principal, username: str, district: str) -> None:
        """Send a district's alerts to a user's control room (supervisors: users of their agency)."""
        job = JobView(self.gate, principal, "assign control rooms", roles=(SUPERVISOR, ADMIN), system=False,
                      refusal="only supervisors and admins assign control rooms")
        if district != ALL_DISTRICTS:
            try:
                district = types.district(district)
            except types.InvalidValue:
                raise GovernError(f"unknown district {district!r} (or '{ALL_DISTRICTS}' for every district)") from None
        target = f"{username}@{district}"
        with job.write("alert.route", target=target) as w:  # decided here: one decision per routing
            user = w.conn.execute(select(User.id, User.role, User.agency_id, User.disabled)
                                  .where(User.username == username)).first()
            if user is None or user.disabled:
                raise GovernError(f"no active user {username!r}")
            if user.role not in READER_ROLES:
                raise GovernError(f"{username} is an {user.role}; only analysts and supervisors staff control rooms")
            # Alerts of an agency's cases must not reach another agency's control room: an admin,
            # like a supervisor, routes within their own agency only.
            if user.agency_id != principal.agency_id:
                raise job.refuse("alert.route", f"a {principal.role} routes alerts only to users of their own agency",
                                 target=target)
            exists = w.conn.execute(select(ControlRoomRoute.user_id).where(
                ControlRoomRoute.user_id == user.id, ControlRoomRoute.district == district)).first()
            if exists is None:
                w.conn.execute(insert(ControlRoomRoute).values(
                    user_id=user.id, district=district, assigned_by=principal.username, assigned_at=utcnow()))
            w.record(new=exists is None)

    # --- reading ------------------------------------------------------------------------------

    def list(self, principal: Principal, *, district: str | None = None, status: str | None = None,
             after_id: int = 0, limit: int = 100, newest_first: bool = False, severity: str | None = None,
             rule: str | None = None, case: str | None = None, offset: int = 0) -> builtins.list[AlertView]:
        """Alerts visible to `principal`, oldest first (to follow a feed), or newest first (a page of
        `limit` from `offset`: older alerts stay reachable)."""
        job = self._desk(principal)
        if not 0 < limit <= MAX_LIST:
            raise GovernError(f"limit must be 1..{MAX_LIST}")
        if status is not None and status not in {s for _, (_, s) in TRANSITIONS.items()} | {"new", tri.OPEN}:
            raise GovernError(f"unknown status {status!r}")
        filt = tri.AlertFilter(severity=(severity,) if severity else (), rule=rule, district=district,
                               status=(status,) if status else (), case=case)
        order = Alert.id.desc() if newest_first else Alert.id
        q = (select(Alert).where(self._visible(job), Alert.id > after_id, *filt.conditions()).order_by(order)
             .limit(limit).offset(max(0, offset)))
        with job.read("alert.read", detail={"filters": {**filt.as_detail(), "after_id": after_id}}) as r:
            views = [_view(r.conn, row, history=False) for row in r.conn.execute(q)]
            r.disclose(v.id for v in views)
            _under_cases(r, views)
        return views

    def triage(self, principal: Principal, filt: tri.AlertFilter | None = None, *, sort: str = "severity",
               page: int = 1, per_page: int = 20, window: int = tri.GROUP_WINDOW_S) -> TriagePage:
        """One page of the control room: groups of repeats under the filters, in the order asked,
        with the counts per status and severity and the filters' choices. One audited read listing
        the alerts shown."""
        filt = filt or tri.AlertFilter()
        if sort not in tri.SORTS:
            raise GovernError(f"sort must be one of {', '.join(tri.SORTS)}")
        if not 0 < per_page <= tri.MAX_PER_PAGE:
            raise GovernError(f"per_page must be 1..{tri.MAX_PER_PAGE}")
        if not 0 <= window <= 7 * 86400:
            raise GovernError("the grouping window must be 0 to 7 days (in seconds)")
        job = self._desk(principal)
        visible = self._visible(job)
        with job.read("alert.read", detail={"filters": filt.as_detail(), "sort": sort, "page": page}) as r:
            everything = tri.groups(r.conn, visible, filt, window=window, sort=sort)
            pages = max(1, -(-len(everything) // per_page))
            page = min(max(1, page), pages)
            shown = everything[(page - 1) * per_page: page * per_page]
            ids = [i for g in shown for i in g.alert_ids[:tri.MAX_MEMBERS]]
            rows = {row.id: row for row in r.conn.execute(select(Alert).where(Alert.id.in_(ids)))} if ids else {}
            steps = tri.histories(r.conn, ids)
            views = {i: _view(r.conn, row, history=False, steps=steps.get(i, [])) for i, row in rows.items()}
            out = [AlertGroupView(g.rule_id, g.key_kind, g.key_value, g.severity, g.count, g.first_at, g.last_at,
                                  [views[i] for i in g.alert_ids[:tri.MAX_MEMBERS] if i in views]) for g in shown]
            counts, facets = tri.counts(r.conn, visible, filt), tri.facets(r.conn, visible)
            newest = r.conn.execute(select(func.max(Alert.id))).scalar() or 0
            r.disclose(views)
            _under_cases(r, list(views.values()))
        return TriagePage(out, page, pages, per_page, len(everything), counts, facets, sort, window, newest)

    def explain(self, principal: Principal, alert_id: int) -> AlertView:
        """One alert with its history and its facts enriched: the watchlist entries it matched (why
        they exist) and the records it leads to, read through the gate in this one audited read."""
        job = self._desk(principal)
        with job.read("alert.read", target=str(alert_id), detail={"explain": True}) as r:
            row = r.conn.execute(select(Alert).where(Alert.id == alert_id, self._visible(job))).first()
            if row is None:
                raise self._not_visible(job, "alert.read", alert_id, r.conn)
            view = _view(r.conn, row, history=True)
            r.disclose([view.id])
            _under_cases(r, [view])
            if view.facts is not None:
                enrich(r, view.facts)
        return view

    def supervise(self, principal: Principal, since: datetime | None = None) -> tri.Supervision:
        """Time to acknowledge and workload per district over the alerts of the agency's control
        rooms (the districts routed to its users) and of its cases: supervisors only. Counts and
        durations, no personal data; still a decided, audited read of the alert tables."""
        job = JobView(self.gate, principal, "supervise the control rooms", roles=(SUPERVISOR,), system=False,
                      refusal="only supervisors see the control rooms' workload")
        routed = (select(ControlRoomRoute.district).join(User, User.id == ControlRoomRoute.user_id)
                  .where(User.agency_id == principal.agency_id))
        everywhere = routed.where(ControlRoomRoute.district == ALL_DISTRICTS).exists()
        visible = or_(Alert.district.in_(routed), everywhere, Alert.case_ref.in_(job.agency_cases()))
        with job.read("alert.supervise", detail={"since": since.isoformat() if since else None}) as r:
            out = tri.supervision(r.conn, visible, since)
            r.note(alerts=out.alerts)
        return out

    def get(self, principal: Principal, alert_id: int) -> AlertView:
        job = self._desk(principal)
        with job.read("alert.read", target=str(alert_id)) as r:
            row = r.conn.execute(select(Alert).where(Alert.id == alert_id, self._visible(job))).first()
            if row is None:
                raise self._not_visible(job, "alert.read", alert_id, r.conn)
            view = _view(r.conn, row, history=True)
            r.disclose([view.id])
            _under_cases(r, [view])
        return view

    def newest_id(self, principal: Principal) -> int:
        """The newest alert id of all (no personal data: where a live feed starts)."""
        with self._desk(principal).probe("alert.read") as conn:
            return conn.execute(select(func.max(Alert.id))).scalar() or 0

    def wait(self, principal: Principal, after_id: int, timeout: float = 15.0) -> builtins.list[AlertView]:
        """Block until alerts newer than `after_id` are visible to `principal`, or `timeout` passes
        ([]). Polls a count (no personal data, not audited) and reads through `list` (audited) only
        when something is there, so a dashboard's open stream does not flood the audit log."""
        job = self._desk(principal)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with job.probe("alert.read") as conn:
                newer = conn.execute(select(func.max(Alert.id)).where(self._visible(job), Alert.id > after_id)).scalar()
            if newer is not None:
                return self.list(principal, after_id=after_id)
            if time.monotonic() >= deadline:
                return []
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def feedback(self, principal: Principal) -> builtins.list[dict[str, object]]:
        """Per-rule counts of verified matches and false positives (no personal data)."""
        job = JobView(self.gate, principal, "rule feedback", roles=ROLES, system=False)
        with job.read("alert.feedback") as r:
            rows = r.conn.execute(select(RuleFeedback).order_by(RuleFeedback.rule_id)).all()
            out: list[dict[str, object]] = [
                {"rule_id": f.rule_id, "verified": f.verified, "false_positive": f.false_positive,
                 "false_positive_rate": round(f.false_positive / (f.verified + f.false_positive), 3)
                 if f.verified + f.false_positive else None, "updated_at": aware(f.updated_at)} for f in rows]
            r.note(rules=len(out))
        return out

    # --- acting -------------------------------------------------------------------------------

    def act(self, principal: Principal, alert_id: int, action: str, note: str | None = None,
            unit: str | None = None) -> AlertView:
        action = ALIASES.get(action, action)
        name = f"alert.{action}"
        if action not in TRANSITIONS:
            raise GovernError(f"unknown action {action!r} (one of: {', '.join(TRANSITIONS)})")
        note, unit = (note or "").strip() or None, (unit or "").strip() or None
        if unit and action != "dispatch":
            raise GovernError("only a dispatch names a unit")
        job = self._desk(principal, verb="act on")
        allowed_from, to_status = TRANSITIONS[action]
        with job.write(name, target=str(alert_id)) as w:
            row = w.conn.execute(select(Alert.id, Alert.status, Alert.rule_id, Alert.case_ref)
                                 .where(Alert.id == alert_id, self._visible(job))).first()
            if row is None:
                raise self._not_visible(job, name, alert_id, w.conn)
            w.case_ref = row.case_ref
            if row.status not in allowed_from:
                hint = " — a human must verify a match before a response is dispatched" if action == "dispatch" else ""
                raise GovernError(f"alert {alert_id} is {row.status}; {action} needs it to be "
                                  f"{' or '.join(allowed_from)}{hint}")
            missing = [f for f, v in (("unit", unit), ("note", note)) if not v] if action == "dispatch" else []
            if missing:
                raise DispatchIncomplete(missing)
            # The WHERE on the old status makes two operators racing on one alert safe.
            n = w.conn.execute(update(Alert).where(Alert.id == alert_id, Alert.status == row.status)
                               .values(status=to_status)).rowcount
            if n != 1:
                raise GovernError(f"alert {alert_id} changed meanwhile; reload it")
            rec = w.record(**{"from": row.status, "to": to_status, "rule": row.rule_id, "note": note,
                              **({"unit": unit} if unit else {})})
            w.conn.execute(insert(AlertAction).values(
                alert_id=alert_id, action=action, from_status=row.status, to_status=to_status,
                username=principal.username, note=note, unit=unit, at=utcnow(), audit_seq=rec.seq))
            if action in ("verify", "false_positive"):
                _count_feedback(w.conn, row.rule_id, action)
        return self.get(principal, alert_id)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _visible(job: JobView) -> ColumnElement[bool]:
        """Routed to the principal's control room (or, for a supervisor, raised on the agency's
        cases), and, when the alert is tied to a case, that case still grants: open, unexpired, of
        the principal's agency or with the principal as a member. A closed case's alerts are gone
        from every desk."""
        principal = job.principal
        routed = select(ControlRoomRoute.district).where(ControlRoomRoute.user_id == principal.user_id)
        everything = routed.where(ControlRoomRoute.district == ALL_DISTRICTS).exists()
        cond = or_(Alert.district.in_(routed), everything)
        if principal.role == SUPERVISOR:
            cond = or_(cond, Alert.case_ref.in_(job.agency_cases()))
        return and_(cond, or_(Alert.case_ref.is_(None), Alert.case_ref.in_(job.usable_cases())))

    @staticmethod
    def _not_visible(job: JobView, action: str, alert_id: int, conn: Connection) -> GovernError:
        row = conn.execute(select(Alert.id, Alert.case_ref).where(Alert.id == alert_id)).first()
        if row is None:
            return AlertNotFound(f"no alert {alert_id}")
        why = f"alert {alert_id} is not routed to {job.principal.username}'s control room"
        if row.case_ref is not None and conn.execute(
                job.usable_cases().where(Case.reference == row.case_ref)).first() is None:
            why = (f"alert {alert_id} belongs to case {row.case_ref}, which grants {job.principal.username} "
                   "nothing (closed, expired, or another agency's)")
        return job.refuse(action, why, target=str(alert_id))


def _under_cases(r: Reader | Writer, views: builtins.list[AlertView]) -> None:
    """Name the cases the alerts belong to in the entry: the case itself when there is one (an
    oversight look-up by case finds the read), the list in the detail otherwise."""
    cases = sorted({v.case_ref for v in views if v.case_ref})
    if len(cases) == 1:
        r.case_ref = cases[0]
    if cases and isinstance(r, Reader):
        r.note(cases=cases)
    elif cases:
        r.detail["cases"] = cases


def _count_feedback(conn: Connection, rule_id: str, action: str) -> None:
    column = RuleFeedback.verified if action == "verify" else RuleFeedback.false_positive
    n = conn.execute(update(RuleFeedback).where(RuleFeedback.rule_id == rule_id)
                     .values({column: column + 1, RuleFeedback.updated_at: utcnow()})).rowcount
    if n == 0:
        conn.execute(insert(RuleFeedback).values(
            rule_id=rule_id, verified=int(action == "verify"), false_positive=int(action == "false_positive"),
            updated_at=utcnow()))


def _view(conn: Connection, row: Row, *, history: bool,
          steps: builtins.list[dict[str, Any]] | None = None) -> AlertView:
    a = row.Alert if hasattr(row, "Alert") else row  # a Core row holds the columns themselves
    if history:
        steps = [tri.step(h) for h in conn.execute(select(AlertAction).where(AlertAction.alert_id == a.id)
                                                  .order_by(AlertAction.id))]
    occurred = aware(a.occurred_at)
    evidence = a.evidence or {}
    facts = facts_of(a.rule_id, a.title, a.key_kind, a.key_value, occurred, a.district, evidence)
    return AlertView(a.id, a.rule_id, a.title, a.severity, a.district, a.status, aware_utc(a.created_at),
                     occurred, a.key_kind, a.key_value, a.case_ref, evidence, steps or [], facts)


__all__ = ["ALIASES", "ALL_DISTRICTS", "AlertDesk", "AlertGroupView", "AlertNotFound", "AlertView",
           "DispatchIncomplete", "MAX_LIST", "TRANSITIONS", "TriagePage"]
