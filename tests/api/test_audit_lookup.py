"""The oversight API: look-ups by a searched value in any form (a name in either script, a phone
in any format), the log told as facts (users' names, records by caption, never an id as a label),
dates, pages and the CSV download (safe against spreadsheet formulas)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.conftest import INJECTION, member_headers
from tests.govern.conftest import CNIC

sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _search(api, q):
    r = api.client.get(f"/api/cases/{api.world.case}/search", params={"q": q}, headers=member_headers(api))
    assert r.status_code == 200, r.text


@sqlite_only
def test_a_name_searched_in_urdu_is_found_by_its_roman_spelling_and_a_phone_in_any_format(api):
    auditor = member_headers(api, "irfan")
    size = api.world.gate.audit.size()
    _search(api, "محمد اسلم")
    _search(api, "0300-1234567")
    for prop, value in (("name", "Muhammad Aslam"), ("name", "Mohd Aslam"), ("any", "muhammad aslam"),
                        ("phone", "+92 300 1234567"), ("phone", "923001234567"), ("any", "03001234567")):
        r = api.client.get("/api/audit", params={"prop": prop, "value": value}, headers=auditor)
        assert r.status_code == 200, r.text
        found = r.json()
        assert len(found) == 1 and found[0]["seq"] >= size and found[0]["actor"] == "ayesha", (prop, value)
        assert r.headers["X-Total-Count"] == "1"
    bad = api.client.get("/api/audit", params={"prop": "phone", "value": "12"}, headers=auditor)
    assert bad.status_code == 400 and "12" not in bad.json()["detail"]


@sqlite_only
def test_entries_are_told_as_facts_with_names_not_ids(api):
    auditor = member_headers(api, "irfan")
    r = api.client.get(f"/api/cases/{api.world.case}/entities/{api.world.subject}", headers=member_headers(api))
    assert r.status_code == 200
    _search(api, CNIC)
    page = api.client.get("/api/audit/entries", params={"actor": "ayesha", "limit": 10}, headers=auditor).json()
    assert page["total"] >= 2 and page["total_exact"] is True
    search = next(e for e in page["entries"] if e["action"] == "read.search")
    assert search["searched"] == ["cnic"]
    opened = next(e for e in page["entries"] if e["entities"] and e["action"].startswith("read."))
    ref = next(x for x in opened["entities"] if x["id"] == api.world.subject)
    assert ref["caption"] == "ali raza" and ref["kind"] == "Person" and ref["source"] == "nadra"
    # Naming the records was itself an audited read, by the auditor.
    names = api.client.get("/api/audit", params={"actor": "irfan", "action": "audit.names"}, headers=auditor).json()
    assert names and api.world.subject in names[0]["detail"]["ids"]
    matched = api.client.get("/api/audit/entries", params={"prop": "cnic", "value": CNIC.replace("-", "")},
                             headers=auditor).json()
    assert [e["matched"] for e in matched["entries"]] == [True]


@sqlite_only
def test_pages_dates_and_the_csv(api):
    auditor = member_headers(api, "irfan")
    for _ in range(5):
        _search(api, CNIC)
    one = api.client.get("/api/audit/entries", params={"prop": "cnic", "value": CNIC, "limit": 2,
                                                      "offset": 2}, headers=auditor).json()
    assert one["total"] == 5 and len(one["entries"]) == 2
    none = api.client.get("/api/audit", params={"date_from": "2001-01-01", "date_to": "2001-12-31"},
                          headers=auditor)
    assert none.json() == [] and none.headers["X-Total-Count"] == "0"
    assert api.client.get("/api/audit", params={"date_from": "yesterday"}, headers=auditor).status_code == 400
    assert api.client.get("/api/audit", params={"date_from": "2026-02-02", "date_to": "2026-02-01"},
                          headers=auditor).status_code == 400
    res = api.client.get("/api/audit/export.csv", params={"prop": "cnic", "value": CNIC}, headers=auditor)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.text)))
    assert len(rows) == 5 and all(r["action"] == "read.search" and r["searched"] == "cnic" for r in rows)
    assert all(r["time"][-6:] == "+05:00" for r in rows)  # local time with its offset, never bare UTC
    assert CNIC not in res.text
    assert api.client.get("/api/audit/export.csv", headers=member_headers(api, "ayesha")).status_code == 403


@sqlite_only
def test_csv_cells_cannot_run_as_formulas(api):
    auditor = member_headers(api, "irfan")
    r = api.client.get(f"/api/cases/{api.world.case}/entities/{api.world.ids['urdu']}",
                       headers=member_headers(api), params={"purpose": INJECTION})
    assert r.status_code == 200
    res = api.client.get("/api/audit/export.csv", params={"actor": "ayesha"}, headers=auditor)
    cells = [c for row in csv.reader(io.StringIO(res.text)) for c in row]
    assert any(INJECTION in c for c in cells)
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
