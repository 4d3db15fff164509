"""Shared fixtures: every store-backed test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TAHQIQ_TEST_POSTGRES_URL (default: the local service). Each test gets a fresh
schema, so tests never see each other's rows. When CI=true a missing PostgreSQL fails the run rather
than skipping it: a green CI must mean both databases were exercised.

The migrations run once per session on each database (the real Alembic run, into a template); each
test's database is then a copy of that result: the SQLite file copied, the PostgreSQL schema replayed
from `pg_dump` of the template (checked once to hold the same tables, columns, constraints, indexes
and revision). Running the migrations anew costs about a second per test on PostgreSQL.
"""

from __future__ import annotations

import atexit
import functools
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from tahqiq.store import open_store

POSTGRES_URL = os.environ.get("TAHQIQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_or_skip() -> None:
    try:
        with create_engine(POSTGRES_URL).connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {exc.__class__.__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: the PostgreSQL run may not be skipped)")
        pytest.skip(message)


@pytest.fixture
def tahqiq_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("TAHQIQ_HOME", str(home))
    monkeypatch.delenv("TAHQIQ_DATABASE_URL", raising=False)
    return home


PG_DUMP = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
# What a schema holds, schema names left out: two schemas migrated alike give the same rows.
SHAPE_QUERIES = [
    "select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns "
    "where table_schema = :s order by 1, 2",
    "select conrelid::regclass::text, conname, pg_get_constraintdef(oid) from pg_constraint "
    "where connamespace = cast(:s as regnamespace) order by 1, 2",
    "select tablename, indexname, indexdef from pg_indexes where schemaname = :s order by 1, 2",
    "select version_num from alembic_version",
]


def _schema_shape(schema: str) -> list[list[tuple]]:
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'SET search_path TO "{schema}"'))
            rows = [[tuple(str(v).replace(f"{schema}.", "S.") for v in row)
                     for row in conn.execute(text(q), {"s": schema})] for q in SHAPE_QUERIES]
    finally:
        admin.dispose()
    return rows


def _create_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()


@functools.cache
def _migrated_schema_script() -> str | None:
    """The SQL that rebuilds a freshly migrated schema (tables, indexes and the rows migrations
    write), with __TQ_SCHEMA__ standing for its name; None without pg_dump (each test then migrates)."""
    if not Path(PG_DUMP).exists():
        return None
    template = f"tq_template_{uuid.uuid4().hex[:12]}"
    _create_schema(template)
    try:
        open_store(POSTGRES_URL, schema=template).dispose()
        url = make_url(POSTGRES_URL)
        dump = subprocess.run(
            [PG_DUMP, "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres",
             "-d", url.database or "postgres", "-n", template, "--inserts", "--no-owner", "--no-privileges",
             "--no-comments"],
            capture_output=True, text=True, check=True, timeout=120,
            env={**os.environ, **({"PGPASSWORD": url.password} if url.password else {})})
        # psql's meta-commands (\restrict) are not SQL; the schema itself is created by the caller.
        lines = [line for line in dump.stdout.splitlines()
                 if not line.startswith("\\") and not re.fullmatch(rf"CREATE SCHEMA {template};", line)]
        script = "\n".join(lines).replace(f"{template}.", "__TQ_SCHEMA__.")
        probe = f"tq_probe_{uuid.uuid4().hex[:12]}"
        _replay(probe, script)
        try:
            same = _schema_shape(probe) == _schema_shape(template)
        finally:
            drop_postgres_schema(probe)
        if not same:
            raise AssertionError("the pg_dump copy of a migrated schema differs from the migrated schema")
        return script
    finally:
        drop_postgres_schema(template)


def _replay(schema: str, script: str) -> None:
    import psycopg

    _create_schema(schema)
    conninfo = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as conn:  # one transaction; no parameters, so many statements at once
        conn.execute(script.replace("__TQ_SCHEMA__.", f"{schema}."))


def make_postgres_engine(schema: str):
    """A migrated engine whose connections all live in their own, new PostgreSQL schema."""
    script = _migrated_schema_script()
    if script is None:
        _create_schema(schema)
    else:
        _replay(schema, script)
    return open_store(POSTGRES_URL, schema=schema)  # finds the newest revision: nothing to migrate


@functools.cache
def _migrated_sqlite_file() -> Path:
    """A SQLite store migrated once per session, copied for each test."""
    folder = tempfile.mkdtemp(prefix="tahqiq-template-")
    atexit.register(shutil.rmtree, folder, True)
    path = Path(folder) / "store.db"
    open_store(f"sqlite:///{path}").dispose()
    return path


def fresh_sqlite_store(path: Path) -> None:
    """A copy of the migrated template at `path` (the backup API: a consistent copy, WAL or not)."""
    with sqlite3.connect(_migrated_sqlite_file()) as source, sqlite3.connect(path) as target:
        source.backup(target)
    source.close()
    target.close()


def drop_postgres_schema(schema: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path, tahqiq_home):
    """A migrated store on a fresh database: SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        request.getfixturevalue("monkeypatch").setenv("TAHQIQ_DATABASE_URL", url)
        fresh_sqlite_store(tmp_path / "store.db")
        eng = open_store(url)
        yield eng
        eng.dispose()
        return
    _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    eng = make_postgres_engine(schema)
    # Code that builds its own engine from the environment (the CLI) must land in the same schema.
    request.getfixturevalue("monkeypatch").setenv("TAHQIQ_DATABASE_URL", POSTGRES_URL)
    request.getfixturevalue("monkeypatch").setenv("TAHQIQ_DATABASE_SCHEMA", schema)
    yield eng
    eng.dispose()
    drop_postgres_schema(schema)


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark for the whole run, with Splink's similarity UDFs on its classpath. A JVM
    keeps the jars of the first SparkContext it starts, so every Spark test shares this one: a
    test that started its own session without them would leave the next one unable to resolve
    JARO_WINKLER."""
    if shutil.which("java") is None:
        pytest.fail("the Spark path needs a Java runtime (java on PATH)")
    from tahqiq.resolve.spark import local_session

    session = local_session(cores=2, memory="2g")
    yield session
    session.stop()
