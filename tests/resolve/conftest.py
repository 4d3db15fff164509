"""Resolution fixtures: a small generated dataset (made once per test session), ingested into the
`engine` fixture's store (SQLite and PostgreSQL), with a supervisor and an analyst on a case."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from tahqiq.generate import generate
from tahqiq.govern import Gate, Principal, identity
from tahqiq.govern.cases import open_case
from tahqiq.ingest.mapping import default_input, load_mapping
from tahqiq.ingest.runner import ingest

PASSWORD = "correct horse battery staple"
CASE = "CASE-2026-0101"


@pytest.fixture(scope="session")
def small_world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "data"
    generate(300, 11, out, progress=False)
    return out


def ingest_sources(engine, directory: Path, sources: list[str]) -> None:
    for name in sources:
        path = directory / "mappings" / f"{name}.yml"
        mapping = load_mapping(path)
        ingest(engine, mapping, default_input(mapping, path), progress=False)


@dataclass
class Desk:
    gate: Gate
    supervisor: Principal
    analyst: Principal
    outsider: Principal
    case: str = CASE


@pytest.fixture
def desk(engine) -> Desk:
    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    gate = Gate(engine)
    audit = gate.audit
    identity.add_user(audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role in (("sana", "supervisor"), ("ayesha", "analyst"), ("bilal", "analyst")):
        identity.add_user(audit, admin, name, PASSWORD, role, "PUNJAB-POLICE")
    sana = gate.authenticate_password("sana", PASSWORD)
    open_case(audit, sana, CASE, basis_kind="fir", basis_ref="77/2026 PS Civil Lines",
              authorising_officer="SP Investigation", purpose="fraud investigation", days=30, members=["ayesha"])
    yield Desk(gate, sana, gate.authenticate_password("ayesha", PASSWORD),
               gate.authenticate_password("bilal", PASSWORD))
    gate.audit.dispose()
    identity.set_password_hasher(PasswordHasher())
