"""The search room over a small store with a stored resolution: records grouped into people, the
merged profile with its warrant, and one audit entry per search (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import insert

from tahqiq.search import profile, search, search_people
from tahqiq.store.tables import ResolutionRun, ResolvedEntity
from tests.govern.conftest import CNIC, add_entity, cheap_argon2, gate, world  # noqa: F401

WANTED, FIR_MENTION, WARRANT, NAMESAKE = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)


def _store(engine, w) -> None:  # noqa: ANN001
    """The subject (NADRA), the same man on the wanted list and in an FIR (resolved together), his
    warrant, and a namesake with another CNIC and father."""
    with engine.begin() as conn:
        add_entity(conn, WANTED, "Person", "nadra", {"name": ["Ali Raza"], "fatherName": ["Ghulam Rasool"],
                                                     "cnic": [CNIC]}, record="w-1")
        add_entity(conn, FIR_MENTION, "Person", "telco", {"name": ["علی رضا"], "birthDate": ["1990-01-02"],
                                                          "fatherName": ["Ghulam Rasool"]}, batch=2)
        add_entity(conn, WARRANT, "Warrant", "nadra", {"warrantNumber": ["PO-1"], "subject": [WANTED],
                                                       "offence": ["robbery"], "status": ["active"]}, record="w-2")
        add_entity(conn, NAMESAKE, "Person", "nadra", {"name": ["Ali Raza"], "fatherName": ["Bashir Ahmad"],
                                                       "cnic": ["35202-7777777-7"]}, record="w-3")
        run = conn.execute(insert(ResolutionRun).values(schema="Person", kind="full", backend="duckdb",
                                                        actor="sana", link_threshold=0.9)).inserted_primary_key[0]
        for eid in (w.subject, WANTED, FIR_MENTION):
            conn.execute(insert(ResolvedEntity).values(entity_id=eid, cluster_id="k" * 32, schema="Person",
                                                       run_id=run))


def _mine(w, since):  # noqa: ANN001, ANN202
    return [e for e in w.gate.audit.records(since=since, limit=10_000) if e.actor == "ayesha"]


def test_people_not_records_and_one_entry_per_search(engine, world):  # noqa: F811
    _store(engine, world)
    since = world.gate.audit.records(since=0, limit=1, newest_first=True)[0].seq + 1
    with world.gate.session(world.users["ayesha"], world.case, "find the suspect") as view:
        res = search_people(view, "علی رضا")  # Urdu script finds the Roman-script records too
    assert (res.people, res.records, res.more) == (2, 4, False)  # the man (3 records) and his namesake
    man, namesake = sorted(res.cards, key=lambda c: -c.records)
    assert man.records == 3 and man.sources == {"nadra": 2, "telco": 1}
    assert {f.value for f in man.facts} >= {"Ghulam Rasool", "1990-01-02", CNIC}  # merged from his records
    assert {f.value for f in namesake.facts} >= {"Bashir Ahmad", "35202-7777777-7"}
    assert {f.value for f in res.facets["source"]} == {"nadra", "telco"}
    entries = _mine(world, since)
    assert [e.action for e in entries] == ["read.search"] and entries[0].detail["queried"][0].startswith("name#")
    # A facet: only people with a telco record.
    with world.gate.session(world.users["ayesha"], world.case, "find the suspect") as view:
        only = search_people(view, "Ali Raza", filters={"source": "telco"})
        flat = search(view, CNIC)
    assert [c.records for c in only.cards] == [3]
    assert {h.entity.id for h in flat} == {world.subject, WANTED}


def test_profile_merges_the_cluster_and_finds_the_warrant_in_one_read(engine, world):  # noqa: F811
    _store(engine, world)
    since = world.gate.audit.records(since=0, limit=1, newest_first=True)[0].seq + 1
    with world.gate.session(world.users["ayesha"], world.case, "read the suspect") as view:
        p = profile(view, WANTED)
        assert profile(view, "f" * 32) is None
    assert p is not None and p.id == WANTED and set(p.member_ids) == {world.subject, WANTED, FIR_MENTION}
    assert p.caption == "Ali Raza" and p.sources == {"nadra": 2, "telco": 1}
    facts = {(f.prop, f.value): f for f in p.facts}
    assert facts[("birthDate", "1990-01-02")].sources == ["telco"]  # from another record of the same man
    assert sorted(facts[("fatherName", "Ghulam Rasool")].record_ids) == sorted([WANTED, FIR_MENTION])
    assert [f.prop for f in p.facts].index("name") < [f.prop for f in p.facts].index("birthDate")  # model order
    assert p.identifiers == [CNIC] and p.wanted
    assert [(x.id, x.relation, x.status) for x in p.legal] == [(WARRANT, "Subject", "active")]
    assert [e.action for e in _mine(world, since)] == ["read.profile", "read.profile"]
