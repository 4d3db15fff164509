"""Case notes and saved link charts: what analysts write and draw in a case workspace (free text and
names, so they are read and written only through the gate; see tahqiq.casework.notes and .charts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow


class CaseNote(Base):
    __tablename__ = "case_notes"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The entity the note is about, when it is about one (no foreign key: retention may delete the
    # entity while the note, part of the case file, stays).
    entity_id: Mapped[str | None] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the audit entry that recorded the note


class CaseChart(Base):
    """A link chart saved in a case workspace: what was drawn (the nodes with their positions, the
    people opened up into their records, the links) and the analyst's annotations. It holds names
    and the analyst's words about people, so it is personal data, written and read through the gate."""

    __tablename__ = "case_charts"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # see casework.charts.Chart
    nodes: Mapped[int] = mapped_column(Integer, default=0)  # how many nodes, for the list (no need to read bodies)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the audit entry that recorded the save
