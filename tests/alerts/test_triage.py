"""Triage and explanations at the desk: filters, counts, groups of repeats, pages beyond any cap,
dispatch with a unit and a note, the supervisors' numbers, and an alert explained down to the
warrant behind the watchlist entry (read through the gate, in the audit log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml
from sqlalchemy import select, update

from tahqiq.alerts import OPEN, AlertDesk, AlertFilter, DispatchIncomplete
from tahqiq.alerts import store as alertstore
from tahqiq.alerts.tables import Alert, AlertAction
from tahqiq.govern import AccessDenied
from tahqiq.screen import add_entry
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import parse_rules
from tahqiq.stream.windows import Detector
from tests.govern.conftest import CNIC, add_entity
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup

RULES = parse_rules(yaml.safe_load("""
rules:
  - id: anpr.wanted
    title: Wanted vehicle read by an ANPR camera
    severity: high
    schema: PlateRead
    key: plate
    detection: {w: {plate|watchlist: plate}, condition: w}
  - id: cp.wanted
    title: Wanted person at a checkpoint
    severity: critical
    schema: CheckpointCheck
    key: cnic
    detection: {w: {cnic|watchlist: cnic}, condition: w}
  - id: anpr.three-cameras
    title: Same plate at 3 cameras within 10 minutes
    severity: low
    schema: PlateRead
    detection: {r: {confidence|gte: 0.5}, condition: r}
    correlation: {type: value_count, group_by: plate, field: camera_id, timespan: 10m, gte: 3}
"""), "triage.yml")


def logged(world, action: str):
    return [e for e in world.gate.audit.records(since=0, limit=100_000) if e.action == action]


def detect(engine, lookup, events) -> None:
    det = Detector(RuleEngine(RULES, lookup))
    found = [d for e in events for d in det.process(e)]
    with engine.begin() as conn:
        alertstore.write_alerts(conn, found)


def read(n: int, minute: int, plate: str = "LEA-1234", district: str = "Lahore", camera: str = "CAM-1"):
    return ev("PlateRead", when=f"2026-07-03T10:{minute:02d}:00+05:00", rid=f"P{n}", plate=plate, district=district,
              camera_id=camera, camera=f"{camera} Canal Road", latitude=31.52, longitude=74.35, confidence=0.95)


@pytest.fixture
def desk(world):
    d = AlertDesk(world.gate)
    d.route(world.users["sana"], "ayesha", "Lahore")
    d.route(world.users["sana"], "ayesha", "Multan")
    return d


def test_repeats_group_filters_count_and_pages(world, engine, desk):
    lookup = DictLookup()
    lookup.add("plate", "LEA-1234", case=world.other_case, basis="warrant W-77/2026 ATC Lahore", label="LEA-1234")
    lookup.add("plate", "MNB-77", case=world.other_case, basis="warrant W-77/2026 ATC Lahore", label="MNB-77")
    lookup.add("cnic", CNIC, case=world.other_case, basis="warrant W-77/2026 ATC Lahore", label="Ali Raza")
    # LEA-1234 three times in 20 minutes (one group), then again 3 hours later (a group of its own).
    events = [read(1, 0), read(2, 10), read(3, 20), ev("PlateRead", when="2026-07-03T13:30:00+05:00", rid="P4",
                                                      plate="LEA-1234", district="Lahore", camera_id="CAM-9")]
    events += [read(5, 5, plate="MNB-77", district="Multan")]
    events += [ev("CheckpointCheck", when="2026-07-03T09:00:00+05:00", rid="C1", cnic=CNIC, district="Lahore",
                  checkpoint_id="CP-1", checkpoint="Thokar Niaz Baig")]
    detect(engine, lookup, events)
    ayesha = world.users["ayesha"]

    page = desk.triage(ayesha, AlertFilter(rule="anpr.wanted"), sort="time")
    assert [(g.key_value, g.count) for g in page.groups] == [("LEA-1234", 1), ("LEA-1234", 3), ("MNB-77", 1)]
    three = page.groups[1]
    assert (three.last_at - three.first_at) == timedelta(minutes=20)
    assert [a.facts.at for a in three.alerts] == sorted((a.facts.at for a in three.alerts), reverse=True)

    # Most severe first (the checkpoint's critical alert), then newest.
    page = desk.triage(ayesha)
    assert [(g.severity, g.key_value) for g in page.groups] == [
        ("critical", CNIC), ("high", "LEA-1234"), ("high", "LEA-1234"), ("high", "MNB-77")]
    assert page.counts.severity == {"critical": 1, "high": 5, "medium": 0, "low": 0}
    assert page.counts.status["new"] == 6 and page.counts.total == 6
    assert set(page.facets.districts) == {"Lahore", "Multan"} and page.facets.cases == [world.other_case]

    # Filters: severity and district; the status counts follow the severity filter.
    page = desk.triage(ayesha, AlertFilter(severity=("high",), district="Multan"))
    assert [g.key_value for g in page.groups] == ["MNB-77"] and page.counts.status["new"] == 1

    # Pages of one: every group reachable, the last page clamps.
    pages = [desk.triage(ayesha, page=n, per_page=1) for n in (1, 2, 5, 9)]
    assert [p.pages for p in pages] == [4, 4, 4, 4] and pages[-1].page == 4
    assert len({p.groups[0].alerts[0].id for p in pages[:3]}) == 3

    # The list API pages too (newest first, from an offset), beyond what one answer holds.
    first, second = desk.list(ayesha, newest_first=True, limit=4), desk.list(ayesha, newest_first=True, limit=4,
                                                                           offset=4)
    assert len(first) == 4 and len(second) == 2 and not {a.id for a in first} & {a.id for a in second}

    # Each triage page is one audited read naming the alerts shown.
    grants = [e.detail for e in logged(world, "alert.read") if e.actor == "ayesha"]
    assert any(g.get("sort") == "severity" and g["count"] == 6 for g in grants)


def test_open_filter_dispatch_needs_unit_and_note_and_history_shows_who(world, engine, desk):
    lookup = DictLookup()
    lookup.add("plate", "LEA-1234", case=world.other_case, basis="warrant W-77/2026 ATC Lahore")
    detect(engine, lookup, [read(1, 0)])
    ayesha, bilal = world.users["ayesha"], world.users["bilal"]
    desk.route(world.users["sana"], "bilal", "Lahore")
    (aid,) = [g.alerts[0].id for g in desk.triage(ayesha).groups]
    desk.act(ayesha, aid, "acknowledge")
    desk.act(bilal, aid, "verify", note="plate matches the photo")
    with pytest.raises(DispatchIncomplete) as missing:
        desk.act(ayesha, aid, "dispatch", note="stop and check")
    assert missing.value.missing == ["unit"]
    with pytest.raises(DispatchIncomplete):
        desk.act(ayesha, aid, "dispatch", unit="PS Gulberg", note="  ")
    done = desk.act(ayesha, aid, "dispatch", unit="PS Gulberg", note="stop and check the driver")
    assert done.status == "dispatched"
    assert [(h["action"], h["user"], h["unit"]) for h in done.history] == [
        ("acknowledge", "ayesha", None), ("verify", "bilal", None), ("dispatch", "ayesha", "PS Gulberg")]
    card = desk.triage(ayesha).groups[0].alerts[0]  # the card shows who did what, without another read
    assert [h["user"] for h in card.history] == ["ayesha", "bilal", "ayesha"]
    assert card.history[2]["unit"] == "PS Gulberg"
    (entry,) = [e.detail for e in logged(world, "alert.dispatch")]
    assert entry["unit"] == "PS Gulberg" and entry["note"] == "stop and check the driver"
    desk.act(ayesha, aid, "close")
    assert desk.triage(ayesha, AlertFilter(status=(OPEN,))).groups == []
    assert desk.triage(ayesha, AlertFilter(status=("closed",))).counts.total == 1


def test_supervision_time_to_acknowledge_and_workload(world, engine, desk):
    lookup = DictLookup()
    lookup.add("plate", "LEA-1234", case=world.other_case, basis="warrant W-77/2026 ATC Lahore")
    lookup.add("plate", "MNB-77", case=world.other_case, basis="warrant W-77/2026 ATC Lahore")
    detect(engine, lookup, [read(1, 0), read(2, 40), read(3, 5, plate="MNB-77", district="Multan")])
    ayesha = world.users["ayesha"]
    ids = sorted(a.id for g in desk.triage(ayesha).groups for a in g.alerts)
    for aid in ids[:2]:
        desk.act(ayesha, aid, "acknowledge")
    # Known waits: 60 s and 300 s after the alerts were raised.
    t0 = datetime(2026, 7, 3, 5, 0, tzinfo=UTC)
    with engine.begin() as conn:
        for aid, wait in zip(ids[:2], (60, 300), strict=True):
            conn.execute(update(Alert).where(Alert.id == aid).values(created_at=t0))
            conn.execute(update(AlertAction).where(AlertAction.alert_id == aid)
                         .values(at=t0 + timedelta(seconds=wait)))
    stats = desk.supervise(world.users["sana"])
    assert stats.alerts == 3 and stats.acknowledged == 2 and stats.waiting == 1
    assert stats.ack_median_s == pytest.approx(180) and stats.ack_p90_s == pytest.approx(276)
    by = {d.district: d for d in stats.districts}
    assert by["Lahore"].by_status == {"acknowledged": 2} and by["Multan"].open == 1
    assert stats.operators == {"ayesha": 2}
    with pytest.raises(AccessDenied, match="only supervisors"):
        desk.supervise(ayesha)


def test_an_alert_explains_itself_down_to_the_warrant(world, engine, desk):
    warrant, fir = "w" + "1" * 31, "f" + "1" * 31
    with engine.begin() as conn:
        add_entity(conn, warrant, "Warrant", "nadra", {
            "warrantNumber": ["W-77/2026"], "firNumber": ["123/2026"], "subject": [world.subject],
            "offence": ["robbery (PPC 392)"], "issuedBy": ["ATC-1 Lahore"], "issuedAt": ["2026-05-02"]})
        add_entity(conn, fir, "FirIncident", "nadra", {"firNumber": ["123/2026"], "policeStation": ["Model Town"],
                                                       "offence": ["robbery"]})
    with world.gate.session(world.users["omar"], world.other_case, "absconder under warrant") as view:
        entry = add_entry(view, "person", reason="absconder, armed", entity_id=world.subject,
                          expires_at=datetime.now(UTC) + timedelta(days=10))
    lookup = DictLookup()
    lookup.add("cnic", CNIC, case=world.other_case, basis="warrant W-77/2026 ATC Lahore", label="ali raza",
               entry_id=entry)
    detect(engine, lookup, [ev("CheckpointCheck", when="2026-07-03T14:10:00+05:00", rid="C1", cnic=CNIC,
                               district="Lahore", checkpoint_id="CP-7", checkpoint="Thokar Niaz Baig",
                               latitude=31.47, longitude=74.24)])
    ayesha = world.users["ayesha"]
    (aid,) = [g.alerts[0].id for g in desk.triage(ayesha).groups]
    f = desk.explain(ayesha, aid).facts
    assert f.kind == "watchlist" and f.schema == "CheckpointCheck"
    assert [(s.kind, s.value) for s in f.seen] == [("cnic", CNIC)]
    assert (f.where.point_kind, f.where.name, f.where.district, f.where.lat) == ("checkpoint", "Thokar Niaz Baig",
                                                                                  "Lahore", 31.47)
    assert f.at == datetime(2026, 7, 3, 9, 10, tzinfo=UTC)
    (e,) = f.entries
    assert (e.kind, e.reason, e.case, e.basis_kind, e.basis_ref, e.authorised_by, e.added_by) == (
        "person", "absconder, armed", world.other_case, "warrant", "W-77/2026 ATC Lahore", "Judge ATC-1", "omar")
    links = {link.schema: link for link in f.links}
    assert links["Person"].entity_id == world.subject and links["Person"].caption == "ali raza"
    assert links["Warrant"].caption == "W-77/2026"
    assert {(x.label, x.value) for x in links["Warrant"].facts} >= {("Offence", "robbery (PPC 392)"),
                                                                    ("Issued by", "ATC-1 Lahore")}
    assert links["FirIncident"].caption == "123/2026"  # the FIR the warrant cites
    # The explanation is one audited read, listing the entry and the records shown.
    detail = [e.detail for e in logged(world, "alert.read") if e.target == str(aid)][-1]
    assert {str(aid), f"watchlist:{entry}", world.subject, warrant, fir} <= set(detail["ids"])


def test_window_facts_are_times_not_epoch_seconds(world, engine, desk):
    detect(engine, DictLookup(), [read(1, 0, camera="CAM-1"), read(2, 3, camera="CAM-2"), read(3, 6, camera="CAM-3")])
    (g,) = desk.triage(world.users["ayesha"], AlertFilter(rule="anpr.three-cameras")).groups
    w = g.alerts[0].facts.window
    assert g.alerts[0].facts.kind == "value_count" and w.counted == "camera_id"
    assert (w.count, w.span_s) == (3, 600)
    assert w.first == datetime(2026, 7, 3, 5, 0, tzinfo=UTC) and w.last == datetime(2026, 7, 3, 5, 6, tzinfo=UTC)
    assert [m.value for m in w.members] == ["CAM-1", "CAM-2", "CAM-3"]


def test_unit_only_on_dispatch(world, engine, desk):
    lookup = DictLookup()
    lookup.add("plate", "LEA-1234")
    detect(engine, lookup, [read(1, 0)])
    (aid,) = [g.alerts[0].id for g in desk.triage(world.users["ayesha"]).groups]
    with pytest.raises(Exception, match="only a dispatch names a unit"):
        desk.act(world.users["ayesha"], aid, "acknowledge", unit="PS Gulberg")
    with engine.connect() as conn:
        assert conn.execute(select(AlertAction.id)).first() is None

