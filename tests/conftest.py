"""Shared fixtures: every store-backed test runs on SQLite and on PostgreSQL.

PostgreSQL comes from TAHQIQ_TEST_POSTGRES_URL (default: the local service). Each test gets a fresh
schema, so tests never see each other's rows. When CI=true a missing PostgreSQL fails the run rather
than skipping it: a green CI must mean both databases were exercised.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

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


def make_postgres_engine(schema: str):
    """A migrated engine whose connections all live in their own, new PostgreSQL schema."""
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return open_store(POSTGRES_URL, schema=schema)


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
