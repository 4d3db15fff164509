"""The workspace's chart draws people, not records: records sharing a CNIC, or resolved into one
cluster, are one node listing its records; the first view has the subjects and their links; paths
run between people with a hop limit; the details panel merges facts with their sources. Every call
goes through the real app, gate and store (SQLite and PostgreSQL), over the API's world."""

from __future__ import annotations

from sqlalchemy import insert, select

from tahqiq.govern.tables import AuditEntry
from tahqiq.store.tables import ResolutionRun, ResolvedEntity

# cheap_argon2: the world signs in nine users; password hashing is not what these tests are about.
from tests.api.conftest import ID, api, member_headers, populate  # noqa: F401 - fixtures
from tests.govern.conftest import CNIC, cheap_argon2, gate, world  # noqa: F401 - fixtures


def _get(api, path: str, **params) -> dict:
    r = api.client.get(f"/api/cases/{api.world.case}{path}", params=params, headers=member_headers(api))
    assert r.status_code == 200, r.text
    return r.json()


def _nodes(graph: dict) -> dict[str, dict]:
    return {n["data"]["id"]: n["data"] for n in graph["nodes"]}


def _resolve(engine, *clusters: list[str]) -> None:
    """What a resolution run leaves in the store: each record's cluster."""
    with engine.begin() as conn:
        run = conn.execute(insert(ResolutionRun).values(schema="Person", kind="full", backend="duckdb", actor="t",
                                                        link_threshold=0.9, model={}, stats={})).inserted_primary_key[0]
        for i, members in enumerate(clusters):
            for m in members:
                conn.execute(insert(ResolvedEntity).values(entity_id=m, cluster_id=f"c{i:031d}", schema="Person",
                                                           run_id=run))


def _attach(api, *ids: str) -> None:
    with api.world.gate.session(api.world.users["ayesha"], api.world.case, "attach") as view:
        for eid in ids:
            view.attach_subject(eid, None)


def test_records_sharing_a_cnic_are_one_node_labelled_by_the_person(api):
    w = api.world
    _attach(api, ID["mention"], ID["vehicle"])  # the FIR's "Mohd Ali Raza" (same CNIC) and the vehicle
    start = _get(api, "/graph/start")
    nodes = _nodes(start)
    people = [n for n in nodes.values() if n["schema"] == "Person"]
    assert len(people) == 1  # the NADRA record and the FIR mention: one person
    person = people[0]
    assert {r["id"] for r in person["records"]} == {w.subject, ID["mention"]}
    assert sorted(person["sources"]) == ["nadra", "police"] and person["subject"] is True
    assert person["label"] in ("ali raza", "Mohd Ali Raza")
    # The first view has its links: the vehicle's owner is that person; no "same CNIC" link to itself.
    assert [(e["data"]["relation"], e["data"]["label"]) for e in start["edges"]] == [("owner", "Owner")]
    assert {start["edges"][0]["data"]["source"], start["edges"][0]["data"]["target"]} == {person["id"], ID["vehicle"]}


def test_expanding_a_person_reads_the_links_of_all_their_records(api):
    w = api.world
    g = _get(api, "/graph/neighbours", entity=f"{w.subject},{ID['mention']}", people="true")
    nodes = _nodes(g)
    # the FIR names the mention, the vehicle and phone name the NADRA record: all one person's links
    assert {ID["fir"], ID["vehicle"], ID["phone2"]} <= set(nodes)
    assert sum(1 for n in nodes.values() if n["schema"] == "Person") == 1
    assert not any(e["data"]["relation"] == "same_cnic" for e in g["edges"])
    fir_edge = next(e["data"] for e in g["edges"] if ID["fir"] in (e["data"]["source"], e["data"]["target"]))
    assert fir_edge["relation"] == "accused" and w.subject in (fir_edge["source"], fir_edge["target"])
    # Without people=true the API answers records, as before (the entity pages use that).
    plain = _get(api, "/graph/neighbours", entity=w.subject)
    assert ID["mention"] in _nodes(plain)


def test_a_resolved_cluster_is_one_node_named_in_roman_script(api, engine):
    w = api.world
    _resolve(engine, [w.bystander, ID["urdu"]], [w.subject])
    _attach(api, w.bystander, ID["urdu"])
    nodes = _nodes(_get(api, "/graph/start"))
    people = sorted((n for n in nodes.values() if n["schema"] == "Person"), key=lambda n: len(n["records"]))
    assert len(people) == 2  # ali raza (NADRA + FIR mention), kamran iqbal (resolved with the Urdu record)
    kamran = next(n for n in people if {r["id"] for r in n["records"]} == {w.bystander, ID["urdu"]})
    assert kamran["label"] == "kamran iqbal" and kamran["label_script"] != "Arab"
    urdu = next(r for r in kamran["records"] if r["id"] == ID["urdu"])
    assert urdu["label"] == "محمد اسلم" and urdu["label_script"] == "Arab"


def test_paths_between_people_respect_the_hop_limit(api):
    w = api.world
    # plate read -> vehicle -> the person (NADRA record + FIR mention, one node) -> FIR: 3 links
    p = _get(api, "/graph/paths", a=ID["read1"], b=ID["fir"], max_hops=4, people="true")
    assert len(p["paths"]) == 1 and len(p["paths"][0]) == 4
    person = p["paths"][0][2]
    assert {r["id"] for r in _nodes(p)[person]["records"]} == {w.subject, ID["mention"]}
    assert _get(api, "/graph/paths", a=ID["read1"], b=ID["fir"], max_hops=2, people="true")["paths"] == []
    # a node given as all its records: from the person to the FIR is one link
    p = _get(api, "/graph/paths", a=f"{w.subject},{ID['mention']}", b=ID["fir"], max_hops=1, people="true")
    assert [len(x) for x in p["paths"]] == [2]


def test_details_merge_facts_with_their_sources_and_are_audited(api, engine):
    w = api.world
    d = _get(api, "/graph/details", entity=f"{w.subject},{ID['mention']}")
    assert d["schema_label"] == "Person" and d["sources"] == ["nadra", "police"]
    cnic = [f for f in d["facts"] if f["prop"] == "cnic"]
    assert cnic == [{"prop": "cnic", "label": "CNIC", "value": CNIC, "script": None,
                     "sources": ["nadra", "police"], "identifier": True}]
    assert d["facts"][0]["identifier"]  # identifiers first
    assert {f["value"] for f in d["facts"] if f["prop"] == "name"} == {"ali raza", "Mohd Ali Raza"}
    assert len(d["records"]) == 2
    with engine.connect() as conn:
        action, case_ref = conn.execute(select(AuditEntry.action, AuditEntry.case_ref)
                                        .order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert action == "read.graph.details" and case_ref == w.case
    r = api.client.get(f"/api/cases/{w.case}/graph/details", params={"entity": "0" * 32}, headers=member_headers(api))
    assert r.status_code == 404


def test_outsiders_get_no_chart(api):
    r = api.client.get(f"/api/cases/{api.world.case}/graph/start", headers=member_headers(api, "bilal"))
    assert r.status_code == 403 and "member" in r.json()["detail"]
