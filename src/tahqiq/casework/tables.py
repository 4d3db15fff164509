"""Case notes: what analysts write in a case workspace (free text that may name people, so notes are
read and written only through the gate; see tahqiq.casework.notes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
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
