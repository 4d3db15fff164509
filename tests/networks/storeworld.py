"""A small generated world (2,000 persons, made once per session) with its transactions, bank
accounts and complaints ingested into the `engine` fixture's store, and people to use it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tahqiq.generate import generate
from tahqiq.govern import Gate, Principal, identity
from tahqiq.govern.cases import open_case
from tahqiq.ingest.mapping import default_input, load_mapping
from tahqiq.ingest.runner import ingest
from tahqiq.store import open_store
from tests.conftest import (
    POSTGRES_URL,
    _postgres_or_skip,
    drop_postgres_schema,
    fresh_sqlite_store,
    make_postgres_engine,
)

PASSWORD = "correct horse battery staple"
SOURCES = ("bank_accounts", "transactions", "cybercrime_complaints")
# Traits no detector may read (in any property name it reads)
SENSITIVE = ("name", "age", "gender", "birth", "religion", "ethnic", "cnic", "sect", "caste")


@dataclass
class NetWorld:
    gate: Gate
    supervisor: Principal
    analyst: Principal
    outsider: Principal
    directory: Path


@pytest.fixture(scope="session")
def networks_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("netgen") / "data"
    generate(2000, 11, out, progress=False)
    return out


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def net_world(request, networks_world, tmp_path_factory) -> Iterator[NetWorld]:
    """One store per test module and database, ingested once: the tests read it and add their own
    rows (alerts, campaigns, cases) without undoing one another's."""
    base = tmp_path_factory.mktemp("netstore")
    schema = None
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAHQIQ_HOME", str(base / "home"))
        if request.param == "sqlite":
            url = f"sqlite:///{base / 'store.db'}"
            mp.setenv("TAHQIQ_DATABASE_URL", url)
            fresh_sqlite_store(base / "store.db")
            engine = open_store(url)
        else:
            _postgres_or_skip()
            schema = f"t_{uuid.uuid4().hex[:12]}"
            engine = make_postgres_engine(schema)
            mp.setenv("TAHQIQ_DATABASE_URL", POSTGRES_URL)
            mp.setenv("TAHQIQ_DATABASE_SCHEMA", schema)
        try:
            yield from _world(engine, networks_world)
        finally:
            engine.dispose()
            if schema:
                drop_postgres_schema(schema)


def _world(engine, networks_world: Path) -> Iterator[NetWorld]:
    for name in SOURCES:
        path = networks_world / "mappings" / f"{name}.yml"
        mapping = load_mapping(path)
        ingest(engine, mapping, default_input(mapping, path), progress=False)
    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    gate = Gate(engine)
    identity.add_user(gate.audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role in (("sana", "supervisor"), ("ayesha", "analyst"), ("bilal", "analyst")):
        identity.add_user(gate.audit, admin, name, PASSWORD, role, "PUNJAB-POLICE")
    sana = gate.authenticate_password("sana", PASSWORD)
    open_case(gate.audit, sana, "CASE-2026-0501", basis_kind="fir", basis_ref="5/2026 PS Civil Lines",
              authorising_officer="SP Investigation", purpose="fraud investigation", days=30, members=["ayesha"])
    yield NetWorld(gate, sana, gate.authenticate_password("ayesha", PASSWORD),
                   gate.authenticate_password("bilal", PASSWORD), networks_world)
    gate.audit.dispose()
    identity.set_password_hasher(PasswordHasher())
