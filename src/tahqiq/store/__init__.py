"""The store: SQLAlchemy tables and migrations (SQLite by default, PostgreSQL in production).

Writes (ingest, resolution) use `tahqiq.store.tables` directly. Reads of personal data live in
`tahqiq.store.reads`, which only the governance gate may import.
"""

from sqlalchemy import Engine

from tahqiq.store.base import Base
from tahqiq.store.db import make_engine, session_factory
from tahqiq.store.migrate import upgrade

__all__ = ["Base", "make_engine", "session_factory", "open_store"]


def open_store(url: str | None = None, *, schema: str | None = None, migrate: bool = True) -> Engine:
    """An engine for the configured store (or `url`), migrated to the newest schema."""
    engine = make_engine(url, schema)
    if migrate:
        upgrade(engine)
    return engine
