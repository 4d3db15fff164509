"""The store: SQLAlchemy tables and migrations (SQLite by default, PostgreSQL in production).

Writes (ingest) use `tahqiq.store.tables` directly. Reads of personal data live in
`tahqiq.store.reads`, which only the governance gate may import.
"""

from tahqiq.store.db import Base, make_engine, session_factory

__all__ = ["Base", "make_engine", "session_factory", "open_store"]


def open_store(url: str | None = None, *, schema: str | None = None, migrate: bool = True):
    """An engine for the configured store (or `url`), migrated to the newest schema."""
    engine = make_engine(url, schema)
    if migrate:
        from tahqiq.store.migrate import upgrade

        upgrade(engine)
    return engine
