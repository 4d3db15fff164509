"""Governance tables: identities, cases, the audit log, evidence and retention runs.

Audit entries are append-only: the application never updates or deletes them, and `tahqiq audit
verify` detects anyone who does (see tahqiq.govern.auditlog).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tahqiq.store.base import Base, utcnow


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. PUNJAB-POLICE, CTD, FIA-CCW
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # analyst | supervisor | auditor | admin
    password_hash: Mapped[str] = mapped_column(Text)  # argon2id, PHC string
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A bearer token. Only its SHA-256 is stored (tokens are 256-bit random, so a fast hash is
    enough: there is nothing to brute-force); the token itself is shown once, at creation."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EndedSession(Base):
    """A browser session that was signed out before its cookie expired. Kept in the store (not in
    one server process) so that a copied cookie dies with the logout on every worker and after a
    restart; rows are dropped once the cookie would have expired anyway."""

    __tablename__ = "ended_sessions"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Case(Base):
    """The legal basis for reading personal data: an FIR or a warrant, authorised by an officer,
    for a stated purpose, until an expiry date."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. CASE-2026-0001
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    basis_kind: Mapped[str] = mapped_column(String(16))  # fir | warrant
    basis_ref: Mapped[str] = mapped_column(String(200))  # FIR number / warrant reference
    authorising_officer: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseMember(Base):
    __tablename__ = "case_members"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # A member from another agency must be added explicitly as such (joint investigations).
    cross_agency: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseSubject(Base):
    """An entity a case is about. While the case is open (and unexpired) retention spares it.
    No foreign key to entities: the subject link outlives the entity's deletion by retention."""

    __tablename__ = "case_subjects"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    note: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_case_subjects_entity", "entity_id"),)


class AuditEntry(Base):
    """One entry of the transparency log. `entry` is the canonical JSON that is hashed into the tree
    (leaf = SHA-256(0x00 || entry)); the other columns repeat its fields for querying and are checked
    against it by verification. `nodes` caches the perfect-subtree hashes this entry completed."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # leaf index, from 0
    recorded_at: Mapped[str] = mapped_column(String(32))  # ISO 8601 UTC, as in `entry`
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    case_ref: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(8))  # grant | deny | info
    target: Mapped[str | None] = mapped_column(Text)
    entry: Mapped[str] = mapped_column(Text)
    leaf_hash: Mapped[str] = mapped_column(String(64))
    nodes: Mapped[str | None] = mapped_column(Text)  # hex, levels 1.. completed by this leaf
    signature: Mapped[str] = mapped_column(String(128))  # Ed25519 over ("tahqiq-entry-v1\0", seq, leaf)

    __table_args__ = (
        Index("ix_audit_entries_actor", "actor"),
        Index("ix_audit_entries_case_ref", "case_ref"),
        Index("ix_audit_entries_action", "action"),
    )


class AuditKey(Base):
    """A look-up index derived from the log: one row per key an entry names (each `detail.queried`
    key such as "phone#<digest>", a keyed target, each record id it disclosed). It is rebuilt from
    the entries at any time (`govern.audit_index`), so it is never evidence itself: what oversight
    finds through it is read back from the signed entries."""

    __tablename__ = "audit_keys"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)


class AuditIndexState(Base):
    """How far the key index has read the log (one row, id 1)."""

    __tablename__ = "audit_index_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indexed_upto: Mapped[int] = mapped_column(BigInteger)  # every entry with seq < this is indexed


class AuditState(Base):
    """The log's frontier (one row, id 1): what lets an append cost O(log n)."""

    __tablename__ = "audit_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    frontier: Mapped[str] = mapped_column(Text, default="")  # hex hashes, largest subtree first, comma-separated
    last_head_size: Mapped[int] = mapped_column(BigInteger, default=0)
    last_head_ms: Mapped[int] = mapped_column(BigInteger, default=0)


class TreeHead(Base):
    __tablename__ = "tree_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp_ms: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))


class EvidenceItem(Base):
    """A file held as evidence for a case. The bytes live in the content-addressed store under
    TAHQIQ_HOME/evidence; custody (adding, exporting) is recorded in the audit log."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(Text)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    custody_seq: Mapped[int] = mapped_column(BigInteger)  # the audit entry recording its intake

    __table_args__ = (UniqueConstraint("case_id", "sha256", name="uq_evidence_items_case_sha256"),)


class RetentionRun(Base):
    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    entities_deleted: Mapped[int] = mapped_column(Integer, default=0)
    statements_deleted: Mapped[int] = mapped_column(Integer, default=0)
    records_deleted: Mapped[int] = mapped_column(Integer, default=0)
    quarantine_deleted: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class SigninThrottle(Base):
    """Failed sign-ins counted per key ("account:<user name as typed>", "address:<client
    address>") and the lock they led to (govern.throttle). Kept in the store, not in one server
    process, so that a lock holds on every worker and after a restart."""

    __tablename__ = "signin_throttle"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in the window that started at window_start
    window_start: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lockouts: Mapped[int] = mapped_column(Integer, default=0)  # locks in a row: each lasts twice the last
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
