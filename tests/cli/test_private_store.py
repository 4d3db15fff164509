"""What `tahqiq init` leaves on disk is private (folders 0700, files 0600, an old 0755 home tightened),
and a PostgreSQL schema named by TAHQIQ_DATABASE_SCHEMA that does not exist yet is created, or, for a
role that may not create it, explained instead of a raw SQLAlchemy error."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import POSTGRES_URL, _postgres_or_skip, drop_postgres_schema


def tahqiq(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The installed command, as a separate process (it sets its own umask, as `tahqiq` does)."""
    return subprocess.run([sys.executable, "-m", "tahqiq", *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def test_init_makes_the_home_and_the_store_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)  # made before Tahqiq kept its files private
    env = {"TAHQIQ_HOME": str(home), "TAHQIQ_DATABASE_URL": "", "TAHQIQ_DATABASE_SCHEMA": ""}
    result = tahqiq("init", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    store = home / "tahqiq.db"
    assert mode(home) == 0o700 and mode(store) == 0o600
    for extra in (home / "tahqiq.db-wal", home / "tahqiq.db-shm"):
        if extra.exists():
            assert mode(extra) == 0o600
    made = [p for p in home.rglob("*")]
    assert all(mode(p) == (0o700 if p.is_dir() else 0o600) for p in made), [(p, oct(mode(p))) for p in made]


def test_a_missing_postgres_schema_is_created(tmp_path):
    _postgres_or_skip()
    schema = f"t_new_{uuid.uuid4().hex[:10]}"
    env = {"TAHQIQ_HOME": str(tmp_path / "home"), "TAHQIQ_DATABASE_URL": POSTGRES_URL,
           "TAHQIQ_DATABASE_SCHEMA": schema}
    try:
        result = tahqiq("init", env=env)
        assert result.returncode == 0, result.stdout + result.stderr
        admin = create_engine(POSTGRES_URL)
        with admin.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                                  {"s": schema}).scalar_one()
        admin.dispose()
        assert tables > 10
    finally:
        drop_postgres_schema(schema)


def test_a_role_that_may_not_create_the_schema_is_told_what_to_do(tmp_path):
    _postgres_or_skip()
    schema, role = f"t_new_{uuid.uuid4().hex[:10]}", f"t_role_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))  # may connect, may not create schemas
    url = POSTGRES_URL.replace("postgres@", f"{role}@", 1)
    try:
        result = tahqiq("init", env={"TAHQIQ_HOME": str(tmp_path / "home"), "TAHQIQ_DATABASE_URL": url,
                                     "TAHQIQ_DATABASE_SCHEMA": schema})
        output = " ".join((result.stdout + result.stderr).split())
        assert result.returncode == 1, output
        assert f'CREATE SCHEMA "{schema}"' in output and "TAHQIQ_DATABASE_SCHEMA" in output
        assert "Traceback" not in output and "no schema has been selected" not in output
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
        drop_postgres_schema(schema)
