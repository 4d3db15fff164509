"""The alert API's triage, explanation and supervision routes, and the control-room pages over HTTP:
filters and pages as query parameters (documented in OpenAPI), dispatch with a unit and a note,
the explanation's sentence and facts without internals (no file paths, entry ids, scores, expiry,
epoch seconds or raw JSON), and the supervisor view refused to analysts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from tahqiq.alerts import AlertDesk
from tahqiq.alerts import store as alertstore
from tahqiq.screen import add_entry
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import parse_rules
from tahqiq.stream.windows import Detector
from tests.api.conftest import member_headers
from tests.govern.conftest import CNIC
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

RULES = parse_rules(yaml.safe_load("""
rules:
  - id: cp.wanted
    title: Wanted person at a checkpoint
    severity: critical
    schema: CheckpointCheck
    key: cnic
    detection: {w: {cnic|watchlist: cnic}, condition: w}
  - id: anpr.wanted
    title: Wanted vehicle read by an ANPR camera
    severity: high
    schema: PlateRead
    key: plate
    detection: {w: {plate|watchlist: plate}, condition: w}
  - id: anpr.often
    title: Same plate read 3 times within 30 minutes
    severity: medium
    schema: PlateRead
    detection: {r: {confidence|gte: 0.5}, condition: r}
    correlation: {type: event_count, group_by: plate, timespan: 30m, gte: 3}
"""), "/srv/tahqiq/secret/rules.yml")


@pytest.fixture
def room(api):
    w = api.world
    AlertDesk(w.gate).route(w.users["sana"], "ayesha", "Lahore")
    with w.gate.session(w.users["omar"], w.other_case, "absconder under warrant") as view:
        entry = add_entry(view, "person", reason="absconder, armed and dangerous", entity_id=w.subject,
                          expires_at=datetime.now(UTC) + timedelta(days=10))
    lookup = DictLookup()
    lookup.add("cnic", CNIC, case=w.other_case, basis="warrant W-77/2026 ATC Lahore", label="ali raza",
               entry_id=entry)
    lookup.add("plate", "LEA-1234", case=w.other_case, basis="warrant W-77/2026 ATC Lahore", label="LEA-1234")
    events = [ev("CheckpointCheck", when="2026-07-03T14:10:00+05:00", rid="C1", cnic=CNIC, district="Lahore",
                 checkpoint_id="CP-7", checkpoint="Thokar Niaz Baig", latitude=31.47, longitude=74.24)]
    events += [ev("PlateRead", when=f"2026-07-03T15:{m:02d}:00+05:00", rid=f"P{m}", plate="LEA-1234",
                  district="Lahore", camera_id="CAM-3", camera="Canal Road / Jail Road", confidence=0.9,
                  latitude=31.54, longitude=74.33) for m in (0, 10, 20)]
    det = Detector(RuleEngine(RULES, lookup))
    with w.gate.engine.begin() as conn:
        alertstore.write_alerts(conn, [d for e in events for d in det.process(e)])
    return api


def test_triage_route_filters_groups_and_pages(room):
    h = member_headers(room)
    page = room.client.get("/api/alerts/triage", headers=h).json()
    assert [(g["rule_id"], g["count"]) for g in page["groups"]] == [("cp.wanted", 1), ("anpr.wanted", 3),
                                                                     ("anpr.often", 1)]
    assert page["counts"]["severity"]["high"] == 3 and page["counts"]["total"] == 5
    assert page["groups"][0]["alerts"][0]["facts"]["where"]["name"] == "Thokar Niaz Baig"
    page = room.client.get("/api/alerts/triage", params={"severity": ["high", "medium"], "per_page": 1, "page": 2},
                           headers=h).json()
    assert (page["page"], page["pages"], page["total_groups"]) == (2, 2, 2)
    assert page["groups"][0]["rule_id"] == "anpr.often"
    one = room.client.get("/api/alerts/triage", params={"window": 0, "rule": "anpr.wanted"}, headers=h).json()
    assert [g["count"] for g in one["groups"]] == [1, 1, 1]  # no grouping window: every read its own card
    assert room.client.get("/api/alerts/triage", params={"sort": "random"}, headers=h).status_code == 422
    listed = room.client.get("/api/alerts", params={"severity": "high", "newest_first": True, "limit": 2,
                                                    "offset": 2}, headers=h).json()
    assert len(listed) == 1
    spec = room.client.get("/openapi.json").json()["paths"]
    assert {p["name"] for p in spec["/api/alerts/triage"]["get"]["parameters"]} >= {
        "severity", "status", "rule", "district", "case", "sort", "page", "per_page", "window"}
    assert "offset" in {p["name"] for p in spec["/api/alerts"]["get"]["parameters"]}


def test_dispatch_through_the_api_needs_unit_and_note(room):
    h = member_headers(room)
    aid = room.client.get("/api/alerts/triage", headers=h).json()["groups"][0]["alerts"][0]["id"]
    for action in ("acknowledge", "verify"):
        assert room.client.post(f"/api/alerts/{aid}/{action}", headers=h).status_code == 200
    r = room.client.post(f"/api/alerts/{aid}/dispatch", json={"note": "check the driver"}, headers=h)
    assert r.status_code == 400 and "unit" in r.json()["detail"]
    r = room.client.post(f"/api/alerts/{aid}/dispatch", json={"note": "check the driver", "unit": "PS Gulberg"},
                         headers=h)
    assert r.status_code == 200 and r.json()["history"][-1]["unit"] == "PS Gulberg"


def test_explanation_route_and_page_say_what_where_when_and_why(room):
    w = room.world
    h = member_headers(room)
    aid = room.client.get("/api/alerts/triage", headers=h).json()["groups"][0]["alerts"][0]["id"]
    facts = room.client.get(f"/api/alerts/{aid}/explanation", headers=h).json()["facts"]
    assert facts["entries"][0]["reason"] == "absconder, armed and dangerous"
    assert facts["links"][0]["entity_id"] == w.subject
    html = room.client.get(f"/control-room/alerts/{aid}", headers=h).text
    text = re.sub(r"<[^>]+>", "", html)
    assert "CNIC 35202-1234567-1, on a watchlist, was checked at checkpoint Thokar Niaz Baig in Lahore at " \
           "2026-07-03 14:10 PKT." in " ".join(text.split())
    assert "Warrant W-77/2026 ATC Lahore" in text and "absconder, armed and dangerous" in text
    # Links open under the operator's own case (ayesha is not a member of the entry's case).
    assert f'href="/cases/{w.case}/entities/{w.subject}' in html
    for leak in ("/srv/tahqiq", "entry_id", "score", "expires_at", '"events"', "1783"):
        assert leak not in html, leak
    assert room.client.get("/control-room/alerts/99999", headers=h).status_code == 404
    refused = room.client.get(f"/control-room/alerts/{aid}", headers=member_headers(room, "bilal"))
    assert refused.status_code == 403 and "not routed" in refused.text


def test_window_rule_reads_as_human_time(room):
    h = member_headers(room)
    groups = room.client.get("/api/alerts/triage", params={"rule": "anpr.often"}, headers=h).json()["groups"]
    html = room.client.get(f"/control-room/alerts/{groups[0]['alerts'][0]['id']}", headers=h).text
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Vehicle LEA-1234 was read 3 times within 30 minutes, from 2026-07-03 15:00 PKT to 2026-07-03 15:20 PKT." \
        in text
    assert "1800" not in text


def test_control_room_page_filters_and_supervisor_view(room):
    h = member_headers(room)
    html = room.client.get("/control-room", headers=h).text
    assert html.count('class="alert-card') == 3 and "3 alerts in 20 minutes" in html
    html = room.client.get("/control-room", params={"filtered": 1, "severity": "critical"}, headers=h).text
    assert html.count('class="alert-card') == 1 and "Thokar Niaz Baig" in html
    html = room.client.get("/control-room/list", params={"filtered": 1, "status": "closed"}, headers=h).text
    assert "No alerts match these filters." in html
    sup = room.client.get("/control-room/supervisor", headers=member_headers(room, "sana"))
    assert sup.status_code == 200 and "Time to acknowledge" in sup.text and 'data-district="Lahore"' in sup.text
    denied = room.client.get("/control-room/supervisor", headers=h)
    assert denied.status_code == 403 and "only supervisors" in denied.text
    stats = room.client.get("/api/alerts/supervision", headers=member_headers(room, "sana")).json()
    assert stats["alerts"] == 5 and stats["waiting"] == 5
