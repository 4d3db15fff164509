"""The alert desk: the only way users read or act on alerts (the CLI and the web app call it).

Who sees what. Analysts and supervisors see the alerts of the districts routed to them (their
control room); supervisors also see every alert raised on a watchlist entry of their agency's
cases. A route to "*" covers every district and alerts without one. Auditors and admins see no alert (alerts hold personal data: docs/governance.md §2) but may
read the per-rule feedback counts. Every list and read is in the audit log (`alert.read`, with the
alert ids), every action too (`alert.<action>`), and every refusal (AccessDenied, audited).

Lifecycle, each step by a named user:

    new -> acknowledged -> verified -> dispatched -> closed
                        -> false_positive -> closed

Dispatch needs a verified alert: no response is sent on a match no human has checked (the issue
text lists "dispatched" before "verified"; the safe order wins). False positives and verifications
are counted per rule (`feedback`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update

from tahqiq.govern import identity
from tahqiq.govern.base import ADMIN, AUDITOR, READER_ROLES, SUPERVISOR, GovernError, Principal, aware, utcnow
from tahqiq.govern.gate import Gate
from tahqiq.govern.identity import deny
from tahqiq.govern.tables import Case, User
from tahqiq.model import types
from tahqiq.stream.tables import Alert, AlertAction, ControlRoomRoute, RuleFeedback

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
    evidence: dict
    history: list[dict]


class AlertDesk:
    def __init__(self, gate: Gate) -> None:
        self.gate = gate
        self.engine = gate.engine

    # --- routing ------------------------------------------------------------------------------

    def route(self, principal: Principal, username: str, district: str) -> None:
        """Send a district's alerts to a user's control room (supervisors: users of their agency)."""
        self._active(principal, "alert.route")
        target = f"{username}@{district}"
        if principal.role not in (SUPERVISOR, ADMIN):
            raise deny(self.gate.audit, principal, "alert.route", "only supervisors and admins assign control rooms",
                       target=target)
        if district != ALL_DISTRICTS:
            try:
                district = types.district(district)
            except types.InvalidValue:
                raise GovernError(f"unknown district {district!r} (or '{ALL_DISTRICTS}' for every district)") from None
        with self.gate.audit.transaction() as conn:
            user = conn.execute(select(User.id, User.role, User.agency_id, User.disabled)
                                .where(User.username == username)).first()
            if user is None or user.disabled:
                raise GovernError(f"no active user {username!r}")
            if user.role not in READER_ROLES:
                raise GovernError(f"{username} is an {user.role}; only analysts and supervisors staff control rooms")
            if principal.role == SUPERVISOR and user.agency_id != principal.agency_id:
                raise deny(self.gate.audit, principal, "alert.route",
                           "a supervisor routes alerts only to users of their own agency", target=target)
            exists = conn.execute(select(ControlRoomRoute.user_id).where(
                ControlRoomRoute.user_id == user.id, ControlRoomRoute.district == district)).first()
            if exists is None:
                conn.execute(ControlRoomRoute.__table__.insert().values(
                    user_id=user.id, district=district, assigned_by=principal.username, assigned_at=utcnow()))
            self.gate.audit.append(principal.username, "alert.route", role=principal.role, decision="grant",
                                   target=f"{username}@{district}", detail={"new": exists is None}, conn=conn)

    # --- reading ------------------------------------------------------------------------------

    def list(self, principal: Principal, *, district: str | None = None, status: str | None = None,
             after_id: int = 0, limit: int = 100, newest_first: bool = False) -> list[AlertView]:
        """Alerts visible to `principal`, oldest first (to follow a feed), or the latest `limit`
        newest first (what a control room shows when it opens)."""
        self._reader(principal, "alert.read")
        if not 0 < limit <= MAX_LIST:
            raise GovernError(f"limit must be 1..{MAX_LIST}")
        if status is not None and status not in {s for _, (_, s) in TRANSITIONS.items()} | {"new"}:
            raise GovernError(f"unknown status {status!r}")
        order = Alert.id.desc() if newest_first else Alert.id
        q = select(Alert).where(self._visible(principal), Alert.id > after_id).order_by(order).limit(limit)
        if district:
            q = q.where(Alert.district == district)
        if status:
            q = q.where(Alert.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            views = [self._view(conn, r, history=False) for r in rows]
        self._granted(principal, "alert.read", views,
                      {"filters": {"district": district, "status": status, "after_id": after_id}})
        return views

    def get(self, principal: Principal, alert_id: int) -> AlertView:
        self._reader(principal, "alert.read", target=str(alert_id))
        with self.engine.connect() as conn:
            row = conn.execute(select(Alert).where(Alert.id == alert_id, self._visible(principal))).first()
            if row is None:
                raise self._not_visible(principal, "alert.read", alert_id, conn)
            view = self._view(conn, row, history=True)
        self._granted(principal, "alert.read", [view], {})
        return view

    def wait(self, principal: Principal, after_id: int, timeout: float = 15.0) -> list[AlertView]:
        """Block until alerts newer than `after_id` are visible to `principal`, or `timeout` passes
        ([]). Polls a count (no personal data, not audited) and reads through `list` (audited) only
        when something is there, so a dashboard's open stream does not flood the audit log."""
        self._reader(principal, "alert.read")
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            with self.engine.connect() as conn:
                newer = conn.execute(select(func.max(Alert.id)).where(self._visible(principal), Alert.id > after_id)).scalar()
            if newer is not None:
                return self.list(principal, after_id=after_id)
            if time.monotonic() >= deadline:
                return []
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def feedback(self, principal: Principal) -> list[dict]:
        """Per-rule counts of verified matches and false positives (no personal data)."""
        self._active(principal, "alert.feedback")
        with self.engine.connect() as conn:
            rows = conn.execute(select(RuleFeedback).order_by(RuleFeedback.rule_id)).all()
        out = [{"rule_id": r.rule_id, "verified": r.verified, "false_positive": r.false_positive,
                "false_positive_rate": round(r.false_positive / (r.verified + r.false_positive), 3)
                if r.verified + r.false_positive else None, "updated_at": aware(r.updated_at)} for r in rows]
        self.gate.audit.append(principal.username, "alert.feedback", role=principal.role, decision="grant",
                               detail={"rules": len(out)})
        return out

    # --- acting -------------------------------------------------------------------------------

    def act(self, principal: Principal, alert_id: int, action: str, note: str | None = None) -> AlertView:
        action = ALIASES.get(action, action)
        name = f"alert.{action}"
        if action not in TRANSITIONS:
            raise GovernError(f"unknown action {action!r} (one of: {', '.join(TRANSITIONS)})")
        self._reader(principal, name, target=str(alert_id), verb="act on")
        allowed_from, to_status = TRANSITIONS[action]
        with self.gate.audit.transaction() as conn:
            row = conn.execute(select(Alert.id, Alert.status, Alert.rule_id)
                               .where(Alert.id == alert_id, self._visible(principal))).first()
            if row is None:
                raise self._not_visible(principal, name, alert_id, conn)
            if row.status not in allowed_from:
                hint = " — a human must verify a match before a response is dispatched" if action == "dispatch" else ""
                raise GovernError(f"alert {alert_id} is {row.status}; {action} needs it to be "
                                  f"{' or '.join(allowed_from)}{hint}")
            # The WHERE on the old status makes two operators racing on one alert safe.
            n = conn.execute(update(Alert).where(Alert.id == alert_id, Alert.status == row.status)
                             .values(status=to_status)).rowcount
            if n != 1:
                raise GovernError(f"alert {alert_id} changed meanwhile; reload it")
            rec = self.gate.audit.append(principal.username, name, role=principal.role, decision="grant",
                                         target=str(alert_id), conn=conn,
                                         detail={"from": row.status, "to": to_status, "rule": row.rule_id,
                                                 "note": note})
            conn.execute(AlertAction.__table__.insert().values(
                alert_id=alert_id, action=action, from_status=row.status, to_status=to_status,
                username=principal.username, note=note, at=utcnow(), audit_seq=rec.seq))
            if action in ("verify", "false_positive"):
                self._count_feedback(conn, row.rule_id, action)
        return self.get(principal, alert_id)

    # --- helpers ------------------------------------------------------------------------------

    def _visible(self, principal: Principal):
        routed = select(ControlRoomRoute.district).where(ControlRoomRoute.user_id == principal.user_id)
        everything = routed.where(ControlRoomRoute.district == ALL_DISTRICTS).exists()
        cond = or_(Alert.district.in_(routed), everything)
        if principal.role == SUPERVISOR:
            agency_cases = select(Case.reference).where(Case.agency_id == principal.agency_id)
            cond = or_(cond, Alert.case_ref.in_(agency_cases))
        return cond

    def _active(self, principal: Principal, action: str) -> None:
        with self.engine.connect() as conn:
            reason = identity.still_valid(conn, principal)
        if reason:
            raise deny(self.gate.audit, principal, action, reason)

    def _reader(self, principal: Principal, action: str, *, target: str | None = None, verb: str = "read") -> None:
        self._active(principal, action)
        if principal.role not in READER_ROLES:
            why = ("auditors review the audit log and feedback; they neither read nor act on alerts"
                   if principal.role == AUDITOR else f"role {principal.role!r} may not {verb} alerts (they hold personal data)")
            raise deny(self.gate.audit, principal, action, why, target=target)

    def _not_visible(self, principal: Principal, action: str, alert_id: int, conn):
        exists = conn.execute(select(Alert.id).where(Alert.id == alert_id)).first()
        if exists is None:
            return GovernError(f"no alert {alert_id}")
        return deny(self.gate.audit, principal, action,
                    f"alert {alert_id} is not routed to {principal.username}'s control room", target=str(alert_id))

    def _granted(self, principal: Principal, action: str, views: list[AlertView], detail: dict) -> None:
        ids = [v.id for v in views]
        self.gate.audit.append(principal.username, action, role=principal.role, decision="grant",
                               target=",".join(map(str, ids)) or None, detail={"ids": ids, "count": len(ids), **detail})

    def _count_feedback(self, conn, rule_id: str, action: str) -> None:
        column = RuleFeedback.verified if action == "verify" else RuleFeedback.false_positive
        n = conn.execute(update(RuleFeedback).where(RuleFeedback.rule_id == rule_id)
                         .values({column: column + 1, RuleFeedback.updated_at: utcnow()})).rowcount
        if n == 0:
            conn.execute(RuleFeedback.__table__.insert().values(
                rule_id=rule_id, verified=int(action == "verify"), false_positive=int(action == "false_positive"),
                updated_at=utcnow()))

    def _view(self, conn, row, *, history: bool) -> AlertView:
        a = row.Alert if hasattr(row, "Alert") else row
        steps = []
        if history:
            steps = [{"action": h.action, "from": h.from_status, "to": h.to_status, "user": h.username,
                      "note": h.note, "at": aware(h.at), "audit_seq": h.audit_seq}
                     for h in conn.execute(select(AlertAction).where(AlertAction.alert_id == a.id)
                                           .order_by(AlertAction.id))]
        return AlertView(a.id, a.rule_id, a.title, a.severity, a.district, a.status, aware(a.created_at),
                         aware(a.occurred_at), a.key_kind, a.key_value, a.case_ref, a.evidence or {}, steps)
