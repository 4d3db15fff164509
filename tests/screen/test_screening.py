"""Screening records: exact keys in any spelling, names with father and birth date, and store
entities found through the gate whose own keys are on a watchlist."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from tahqiq.govern.tables import AuditEntry
from tahqiq.model.types import InvalidValue
from tahqiq.screen import WatchlistIndex, screen_record, screen_store
from tahqiq.screen.watchlists import EntryInfo, add_entry

NOW = datetime.now(UTC)


def _index() -> WatchlistIndex:
    def e(i, kind, keys, **kw):
        label = next((v for k, v in keys if k == "name"), keys[0][1])
        return EntryInfo(i, "CASE-W", "warrant W-1", kind, label, tuple(keys), "r", "omar", NOW,
                         NOW + timedelta(days=5), **kw)

    return WatchlistIndex([
        e(1, "person", [("name", "Muhammad Aslam"), ("cnic", "35202-1234567-1")], father_name="Ghulam Rasool"),
        e(2, "plate", [("plate", "LEA-1234")]),
        e(3, "indicator", [("indicator", "203.0.113.9")]),
        e(4, "person", [("name", "Muhammad Aslam")], father_name="Pervaiz Akhtar", birth_date="1990-01-01"),
    ])


def test_a_record_is_screened_on_every_field():
    index = _index()
    hits = screen_record(index, {"cnic": "3520212345671", "registrationNumber": "lea 1234", "ip": "203.0.113[.]9",
                                 "name": "محمد اسلم", "fatherName": "Ghulam Rasool", "other": "ignored"})
    by = {(h.entry_id, h.kind) for h in hits}
    assert {(1, "cnic"), (2, "plate"), (3, "indicator"), (1, "name")} <= by
    assert hits[0].score == 1.0
    name_hits = [h for h in hits if h.kind == "name"]
    assert name_hits[0].entry_id == 1 and name_hits[0].explanation["field"] == "name"
    # a namesake whose father's name differs ranks below, with the difference in its explanation
    namesake = next(h for h in name_hits if h.entry_id == 4)
    assert namesake.score < name_hits[0].score and namesake.explanation["father_name"]["result"] == "differs"
    assert [h.explanation["field"] for h in hits if h.kind == "plate"] == ["registrationNumber"]


def test_bad_values_are_skipped_or_refused():
    index = _index()
    assert screen_record(index, {"cnic": "123", "plate": "LEA-1234"})[0].entry_id == 2
    with pytest.raises(InvalidValue, match="cnic"):
        screen_record(index, {"cnic": "123"}, strict=True)
    assert screen_record(index, {}) == []


def test_store_entities_with_the_keys_and_their_watchlist_hits(world):
    gate, omar = world.gate, world.users["omar"]
    with gate.session(omar, world.other_case, "absconder under warrant W-77") as view:
        add_entry(view, "person", reason="absconder", expires_at=NOW + timedelta(days=3),
                  keys={"cnic": "35202-1234567-1", "name": "Ali Raza"})
        index = WatchlistIndex.from_view(view)
        # The subject entity carries the CNIC; screening its CNIC finds it in the store, and the
        # watchlist hit comes through the entity as well as directly.
        found = screen_store(view, {"cnic": "35202 1234567 1", "phone": "03001234567"}, index=index)
    assert {(m.entity_id, m.prop) for m in found.matches} == {(world.subject, "cnic"), (world.phone, "number")}
    assert [h.explanation["via_entity"] for h in found.hits] == [world.subject]
    with gate.engine.connect() as conn:
        finds = list(conn.execute(select(AuditEntry.target).where(AuditEntry.action == "read.find",
                                                                 AuditEntry.decision == "grant")))
    assert len(finds) >= 2 and all("#" in t.target for t in finds)  # hashed values, per lookup
