"""The stored threat intelligence: indicators, kept objects, import batches, quarantine, case links.

Indicators and objects can name people's phones, e-mail addresses and IBANs (fraud indicators), and
quarantined rows hold whatever was refused, so those tables are personal data: read only inside a
view's decided block (`intel.service`), filtered by the TLP policy (`tahqiq.govern.markings`).
`tlp`, `owner_agency` and `recipients` on each row are what that policy reads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow

__all__ = ["IntelBatch", "IntelCaseIndicator", "IntelIndicator", "IntelObjectRow", "IntelQuarantine"]


class IntelIndicator(Base):
    __tablename__ = "intel_indicators"
    __table_args__ = (Index("ix_intel_indicators_kind_value", "kind", "value"), PERSONAL_DATA)

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # STIX id, or misp-attribute--<uuid>
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)  # normalised for its kind; "" for kind "pattern"
    pattern: Mapped[str] = mapped_column(Text, default="")
    name: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[int] = mapped_column(Integer, default=50)
    tlp: Mapped[str] = mapped_column(String(16), default="amber")
    owner_agency: Mapped[str] = mapped_column(String(64), default="")
    recipients: Mapped[list] = mapped_column(JSON, default=list)  # usernames, for TLP:RED
    source: Mapped[str] = mapped_column(String(128), index=True)
    labels: Mapped[list] = mapped_column(JSON, default=list)
    created: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    modified: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_batch: Mapped[int] = mapped_column(Integer)
    last_batch: Mapped[int] = mapped_column(Integer)
    false_positive: Mapped[bool] = mapped_column(Boolean, default=False)
    fp_reason: Mapped[str | None] = mapped_column(Text)
    fp_by: Mapped[str | None] = mapped_column(String(64))
    fp_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IntelObjectRow(Base):
    __tablename__ = "intel_objects"
    __table_args__ = PERSONAL_DATA

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[dict] = mapped_column(JSON, default=dict)
    tlp: Mapped[str] = mapped_column(String(16), default="amber")
    owner_agency: Mapped[str] = mapped_column(String(64), default="")
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(128))
    source_ref: Mapped[str] = mapped_column(String(128), default="", index=True)
    target_ref: Mapped[str] = mapped_column(String(128), default="", index=True)
    batch: Mapped[int] = mapped_column(Integer)


class IntelBatch(Base):
    """One imported file: a file already imported from a source (same sha256) is not read again."""

    __tablename__ = "intel_batches"
    __table_args__ = (UniqueConstraint("source", "input_sha256", name="uq_intel_batches_source_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(128))
    input_name: Mapped[str] = mapped_column(Text)
    input_sha256: Mapped[str] = mapped_column(String(64))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    started: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(64))


class IntelQuarantine(Base):
    __tablename__ = "intel_quarantine"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch: Mapped[int] = mapped_column(Integer, index=True)
    ref: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict] = mapped_column(JSON)


class IntelCaseIndicator(Base):
    __tablename__ = "intel_case_indicators"

    case_ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
