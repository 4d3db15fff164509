"""A person's page shows the active watchlist entries about them: by their records or by an identifier
they hold, only from cases the reader may use, as one audited read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from tahqiq.govern.tables import AuditEntry
from tahqiq.screen import add_entry, expire_entry, watch_status
from tests.api.conftest import CNIC, api  # noqa: F401


def test_a_person_on_a_watchlist_is_shown_to_readers_of_that_case(api):  # noqa: F811
    w = api.world
    soon = datetime.now(UTC) + timedelta(days=10)
    with w.gate.session(w.users["omar"], w.other_case, "absconder under warrant") as view:
        by_record = add_entry(view, "person", reason="absconder, armed", entity_id=w.subject, expires_at=soon)
        by_plate = add_entry(view, "plate", keys={"plate": "LEA-1234"}, reason="used by the absconder",
                             expires_at=soon)
    with w.gate.session(w.users["omar"], w.other_case, "check the absconder's status") as view:
        found = watch_status(view, [w.subject], [("cnic", CNIC), ("plate", "LEA-1234"), ("name", "ali raza")])
        assert {e.id for e in found} == {by_record, by_plate}
        assert watch_status(view, [w.bystander], []) == []
        assert watch_status(view, [], [("plate", "LEB-9999")]) == []
    with w.gate.engine.connect() as conn:
        entry = conn.execute(select(AuditEntry.action, AuditEntry.actor).order_by(AuditEntry.seq.desc())
                             .where(AuditEntry.action == "read.watchlist.person")).first()
    assert entry is not None and entry.actor == "omar"
    # ayesha works on the first case only: the other case's entries are not hers to read.
    with w.gate.session(w.users["ayesha"], w.case, "who is this") as view:
        assert watch_status(view, [w.subject], [("cnic", CNIC)]) == []
    # An expired or removed entry no longer counts.
    with w.gate.session(w.users["omar"], w.other_case, "the warrant was executed") as view:
        expire_entry(view, by_plate, "vehicle recovered")
        assert [e.id for e in watch_status(view, [w.subject], [("plate", "LEA-1234")])] == [by_record]
