"""An alert raised on a key one misread away from the listed one says so: what the camera read and
the kind of error, for the operator to check the image before anything is dispatched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tahqiq.alerts.explain import facts_of
from tahqiq.screen.index import WatchlistIndex
from tahqiq.screen.watchlists import EntryInfo
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import load_rules
from tahqiq.stream.windows import Detector
from tests.stream.conftest import ev

T0 = datetime(2026, 7, 1, tzinfo=UTC)


def _facts(read: str):
    wanted = EntryInfo(7, "CASE-2026-0002", "FIR 45/2026", "plate", "Toyota Corolla, stolen",
                       (("plate", "LEA-1234"),), "stolen", "omar", T0, T0 + timedelta(days=30))
    rules = [r for r in load_rules() if r.id.startswith("anpr.wanted-plate")]
    det = Detector(RuleEngine(rules, lookup=WatchlistIndex([wanted], clock=lambda: T0.timestamp())))
    [d] = [d for d in det.process(ev(plate=read, confidence=0.9, camera_id="PSCA-LH-0001"))
           if d.rule.id.startswith("anpr.wanted-plate")]
    return d.rule.id, facts_of(d.rule.id, d.rule.title, "plate", read, T0, "Lahore", d.evidence)


def test_a_near_match_names_what_was_read_and_the_error():
    rule, facts = _facts("LEA1Z34")
    [entry] = facts.entries
    assert rule == "anpr.wanted-plate-low-confidence"
    assert (entry.matched_value, entry.near_read, entry.near_error) == ("LEA-1234", "LEA1Z34", "confusion")


def test_an_exact_match_carries_no_misread():
    rule, facts = _facts("LEA 1234")
    [entry] = facts.entries
    assert rule == "anpr.wanted-plate" and entry.near_read is None and entry.near_error is None
