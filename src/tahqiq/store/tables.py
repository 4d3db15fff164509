"""The store's tables: sources, ingest batches, raw source records, entities, statements, quarantine,
and what resolution decided about them (which records are one real-world entity, and why).

Values are stored as *statements* (one row per entity, property and value, as in followthemoney's
statement model) so that every value carries its provenance: the source, the source record it came
from, the ingest batch and the time. Ids are content hashes, which is what makes ingest idempotent:
loading the same record twice produces the same ids, and the second insert is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column

from tahqiq.store.base import PERSONAL_DATA, Base, utcnow


class Source(Base):
    __tablename__ = "sources"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str | None] = mapped_column(String(200))
    retention_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IngestBatch(Base):
    """One run of one mapping over one input. A killed run is resumed from `rows_read`."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"), index=True)
    mapping_fingerprint: Mapped[str] = mapped_column(String(32))
    input_name: Mapped[str] = mapped_column(Text)
    input_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_loaded: Mapped[int] = mapped_column(Integer, default=0)
    rows_quarantined: Mapped[int] = mapped_column(Integer, default=0)
    entities_added: Mapped[int] = mapped_column(Integer, default=0)
    statements_added: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_ingest_batches_input", "source", "input_sha256", "mapping_fingerprint"),)


class SourceRecord(Base):
    """A source row as it arrived (after decoding), kept for provenance and re-processing."""

    __tablename__ = "source_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # hash(source, record_id)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"))
    record_id: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_source_records_source_time", "source", "ingested_at"), PERSONAL_DATA)


class Entity(Base):
    __tablename__ = "entities"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # hash(source, schema, key values)
    schema: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Statement(Base):
    """One value of one property of one entity, with where it came from."""

    __tablename__ = "statements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # hash(entity, prop, value, record)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id", ondelete="CASCADE"))
    schema: Mapped[str] = mapped_column(String(64))
    prop: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text)  # normalised value
    original: Mapped[str | None] = mapped_column(Text)  # source spelling, when it differs
    script: Mapped[str | None] = mapped_column(String(8))  # 'Arab' for Urdu script, 'Latn', ...
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"))
    record_id: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        Index("ix_statements_entity", "entity_id"),
        Index("ix_statements_prop_value", "prop", "value"),
        Index("ix_statements_batch", "batch_id"),
        PERSONAL_DATA,
    )


def props_of_these(column: ColumnElement[str] | InstrumentedAttribute[str],
                   names: Iterable[str]) -> ColumnElement[bool]:
    """`column IN names`, written so that no index on it is used: for "these entities' values of
    these properties", which SQLite (without statistics) would otherwise answer by scanning every
    statement of those properties through ix_statements_prop_value instead of looking the entities
    up by id. `prop || ''` has the same value; PostgreSQL plans it the same as before."""
    return column.concat("").in_(list(names))


class QuarantinedRow(Base):
    """A row that failed validation: kept whole, with the field and the reason, until retried."""

    __tablename__ = "quarantine"
    __table_args__ = PERSONAL_DATA

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # hash(source, input sha256, row number): the same bad row of the same input is kept once,
    # however often the input is re-run.
    row_key: Mapped[str] = mapped_column(String(32), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    source: Mapped[str] = mapped_column(ForeignKey("sources.name"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the row (or {"_raw": text} when it could not be parsed)
    field: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# --- resolved entities: written by tahqiq.resolve, read through the gate ----------------------------

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
    model: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the trained Splink model
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # timings, cluster sizes, flagged clusters


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
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{field, level, bayes_factor}]
