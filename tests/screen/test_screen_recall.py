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
])
def test_each_blocking_key_brings_up_a_variant(tag, entry_name, query):
    assert tag in shared_tags(entry_name, query)
    listed = person(7, entry_name)
    others = [person(100 + i, n) for i, n in enumerate(["Bilal Ahmed", "Kamran Iqbal", "Sana Perveen"])]
    idx = WatchlistIndex([listed, *others], clock=T0.timestamp)
    assert idx.blocked_entries(query) == {7}
    assert [h.entry_id for h in idx.match_name(query, threshold=0.5)][:1] == [7]
