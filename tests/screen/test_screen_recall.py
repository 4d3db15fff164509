"""Finding every listed person: namesakes told apart by the facts a query carries, blocking keys
that each bring up a variant the others miss, and every hit above the threshold reachable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tahqiq.names import parse_name
from tahqiq.screen import WatchlistIndex, screen_record
from tahqiq.screen.blocking import key_hash, name_keys, with_mirrors
from tahqiq.screen.watchlists import EntryInfo

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FATHERS = ["Pervaiz Akhtar", "Nazir Ahmed", "Bashir Hussain", "Sadiq Ali", "Rafiq Butt"]


def person(i: int, *names: str, **kw) -> EntryInfo:
    return EntryInfo(i, "CASE-R", "warrant W-9/2026", "person", names[0], tuple(("name", n) for n in names),
                     "wanted", "omar", T0, T0 + timedelta(days=30), **kw)


def crowd() -> list[EntryInfo]:
    """40 men called Muhammad Imran: some born in 1980, some sons of a Ghulam Rasool, and one (id 23)
    who is both."""
    out = []
    for i in range(1, 41):
        year = 1980 if i % 4 == 0 and i % 5 else 1900 + i
        father = "Ghulam Rasool" if i % 5 == 0 else FATHERS[i % len(FATHERS)]
        out.append(person(i, "Muhammad Imran", birth_date=f"{year}-03-0{i % 9 + 1}", father_name=father))
    out[22] = person(23, "Muhammad Imran", birth_date="1980-07-14", father_name="Ghulam Rasool")
    return out


@pytest.fixture
def index() -> WatchlistIndex:
    return WatchlistIndex(crowd(), clock=T0.timestamp)


def test_the_facts_single_out_the_listed_person_among_namesakes(index):
    by_name = index.match_names("Mohd Imran", limit=None)
    assert by_name.total == 40 and len({h.score for h in by_name.hits}) == 1  # the name alone ties them
    found = index.match_names("Mohd Imran", father_name="Gh. Rasool", birth_year=1980, limit=3)
    assert found.ranked_ids[0] == 23 and found.hits[0].entry_id == 23
    top = found.hits[0].explanation
    assert top["birth_date"] == "same year" and top["father_name"]["result"] == "agrees"
    # Others who share only the year or only the father follow (a name score can clamp at 1.0, so a
    # namesake may tie on score: the facts then order them).
    assert all(h.score <= found.hits[0].score for h in found.hits[1:])
    assert not any(h.explanation["birth_date"] == "same year" and h.explanation["father_name"]["result"] == "agrees"
                   for h in found.hits[1:])
    # The father alone still puts the sons of a Ghulam Rasool ahead of the other namesakes.
    sons = index.match_names("محمد عمران", father_name="Ghulam Rasool", limit=None).ranked_ids
    assert set(sons[:8]) == {5, 10, 15, 20, 23, 25, 30, 35}


def test_every_hit_above_the_threshold_is_reachable_page_by_page(index):
    first = index.match_names("Muhammad Imran", limit=10)
    assert first.total == 40 and len(first.hits) == 10 and first.offset == 0
    pages = [index.match_names("Muhammad Imran", offset=o, limit=10).hits for o in range(0, 40, 10)]
    seen = [h.entry_id for page in pages for h in page]
    assert seen == list(first.ranked_ids) and sorted(seen) == list(range(1, 41))
    assert index.match_name("Muhammad Imran", offset=35, limit=10)[-1].entry_id == first.ranked_ids[-1]
    assert len(index.match_name("Muhammad Imran", limit=None)) == 40
    # Screening a record returns every name hit, not the first ten.
    assert len(screen_record(index, {"name": "Muhammad Imran"})) == 40
    with pytest.raises(ValueError, match="negative"):
        index.match_names("Muhammad Imran", offset=-1)


def shared_tags(entry_name: str, query: str) -> set[str]:
    entry = {key_hash(t, x): t for t, x in name_keys(parse_name(entry_name).given)}
    return {entry[key_hash(t, x)] for t, x in with_mirrors(name_keys(parse_name(query).given))
            if key_hash(t, x) in entry}


@pytest.mark.parametrize(("tag", "entry_name", "query"), [
    ("f", "Muhammad Aslam Gondal", "Gondal, Muhammad Aslam"),      # same canonical words, other order
    ("r", "Aslam Gondal Khan", "Aslam Gondal"),                      # without the common word Khan
    ("s", "Tariq Mehmood Cheema", "Tarik Mahmud Chima"),             # same consonant skeletons
    ("t", "Shahzad Akhtar Khan", "Shehzad Akhter"),                # skeletons without the common word
    ("q", "Naveed Iqbal Warraich Jatt", "Naveed Warraich"),          # a pair of the words (middle names dropped)
    ("w", "Yaqoob Virk", "Yaqub"),                                   # one word (the family name dropped)
])
def test_each_blocking_key_brings_up_a_variant(tag, entry_name, query):
    assert tag in shared_tags(entry_name, query)
    listed = person(7, entry_name)
    others = [person(100 + i, n) for i, n in enumerate(["Bilal Ahmed", "Kamran Iqbal", "Sana Perveen"])]
    idx = WatchlistIndex([listed, *others], clock=T0.timestamp)
    assert idx.blocked_entries(query) == {7}
    assert [h.entry_id for h in idx.match_name(query, threshold=0.5)][:1] == [7]


def test_a_record_that_drops_the_family_name_is_found_by_the_facts():
    """"Yaqoob" for the listed "Yaqoob Virk": the name alone scores below the threshold (as it should:
    every Yaqoob would hit), but with the father and the birth year agreeing the listed man is found,
    first, among 300 Yaqoobs with other family names, fathers and years."""
    listed = person(1, "Yaqoob Virk", birth_date="1972-03-12", father_name="Allah Ditta")
    clans = ["Butt", "Gill", "Cheema", "Bajwa", "Sandhu", "Awan"]
    crowd = [person(10 + i, f"Yaqoob {clans[i % 6]}", birth_date=f"{1950 + i % 40}-01-01",
                    father_name=FATHERS[i % len(FATHERS)]) for i in range(300)]
    idx = WatchlistIndex([listed, *crowd], clock=T0.timestamp)
    assert 1 not in idx.match_names("Yaqoob").ranked_ids
    found = idx.match_names("Yaqoob", father_name="Allah Ditta", birth_year=1972)
    assert found.ranked_ids[:1] == (1,)
    ex = found.hits[0].explanation
    assert ex["birth_date"] == "same year" and ex["father_name"]["result"] == "agrees"
    # A different father sinks the same record below the threshold again.
    assert 1 not in idx.match_names("Yaqoob", father_name="Pervaiz Akhtar", birth_year=1972).ranked_ids


def test_a_father_with_no_name_word_in_common_differs_without_being_scored():
    idx = WatchlistIndex([person(1, "Imran Butt", father_name="Sadiq Ali"),
                          person(2, "Imran Butt", father_name="Nazir Ahmed"),
                          person(3, "Imran Butt", father_name="Nazeer Ahmad")], clock=T0.timestamp)
    by_id = {h.entry_id: h.explanation["father_name"] for h in idx.match_name("Imran Butt", father_name="Nazir Ahmed",
                                                                                limit=None, threshold=0.5)}
    assert by_id[1] == {"score": None, "result": "differs", "why": "no name word in common"}
    assert by_id[2] == {"score": 1.0, "result": "agrees"}
    assert by_id[3]["result"] == "agrees" and by_id[3]["score"] >= 0.85  # other spellings: scored
    # score_entry explains the same way as a search.
    assert idx.score_entry("Imran Butt", 1, father_name="Nazir Ahmed").explanation["father_name"]["score"] is None


def test_fathers_alike_by_skeleton_or_beginning_are_scored():
    """A slip after the first three letters ("Ismai") or another romanisation ("Esmail": same
    consonant skeleton) keeps the father comparable: scored, not dismissed as different."""
    idx = WatchlistIndex([person(1, "Raghib Tarar", birth_date="1985-12-07", father_name="Ismail")],
                         clock=T0.timestamp)
    for father in ("Ismai", "Esmail"):
        verdict = idx.score_entry("Raghib Tarar", 1, father_name=father).explanation["father_name"]
        assert isinstance(verdict["score"], float) and verdict["result"] in {"agrees", "unclear"}, father
    assert idx.score_entry("Raghib Tarar", 1, father_name="Zafar").explanation["father_name"]["score"] is None
