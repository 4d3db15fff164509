"""What resolution keeps in the store: runs and their trained models, each entity's cluster, the
scored links (with per-field explanations) and analysts' decisions, which every later run obeys;
and, beside the store, the prepared features of the last run (for incremental runs)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.config import settings
from tahqiq.govern.base import utcnow
from tahqiq.store.db import Base


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


class ResolvedEntity(Base):
    """Which cluster (resolved real-world entity) a stored entity belongs to."""

    __tablename__ = "resolved_entities"

    entity_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(String(32), index=True)
    schema: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int] = mapped_column(ForeignKey("resolution_runs.id"), index=True)


class MatchLink(Base):
    """A scored pair: `status` link (joined a cluster), review (uncertain) or refused (a wall held)."""

    __tablename__ = "match_links"
    __table_args__ = (UniqueConstraint("left_id", "right_id"), Index("ix_match_links_right", "right_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("resolution_runs.id"), index=True)
    left_id: Mapped[str] = mapped_column(String(32))
    right_id: Mapped[str] = mapped_column(String(32))
    match_weight: Mapped[float] = mapped_column(Float)
    match_probability: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), index=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)  # [{field, level, bayes_factor}]


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
    return Path(settings().home) / "resolve"


def features_cache(schema: str) -> Path:
    return feature_cache_dir() / f"{schema.lower()}-features.parquet"
