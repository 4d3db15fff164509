"""Case exports: followthemoney lines round-trip, GraphML parses, CSV injection is neutralised, the
HTML report escapes and shows Urdu right to left, the PDF prints; each export is audited."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import networkx as nx
import pytest

from tahqiq.api.exports import chromium_path, csv_safe
from tahqiq.model.ftm import from_ftm
from tests.api.conftest import ID, INJECTION, member_headers
from tests.govern.conftest import CNIC

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def _export(api, fmt, user="ayesha"):
    # The Urdu person joins the case so that the injection attempt is in the export.
    api.client.post(f"/api/cases/{api.world.case}/subjects", json={"entity_id": ID["urdu"]},
                    headers=member_headers(api, user))
    r = api.client.get(f"/api/cases/{api.world.case}/export/{fmt}", headers=member_headers(api, user))
    assert r.status_code == 200, r.text
    entry = api.world.gate.audit.record(int(r.headers["x-tahqiq-audit-seq"]))
    assert (entry.action, entry.target, entry.case) == ("export", fmt, api.world.case)
    assert entry.detail["sha256"] == hashlib.sha256(r.content).hexdigest()
    assert api.world.subject in entry.detail["ids"]
    assert f'filename="{api.world.case}.' in r.headers["content-disposition"]
    return r


def test_ftm_lines_round_trip(api):
    r = _export(api, "ftm")
    lines = [json.loads(x) for x in r.text.splitlines()]
    by_id = {x["id"]: x for x in lines}
    assert {api.world.subject, ID["vehicle"], ID["phone2"], ID["mention"], ID["urdu"]} <= set(by_id)
    schema, props = from_ftm(by_id[api.world.subject])
    assert schema.name == "Person" and props["cnic"] == [CNIC] and props["name"] == ["ali raza"]
    assert by_id[api.world.subject]["schema"] == "Person"
    assert by_id[api.world.subject]["properties"]["idNumber"] == [CNIC]


def test_graphml_parses_with_networkx(api):
    r = _export(api, "graphml")
    g = nx.read_graphml(io.BytesIO(r.content))
    assert g.nodes[api.world.subject]["schema"] == "Person" and g.nodes[api.world.subject]["subject"] is True
    assert g.nodes[ID["urdu"]]["label"] == "محمد اسلم"
    relations = {d["relation"] for _, _, d in g.edges(data=True)}
    assert {"owner", "same_cnic"} <= relations
    assert g.has_edge(ID["vehicle"], api.world.subject)  # vehicle --owner--> person


def test_csv_neutralises_formula_injection(api):
    r = _export(api, "csv")
    text = r.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    alias = next(row for row in rows if row["property"] == "alias")
    assert alias["value"] == "'" + INJECTION
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    assert any(row["value"] == CNIC and row["source"] == "nadra" for row in rows)
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert csv_safe(dangerous) == "'" + dangerous
    assert csv_safe("ali") == "ali" and csv_safe(None) == ""


def test_html_report_escapes_and_marks_urdu(api):
    api.client.post(f"/api/cases/{api.world.case}/notes", json={"body": "<script>alert(1)</script> seen"},
                    headers=member_headers(api))
    r = _export(api, "html")
    assert r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "Case report CASE-2026-0001" in html and "123/2026 PS Model Town" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert '<bdi lang="ur" dir="rtl">محمد اسلم</bdi>' in html
    # No external resources (the SVG namespace is a name, not a fetch; the injection is escaped text).
    assert "http://" not in html.replace("http://evil.example", "").replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in html


def test_unknown_format_is_422(api):
    r = api.client.get(f"/api/cases/{api.world.case}/export/xlsx", headers=member_headers(api))
    assert r.status_code == 422 and "ftm" in r.text


@pytest.mark.skipif(chromium_path() is None, reason="no Chromium at /usr/bin/chromium")
def test_pdf_report(api):
    r = _export(api, "pdf")
    assert r.content.startswith(b"%PDF-") and len(r.content) > 2000


def test_pdf_without_chromium_is_a_clear_503(api, monkeypatch):
    from tahqiq.api import exports

    monkeypatch.setattr(exports, "chromium_path", lambda: None)
    r = api.client.get(f"/api/cases/{api.world.case}/export/pdf", headers=member_headers(api))
    assert r.status_code == 503 and "chromium" in r.json()["detail"].lower()
