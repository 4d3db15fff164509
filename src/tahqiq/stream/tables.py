"""The detection worker's checkpoints: where it has got to in the stream and its window state,
saved in the same transaction as the alerts those events raised."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import Base, utcnow


class StreamCheckpoint(Base):
    """Where a detection worker (one per durable consumer) has got to: the last stream sequence
    whose events are reflected in `state` (the correlation windows), saved with its alerts."""

    __tablename__ = "stream_checkpoints"

    consumer: Mapped[str] = mapped_column(String(200), primary_key=True)
    stream_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(Text, default="{}")  # JSON of windows.Detector.snapshot()
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
