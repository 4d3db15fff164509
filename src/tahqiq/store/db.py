"""The engine module: connections to the store (SQLite by default, PostgreSQL in production).

Only the gate (`tahqiq.govern`), the pipeline stages that write the store (ingest, resolution) and
the composition root open connections; feature rooms receive theirs from the gate (an import-linter
contract in pyproject.toml keeps it so).

The SQLite file is created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the
database file's mode, so all three stay private. A PostgreSQL schema named by
TAHQIQ_DATABASE_SCHEMA is created on first connection when it does not exist yet; a role that may
not create it gets `StoreSchemaMissing`, which says what the database's owner must run."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import FromClause

from tahqiq.config import PRIVATE_FILE_MODE, normalise_database_url, private_dir, private_file, settings

SCHEMA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
# PostgreSQL's SQLSTATEs: the role lacks a privilege; a concurrent creator won the race.
INSUFFICIENT_PRIVILEGE = "42501"
ALREADY_CREATED = {"42P06", "23505"}


class StoreSchemaMissing(RuntimeError):
    """The configured PostgreSQL schema does not exist and this role may not create it."""


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


def private_sqlite_file(database: str | None) -> None:
    """Create the SQLite file 0600 (and its folder 0700 when it is made here) before SQLite does,
    and tighten an existing store file and its -wal/-shm to 0600. An existing folder is tightened
    only when it is TAHQIQ_HOME: a store elsewhere may sit in a folder others rightly use."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).resolve()
    if path.parent == settings().home:
        private_dir(path.parent)
    else:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE_MODE))
    for own in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if own.exists() and own.stat().st_uid == os.getuid():
            private_file(own)


def schema_hook(schema: str) -> Callable[[DBAPIConnection, object], None]:
    """A connect hook for PostgreSQL: create `schema` when missing (once per engine), then put the
    connection's search_path on it."""
    checked = False

    def hook(dbapi_conn: DBAPIConnection, _record: object) -> None:
        nonlocal checked
        if not checked:
            ensure_schema(dbapi_conn, schema)
            checked = True
        cur = dbapi_conn.cursor()
        cur.execute(f'SET search_path TO "{schema}"')
        cur.close()
        dbapi_conn.commit()

    return hook


def ensure_schema(dbapi_conn: DBAPIConnection, schema: str) -> None:
    """CREATE SCHEMA `schema` unless it exists. Existence is looked up first: PostgreSQL checks the
    CREATE privilege even for IF NOT EXISTS, and a role without it may well use an existing schema."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        if cur.fetchone() is not None:
            return
        cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        dbapi_conn.commit()
    except Exception as exc:  # noqa: BLE001 - PostgreSQL's errors are told apart by their SQLSTATE
        dbapi_conn.rollback()
        state = _sqlstate(exc)
        if state in ALREADY_CREATED:
            return
        if state == INSUFFICIENT_PRIVILEGE:
            raise StoreSchemaMissing(
                f"the PostgreSQL schema {schema!r} (TAHQIQ_DATABASE_SCHEMA) does not exist and this database "
                f"role may not create it: ask the database's owner to run  CREATE SCHEMA \"{schema}\" "
                f"AUTHORIZATION <this role>;  or set TAHQIQ_DATABASE_SCHEMA to a schema that exists") from None
        raise
    finally:
        cur.close()


def _sqlstate(exc: BaseException) -> str | None:
    state: Any = getattr(exc, "sqlstate", None)
    return state if isinstance(state, str) else None


def make_engine(url: str | None = None, schema: str | None = None) -> Engine:
    """An engine for `url` (default: the configured store). `schema` selects a PostgreSQL schema,
    created on first connection when missing."""
    conf = settings()
    url = normalise_database_url(url) if url else conf.database_url
    schema = schema or conf.database_schema
    if url.startswith("sqlite"):
        private_sqlite_file(make_url(url).database)
        engine = create_engine(url)
        event.listen(engine, "connect", sqlite_pragmas())
    else:
        engine = create_engine(url, pool_pre_ping=True)
        if schema:
            if not SCHEMA_NAME.fullmatch(schema):
                raise ValueError(f"invalid PostgreSQL schema name: {schema!r}")
            event.listen(engine, "connect", schema_hook(schema))
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
