"""The watchlist index without a database: exact keys, cross-script names, expiry on a clock the
test controls, date-of-birth and father's-name evidence, explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tahqiq.screen import KeyLookup, WatchlistIndex
from tahqiq.screen.hits import WatchHit
from tahqiq.screen.watchlists import EntryInfo

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at.timestamp()


def entry(i: int, kind: str = "person", names=(), keys=(), days: float = 10, **kw) -> EntryInfo:
    all_keys = tuple(("name", n) for n in names) + tuple(keys)
    label = names[0] if names else all_keys[0][1]
    return EntryInfo(i, "CASE-W", "warrant W-77/2026", kind, label, all_keys, "wanted", "omar", T0,
                     T0 + timedelta(days=days), **kw)


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def index(clock):
    return WatchlistIndex([
        entry(1, names=["Muhammad Aslam", "محمد اسلم"], keys=[("cnic", "35202-1234567-1")],
              birth_date="1980-02-01", father_name="Ghulam Rasool"),
        entry(2, names=["Zia-ul-Haq Bhatti"], days=1),
        entry(3, names=["Muhammad Akram"]),
        entry(4, names=["مزمل حسین"]),
        entry(5, names=["Abdul Rehman Butt"], birth_date="1990-05-05"),
        entry(6, "phone", keys=[("phone", "+923001234567")]),
        entry(7, "plate", keys=[("plate", "LEA-1234"), ("chassis", "NZE141-1234567")]),
        entry(8, "indicator", keys=[("indicator", "evil.example")], indicator_type="domain"),
        entry(9, names=["Shahid Iqbal"], days=-1),  # already expired: never indexed
    ], clock=clock)


def ids(hits) -> list[int]:
    return [h.entry_id for h in hits]


def test_exact_keys_of_every_kind(index):
    lookup: KeyLookup = index  # the rule engine sees the index only through this protocol
    assert lookup.hits("cnic", "35202-1234567-1")
    assert ids(index.hits("cnic", "35202-1234567-1")) == [1]
    assert ids(index.hits("phone", "+923001234567")) == [6]
    assert ids(index.hits("plate", "LEA-1234")) == [7] and ids(index.hits("chassis", "NZE141-1234567")) == [7]
    assert ids(index.hits("indicator", "evil.example")) == [8]
    assert index.hits("cnic", "35202-7654321-3") == [] and index.hits("iban", "PK00X") == []
    hit = index.hits("phone", "+923001234567")[0]
    assert isinstance(hit, WatchHit) and hit.score == 1.0 and hit.case == "CASE-W" and hit.basis.startswith("warrant")
    assert ids(index.screen_key("phone", "0300-1234567")) == [6]
    with pytest.raises(ValueError, match="unknown key kind"):
        index.hits("face", "x")


@pytest.mark.parametrize("query", [
    "محمد اسلم",                       # Urdu script finds the Roman entry (and its Urdu alias)
    "Mohd Aslam", "M. Aslam", "Md. Aslam", "MUHAMMAD ASLAM",
    "Ch. Muhammad Aslam", "Dr. Muhammad Aslam",                 # honorifics and titles
    "Muhammad Aslam s/o Ghulam Rasool", "محمد اسلم ولد غلام رسول", "Aslam son of Ghulam Rasool",
    "Aslam, Muhammad",
])
def test_variant_and_cross_script_names_find_the_entry(index, query):
    hits = index.match_name(query)
    assert hits and hits[0].entry_id == 1, query
    assert hits[0].kind == "name" and hits[0].score >= 0.8


def test_roman_query_finds_urdu_entry_and_compounds(index):
    assert ids(index.match_name("Muzammil Hussain"))[:1] == [4]
    assert ids(index.match_name("Ziaulhaq Bhatti"))[:1] == [2]
    assert ids(index.match_name("Abdur Rahman Butt"))[:1] == [5]
    assert ids(index.match_name("Muhammad Akram")) == [3]  # Aslam and Akram are different names


def test_unrelated_names_do_not_hit(index):
    assert index.match_name("Kamran Iqbal") == []
    assert index.match_name("Shahid Iqbal") == []  # the entry expired before the index was built


def test_expiry_is_checked_at_lookup_time_without_any_job(index, clock):
    assert ids(index.match_name("Zia ul Haq Bhatti")) == [2]
    assert ids(index.hits("phone", "+923001234567")) == [6]
    clock.at = T0 + timedelta(days=1, seconds=1)  # entry 2 (one day) has now expired
    assert index.match_name("Zia ul Haq Bhatti") == []
    assert ids(index.hits("phone", "+923001234567")) == [6]
    clock.at = T0 + timedelta(days=11)
    assert index.hits("phone", "+923001234567") == [] and index.hits("cnic", "35202-1234567-1") == []
    # an explicit time overrides the clock
    assert ids(index.hits("phone", "+923001234567", at=T0)) == [6]


def test_birth_date_and_father_move_the_score(index):
    plain = index.match_name("Mohd Aslam")[0]
    same = index.match_name("Mohd Aslam", birth_date="01/02/1980", father_name="غلام رسول")[0]
    other = index.match_name("Mohd Aslam", birth_date="1975-07-07", father_name="Pervaiz Akhtar")
    assert same.score == 1.0 and plain.score == 1.0
    assert same.explanation["birth_date"] == "same" and same.explanation["father_name"]["result"] == "agrees"
    assert other == [] or other[0].score < 0.8  # same name, different date of birth and father
    low = index.match_name("Mohd Aslam", birth_date="1975-07-07", father_name="Pervaiz Akhtar", threshold=0.5)
    assert low[0].explanation["birth_date"] == "differs" and low[0].explanation["father_name"]["result"] == "differs"
    with pytest.raises(ValueError):
        index.match_name("Mohd Aslam", birth_date="the eighties")


def test_explanations_say_why(index):
    hit = index.match_name("محمد اسلم ولد غلام رسول")[0]
    ex = hit.explanation
    assert ex["via"] == "same canonical name" and ex["shared_tokens"] == ["aslam", "muhammad"]
    assert ex["father_name"]["result"] == "agrees"  # taken from the s/o part of the query
    assert hit.label == "Muhammad Aslam" and ex["expires_at"].startswith("2026-03-11")
    typo = index.match_name("Muhammad Alsam", threshold=0.5)[0]
    assert typo.entry_id == 1 and typo.explanation["corrected_spelling"] == {"alsam": "aslam"}


def test_a_name_without_name_words_is_refused(index):
    with pytest.raises(ValueError, match="no name words"):
        index.match_name("Dr. Mr.")


def test_refresh_reloads_from_the_loader(clock):
    entries = [entry(1, names=["Imran Khan"])]
    idx = WatchlistIndex(entries, clock=clock, loader=lambda: list(entries))
    assert len(idx) == 1
    entries.append(entry(2, names=["Nadia Parveen"]))
    assert idx.refresh() == 2 and ids(idx.match_name("Nadia Perveen")) == [2]
    with pytest.raises(RuntimeError):
        WatchlistIndex(entries).refresh()


def test_many_namesakes_rank_by_birth_date(clock):
    entries = [entry(i, names=["Muhammad Imran"], birth_date=f"19{50 + i % 40}-01-0{1 + i % 9}") for i in range(1, 300)]
    idx = WatchlistIndex(entries, clock=clock)
    target = entries[137]
    hits = idx.match_name("Mohd Imran", birth_date=target.birth_date)
    assert hits[0].explanation["birth_date"] == "same"
    assert target.id in ids(hits) and len(hits) == 10


def test_score_entry_explains_a_non_match(index):
    akram = index.score_entry("Mohd Aslam", 3)
    assert akram.entry_id == 3 and akram.score < 0.8 and akram.explanation["shared_tokens"] == ["muhammad"]
    assert index.score_entry("Mohd Aslam", 999) is None
