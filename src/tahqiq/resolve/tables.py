"""What resolution keeps of its own: runs and their trained models, and analysts' merge and split
decisions, which every later run obeys; and, beside the store, the prepared features of the last run
(for incremental runs). The clusters and scored links themselves are the store's
(`tahqiq.store.tables.ResolvedEntity`, `MatchLink`): they are facts about entities."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.config import settings
from tahqiq.store.base import Base, utcnow


class ResolutionRun(Base):
    __tablename__ = "resolution_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # full | incremental
    backend: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    records: Mapped[int] = mapped_column(Integer, default=0)
    clusters: Mapped[int] = mapped_column(Integer, default=0)
    link_threshold: Mapped[float] = mapped_column(Float)
    model: Mapped[dict] = mapped_column(JSON, default=dict)  # the trained Splink model
    stats: Mapped[dict] = mapped_column(JSON, default=dict)  # timings, cluster sizes, flagged clusters


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
    """Where runs keep prepared features (copies of values: retention removes them when it deletes)."""
    return settings().resolution_cache


def features_cache(schema: str) -> Path:
    return feature_cache_dir() / f"{schema.lower()}-features.parquet"
