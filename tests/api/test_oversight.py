"""Oversight routes: the audit log with filters, the signed tree head and its verification, access
statistics; and the notes migration on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text

from tahqiq.store.migrate import alembic_config
from tests.api.conftest import member_headers
from tests.conftest import POSTGRES_URL, _postgres_or_skip, drop_postgres_schema
from tests.govern.conftest import CNIC

sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@sqlite_only
def test_auditors_read_the_log_with_filters_analysts_may_not(api):
    api.client.get(f"/api/cases/{api.world.case}/search", params={"q": CNIC}, headers=member_headers(api))
    auditor = member_headers(api, "irfan")
    rows = api.client.get("/api/audit", params={"case": api.world.case, "actor": "ayesha"}, headers=auditor).json()
    assert rows and all(r["case"] == api.world.case and r["actor"] == "ayesha" for r in rows)
    assert rows[0]["seq"] > rows[-1]["seq"]  # newest first
    by_value = api.client.get("/api/audit", params={"prop": "cnic", "value": CNIC}, headers=auditor).json()
    assert {r["action"] for r in by_value} == {"read.search"}  # one entry per search, found by its key
    assert api.client.get("/api/audit", params={"prop": "cnic"}, headers=auditor).status_code == 400
    r = api.client.get("/api/audit", headers=member_headers(api, "ayesha"))
    assert r.status_code == 403 and "auditors and supervisors" in r.json()["detail"]
    # A supervisor of another agency sees nothing of this case.
    other = api.client.get("/api/audit", params={"case": api.world.case}, headers=member_headers(api, "zain")).json()
    assert other == []


def test_the_log_pages_newest_first_and_forwards_from_since(api):
    auditor = member_headers(api, "irfan")
    for _ in range(6):
        api.client.get(f"/api/cases/{api.world.case}/search", params={"q": CNIC}, headers=member_headers(api))
    size = api.world.gate.audit.size()
    newest = api.client.get("/api/audit", params={"limit": 5}, headers=auditor).json()
    assert [r["seq"] for r in newest] == list(range(size - 1, size - 6, -1))  # the 5 newest, newest first
    forwards = api.client.get("/api/audit", params={"newest_first": "false", "since": 3, "limit": 4},
                              headers=auditor).json()
    assert [r["seq"] for r in forwards] == [3, 4, 5, 6]


@sqlite_only
def test_head_is_signed_and_matches_the_entries_until_someone_edits_one(api):
    auditor = member_headers(api, "irfan")
    api.world.gate.audit.sign_head(force=True)
    head = api.client.get("/api/audit/head", headers=auditor).json()
    assert head["signature_valid"] is True and head["root_matches_entries"] is True
    assert head["head"]["tree_size"] <= head["log_size"] and "BEGIN PUBLIC KEY" in head["public_key_pem"]
    full = api.client.get("/api/audit/head", params={"full": "true"}, headers=auditor).json()
    assert full["full_verification"]["ok"] is True
    with api.world.gate.engine.begin() as conn:  # tamper with an early entry, as an insider might
        conn.execute(text("UPDATE audit_entries SET leaf_hash = :h WHERE seq = 3"), {"h": "00" * 32})
    api.world.gate.audit.sign_head(force=True)  # a head signed after the edit still cannot match
    head = api.client.get("/api/audit/head", params={"full": "true"}, headers=auditor).json()
    assert head["full_verification"]["ok"] is False and head["full_verification"]["first_bad_entry"] == 3
    assert api.client.get("/api/audit/head", headers=member_headers(api, "ayesha")).status_code == 403


@sqlite_only
def test_access_statistics_count_grants_and_denials_per_user_and_case(api):
    api.client.get(f"/api/cases/{api.world.case}/subjects", headers=member_headers(api, "ayesha"))
    api.client.get(f"/api/cases/{api.world.case}/subjects", headers=member_headers(api, "bilal"))  # refused
    stats = api.client.get("/api/audit/stats", headers=member_headers(api, "irfan")).json()["rows"]
    by = {(r["actor"], r["case"]): r for r in stats}
    assert by[("ayesha", api.world.case)]["grants"] == 1  # read.subjects (opening a session logs only refusals)
    assert by[("bilal", api.world.case)]["denials"] >= 1 and by[("bilal", api.world.case)]["grants"] == 0
    assert all(set(r) == {"actor", "case", "grants", "denials", "last_seq"} for r in stats)  # counts only
    sup = api.client.get("/api/audit/stats", headers=member_headers(api, "zain")).json()["rows"]
    assert all(r["case"] != api.world.case for r in sup)  # another agency's supervisor


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_notes_migration_creates_exactly_its_table(db, tmp_path, tahqiq_home):
    if db == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'm.db'}", None
        engine = create_engine(url)
    else:
        _postgres_or_skip()
        import uuid

        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        from tahqiq.store.db import make_engine

        engine = make_engine(POSTGRES_URL, schema)
    try:
        def upgrade(rev):
            cfg = alembic_config(engine)
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, rev)

        def tables():
            return set(inspect(engine).get_table_names(schema=schema)) - {"alembic_version"}

        upgrade("0002_govern")
        before = tables()
        upgrade("0006_notes")
        assert tables() - before == {"case_notes"}
        cols = {c["name"] for c in inspect(engine).get_columns("case_notes", schema=schema)}
        assert cols == {"id", "case_id", "author_id", "entity_id", "body", "created_at", "audit_seq"}
    finally:
        engine.dispose()
        if schema:
            drop_postgres_schema(schema)
