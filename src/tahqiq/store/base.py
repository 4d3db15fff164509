"""The declarative base every room's tables derive from, and the store's clock.

Tables live in the room that owns them (the store's own records and entities in `store.tables`,
cases in `govern.tables`, watchlists in `screen.tables`, ...); all share this metadata, so one set
of Alembic migrations (`store/migrations`) covers them all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData
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


__all__ = ["Base", "NAMING", "aware", "aware_utc", "utcnow"]
