"""/api/networks: scam campaigns clustered from Complaint entities in the store, a case opened from one,
and a transaction-network alert's accounts attached to a case: each route behind the gate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from tahqiq.alerts import AlertDesk
from tahqiq.alerts.tables import Alert
from tahqiq.govern import SYSTEM
from tahqiq.networks.service import cluster_in_store
from tests.api.conftest import member_headers
from tests.govern.conftest import add_entity

IBAN = "PK36SCBL0000001123456702"
MULE = "PK11HABB0000009988776655"


def complaint(n: int, district: str, **values: str) -> tuple[str, dict[str, list[str]]]:
    props = {"complaintNumber": [f"CC-2026-{n:04d}"], "reportedAt": [f"2026-03-{n % 27 + 1:02d}T10:00:00+05:00"],
             "district": [district], "amountLost": [str(10_000 * n)]}
    props.update({k: [v] for k, v in values.items()})
    return f"c{n:031d}", props


@pytest.fixture
def nets(api, engine):
    """Seven campaigns of two complaints (one shared phone each, in Lahore or Multan) and one of three
    joined by an IBAN, with the bank account the IBAN names; clustered by the SYSTEM job."""
    rows = [complaint(100, "Lahore", suspectIban=IBAN), complaint(101, "Lahore", suspectIban=IBAN),
            complaint(102, "Multan", suspectIban=IBAN)]
    for i in range(7):
        phone = f"+9230012345{i:02d}"
        rows += [complaint(10 + 2 * i, "Multan" if i % 2 else "Lahore", suspectPhone=phone),
                 complaint(11 + 2 * i, "Lahore", suspectPhone=phone)]
    with engine.begin() as conn:
        for eid, props in rows:
            add_entity(conn, eid, "Complaint", "police", props, batch=5)
        add_entity(conn, "b" + "0" * 30 + "1", "BankAccount", "police", {"iban": [IBAN]}, batch=5)
        alert_id = conn.execute(insert(Alert).values(
            dedupe_key="k" * 64, rule_id="networks.fan_in", severity="high", district="Lahore", status="new",
            created_at=datetime.now(UTC), title="Fan-in: 1 accounts paid into PK..6702", key_kind="iban",
            evidence={"network": {"typology": "fan_in", "accounts": [IBAN, MULE], "reason": "r",
                                  "features": {"senders": 1.0}, "transactions": []}})).inserted_primary_key[0]
    desk = AlertDesk(api.world.gate)
    for analyst in ("ayesha", "bilal"):  # both staff Lahore's control room; only ayesha is in the case
        desk.route(api.world.users["sana"], analyst, "Lahore")
    with api.world.gate.scope(SYSTEM, "campaign clustering job") as job:
        run = cluster_in_store(job)
    assert run.campaigns == 8
    return alert_id


def test_signed_out_is_401_on_every_route(api, nets):
    c = api.client
    assert c.get("/api/networks/campaigns").status_code == 401
    assert c.get("/api/networks/campaigns/CMP-x").status_code == 401
    assert c.post("/api/networks/campaigns/CMP-x/case", json={}).status_code == 401
    assert c.post(f"/api/networks/alerts/{nets}/case", json={"case": "X"}).status_code == 401


def test_pages_filter_sort_and_404(api, nets):
    h = member_headers(api, "ayesha")
    first = api.client.get("/api/networks/campaigns?limit=3", headers=h).json()
    assert first["total"] == 8 and len(first["items"]) == 3 and first["items"][0]["complaints"] == 3
    assert first["items"][0]["districts"] == {"Lahore": 2, "Multan": 1}
    assert first["items"][0]["total_lost_text"] == "30,30,000" and first["run_at"].endswith(("Z", "+00:00"))
    rest = api.client.get("/api/networks/campaigns?limit=3&offset=6", headers=h).json()
    assert len(rest["items"]) == 2 and not {i["id"] for i in rest["items"]} & {i["id"] for i in first["items"]}
    multan = api.client.get("/api/networks/campaigns?district=Multan", headers=h).json()
    assert multan["total"] == 4 and all("Multan" in i["districts"] for i in multan["items"])
    lost = api.client.get("/api/networks/campaigns?sort=total_lost&limit=1", headers=h).json()["items"][0]
    assert lost["complaints"] == 3
    for bad in ("limit=0", "limit=201", "offset=-1", "sort=name", "offset=99999999999999999999"):
        assert api.client.get(f"/api/networks/campaigns?{bad}", headers=h).status_code == 422, bad
    assert api.client.get("/api/networks/campaigns/CMP-nope", headers=h).status_code == 404
    assert api.client.get("/api/networks/campaigns/" + "x" * 40, headers=h).status_code == 422
    one = api.client.get(f"/api/networks/campaigns/{first['items'][0]['id']}", headers=h)
    assert one.status_code == 200, one.text
    body = one.json()
    assert [t["complaint"] for t in body["timeline"]] == ["CC-2026-0100", "CC-2026-0101", "CC-2026-0102"]
    assert body["values"]["iban"] == [{"kind": "iban", "value": IBAN, "complaints": 3}]
    assert len(body["complaint_entities"]) == 3


def test_auditor_refused_and_open_case_needs_a_supervisor(api, nets):
    top = api.client.get("/api/networks/campaigns?limit=1", headers=member_headers(api, "sana")).json()["items"][0]
    assert api.client.get("/api/networks/campaigns", headers=member_headers(api, "irfan")).status_code == 403
    case = {"reference": "CASE-2026-0900", "basis_kind": "fir", "basis_ref": "88/2026 PS Gulberg",
            "authorising_officer": "SP Cyber Crime", "purpose": "scam campaign by one IBAN"}
    path = f"/api/networks/campaigns/{top['id']}/case"
    assert api.client.post(path, json=case, headers=member_headers(api, "ayesha")).status_code == 403
    assert api.client.post(path, json={**case, "basis_kind": "hunch"}, headers=member_headers(api, "sana")
                           ).status_code == 422
    assert api.client.post("/api/networks/campaigns/CMP-nope/case", json=case,
                           headers=member_headers(api, "sana")).status_code == 404
    opened = api.client.post(path, json=case, headers=member_headers(api, "sana"))
    assert opened.status_code == 201, opened.text
    subjects = api.client.get("/api/cases/CASE-2026-0900/subjects", headers=member_headers(api, "sana")).json()
    assert sorted(s["schema"] for s in subjects) == ["BankAccount", "Complaint", "Complaint", "Complaint"]


def test_attach_alert_needs_membership_of_the_case(api, nets):
    w = api.world
    path = f"/api/networks/alerts/{nets}/case"
    outsider = api.client.post(path, json={"case": w.case}, headers=member_headers(api, "bilal"))
    assert outsider.status_code == 403, outsider.text
    foreign = api.client.post(path, json={"case": w.case}, headers=member_headers(api, "farah"))
    assert foreign.status_code == 403
    assert api.client.post("/api/networks/alerts/999999/case", json={"case": w.case},
                           headers=member_headers(api, "sana")).status_code == 404
    done = api.client.post(path, json={"case": w.case}, headers=member_headers(api, "ayesha"))
    assert done.status_code == 200, done.text
    assert done.json()["entities"] == ["b" + "0" * 30 + "1"]
