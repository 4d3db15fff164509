"""Near keys: plates misread by ANPR cameras, CNICs and phones with a swapped or missing digit
still find their watchlist entry, with a lower score and the error explained; two errors, or a
different key, never do; exact keys keep score 1.0."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from tahqiq.generate.events import READ_CONFUSED, READ_DROPPED, READ_EXACT, camera_misread, read_quality
from tahqiq.model.types import InvalidValue
from tahqiq.screen import WatchlistIndex
from tahqiq.screen.confusions import CONFUSIONS, MISSING_SCORE, NearKeys, confusion_score
from tahqiq.screen.watchlists import EntryInfo
from tahqiq.stream.events import normalise_key

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(i: int, kind: str, keys, days: float = 10) -> EntryInfo:
    return EntryInfo(i, "CASE-W", "warrant W-77/2026", kind, keys[0][1], tuple(keys), "wanted", "omar", T0,
                     T0 + timedelta(days=days))


def _index(plate_lengths: bool) -> WatchlistIndex:
    return WatchlistIndex([
        entry(1, "plate", [("plate", "LEA-1234")]),
        entry(2, "plate", [("plate", "RIO-8506")]),  # I, O, 8, 5, 0, 6: a confusable in every class
        entry(3, "plate", [("plate", "GBZ-2051")]),
        entry(4, "person", [("cnic", "35202-1234567-1")]),
        entry(5, "phone", [("phone", "+923001234567")]),
        entry(6, "plate", [("plate", "LED-9090")], days=-1),  # expired: never matches
    ], clock=lambda: T0.timestamp(), plate_lengths=plate_lengths)


@pytest.fixture(scope="module")
def index() -> WatchlistIndex:
    return _index(plate_lengths=False)


@pytest.fixture(scope="module")
def lengths_index() -> WatchlistIndex:
    """Plates read with a character missing or extra matched too (off by default)."""
    return _index(plate_lengths=True)


def best(hits):
    return [(h.entry_id, h.score, h.explanation.get("error")) for h in hits]


def test_exact_keys_score_one_and_say_exact(index):
    for kind, value, eid in (("plate", "LEA-1234", 1), ("cnic", "35202-1234567-1", 4), ("phone", "+923001234567", 5)):
        hits = index.hits(kind, value)
        assert [(h.entry_id, h.score, h.explanation["match"]) for h in hits] == [(eid, 1.0, "exact")]


@pytest.mark.parametrize(("read", "listed", "eid"), [
    ("RI0-8506", "O", 2), ("RID-8506", "O", 2), ("RIQ-8506", "O", 2),  # O/0/D/Q
    ("R1O-8506", "I", 2), ("RLO-8506", "I", 2), ("LEA-I234", "1", 1), ("LEA-L234", "1", 1),  # I/1/L
    ("RIO-B506", "8", 2), ("RIO-8S06", "5", 2), ("GBZ-Z051", "2", 3), ("RIO-850G", "6", 2),  # B/8 S/5 Z/2
    ("6BZ-2051", "G", 3), ("G8Z-2051", "B", 3), ("GB2-2051", "Z", 3), ("RIO-85O6", "0", 2),  # ...G/6
])
def test_each_confusion_class_still_hits_with_a_lower_score(index, read, listed, eid):
    hits = index.hits("plate", read)
    assert [h.entry_id for h in hits] == [eid]
    h = hits[0]
    assert h.explanation["match"] == "near" and h.explanation["error"] == "confusion"
    assert 0.7 <= h.score < 1.0
    assert h.value == h.explanation["listed"]  # the hit names the listed plate, the read is kept too
    assert h.explanation["why"].startswith(f"read {read}, listed {h.value}: {listed} read as ")


def test_every_pair_of_the_table_is_scored_between_a_miss_and_an_exact_read():
    for a, b in CONFUSIONS:
        assert MISSING_SCORE < confusion_score(a, b) == confusion_score(b, a) < 1.0
    assert confusion_score("A", "X") == 0.0


def test_a_plate_missing_or_adding_a_character_matches_only_when_asked(index, lengths_index):
    for read in ("LEA-124", "EA-1234", "LEA-12341"):  # in a dense series these are real plates
        assert index.hits("plate", read) == [], read
        assert best(lengths_index.hits("plate", read))[0][0] == 1, read


def test_a_missing_character_scores_lower_than_a_confusion(lengths_index):
    index = lengths_index
    missing = index.hits("plate", "LEA-124")
    confused = index.hits("plate", "LEA-1Z34")
    assert best(missing) == [(1, MISSING_SCORE, "missing")]
    assert best(confused) == [(1, 0.84, "confusion")]
    assert confused[0].explanation["why"] == "read LEA-1Z34, listed LEA-1234: 2 read as Z"
    assert best(index.hits("plate", "EA-1234")) == [(1, MISSING_SCORE, "missing")]  # the first one too
    assert best(index.hits("plate", "LEA-12341")) == [(1, MISSING_SCORE, "extra")]


@pytest.mark.parametrize("read", [
    "LEA-1Z3A",  # two confusions
    "LEA-Z34",  # a confusion and a missing character
    "LEA-12",  # two missing
    "LEA-1274",  # 3 for 7 is not an OCR look-alike in the model
    "LEB-1234", "MEA-1234", "LEA-5678", "LEA-4321",  # different plates
    "LED-9090", "LED-9O90",  # an expired entry, read exactly or misread
])
def test_two_errors_or_another_plate_never_hit(lengths_index, read):
    assert lengths_index.hits("plate", read) == []


def test_near_matching_can_be_turned_off(index):
    assert index.hits("plate", "LEA-1Z34", near=False) == []


def test_cnic_swapped_adjacent_digits_hit_with_a_lower_score(index):
    hits = index.hits("cnic", "35202-1234576-1")
    assert best(hits) == [(4, 0.8, "transposition")]
    assert hits[0].explanation["why"] == "read 35202-1234576-1, listed 35202-1234567-1: digits 67 written as 76"
    assert index.hits("cnic", "53202-1234567-1")[0].entry_id == 4  # the first pair too


def test_cnic_missing_digit_hits_only_where_the_5_7_1_groups_allow(index):
    assert best(index.hits("cnic", "35202-123457-1")) == [(4, MISSING_SCORE, "missing")]
    assert best(index.hits("cnic", "352021234571")) == [(4, MISSING_SCORE, "missing")]  # no groups: anywhere
    # The digits of "3520-2123456-1" are this CNIC without its 7 (in the middle group), but the read's
    # short group is the first one: a digit left out there cannot give these digits.
    assert index.hits("cnic", "3520-2123456-1") == []
    assert best(index.hits("cnic", "352021234561")) == [(4, MISSING_SCORE, "missing")]
    with pytest.raises(InvalidValue):
        index.screen_key("cnic", "35202-12345-1")  # two digits missing: still refused
    assert [h.entry_id for h in index.screen_key("cnic", "35202-123457-1")] == [4]


def test_cnic_two_slips_or_another_cnic_never_hit(index):
    for read in ("35202-1234756-1", "35202-123576-1", "35202-7654321-1", "35203-1234567-1"):
        assert index.hits("cnic", read) == [], read


def test_phone_swapped_or_missing_digit_hits(index):
    assert best(index.hits("phone", "+923001243567")) == [(5, 0.8, "transposition")]
    assert [h.entry_id for h in index.screen_key("phone", "0300-123456")] == [5]  # a digit left out
    assert index.hits("phone", "+923001243576") == []
    assert index.hits("phone", "+923011234567") == []  # a different digit, not a slip


def test_near_keys_alone_find_only_keys_one_error_away():
    near = NearKeys({"plate": ["LEA-1234", "LEA-1235"], "cnic": [], "phone": []})
    assert [m.listed for m in near.lookup("plate", "LEA-123S")] == ["LEA-1235"]
    assert sorted(m.listed for m in near.lookup("plate", "LEA-123", plate_lengths=True)) == ["LEA-1234", "LEA-1235"]
    assert near.lookup("plate", "LEA-123") == []  # a character short: only when asked
    assert near.lookup("plate", "LEA-1234") == []  # the exact key is the exact index's answer
    assert near.lookup("cnic", "35202-1234567-1") == [] and near.lookup("iban", "PK36SCBL0000001123456702") == []


def test_the_generators_camera_misreads_are_found_and_its_rates_hold():
    rnd = random.Random(3)
    plates = ["LEA-1234", "RIB-8506", "GAZ-2051", "ICT-09-660", "FDS-4417"]
    index = WatchlistIndex([entry(i + 1, "plate", [("plate", p)]) for i, p in enumerate(plates)],
                           clock=lambda: T0.timestamp(), plate_lengths=True)
    for _ in range(200):
        k = rnd.randrange(len(plates))
        for how in (READ_CONFUSED, READ_DROPPED):
            read = camera_misread(plates[k], how, rnd.random)
            assert read != plates[k].replace("-", "")
            value = normalise_key("plate", read) or read
            assert k + 1 in [h.entry_id for h in index.hits("plate", value)], (plates[k], read)
    assert camera_misread("LEA-1234", READ_EXACT, rnd.random) == "LEA1234"
    draws = [read_quality(rnd.random) for _ in range(20_000)]
    assert 0.025 < draws.count(READ_CONFUSED) / len(draws) < 0.035
    assert 0.007 < draws.count(READ_DROPPED) / len(draws) < 0.013
