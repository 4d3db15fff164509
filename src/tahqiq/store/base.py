"""The declarative base every room's tables derive from, and the store's clock.

Tables live in the room that owns them (the store's own records and entities in `store.tables`,
cases in `govern.tables`, watchlists in `screen.tables`, ...); all share this metadata, so one set
of Alembic migrations (`store/migrations`) covers them all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Constraint names are explicit so that Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# A table that holds personal data says so with `__table_args__ = (..., PERSONAL_DATA)` (or a dict):
# the store's own (statements, source records, quarantined rows) are read only through
# `tahqiq.store.reads`; a room's own (watchlists, alerts, notes) only inside a view's decided block.
# tests/api/test_gate_boundary.py checks every query against these marks.
PERSONAL_DATA: dict[str, object] = {"info": {"personal_data": True}}


def personal_tables(metadata: MetaData) -> set[str]:
    """Names of the tables marked as holding personal data."""
    return {t.name for t in metadata.sorted_tables if t.info.get("personal_data")}


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, typed as the Table it is (for Core statements on it)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key an INSERT of one row created."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(ts: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything Tahqiq stores is UTC."""
    if ts is None or ts.tzinfo is not None:
        return ts
    return ts.replace(tzinfo=UTC)


def aware_utc(ts: datetime) -> datetime:
    """`aware` for a column that is never null."""
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


__all__ = ["Base", "NAMING", "PERSONAL_DATA", "personal_tables", "aware", "aware_utc", "inserted_id", "table_of",
           "utcnow"]
