"""The engine module: connections to the store (SQLite by default, PostgreSQL in production).

Only the gate (`tahqiq.govern`), the pipeline stages that write the store (ingest, resolution) and
the composition root open connections; feature rooms receive theirs from the gate (an import-linter
contract in pyproject.toml keeps it so)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import FromClause

from tahqiq.config import normalise_database_url, settings


def sqlite_pragmas(synchronous: str = "NORMAL") -> Callable[[DBAPIConnection, object], None]:
    """A connect hook for SQLite. WAL lets readers work while ingest writes; NORMAL sync is durable
    across process crashes (SIGKILL), the failure ingest must survive, and FULL across power cuts
    (what the audit log needs). foreign_keys is off by default in SQLite."""

    def pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # SQLite's default page cache is 2 MiB: a store of gigabytes, whose statement ids are hashes
        # (inserts land all over the B-trees), then reads the same pages from the OS again and again.
        # 64 MiB made the 50k-person ingest 8% faster (docs/benchmarks.md, "Ingest throughput").
        cur.execute(f"PRAGMA cache_size=-{settings().sqlite_cache_mb * 1024}")
        cur.close()

    return pragmas


def make_engine(url: str | None = None, schema: str | None = None) -> Engine:
    """An engine for `url` (default: the configured store). `schema` selects a PostgreSQL schema."""
    conf = settings()
    url = normalise_database_url(url) if url else conf.database_url
    schema = schema or conf.database_schema
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", sqlite_pragmas())
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if schema:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
                raise ValueError(f"invalid PostgreSQL schema name: {schema!r}")

            @event.listens_for(engine, "connect")
            def _search_path(dbapi_conn: DBAPIConnection, _record: object) -> None:
                cur = dbapi_conn.cursor()
                cur.execute(f'SET search_path TO "{schema}"')
                cur.close()
                dbapi_conn.commit()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def refresh_statistics(engine: Engine, *tables: FromClause) -> None:
    """Update the planner's statistics after a bulk load, as PostgreSQL's "Populating a Database"
    advises: autovacuum may be off or not have run yet, and without statistics PostgreSQL plans "these
    entities' values" as a sequential scan of millions of rows. SQLite: nothing. Its ANALYZE reads
    whole tables (minutes at this size) and its planner works without statistics; the one query shape
    it gets wrong avoids the misleading index explicitly (`store.tables.props_of_these`)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            assert isinstance(table, Table), table
            conn.execute(text(f'ANALYZE "{table.name}"'))
