"""Windowed correlations in event time: counts, distinct values, sequences; redelivery and restart."""

from __future__ import annotations

import json

import yaml

from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import parse_rules
from tahqiq.stream.windows import Detector
from tests.stream.conftest import ev

RULES = yaml.safe_load("""
rules:
  - id: w.count
    title: 3 transfers from one account within 1 hour
    schema: Transaction
    detection: {big: {amount|gte: 1000}, condition: big}
    correlation: {type: event_count, group_by: payer_iban, timespan: 1h, gte: 3}
  - id: w.cameras
    title: plate at 3 cameras within 10 minutes
    schema: PlateRead
    detection: {read: {camera_id|startswith: C}, condition: read}
    correlation: {type: value_count, group_by: plate, field: camera_id, timespan: 10m, gte: 3}
  - id: w.seq
    title: deposit then transfer out
    schema: Transaction
    detection:
      deposit: {channel: branch}
      out: {channel: ibft}
    correlation:
      type: temporal_ordered
      timespan: 2h
      steps: [{condition: deposit, group_by: payee_iban}, {condition: out, group_by: payer_iban}]
""")
IBAN = "PK36SCBL0000001123456702"
IBAN2 = "PK24HABB7096863959966086"


def detector() -> Detector:
    return Detector(RuleEngine(parse_rules(RULES, "w.yml")))


def t(minute: int) -> str:
    return f"2026-07-03T{10 + minute // 60:02d}:{minute % 60:02d}:00+05:00"


def tx(rid, minute, amount="5000", payer=IBAN, payee=None, channel="raast"):
    fields = {"amount": amount, "channel": channel}
    if payer:
        fields["payer_iban"] = payer
    if payee:
        fields["payee_iban"] = payee
    return ev("Transaction", t(minute), rid, **fields)


def read(rid, minute, camera, plate="LEA-1234"):
    return ev("PlateRead", t(minute), rid, plate=plate, camera_id=camera)


def run(d: Detector, events) -> list:
    return [x for e in events for x in d.process(e)]


def test_event_count_uses_event_time_and_fires_once_per_window():
    d = detector()
    spread = [tx("a", 0), tx("b", 40), tx("c", 110)]  # never 3 within an hour of event time
    assert run(d, spread) == []
    burst = [tx("d", 120), tx("e", 130), tx("f", 135), tx("g", 140)]
    out = run(d, burst)
    assert [x.rule.id for x in out] == ["w.count"]  # c, d, e -> fires at e; f, g start afresh
    assert out[0].key_value == IBAN and out[0].evidence["window"]["count"] == 3
    assert [m["event_id"] for m in out[0].evidence["window"]["members"]] == ["c", "d", "e"]
    small = detector()
    assert run(small, [tx("x", 0, amount="10"), tx("y", 1, amount="10"), tx("z", 2, amount="10")]) == []


def test_redelivered_event_is_not_counted_twice():
    d = detector()
    assert run(d, [tx("a", 0), tx("a", 0), tx("b", 1), tx("b", 1)]) == []
    assert len(run(d, [tx("c", 2)])) == 1


def test_value_count_counts_distinct_cameras_within_the_span():
    d = detector()
    assert run(d, [read("1", 0, "C1"), read("2", 3, "C1"), read("3", 5, "C2")]) == []
    out = run(d, [read("4", 9, "C3")])
    assert len(out) == 1 and out[0].key_value == "LEA-1234"
    assert sorted(m["value"] for m in out[0].evidence["window"]["members"]) == ["C1", "C2", "C3"]
    d2 = detector()  # the same cameras spread over 30 minutes do not fire
    assert run(d2, [read("1", 0, "C1"), read("2", 12, "C2"), read("3", 24, "C3")]) == []
    d3 = detector()  # other plates do not mix
    assert run(d3, [read("1", 0, "C1", "LEA-1"), read("2", 1, "C2", "LEA-2"), read("3", 2, "C3", "LEA-3")]) == []


def test_sequence_a_then_b_for_the_same_key_within_the_span():
    d = detector()
    deposit = tx("d1", 0, payer=None, payee=IBAN, channel="branch")
    out_ok = tx("o1", 60, payer=IBAN, payee=IBAN2, channel="ibft")
    assert run(d, [deposit]) == []
    found = run(d, [out_ok])
    assert [x.rule.id for x in found if x.rule.id == "w.seq"] == ["w.seq"]
    seq = next(x for x in found if x.rule.id == "w.seq")
    assert [m["event_id"] for m in seq.evidence["window"]["members"]] == ["d1", "o1"]
    late = detector()
    assert [x for x in run(late, [deposit, tx("o2", 180, payer=IBAN, channel="ibft")]) if x.rule.id == "w.seq"] == []
    wrong_order = detector()
    events = [tx("o3", 0, payer=IBAN, channel="ibft"), tx("d3", 10, payer=None, payee=IBAN, channel="branch")]
    assert [x for x in run(wrong_order, events) if x.rule.id == "w.seq"] == []
    other_key = detector()
    events = [deposit, tx("o4", 30, payer=IBAN2, channel="ibft")]
    assert [x for x in run(other_key, events) if x.rule.id == "w.seq"] == []


def test_snapshot_restore_continues_windows_and_keeps_dedupe_keys():
    events = [read("1", 0, "C1"), read("2", 2, "C2"), read("3", 4, "C3"), tx("a", 0), tx("b", 5), tx("c", 9)]
    whole = detector()
    expected = [(x.rule.id, x.dedupe_key) for x in run(whole, events)]
    first = detector()
    got = [(x.rule.id, x.dedupe_key) for x in run(first, events[:2] + events[3:4])]
    snap = json.loads(json.dumps(first.snapshot()))  # as stored in the checkpoint table
    second = detector()
    second.restore(snap)
    # the restarted worker sees the tail again, including an event it had already counted
    got += [(x.rule.id, x.dedupe_key) for x in run(second, events[1:])]
    assert sorted(set(got)) == sorted(expected) and len(expected) == 2


def test_single_event_dedupe_key_is_deterministic():
    rules = parse_rules(yaml.safe_load("""
rules:
  - id: s.one
    title: one
    detection: {s: {camera_id: C1}, condition: s}
"""), "s.yml")
    a = Detector(RuleEngine(rules)).process(read("9", 0, "C1"))
    b = Detector(RuleEngine(rules)).process(read("9", 0, "C1"))
    c = Detector(RuleEngine(rules)).process(read("10", 0, "C1"))
    assert a[0].dedupe_key == b[0].dedupe_key != c[0].dedupe_key


def test_sweep_forgets_keys_outside_every_window():
    d = detector()
    run(d, [read("1", 0, "C1", "LEA-1"), tx("a", 0)])
    run(d, [read("2", 200, "C1", "LEA-2")])
    d.sweep()
    assert "LEA-1" not in d.state["w.cameras"] and "LEA-2" in d.state["w.cameras"]
    assert d.state["w.count"] == {}


def test_results_do_not_depend_on_when_sweeps_happen():
    # out of order: the burst's events arrive late relative to a newer event of another key
    events = [tx("a", 0), tx("n", 200, payer="PK24HABB7096863959966086"), tx("b", 10), tx("c", 20),
              read("1", 0, "C1"), read("2", 2, "C2"), read("3", 4, "C3")]
    plain = detector()
    expected = [x.dedupe_key for x in run(plain, events)]
    swept = detector()
    got = []
    for e in events:
        got += [x.dedupe_key for x in swept.process(e)]
        swept.sweep()
    assert got == expected


def test_alert_key_kind_follows_the_keying_field():
    d = detector()
    deposit = tx("d1", 0, payer=None, payee=IBAN, channel="branch")
    seq = [x for x in run(d, [deposit, tx("o1", 60, payer=IBAN, channel="ibft")]) if x.rule.id == "w.seq"][0]
    assert (seq.key_kind, seq.key_value) == ("iban", IBAN)
    cams = run(detector(), [read("1", 0, "C1"), read("2", 1, "C2"), read("3", 2, "C3")])[0]
    assert (cams.key_kind, cams.key_value) == ("plate", "LEA-1234")
