"""Saved link charts: saved under the case as an audited write, listed, reopened whole (an audited
read naming the entities drawn), refused to outsiders; through the real app, gate and store."""

from __future__ import annotations

from sqlalchemy import select

from tahqiq.govern.tables import AuditEntry

# cheap_argon2: the world signs in nine users; password hashing is not what these tests are about.
from tests.api.conftest import ID, api, member_headers, populate  # noqa: F401 - fixtures
from tests.govern.conftest import cheap_argon2, gate, world  # noqa: F401 - fixtures


def _chart(api) -> dict:
    w = api.world
    return {"title": "Owner and vehicle", "body": {
        "nodes": [{"data": {"id": w.subject, "label": "ali raza",
                            "records": [{"id": w.subject}, {"id": ID["mention"]}]}, "position": {"x": 10, "y": 20}},
                  {"data": {"id": ID["vehicle"], "label": "LEA-1234"}, "position": {"x": 200, "y": 20}}],
        "edges": [{"data": {"id": "x", "source": ID["vehicle"], "target": w.subject, "relation": "owner"}}],
        "split": [], "annotations": {w.subject: "seen at Kalma Chowk twice ", ID["vehicle"]: "  "},
        "hops": 3, "ignored": "dropped"}}


def test_save_list_and_reopen_a_chart(api, engine):
    w, h = api.world, member_headers(api)
    base = f"/api/cases/{w.case}/charts"
    r = api.client.post(base, json=_chart(api), headers=h)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["title"] == "Owner and vehicle" and saved["nodes"] == 2 and saved["annotations"] == 1
    listed = api.client.get(base, headers=h).json()
    assert [(c["id"], c["author"]) for c in listed] == [(saved["id"], "ayesha")]
    chart = api.client.get(f"{base}/{saved['id']}", headers=h).json()
    assert chart["body"]["annotations"] == {w.subject: "seen at Kalma Chowk twice"}  # blanks dropped, trimmed
    assert chart["body"]["nodes"][0]["position"] == {"x": 10, "y": 20} and chart["body"]["hops"] == 3
    assert "ignored" not in chart["body"]
    with engine.connect() as conn:
        rows = conn.execute(select(AuditEntry.action, AuditEntry.case_ref, AuditEntry.entry)
                            .where(AuditEntry.action.in_(["chart.save", "read.chart"])).order_by(AuditEntry.seq)).all()
    assert [(a, c) for a, c, _ in rows] == [("chart.save", w.case), ("read.chart", w.case)]
    assert "Kalma" not in rows[0][2] and "Owner and vehicle" not in rows[0][2]  # the analyst's words stay in the case
    assert ID["mention"] in rows[1][2]  # reopening names the records drawn
    assert api.client.get(f"{base}/{saved['id'] + 99}", headers=h).status_code == 404


def test_charts_are_refused_outside_the_case_and_checked(api):
    w = api.world
    base = f"/api/cases/{w.case}/charts"
    assert api.client.post(base, json=_chart(api), headers=member_headers(api, "bilal")).status_code == 403
    bad = _chart(api)
    bad["body"]["annotations"] = {w.subject: "x" * 3000}
    r = api.client.post(base, json=bad, headers=member_headers(api))
    assert r.status_code == 400 and "at most" in r.json()["detail"]
    # A session cookie without the CSRF token cannot save.
    api.login("ayesha")
    assert api.client.post(base, json=_chart(api)).status_code == 403
