"""The store on SQLite and PostgreSQL: migrations match the models, SQLite runs in WAL mode."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from tahqiq.compose import tables as _every_table  # noqa: F401  (every room's tables)
from tahqiq.store import open_store
from tahqiq.store.base import Base


def test_migrations_match_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_migrate_is_repeatable(engine):
    open_store(engine.url.render_as_string(hide_password=False),
               schema=None if engine.dialect.name == "sqlite" else _schema(engine))
    with engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar_one()
    assert version


def _schema(engine):
    with engine.connect() as conn:
        return conn.execute(text("select current_schema()")).scalar_one()


def test_sqlite_is_wal_with_foreign_keys(tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("pragma journal_mode")).scalar_one() == "wal"
        assert conn.execute(text("pragma foreign_keys")).scalar_one() == 1
        assert conn.execute(text("pragma cache_size")).scalar_one() == -64 * 1024  # 64 MiB, not SQLite's 2


def test_sqlite_page_cache_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("TAHQIQ_SQLITE_CACHE_MB", "8")
    engine = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("pragma cache_size")).scalar_one() == -8 * 1024
    monkeypatch.setenv("TAHQIQ_SQLITE_CACHE_MB", "lots")
    with pytest.raises(ValueError, match="TAHQIQ_SQLITE_CACHE_MB"):
        open_store(f"sqlite:///{tmp_path / 't.db'}")


def test_default_store_lives_under_tahqiq_home(tahqiq_home):
    engine = open_store()
    assert engine.url.database == str(tahqiq_home / "tahqiq.db")
    assert (tahqiq_home / "tahqiq.db").exists()
