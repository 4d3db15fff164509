"""Case routes on populated data: subjects, entity pages, graph, timeline, map, notes, evidence."""

from __future__ import annotations

import hashlib
from datetime import UTC

import pytest

from tahqiq.govern.evidence import blob_path
from tests.api.conftest import ID, member_headers
from tests.govern.conftest import CNIC

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _get(api, path, user="ayesha", **params):
    r = api.client.get(f"/api/cases/{api.world.case}{path}", params=params, headers=member_headers(api, user))
    assert r.status_code == 200, r.text
    return r.json()


def _audit_tail(api, n=5):
    return api.world.gate.audit.records(since=0, limit=100_000)[-n:]


def test_cases_lists_mine_with_membership(api):
    r = api.client.get("/api/cases", headers=member_headers(api, "ayesha")).json()
    refs = {c["reference"]: c for c in r}
    assert refs[api.world.case]["member"] is True
    assert refs[api.world.other_case]["member"] is False  # same agency: listed, but no data
    assert refs[api.world.case]["purpose"] == "robbery investigation"


def test_subjects_with_provenance_and_audit(api):
    subjects = _get(api, "/subjects")
    assert [s["id"] for s in subjects] == [api.world.subject]
    cnic = subjects[0]["properties"]["cnic"][0]
    assert cnic["value"] == CNIC and cnic["source"] == "nadra" and cnic["record_id"]
    last = _audit_tail(api, 1)[0]
    assert (last.action, last.case, last.purpose, last.target) == (
        "read.subjects", api.world.case, "robbery investigation", api.world.subject)


def test_a_stated_purpose_is_recorded(api):
    _get(api, "/subjects", purpose="check the accused's vehicle")
    assert _audit_tail(api, 1)[0].purpose == "check the accused's vehicle"


def test_entity_page_shows_values_links_and_for_supervisors_the_viewers(api):
    page = _get(api, f"/entities/{api.world.subject}")
    assert page["entity"]["caption"] == "ali raza"
    relations = {e["data"]["relation"] for e in page["links"]["edges"]}
    assert {"owner", "same_cnic"} <= relations
    assert page["viewers"] is None and "supervisors" in page["viewers_note"]
    sup = _get(api, f"/entities/{api.world.subject}", user="sana")
    assert {v["actor"] for v in sup["viewers"]} >= {"ayesha"}
    r = api.client.get(f"/api/cases/{api.world.case}/entities/{'0' * 32}", headers=member_headers(api))
    assert r.status_code == 404


def test_neighbours_are_cytoscape_elements_and_filter_by_relation(api):
    g = _get(api, "/graph/neighbours", entity=api.world.subject)
    ids = {n["data"]["id"] for n in g["nodes"]}
    assert ids == {api.world.subject, ID["phone2"], ID["vehicle"], ID["mention"]}
    subject_node = next(n for n in g["nodes"] if n["data"]["id"] == api.world.subject)
    assert subject_node["data"]["subject"] is True and subject_node["data"]["schema"] == "Person"
    for e in g["edges"]:
        assert {"id", "source", "target", "relation"} <= set(e["data"])
    only = _get(api, "/graph/neighbours", entity=api.world.subject, relations="same_cnic")
    assert {n["data"]["id"] for n in only["nodes"]} == {api.world.subject, ID["mention"]}
    last = _audit_tail(api, 1)[0]
    assert last.action == "read.graph" and set(last.detail["ids"]) == {api.world.subject, ID["mention"]}
    r = api.client.get(f"/api/cases/{api.world.case}/graph/neighbours", params={"entity": api.world.subject,
                       "relations": "religion"}, headers=member_headers(api))
    assert r.status_code == 400 and "unknown relation" in r.json()["detail"]


def test_paths_between_two_entities(api):
    # plate read -> vehicle -> subject -> (same CNIC) FIR mention -> FIR
    p = _get(api, "/graph/paths", a=ID["read1"], b=ID["fir"])
    assert p["paths"] == [[ID["read1"], ID["vehicle"], api.world.subject, ID["mention"], ID["fir"]]]
    assert len(p["edges"]) == 4
    assert _get(api, "/graph/paths", a=ID["read1"], b=ID["fir"], max_hops=3)["paths"] == []
    assert _get(api, "/graph/paths", a=ID["read1"], b=api.world.bystander)["paths"] == []
    assert _get(api, "/graph/paths", a=ID["fir"], b=ID["fir"])["paths"] == [[ID["fir"]]]
    r = api.client.get(f"/api/cases/{api.world.case}/graph/paths", params={"a": ID["fir"], "b": "0" * 32},
                       headers=member_headers(api))
    assert r.status_code == 404 and "0" * 32 in r.json()["detail"]


def test_timeline_and_places(api):
    events = _get(api, "/timeline")
    assert [e["id"] for e in events] == [ID["read2"], ID["read1"], ID["fir"]]  # newest first
    assert events[1]["kind"] == "PlateRead" and events[1]["place"] == "Lahore" and events[1]["latitude"] == 31.5204
    geo = _get(api, "/places")
    assert geo["type"] == "FeatureCollection"
    coords = {f["id"]: f["geometry"]["coordinates"] for f in geo["features"]}
    assert coords == {ID["read1"]: [74.3587, 31.5204], ID["fir"]: [74.27, 31.47]}  # read2 has no coordinates


def test_notes_round_trip_and_are_audited_without_their_text(api):
    h = member_headers(api)
    r = api.client.post(f"/api/cases/{api.world.case}/notes", json={"body": "Vehicle seen at Kalma Chowk",
                                                                    "entity_id": ID["vehicle"]}, headers=h)
    assert r.status_code == 201
    note = r.json()
    entry = api.world.gate.audit.record(note["audit_seq"])
    assert entry.action == "note.add" and "Kalma" not in str(entry.to_dict())
    notes = _get(api, "/notes")
    assert [n["body"] for n in notes] == ["Vehicle seen at Kalma Chowk"] and notes[0]["author"] == "ayesha"
    assert _get(api, "/notes", entity=api.world.subject) == []
    r = api.client.post(f"/api/cases/{api.world.case}/notes", json={"body": "   "}, headers=h)
    assert r.status_code == 400


def test_evidence_upload_is_hashed_into_custody(api):
    h = member_headers(api)
    data = b"\x89PNG fake cctv still"
    r = api.client.post(f"/api/cases/{api.world.case}/evidence", headers=h,
                        files={"file": ("../../cctv still.png", data, "image/png")}, data={"description": "CCTV"})
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["filename"] == "cctv still.png"
    assert blob_path(item["sha256"]).read_bytes() == data
    assert api.world.gate.audit.record(item["custody_seq"]).action == "evidence.add"
    assert [e["sha256"] for e in _get(api, "/evidence")] == [item["sha256"]]
    r = api.client.post(f"/api/cases/{api.world.case}/evidence", headers=h, files={"file": ("again.png", data)})
    assert r.status_code == 400 and "already evidence" in r.json()["detail"]


def test_attach_subject(api):
    h = member_headers(api)
    r = api.client.post(f"/api/cases/{api.world.case}/subjects", json={"entity_id": ID["vehicle"]}, headers=h)
    assert r.status_code == 201 and r.json()["id"] == ID["vehicle"]
    assert {s["id"] for s in _get(api, "/subjects")} == {api.world.subject, ID["vehicle"]}
    r = api.client.post(f"/api/cases/{api.world.case}/subjects", json={"entity_id": "x" * 32}, headers=h)
    assert r.status_code == 400


def test_entity_page_explains_what_it_was_resolved_from(api):
    from tahqiq.store.tables import MatchLink, ResolutionRun, ResolvedEntity

    w, engine = api.world, api.world.gate.engine
    with engine.begin() as conn:
        run = conn.execute(ResolutionRun.__table__.insert().values(**_run_row(ResolutionRun))).inserted_primary_key[0]
        for eid in (w.subject, ID["mention"]):
            conn.execute(ResolvedEntity.__table__.insert().values(entity_id=eid, cluster_id="c" * 32, schema="Person",
                                                                  run_id=run))
        left, right = sorted((w.subject, ID["mention"]))
        conn.execute(MatchLink.__table__.insert().values(
            run_id=run, left_id=left, right_id=right, match_weight=9.5, match_probability=0.998, status="link",
            fields=[{"field": "cnic", "level": "exact", "bayes_factor": 512.0},
                    {"field": "name", "level": "canonical key", "bayes_factor": 2.0}]))
    page = _get(api, f"/entities/{w.subject}")
    resolved = page["resolved"]
    assert {m["id"] for m in resolved["members"]} == {w.subject, ID["mention"]}
    (link,) = resolved["links"]
    assert link["source"] == "model" and link["probability"] == 0.998
    assert [(f["field"], f["log2_bayes_factor"]) for f in link["fields"]] == [("cnic", 9.0), ("name", 1.0)]
    # An analyst splits the pair, with a reason; the explanation then shows the decision.
    r = api.client.post(f"/api/cases/{w.case}/resolution/decide", headers=member_headers(api),
                        json={"left_id": w.subject, "right_id": ID["mention"], "decision": "split",
                              "reason": "different fathers on the FIR"})
    assert r.status_code == 201, r.text
    links = _get(api, f"/entities/{w.subject}")["resolved"]["links"]
    analyst = next(x for x in links if x["source"] == "analyst")
    assert analyst["status"] == "split" and analyst["match_weight"] is None


def _run_row(table) -> dict:
    """Values for the required columns of a resolution run (whatever the resolution module adds)."""
    from datetime import datetime

    values = {}
    for col in table.__table__.columns:
        if col.primary_key or col.nullable or col.default is not None or col.server_default is not None:
            continue
        values[col.name] = (datetime.now(UTC) if "time" in str(col.type).lower()
                            else 0 if "int" in str(col.type).lower() or "float" in str(col.type).lower() else "test")
    return values
