"""Oversight in the browser: an auditor finds an analyst's name search by the other script's
spelling and a phone search by a differently written number, reads who did what in plain words,
pages, narrows by dates and downloads the result as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select

from tahqiq.config import local_zone
from tahqiq.names import name_key
from tahqiq.store.tables import Statement
from tests.web.conftest import login, shot
from tests.web.seed import CASE


def _roman_name_and_phone(site) -> tuple[str, str]:
    with site.engine.connect() as conn:
        roman = conn.execute(select(Statement.value).where(
            Statement.entity_id == site.wanted_nadra, Statement.prop == "name",
            (Statement.script != "Arab") | Statement.script.is_(None))).scalar()
        phone = conn.execute(select(Statement.value).where(Statement.schema == "Phone", Statement.prop == "number")
                             .order_by(Statement.id).limit(1)).scalar()
    assert roman and phone and phone.startswith("+92")
    return roman, phone


def test_auditor_finds_searches_by_the_other_script_and_another_phone_format(page, site):
    roman, phone = _roman_name_and_phone(site)
    urdu = site.wanted_urdu_name
    assert name_key(roman) == name_key(urdu)  # search takes them as one name: so must oversight
    local = "0" + phone[3:6] + "-" + phone[6:]  # +923001234567 -> 0300-1234567
    international = phone[1:]  # 923001234567

    login(page, "ayesha", next_url=f"/cases/{CASE}")
    for q in (roman, local):
        page.goto(f"/cases/{CASE}/search?q={q}")
        page.wait_for_load_state("networkidle")
    page.context.clear_cookies()

    login(page, "irfan", next_url="/oversight")
    page.get_by_label("Kind of value").select_option("name")
    page.get_by_label("Searched value").fill(urdu)
    page.get_by_role("button", name="Filter").click()
    log = page.get_by_test_id("audit-log")
    rows = log.locator("tbody tr.ov-matched")
    assert rows.count() >= 1
    first = rows.first
    assert "searched for a name" in first.get_by_test_id("what").inner_text()
    assert "Ayesha" in first.inner_text() or "ayesha" in first.inner_text()
    assert CASE in first.inner_text()
    text = log.inner_text()
    assert "#" not in first.get_by_test_id("what").inner_text()  # no hash as a label
    assert roman not in text and urdu not in text  # the log never held the value
    zone = datetime.now(local_zone()).tzname()
    assert f"time ({zone})".lower() in log.locator("thead").inner_text().lower()
    shot(page, "oversight-name-lookup")

    page.get_by_label("Kind of value").select_option("phone")
    page.get_by_label("Searched value").fill(international)
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("audit-log").locator("tbody tr.ov-matched")
    assert rows.count() >= 1
    assert "searched for a phone number" in rows.first.get_by_test_id("what").inner_text()
    assert "entr" in page.get_by_test_id("audit-count").inner_text()

    # The CSV of the filtered result: the same entries, in words, with local times.
    with page.expect_download() as dl:
        page.get_by_test_id("audit-csv").click()
    body = open(dl.value.path(), encoding="utf-8-sig").read()
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][:3] == ["Entry", "Time", "User"] and len(table) - 1 == rows.count()
    assert all("searched for a phone number" in r[6] and r[1].endswith(zone) for r in table[1:])
    assert all("phone" in r[11].split() for r in table[1:])  # what was searched, by kind (never the value)
    assert not any(c.startswith(("=", "+", "-", "@")) for r in table for c in r)  # no cell runs as a formula
    assert page.js_errors == []


def test_records_are_named_and_each_one_leads_to_who_read_it(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}/entities/{site.subject}")
    page.context.clear_cookies()
    login(page, "irfan", next_url="/oversight?actor=ayesha&action=read.*")
    log = page.get_by_test_id("audit-log")
    links = log.get_by_test_id("record-link")
    assert links.count() >= 1
    labels = [links.nth(i).inner_text() for i in range(min(links.count(), 20))]
    assert all(site.subject not in lab and not lab.strip().isalnum() or " " in lab for lab in labels)
    assert site.subject not in log.inner_text()  # ids are links, never labels
    links.first.click()
    page.wait_for_load_state("networkidle")
    assert "Who read this record" in page.get_by_test_id("record-filter").inner_text()
    assert page.get_by_test_id("audit-log").locator("tbody tr").count() >= 1
    shot(page, "oversight-record-trail")


def test_pages_and_dates(page, site):
    login(page, "irfan", next_url="/oversight?size=25")
    pages = page.get_by_test_id("audit-pages")
    assert "Page 1 of" in pages.inner_text()
    first_seq = page.locator("[data-testid=audit-log] tbody tr").first.get_attribute("data-seq")
    pages.get_by_role("link", name="Next").click()
    assert "Page 2 of" in page.get_by_test_id("audit-pages").inner_text()
    assert int(page.locator("[data-testid=audit-log] tbody tr").first.get_attribute("data-seq")) < int(first_seq)
    page.get_by_label("From", exact=False).first.fill("2001-01-01")
    page.get_by_label("To", exact=False).first.fill("2001-01-31")
    page.get_by_role("button", name="Filter").click()
    assert "0 entries match" in page.get_by_test_id("audit-count").inner_text()
    shot(page, "oversight-dates")
