"""Alert routes: list, get, lifecycle actions, and the server-sent event stream (live arrival,
resuming with Last-Event-ID), for the control room the district is routed to; others are refused."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime

import pytest

from tahqiq.alerts import Alert, AlertDesk
from tests.api.conftest import member_headers

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def raise_alert(engine, district="Lahore", title="Wanted CNIC at checkpoint") -> int:
    """Write an alert as the stream worker does (tahqiq.alerts.write_alerts writes to this table)."""
    with engine.begin() as conn:
        return conn.execute(Alert.__table__.insert().values(
            dedupe_key=uuid.uuid4().hex, rule_id="watchlist-cnic", severity="high", district=district, status="new",
            created_at=datetime.now(UTC), occurred_at=datetime.now(UTC), key_kind="cnic",
            key_value="35202-1234567-1", title=title, evidence={"event": {"checkpoint": "Thokar"}},
            case_ref=None)).inserted_primary_key[0]


@pytest.fixture
def control_room(api):
    AlertDesk(api.world.gate).route(api.world.users["sana"], "ayesha", "Lahore")
    return api


def test_list_get_and_act_in_the_lifecycle(control_room):
    api = control_room
    aid = raise_alert(api.world.gate.engine)
    raise_alert(api.world.gate.engine, district="Multan")  # not routed to ayesha
    h = member_headers(api)
    alerts = api.client.get("/api/alerts", headers=h).json()
    assert [a["id"] for a in alerts] == [aid] and alerts[0]["evidence"]["event"]["checkpoint"] == "Thokar"
    r = api.client.post(f"/api/alerts/{aid}/dispatch", headers=h)
    assert r.status_code == 400 and "verify" in r.json()["detail"]
    for action, status in (("acknowledge", "acknowledged"), ("verify", "verified")):
        r = api.client.post(f"/api/alerts/{aid}/{action}", json={"note": "seen on CCTV"}, headers=h)
        assert r.status_code == 200 and r.json()["status"] == status
    one = api.client.get(f"/api/alerts/{aid}", headers=h).json()
    assert [s["action"] for s in one["history"]] == ["acknowledge", "verify"]
    assert api.client.get("/api/alerts/99999", headers=h).status_code == 404


def test_alerts_outside_my_control_room_are_refused(control_room):
    api = control_room
    aid = raise_alert(api.world.gate.engine)
    assert api.client.get("/api/alerts", headers=member_headers(api, "bilal")).json() == []
    r = api.client.get(f"/api/alerts/{aid}", headers=member_headers(api, "bilal"))
    assert r.status_code == 403 and "not routed" in r.json()["detail"]
    r = api.client.get("/api/alerts", headers=member_headers(api, "irfan"))
    assert r.status_code == 403 and "auditors" in r.json()["detail"]
    r = api.client.get("/api/alerts/stream", headers=member_headers(api, "irfan"))
    assert r.status_code == 403


def _events(response, n):
    """The first n `event: alert` messages of an SSE response."""
    out, current = [], {}
    for line in response.iter_lines():
        if line.startswith("id: "):
            current["id"] = int(line[4:])
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
        elif line == "" and current:
            if current.get("event") == "alert":
                out.append(current)
            current = {}
            if len(out) >= n:
                break
    return out


def test_stream_delivers_a_live_alert_and_resumes_after_last_event_id(control_room):
    api = control_room
    first = raise_alert(api.world.gate.engine, title="first")
    h = member_headers(api)
    delivered = threading.Event()

    def raise_until_delivered() -> None:
        # The stream starts "from now" when the server has read the newest id, which a busy machine
        # may do after a first alert raised at a fixed delay: raise one every half second until one
        # arrives, so the test does not depend on that race.
        for _ in range(40):
            if delivered.wait(0.5):
                return
            raise_alert(api.world.gate.engine, title="arrives live")

    raiser = threading.Thread(target=raise_until_delivered)
    raiser.start()
    try:
        # Without Last-Event-ID the stream starts from now: only an alert raised after connecting.
        with api.client.stream("GET", "/api/alerts/stream", params={"close_after": 1}, headers=h) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
            events = _events(r, 1)
    finally:
        delivered.set()
        raiser.join()
    assert [e["data"]["title"] for e in events] == ["arrives live"] and events[0]["id"] > first
    # A reconnecting browser sends the last id it saw and gets what came after it.
    with api.client.stream("GET", "/api/alerts/stream", params={"close_after": 1},
                           headers={**h, "Last-Event-ID": str(first)}) as r:
        events = _events(r, 1)
    assert [e["data"]["title"] for e in events] == ["arrives live"]
    reads = [e for e in api.world.gate.audit.records(since=0, limit=100_000) if e.action == "alert.read"]
    assert reads and all(e.actor == "ayesha" for e in reads)
