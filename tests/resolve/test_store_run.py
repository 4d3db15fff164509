"""Resolution against the store, on SQLite and PostgreSQL: full runs, explanations through the gate,
analysts' decisions surviving re-runs, incremental runs, and who may do what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tahqiq.govern import AccessDenied, GovernError
from tahqiq.resolve import decide, resolved, review_queue
from tahqiq.resolve.store_run import NothingToResolve, run_resolution
from tahqiq.store.tables import ResolvedEntity, Statement
from tests.resolve.conftest import ingest_sources

FIRST = ["nadra_id_registry", "telecom_subscribers"]


def clusters(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(ResolvedEntity.entity_id, ResolvedEntity.cluster_id)).all())


def persons_by_cnic(engine) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for eid, cnic in conn.execute(select(Statement.entity_id, Statement.value)
                                      .where(Statement.schema == "Person", Statement.prop == "cnic")):
            out.setdefault(cnic, []).append(eid)
    return out


def test_full_run_links_a_persons_records_and_explains_why(engine, desk, small_world):
    ingest_sources(engine, small_world, FIRST)
    report = run_resolution(engine, desk.gate, desk.supervisor)
    assert report.kind == "full" and report.records > 300 and report.clusters < report.records
    placed = clusters(engine)
    # Records that share a CNIC (NADRA and telecom) end in one cluster; different CNICs never do.
    by_cnic = persons_by_cnic(engine)
    shared = [ids for ids in by_cnic.values() if len(ids) > 1]
    together = sum(len({placed[i] for i in ids}) == 1 for ids in shared)
    assert together / len(shared) > 0.9
    cnic_of = {i: c for c, ids in by_cnic.items() for i in ids}
    per_cluster: dict[str, set[str]] = {}
    for eid, cid in placed.items():
        if eid in cnic_of:
            per_cluster.setdefault(cid, set()).add(cnic_of[eid])
    assert all(len(v) == 1 for v in per_cluster.values())

    ids = next(ids for ids in shared if len({placed[i] for i in ids}) == 1)
    with desk.gate.session(desk.analyst, desk.case, "check the suspect's records") as view:
        res = resolved(view, ids[0])
    assert {m.id for m in res.members} >= set(ids)
    link = res.links[0]
    assert link.probability >= 0.9 and link.source == "model"
    assert {f.field for f in link.fields} >= {"name", "cnic"}
    cnic = next(f for f in link.fields if f.field == "cnic")
    assert cnic.level == "same cnic" and cnic.log2_bayes_factor > 5


def test_reading_explanations_needs_the_case_and_runs_need_a_supervisor(engine, desk, small_world):
    ingest_sources(engine, small_world, ["nadra_id_registry"])
    with pytest.raises(AccessDenied):
        run_resolution(engine, desk.gate, desk.analyst)
    run_resolution(engine, desk.gate, desk.supervisor)
    some = next(iter(clusters(engine)))
    with pytest.raises(AccessDenied):
        with desk.gate.session(desk.outsider, desk.case, "curious about a neighbour") as view:
            resolved(view, some)
    records = desk.gate.audit.records(limit=10_000)
    assert any(r.action == "resolve.read" and r.decision == "grant" for r in records)
    assert any(r.action == "session.open" and r.decision == "deny" and r.actor == "bilal" for r in records)


def test_analyst_decisions_survive_later_runs(engine, desk, small_world):
    ingest_sources(engine, small_world, FIRST + ["police_fir"])
    run_resolution(engine, desk.gate, desk.supervisor)
    placed = clusters(engine)
    cnic_of = {i: c for c, ids in persons_by_cnic(engine).items() for i in ids}
    groups: dict[str, list[str]] = {}
    for eid, cid in placed.items():
        groups.setdefault(cid, []).append(eid)
    pair = sorted(next(m for m in groups.values() if len(m) >= 2))[:2]
    singles = sorted(m[0] for m in groups.values() if len(m) == 1)
    no_cnic = next(s for s in singles if s not in cnic_of)
    other = next(s for s in singles if s != no_cnic)
    two_cnics = [s for s in singles if s in cnic_of][:2]
    with desk.gate.session(desk.analyst, desk.case, "review linked records") as view:
        with pytest.raises(GovernError, match="say why"):
            decide(view, pair[0], pair[1], "split", "")
        with pytest.raises(GovernError, match="different CNICs"):
            decide(view, two_cnics[0], two_cnics[1], "merge", "looks like the same man")
        decide(view, pair[0], pair[1], "split", "different fathers on the FIR copy")
        decide(view, no_cnic, other, "merge", "same person per field verification")
    for _ in range(2):  # the decision holds on this run and the next
        run_resolution(engine, desk.gate, desk.supervisor)
        after = clusters(engine)
        assert after[pair[0]] != after[pair[1]]
        assert after[no_cnic] == after[other]
    with desk.gate.session(desk.analyst, desk.case, "see why they were merged") as view:
        res = resolved(view, no_cnic)
    assert any(x.source == "analyst" and x.status == "merge" for x in res.links)
    with desk.gate.session(desk.analyst, desk.case, "pairs to check") as view:
        queue = review_queue(view)
    assert all(0.5 <= q.probability < 0.9 for q in queue)
    decided = [r for r in desk.gate.audit.records(limit=10_000) if r.action == "resolve.decide"]
    assert len(decided) == 2 and all(r.actor == "ayesha" for r in decided)


def test_incremental_run_places_only_new_records(engine, desk, small_world):
    with pytest.raises(NothingToResolve):
        run_resolution(engine, desk.gate, desk.supervisor, incremental=True)
    ingest_sources(engine, small_world, FIRST)
    full = run_resolution(engine, desk.gate, desk.supervisor)
    before = clusters(engine)
    ingest_sources(engine, small_world, ["bank_accounts"])
    inc = run_resolution(engine, desk.gate, desk.supervisor, incremental=True)
    assert inc.kind == "incremental" and 0 < inc.new_records < inc.records
    assert inc.records == full.records + inc.new_records
    after = clusters(engine)
    assert len(after) == inc.records
    # Bank records join the cluster of the NADRA record with their CNIC.
    by_cnic = persons_by_cnic(engine)
    new_ids = set(after) - set(before)
    joined = [ids for ids in by_cnic.values() if len(ids) > 1 and set(ids) & new_ids and set(ids) - new_ids]
    assert joined and sum(len({after[i] for i in ids}) == 1 for ids in joined) / len(joined) > 0.9
    with pytest.raises(NothingToResolve, match="no new records"):
        run_resolution(engine, desk.gate, desk.supervisor, incremental=True)
