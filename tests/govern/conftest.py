"""Governance fixtures. The `engine` fixture (tests/conftest.py) runs each test on SQLite and on a
fresh PostgreSQL schema; here we add a populated world on top of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import typer
from argon2 import PasswordHasher
from sqlalchemy import insert
from typer.testing import CliRunner

from tahqiq.govern import Gate, Principal, identity
from tahqiq.govern.cases import open_case
from tahqiq.store.tables import Entity, IngestBatch, QuarantinedRow, Source, SourceRecord, Statement

PASSWORD = "correct horse battery staple"
CNIC = "35202-1234567-1"


@pytest.fixture(autouse=True)
def cheap_argon2():
    # Real deployments keep argon2-cffi's RFC 9106 defaults; tests need speed, not strength.
    identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    yield
    identity.set_password_hasher(PasswordHasher())


@pytest.fixture
def gate(engine):
    g = Gate(engine)
    yield g
    g.audit.dispose()


def add_entity(conn, eid: str, schema: str, source: str, props: dict[str, list[str]], *, batch: int = 1,
               created_at: datetime | None = None, record: str | None = None) -> None:
    ts = created_at or datetime.now(UTC)
    conn.execute(insert(Entity).values(id=eid, schema=schema, source=source, batch_id=batch, created_at=ts))
    rec = record or f"r-{eid}"
    conn.execute(insert(SourceRecord).values(id=hashlib.md5(f"{source}:{rec}".encode()).hexdigest(), source=source,
                                             record_id=rec, batch_id=batch, row_number=1, data={"raw": eid},
                                             ingested_at=ts))
    for prop, values in props.items():
        for v in values:
            conn.execute(insert(Statement).values(
                id=hashlib.md5(f"{eid}:{prop}:{v}".encode()).hexdigest(), entity_id=eid, schema=schema, prop=prop,
                value=v, source=source, record_id=rec, batch_id=batch, seen_at=ts))


@dataclass
class World:
    gate: Gate
    users: dict[str, Principal] = field(default_factory=dict)
    case: str = "CASE-2026-0001"
    other_case: str = "CASE-2026-0002"
    subject: str = "e" + "1" * 31
    bystander: str = "e" + "2" * 31
    phone: str = "e" + "3" * 31


@pytest.fixture
def world(gate, engine) -> World:
    """Agencies, one user per role, entities, and a case whose only member (besides its supervisor)
    is the analyst `ayesha`. `bilal` is an analyst of the same agency outside the case; `farah` is an
    analyst of another agency; `omar` is in the other case."""
    w = World(gate)
    audit = gate.audit
    identity.add_user(audit, None, "admin", PASSWORD, "admin", "PUNJAB-POLICE")
    admin = gate.authenticate_password("admin", PASSWORD)
    for name, role, agency in [("sana", "supervisor", "PUNJAB-POLICE"), ("ayesha", "analyst", "PUNJAB-POLICE"),
                               ("bilal", "analyst", "PUNJAB-POLICE"), ("omar", "analyst", "PUNJAB-POLICE"),
                               ("farah", "analyst", "FIA-CCW"), ("zain", "supervisor", "FIA-CCW"),
                               ("irfan", "auditor", "OVERSIGHT")]:
        identity.add_user(audit, admin, name, PASSWORD, role, agency)
    w.users = {n: gate.authenticate_password(n, PASSWORD)
               for n in ("admin", "sana", "ayesha", "bilal", "omar", "farah", "zain", "irfan")}
    with engine.begin() as conn:
        conn.execute(insert(Source).values(name="nadra", label="NADRA extract", retention_days=30))
        conn.execute(insert(Source).values(name="telco", label="Telecom subscribers", retention_days=None))
        for bid, src in ((1, "nadra"), (2, "telco")):
            conn.execute(insert(IngestBatch).values(id=bid, source=src, mapping_fingerprint="f" * 32,
                                                    input_name="x.csv", input_sha256="0" * 64))
        add_entity(conn, w.subject, "Person", "nadra", {"name": ["ali raza"], "cnic": [CNIC]})
        add_entity(conn, w.bystander, "Person", "nadra", {"name": ["kamran iqbal"], "cnic": ["35202-7654321-3"]})
        add_entity(conn, w.phone, "Phone", "telco", {"number": ["+923001234567"]}, batch=2)
        conn.execute(insert(QuarantinedRow).values(id=7, row_key="q" * 32, batch_id=1, source="nadra", row_number=9,
                                                   data={"cnic": "3520X", "name": "ali"}, field="cnic",
                                                   reason="bad checksum"))
    sana = w.users["sana"]
    open_case(audit, sana, w.case, basis_kind="fir", basis_ref="123/2026 PS Model Town",
              authorising_officer="SP Investigation Lahore", purpose="robbery investigation", days=30,
              members=["ayesha"])
    open_case(audit, sana, w.other_case, basis_kind="warrant", basis_ref="W-77/2026 ATC Lahore",
              authorising_officer="Judge ATC-1", purpose="absconder search", days=30, members=["omar"])
    with gate.session(w.users["ayesha"], w.case, "attach the suspect") as view:
        view.attach_subject(w.subject, "named in FIR")
    return w


def cli_app() -> typer.Typer:
    from tahqiq.cli import audit_cmds, case_cmds, custody_cmds, data_cmds, user_cmds

    app = typer.Typer()
    for module in (user_cmds, case_cmds, audit_cmds, custody_cmds, data_cmds):
        module.register(app)
    return app


@pytest.fixture
def cli(monkeypatch):
    """Run `tahqiq <args>` in-process; returns the click Result. env: extra environment."""
    app = cli_app()
    runner = CliRunner()

    def run(*args: str, env: dict | None = None, user: str | None = None):
        e = {"TAHQIQ_PASSWORD": PASSWORD, "TAHQIQ_TOKEN": None, "COLUMNS": "250", **(env or {})}
        argv = [str(a) for a in args]
        if user:
            argv += ["--user", user]
        return runner.invoke(app, argv, env=e, catch_exceptions=False)

    return run


def past(days: int = 1) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
