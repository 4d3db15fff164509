"""The campaign list and page, and a transaction-network alert's subgraph, in headless Chromium over the
site's generated complaints and transactions (clustered by the SYSTEM job, as `tahqiq networks` does)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from tahqiq.alerts import write_alerts
from tahqiq.alerts.network_alerts import hit_detections
from tahqiq.govern import SYSTEM
from tahqiq.networks import Hit
from tahqiq.networks.service import cluster_in_store
from tests.web.conftest import login, shot
from tests.web.seed import plate_reads

CENTRE, A, B = "PK36SCBL0000001123456702", "PK11HABB0000009988776655", "PK02MEZN0000000011223344"


@pytest.fixture(scope="module")
def nets(site):
    with site.gate.scope(SYSTEM, "campaign clustering job") as job:
        run = cluster_in_store(job)
    assert run.campaigns >= 3, "the generated complaints should form campaigns"
    hit = Hit("fan_in", (CENTRE, A, B), ("TX1", "TX2"), 1_772_000_000, 1_772_050_000, 341_000.0, 1.0,
              {"senders": 2.0, "share_sent_on": 0.95}, "2 accounts paid 3,41,000 PKR into PK..6702 within 14 hours")
    rows = {"TX1": {"ts": 1_772_000_000, "payer": A, "payee": CENTRE, "amount": 141_000.0, "channel": "ibft"},
            "TX2": {"ts": 1_772_050_000, "payer": B, "payee": CENTRE, "amount": 200_000.0, "channel": "raast"}}
    district = sorted({r["district"] for r in plate_reads(site)})[0]  # routed to ayesha's control room
    detection = dataclasses.replace(hit_detections([hit], rows)[0], district=district)
    with site.engine.begin() as conn:
        write_alerts(conn, [detection])
        alert_id = conn.exec_driver_sql("SELECT max(id) FROM alerts WHERE rule_id = 'networks.fan_in'").scalar()
    return run, alert_id


def keep(page, name: str) -> None:
    shot(page, name)  # test-artifacts/screenshots/


def test_campaign_list_pages_and_campaign_page(page, nets):
    login(page, "ayesha", next_url="/networks?per_page=2")
    assert page.get_by_test_id("nav-networks").is_visible()
    rows = page.locator("[data-campaign]")
    assert rows.count() == 2
    assert re.search(r"Page 1 of \d+", page.locator("[data-pageinfo]").inner_text())
    period = page.locator("td.period").first.inner_text()
    assert "PKT" in period and "+05:00" in page.locator("td.period span").first.get_attribute("title")
    keep(page, "networks-list")
    first_ids = rows.evaluate_all("rs => rs.map(r => r.dataset.campaign)")
    page.locator("a[rel=next]").click()
    assert "page=2" in page.url and not set(first_ids) & set(
        page.locator("[data-campaign]").evaluate_all("rs => rs.map(r => r.dataset.campaign)"))
    page.goto("/networks?per_page=2")
    page.locator("[data-campaign] a").first.click()
    assert page.get_by_test_id("timeline").locator("[data-week]").count() >= 1
    assert page.get_by_test_id("districts").locator("[data-district]").count() >= 1
    assert page.get_by_test_id("values").locator("[data-kind] tbody tr").count() >= 1
    assert page.get_by_test_id("joins").locator("li").count() >= 1
    # The site's 300-person world may hold no transfers of a campaign's IBANs: then the page says so.
    money = page.get_by_test_id("money").inner_text()
    assert "PKR" in money or "No transactions of the campaign's bank accounts" in money
    assert "PKR reported lost" in page.get_by_test_id("campaign-period").inner_text()
    assert page.get_by_test_id("case-needs-supervisor").is_visible()  # an analyst cannot open a case
    keep(page, "networks-campaign")
    assert not page.js_errors


def test_supervisor_opens_a_case_from_a_campaign(page, nets):
    login(page, "sana", next_url="/networks")
    page.locator("[data-campaign] a").first.click()
    form = page.get_by_test_id("case-form")
    form.locator("[name=reference]").fill("CASE-2026-0777")
    form.locator("[name=basis_ref]").fill("91/2026 PS Cyber Lahore")
    form.locator("[name=authorising_officer]").fill("SP Cyber Crime")
    form.locator("[name=purpose]").fill("scam campaign: one set of phones")
    form.get_by_role("button", name="Open the case").click()
    opened = page.get_by_test_id("case-opened")
    opened.wait_for()
    assert "CASE-2026-0777" in opened.inner_text()
    keep(page, "networks-case-opened")


def test_alert_subgraph_and_urdu(page, nets, site):
    _run, alert_id = nets
    login(page, "ayesha", next_url=f"/networks/alerts/{alert_id}")
    sub = page.get_by_test_id("subgraph")
    assert "3,41,000 PKR" in sub.inner_text()
    page.wait_for_function("document.getElementById('subgraph').dataset.edges === '2'")
    table = page.get_by_test_id("subgraph-transfers").inner_text()
    assert "1,41,000" in table and "2,00,000" in table and "PKT" in table
    assert "share sent on" in page.get_by_test_id("features").inner_text()
    keep(page, "networks-alert")
    page.get_by_role("button", name="Add to case").click()
    page.get_by_test_id("attach-problem").or_(page.get_by_test_id("attached")).wait_for()
    page.goto(f"/language/ur?next=/networks/alerts/{alert_id}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    keep(page, "networks-alert-ur")
    page.goto("/networks")
    keep(page, "networks-list-ur")
    assert not [e for e in page.js_errors if "403" not in e]
