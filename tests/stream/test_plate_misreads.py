"""The shipped ANPR rules against the real watchlist index: a wanted plate that the camera misread
by one look-alike character (or dropped one) still raises an alert (the low-severity "check the
image" one), whose evidence says it was a near match and why; exact reads alert as before; two
errors raise nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import yaml

from tahqiq.screen import WatchlistIndex
from tahqiq.screen.hits import WatchHit
from tahqiq.screen.watchlists import EntryInfo
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import load_rules, parse_rules
from tahqiq.stream.windows import Detector
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup

T0 = datetime(2026, 7, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def detector() -> Detector:
    wanted = EntryInfo(7, "CASE-2026-0002", "FIR 45/2026", "plate", "Toyota Corolla, stolen",
                       (("plate", "LEA-1234"),), "stolen", "omar", T0, T0 + timedelta(days=30))
    index = WatchlistIndex([wanted], clock=lambda: T0.timestamp())
    rules = [r for r in load_rules() if r.id.startswith("anpr.wanted-plate")]
    return Detector(RuleEngine(rules, lookup=index))


def alert(detector: Detector, plate: str, confidence: float = 0.9):
    found = [d for d in detector.process(ev(plate=plate, confidence=confidence, camera_id="PSCA-LH-0001"))
             if d.rule.id.startswith("anpr.wanted-plate")]
    assert len(found) <= 1
    return found[0] if found else None


def test_an_exact_read_alerts_with_score_one(detector):
    d = alert(detector, "LEA 1234")
    assert d is not None and d.rule.id == "anpr.wanted-plate"
    [hit] = d.evidence["hits"]
    assert (hit["entry_id"], hit["score"], hit["explanation"]["match"]) == (7, 1.0, "exact")
    unsure = alert(detector, "LEA 1234", confidence=0.6)
    assert unsure is not None and unsure.rule.id == "anpr.wanted-plate-low-confidence"


@pytest.mark.parametrize(("read", "why"), [
    ("LEA1Z34", "read LEA1Z34, listed LEA-1234: 2 read as Z"),  # does not normalise: looked up as read
    ("LEAI234", "read LEAI-234, listed LEA-1234: 1 read as I"),  # normalises to another plate
])
def test_a_misread_wanted_plate_still_alerts_and_says_why(detector, read, why):
    d = alert(detector, read)
    assert d is not None and d.rule.id == "anpr.wanted-plate-low-confidence"
    [hit] = d.evidence["hits"]
    assert hit["entry_id"] == 7 and hit["value"] == "LEA-1234" and hit["score"] < 1.0
    assert hit["explanation"]["match"] == "near" and hit["explanation"]["why"] == why


def test_a_dropped_character_alerts_only_where_the_index_is_asked_to(detector):
    assert alert(detector, "LEA134") is None  # LEA-134 is a plate of its own: off by default
    wanted = EntryInfo(7, "CASE-2026-0002", "FIR 45/2026", "plate", "Toyota Corolla, stolen",
                       (("plate", "LEA-1234"),), "stolen", "omar", T0, T0 + timedelta(days=30))
    index = WatchlistIndex([wanted], clock=lambda: T0.timestamp(), plate_lengths=True)
    rules = [r for r in load_rules() if r.id.startswith("anpr.wanted-plate")]
    d = alert(Detector(RuleEngine(rules, lookup=index)), "LEA134")
    assert d is not None and d.rule.id == "anpr.wanted-plate-low-confidence"
    assert d.evidence["hits"][0]["explanation"]["why"] == "read LEA-134, listed LEA-1234: 2 missing"


def test_two_errors_or_another_plate_raise_nothing(detector):
    for read in ("LEA1Z3A", "LEAZ34", "LEB-1234", "LEA-4321"):
        assert alert(detector, read) is None, read


def test_watchlist_exact_ignores_near_hits_and_watchlist_takes_both():
    lookup = DictLookup()
    lookup.entries[("plate", "LEA-1234")] = [WatchHit(1, "plate", "LEA-1234", "C", "FIR 1/2026", "car", 1.0)]
    lookup.entries[("plate", "LEA-134")] = [WatchHit(1, "plate", "LEA-1234", "C", "FIR 1/2026", "car", 0.65)]
    e = RuleEngine(parse_rules(yaml.safe_load("""
rules:
  - {id: r.exact, title: exact, schema: PlateRead, detection: {w: {plate|watchlist_exact: plate}, condition: w}}
  - {id: r.any, title: any, schema: PlateRead, detection: {w: {plate|watchlist: plate}, condition: w}}
"""), "t.yml"), lookup)
    assert sorted(m.rule.id for m in e.match(ev(plate="LEA1234"))) == ["r.any", "r.exact"]
    [near] = e.match(ev(plate="LEA134"))
    assert near.rule.id == "r.any" and near.hits[0].score == 0.65
    assert lookup.calls == 2  # one lookup per read, however many atoms ask
