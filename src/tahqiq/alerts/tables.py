"""Alert tables: alerts, their action history, per-rule feedback and control-room routes.

Alerts hold personal data (the event, the watchlist hit); users read and act on them only through
the alert desk (`tahqiq.alerts.desk`), which reads them through the gate. The detection worker
writes them (`tahqiq.alerts.store`), insert-or-ignore on the deterministic `dedupe_key`, so a
redelivered batch adds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow

ALERT_STATUSES = ("new", "acknowledged", "verified", "false_positive", "dispatched", "closed")


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256(rule, key, event id / window ids)
    rule_id: Mapped[str] = mapped_column(String(100), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    district: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # event time
    key_kind: Mapped[str | None] = mapped_column(String(32))
    key_value: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)  # event(s), WatchHits, window members
    case_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # the watchlist entry's case


class AlertAction(Base):
    """One step of an alert's lifecycle, by a named user; `audit_seq` is its audit-log entry."""

    __tablename__ = "alert_actions"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    # Dispatch: the unit or police station sent (the note says what they were told).
    unit: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int] = mapped_column(BigInteger)


class RuleFeedback(Base):
    """How often a rule's alerts were verified by a human, and how often they were false positives."""

    __tablename__ = "rule_feedback"

    rule_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    verified: Mapped[int] = mapped_column(Integer, default=0)
    false_positive: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ControlRoomRoute(Base):
    """A control-room operator (user) receives the alerts of a district."""

    __tablename__ = "control_room_routes"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    district: Mapped[str] = mapped_column(String(100), primary_key=True)
    assigned_by: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_control_room_routes_district", "district"),)
