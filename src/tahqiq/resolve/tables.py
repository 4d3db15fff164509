"""What resolution keeps of its own: analysts' merge and split decisions, which every later run
obeys; and, beside the store, the prepared features of the last run (for incremental runs). The runs
with their trained models, the clusters and the scored links are the store's
(`tahqiq.store.tables.ResolutionRun`, `ResolvedEntity`, `MatchLink`): facts about entities."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.config import private_dir, settings
from tahqiq.store.base import Base, utcnow


class ResolutionDecision(Base):
    """An analyst's merge or split of two records; the newest decision on a pair wins."""

    __tablename__ = "resolution_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    left_id: Mapped[str] = mapped_column(String(32), index=True)
    right_id: Mapped[str] = mapped_column(String(32), index=True)
    decision: Mapped[str] = mapped_column(String(8))  # merge | split
    reason: Mapped[str] = mapped_column(Text)
    username: Mapped[str] = mapped_column(String(64))
    case_ref: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


def feature_cache_dir() -> Path:
    """Where runs keep prepared features (copies of values: retention removes them when it deletes);
    a folder only the service's account may enter."""
    return private_dir(settings().resolution_cache)


def features_cache(schema: str) -> Path:
    return feature_cache_dir() / f"{schema.lower()}-features.parquet"
