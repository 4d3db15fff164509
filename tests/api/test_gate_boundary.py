"""A feature room cannot obtain personal data except through the gate's reader.

While the application serves the analysts' flows (search by CNIC, plate and Urdu name, an entity page
with its resolution, links, notes and readers, graph paths, the timeline and the map, exports, the
review queue, watchlists and screening, the alert desk), every SQL statement it runs is watched.
A statement that touches a table marked as personal data (`store.base.PERSONAL_DATA`) must run
inside a view's decided block (`govern.decided_action()`), and one that touches the store's own
personal tables (statements, source records, quarantined rows) must also come from
`tahqiq.store.reads`, the module only the gate imports. (Inserts and deletes are not watched: ingest
and the detection worker write personal data, the gate alone reads it.) Two deliberately rogue
features, one reading
the store around the gate and one reading it inside a decided block but past the reader, show that
the watch catches what it should.
"""

from __future__ import annotations

import re
import traceback
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from tahqiq.alerts import AlertDesk, write_alerts
from tahqiq.compose.tables import metadata
from tahqiq.govern import SYSTEM, decided_action
from tahqiq.resolve import resolution_input
from tahqiq.screen import WatchlistIndex, add_entry, list_entries, screen_record
from tahqiq.store.base import personal_tables
from tahqiq.store.tables import Statement
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.events import event_from_record
from tahqiq.stream.rulefile import load_rules
from tahqiq.stream.windows import Detector
from tests.api.conftest import CNIC, api, member_headers  # noqa: F401

PERSONAL = personal_tables(metadata())
STORE_OWN = {"statements", "source_records", "quarantine"}
TABLE = re.compile(r'\b(?:from|join|into|update)\s+"?(\w+)"?', re.IGNORECASE)
READS = "/tahqiq/store/reads/"


class Watch:
    """Every statement touching personal tables, with where it came from and under which decision."""

    def __init__(self) -> None:
        self.seen: list[tuple[set[str], str | None, bool]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "DELETE"):
            return  # writing is not obtaining: ingest and the detection worker write, the gate reads
        tables = {t.lower() for t in TABLE.findall(statement)} & PERSONAL
        if tables:
            from_reads = any(READS in f.filename for f in traceback.extract_stack())
            self.seen.append((tables, decided_action(), from_reads))

    def violations(self) -> list[str]:
        out = []
        for tables, action, from_reads in self.seen:
            if action is None:
                out.append(f"{sorted(tables)} touched outside any decided block")
            elif tables & STORE_OWN and not from_reads:
                out.append(f"{sorted(tables & STORE_OWN)} read under {action} without tahqiq.store.reads")
        return out


@pytest.fixture
def watch(api):  # noqa: F811
    engine = api.world.gate.engine
    w = Watch()
    event.listen(engine, "before_cursor_execute", w)
    yield w
    event.remove(engine, "before_cursor_execute", w)


def _flows(api) -> None:  # noqa: F811
    w, case, ids = api.world, api.world.case, api.world.ids
    h = member_headers(api)
    base = f"/api/cases/{case}"
    for q in (CNIC, "LEA-1234", "محمد اسلم", "Ali Raza"):
        assert api.client.get(f"{base}/search", params={"q": q}, headers=h).status_code == 200
    assert api.client.get(f"{base}/entities/{w.subject}", headers=h).status_code == 200
    sup = member_headers(api, "sana")  # a supervisor also sees who read it (the audit log)
    assert api.client.get(f"{base}/entities/{w.subject}", headers=sup).status_code == 200
    assert api.client.get(f"{base}/graph/neighbours", params={"entity": ids["vehicle"]}, headers=h).status_code == 200
    assert api.client.get(f"{base}/graph/paths", params={"a": w.subject, "b": ids["fir"]}, headers=h).status_code == 200
    # The people-level graph of the workspace, its details panel and saved charts.
    for path, params in (("graph/start", {}), ("graph/neighbours", {"entity": w.subject, "people": "true"}),
                         ("graph/paths", {"a": w.subject, "b": ids["fir"], "people": "true"}),
                         ("graph/details", {"entity": w.subject})):
        assert api.client.get(f"{base}/{path}", params=params, headers=h).status_code == 200, path
    saved = api.client.post(f"{base}/charts", json={"title": "first look", "body": {"nodes": []}}, headers=h)
    assert saved.status_code in (200, 201), saved.text
    assert api.client.get(f"{base}/charts", headers=h).status_code == 200
    assert api.client.get(f"{base}/charts/{saved.json()['id']}", headers=h).status_code == 200
    for path in ("timeline", "places", "subjects", "notes", "evidence", "resolution/review", "export/csv",
                 "export/html", "export/ftm"):
        assert api.client.get(f"{base}/{path}", headers=h).status_code == 200, path
    assert api.client.post(f"{base}/notes", json={"body": "seen at Kalma Chowk", "entity_id": w.subject},
                           headers=h).status_code == 201
    # The pages read through the same gate as their API twins.
    page = f"/cases/{case}"
    for path in ("", "/search?q=محمد+اسلم", f"/search?q={CNIC}", f"/entities/{w.subject}", "/review"):
        assert api.client.get(page + path, headers=h, follow_redirects=False).status_code == 200, path
    assert api.client.get("/oversight", params={"prop": "name", "value": "Muhammad Aslam"}, follow_redirects=False,
                          headers=member_headers(api, "irfan")).status_code == 200
    gate, omar = w.gate, w.users["omar"]
    soon = datetime.now(UTC) + timedelta(days=5)
    with gate.session(omar, w.other_case, "absconder under warrant W-77") as view:
        add_entry(view, "person", entity_id=w.bystander, reason="absconder", expires_at=soon)
        add_entry(view, "plate", keys={"plate": "LEA-1234"}, reason="used by the absconder", expires_at=soon)
        assert list_entries(view)
        row = view.quarantined_row(7)  # the quarantine is read through the reader too
        assert row is not None and row.field == "cnic"
    index = WatchlistIndex.load(gate, SYSTEM, "detection worker: screen events")
    assert screen_record(index, {"plate": "LEA-1234"})
    resolution_input(gate, w.users["sana"], "Person", ["name", "cnic"])
    detector = Detector(RuleEngine(load_rules(), index))
    record = {"id": "r-1", "schema": "PlateRead", "plate": "LEA-1234", "occurred_at": "2026-03-01T10:00:00+05:00",
              "district": "Lahore", "camera": "Kalma Chowk"}
    with gate.engine.begin() as conn:  # the detection worker writes (never reads) alerts
        write_alerts(conn, detector.process(event_from_record(record)))
    desk = AlertDesk(gate)
    desk.route(w.users["sana"], "ayesha", "*")
    alerts = desk.list(w.users["ayesha"], newest_first=True)
    assert alerts, "the plate read should raise an alert"
    desk.get(w.users["ayesha"], alerts[0].id)
    desk.act(w.users["ayesha"], alerts[0].id, "acknowledge")
    assert api.client.get("/api/alerts", headers=h).status_code == 200


def test_feature_rooms_read_personal_data_only_through_the_gate(api, watch):  # noqa: F811
    _flows(api)
    touched = {t for tables, _, _ in watch.seen for t in tables}
    # The flows reach every kind of personal table, so the check below covers them all.
    assert {"statements", "quarantine", "watchlist_entries", "watchlist_keys", "alerts", "alert_actions",
            "case_notes"} <= touched
    assert watch.violations() == []


def test_a_rogue_feature_reading_around_the_gate_is_caught(api, watch):  # noqa: F811
    with api.world.gate.engine.connect() as conn:  # a feature opening its own connection
        conn.execute(select(Statement.value).where(Statement.prop == "cnic")).all()
    assert watch.violations() == ["['statements'] touched outside any decided block"]


def test_a_rogue_feature_reading_past_the_reader_is_caught(api, watch):  # noqa: F811
    with api.world.gate.session(api.world.users["ayesha"], api.world.case, "look at the suspect") as view, \
            view.read("read.rogue") as r:
        r.conn.execute(select(Statement.value).where(Statement.prop == "cnic")).all()
    assert watch.violations() == ["['statements'] read under read.rogue without tahqiq.store.reads"]
