"""Watchlist changes and reads through the gate, on SQLite and PostgreSQL: every entry kind, key
normalisation, expiry rules, the warrant rule, membership, auditing, imports, and the index loaded
as one audited bulk read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, update

from tahqiq.govern import SYSTEM, AccessDenied, GovernError
from tahqiq.govern.tables import AuditEntry
from tahqiq.screen import WatchlistIndex
from tahqiq.screen.tables import WatchlistEntry, WatchlistKey
from tahqiq.screen.watchlists import (
    WatchlistInputError,
    active_entries,
    add_entry,
    expire_entry,
    import_rows,
    list_entries,
)
from tahqiq.store.base import Base

SOON = datetime.now(UTC) + timedelta(days=10)


def audit(gate, action: str):
    with gate.engine.connect() as conn:
        return list(conn.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def test_the_migration_creates_exactly_these_tables(engine):
    names = set(inspect(engine).get_table_names())
    assert {"watchlist_entries", "watchlist_keys"} <= names
    cols = {c["name"] for c in inspect(engine).get_columns("watchlist_entries")}
    assert {"kind", "label", "expires_at", "birth_date", "father_name", "indicator_type", "stix_pattern",
            "removed_by", "removed_reason"} <= cols
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "watchlist" in repr(d)] == []


def test_every_kind_of_entry(world):
    gate, omar = world.gate, world.users["omar"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        person = add_entry(view, "person", reason="absconder", expires_at=SOON,
                           keys={"name": ["Mohd. Aslam", "محمد اسلم"], "cnic": "3520212345671",
                                 "phone": "0300-1234567"},
                           birth_date="01/02/1980", father_name="Ghulam Rasool")
        phone = add_entry(view, "phone", reason="extortion calls", expires_at=SOON, keys={"phone": "+92 321 7654321"})
        plate = add_entry(view, "plate", reason="snatched car", expires_at=SOON,
                          keys={"plate": "lea 1234", "chassis": "nze141-1234567"})
        chassis = add_entry(view, "chassis", reason="stolen chassis", expires_at=SOON,
                            keys={"chassis": "1hgcm82633a004352"})
        ioc = add_entry(view, "indicator", reason="phishing domain", expires_at=SOON,
                        stix_pattern="[domain-name:value = 'Bank-Login[.]example']")
        entries = {e.id: e for e in list_entries(view)}
    assert set(entries) == {person, phone, plate, chassis, ioc}
    p = entries[person]
    assert p.kind == "person" and p.label == "Mohd. Aslam" and p.birth_date == "1980-02-01"
    assert p.values("cnic") == ["35202-1234567-1"] and p.values("phone") == ["+923001234567"]
    assert p.values("name") == ["Mohd. Aslam", "محمد اسلم"] and p.basis == "warrant W-77/2026 ATC Lahore"
    assert entries[plate].values("plate") == ["LEA-1234"] and entries[plate].values("chassis") == ["NZE141-1234567"]
    assert entries[ioc].values("indicator") == ["bank-login.example"] and entries[ioc].indicator_type == "domain"
    assert entries[ioc].stix_pattern.startswith("[domain-name")
    assert p.added_by == "omar" and p.expires_at == SOON


def test_the_audit_log_holds_hashes_of_keys_not_the_keys(world):
    gate, omar = world.gate, world.users["omar"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        wid = add_entry(view, "person", reason="absconder", expires_at=SOON, keys={"cnic": "35202-1234567-1"})
    [entry] = audit(gate, "watchlist.add")
    assert entry.case_ref == world.other_case and entry.decision == "grant" and entry.target == f"watchlist:{wid}"
    assert "35202-1234567-1" not in entry.entry and f"cnic#{gate.digest('cnic', '35202-1234567-1')}" in entry.entry


def test_bad_keys_and_expiries_are_refused_with_every_reason(world):
    gate, omar = world.gate, world.users["omar"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        with pytest.raises(WatchlistInputError) as exc:
            add_entry(view, "person", reason="x", expires_at=SOON + timedelta(days=365),
                      keys={"name": "Dr.", "cnic": "12345", "plate": "LEA-1"}, birth_date="someday")
        fields = {f for _, f, _ in exc.value.errors}
        assert fields == {"reason", "expires", "name", "cnic", "plate", "birth_date"}
        assert "12345" not in str(exc.value)
        for past in (datetime.now(UTC) - timedelta(minutes=1), None):
            with pytest.raises(WatchlistInputError, match="expir"):
                add_entry(view, "phone", reason="calls", expires_at=past, keys={"phone": "03001234567"})
        with pytest.raises(WatchlistInputError, match="needs phone"):
            add_entry(view, "phone", reason="calls", expires_at=SOON, keys={})
        with pytest.raises(WatchlistInputError, match="kind"):
            add_entry(view, "face", reason="calls", expires_at=SOON, keys={})
        assert list_entries(view) == []


def test_a_person_needs_a_warrant_and_the_refusal_is_audited(world):
    gate, ayesha = world.gate, world.users["ayesha"]
    with gate.session(ayesha, world.case, "robbery FIR 123/2026") as view:
        with pytest.raises(AccessDenied, match="warrant"):
            add_entry(view, "person", reason="suspect", expires_at=SOON, keys={"name": "Ali Raza"})
        # an FIR is enough for a vehicle or a phone
        add_entry(view, "plate", reason="getaway car", expires_at=SOON, keys={"plate": "LEB-4321"})
    denied = [e for e in audit(gate, "watchlist.add") if e.decision == "deny"]
    assert len(denied) == 1 and denied[0].actor == "ayesha" and "warrant" in denied[0].entry


def test_non_members_and_auditors_are_refused_and_audited(world):
    gate = world.gate
    for who in ("bilal", "farah", "irfan"):
        with pytest.raises(AccessDenied):
            with gate.session(world.users[who], world.other_case, "look at the watchlist") as view:
                add_entry(view, "phone", reason="calls", expires_at=SOON, keys={"phone": "03001234567"})
    with pytest.raises(AccessDenied, match="auditors"):
        active_entries(gate, world.users["irfan"], "check the watchlists")
    with pytest.raises(AccessDenied, match="purpose"):
        active_entries(gate, world.users["omar"], "x")
    denials = [e for e in audit(gate, "session.open") + audit(gate, "read.watchlist.bulk") if e.decision == "deny"]
    assert {e.actor for e in denials} == {"bilal", "farah", "irfan", "omar"}


def test_import_is_all_or_nothing_and_lists_bad_rows(world):
    gate, omar = world.gate, world.users["omar"]
    good = [{"kind": "person", "reason": "absconder", "name": "Zia-ul-Haq|ضیاء الحق", "cnic": "35202-7654321-3",
             "birth_date": "1975-03-04"},
            {"kind": "plate", "reason": "stolen car", "plate": "LXR 555",
             "expires": (SOON - timedelta(days=1)).date().isoformat()},
            {"kind": "indicator", "reason": "C2 server", "indicator": "203.0.113.9"}]
    bad = good + [{"kind": "phone", "reason": "calls", "phone": "12"}, {"kind": "boat", "reason": "x"},
                  {"kind": "plate", "reason": "car", "plate": "LEA-1", "colour": "red"}]
    with gate.session(omar, world.other_case, "absconders under warrant W-77") as view:
        with pytest.raises(WatchlistInputError) as exc:
            import_rows(view, bad, default_expires=SOON)
        assert [(r, f) for r, f, _ in exc.value.errors] == [(5, "phone"), (6, "kind"), (7, "columns")]
        assert list_entries(view) == []
        ids = import_rows(view, good, default_expires=SOON)
        entries = list_entries(view)
    assert [e.id for e in entries] == ids and [e.kind for e in entries] == ["person", "plate", "indicator"]
    assert entries[1].expires_at.date() == SOON.date()  # a date means through the end of that day
    [entry] = audit(gate, "watchlist.import")
    assert str(ids) .replace(" ", "") in entry.entry.replace(" ", "")
    with gate.session(world.users["ayesha"], world.case, "robbery FIR 123/2026") as view:
        with pytest.raises(AccessDenied, match="warrant"):
            import_rows(view, good[:1], default_expires=SOON)


def test_expire_ends_an_entry_and_only_on_its_own_case(world):
    gate, omar, ayesha = world.gate, world.users["omar"], world.users["ayesha"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        wid = add_entry(view, "phone", reason="calls", expires_at=SOON, keys={"phone": "03001234567"})
    with gate.session(ayesha, world.case, "robbery FIR 123/2026") as view:
        with pytest.raises(GovernError, match="not on case"):
            expire_entry(view, wid, "not ours")
    with gate.session(omar, world.other_case, "arrested") as view:
        expire_entry(view, wid, "arrested on 2026-03-02")
        with pytest.raises(GovernError, match="already"):
            expire_entry(view, wid, "again")
        assert list_entries(view) == []
        [ended] = list_entries(view, include_inactive=True)
    assert ended.removed_at is not None
    assert [e.target for e in audit(gate, "watchlist.expire")] == [f"watchlist:{wid}"]


def test_index_loads_as_one_audited_bulk_read_and_expiry_needs_no_job(world, engine):
    gate, omar, ayesha = world.gate, world.users["omar"], world.users["ayesha"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        wid = add_entry(view, "person", reason="absconder", expires_at=SOON, keys={"name": "Muhammad Aslam",
                        "cnic": "35202-1234567-1"})
        add_entry(view, "person", entity_id=world.bystander, reason="absconder named in warrant W-77", expires_at=SOON)
    with gate.session(ayesha, world.case, "robbery FIR 123/2026") as view:
        fir_plate = add_entry(view, "plate", reason="getaway car", expires_at=SOON, keys={"plate": "LEB-4321"})

    system = WatchlistIndex.load(gate, SYSTEM, "detection worker: screen events")
    assert len(system) == 3 and [h.entry_id for h in system.hits("cnic", "35202-7654321-3")]  # from the entity
    assert [h.entry_id for h in system.match_name("محمد اسلم")] == [wid]
    mine = WatchlistIndex.load(gate, ayesha, "screen a suspect for FIR 123/2026")
    assert len(mine) == 1 and [h.entry_id for h in mine.hits("plate", "LEB-4321")] == [fir_plate]
    supervisor = WatchlistIndex.load(gate, world.users["sana"], "control room screening")
    assert len(supervisor) == 3
    bulk = [e for e in audit(gate, "read.watchlist.bulk") if e.decision == "grant"]
    assert [e.actor for e in bulk] == ["system", "ayesha", "sana"]

    # The entry expires in the database; the index built before notices without a refresh or job.
    later = (SOON + timedelta(seconds=1)).timestamp()
    assert system.hits("cnic", "35202-1234567-1", at=later) == []
    with engine.begin() as conn:
        conn.execute(update(WatchlistEntry).where(WatchlistEntry.id == wid)
                     .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert system.refresh() == 2 and system.hits("cnic", "35202-1234567-1") == []
    with engine.connect() as conn:
        assert conn.execute(select(WatchlistKey.value).where(WatchlistKey.entry_id == wid,
                                                             WatchlistKey.kind == "cnic")).scalar() == "35202-1234567-1"


def test_watchlists_need_a_warrant(world):
    gate = world.gate
    with gate.session(world.users["ayesha"], world.case, "watch the suspect") as view:
        with pytest.raises(AccessDenied, match="warrant"):
            add_entry(view, "person", entity_id=world.subject, reason="named in FIR", expires_at=SOON)
    with gate.session(world.users["omar"], world.other_case, "absconder under warrant") as view:
        add_entry(view, "person", entity_id=world.bystander, reason="absconder named in warrant W-77", expires_at=SOON)
        assert [w.entity_id for w in list_entries(view)] == [world.bystander]
