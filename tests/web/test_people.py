"""People, not records: an analyst searches a name typed in Urdu and sees one card per person with
their sources; the page of a wanted person shows what the other records of the same person say (the
birth date only the NADRA record gives) and the warrant, linked. The site (tests/web/seed.py) is
resolved by a real resolution run, so the clusters are the ones Splink made."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import login, shot
from tests.web.seed import CASE

pytestmark = pytest.mark.timeout(120)


def _cards_of(page, *ids: str):
    links = ", ".join(f'a[href*="/entities/{i}"]' for i in ids)
    return page.get_by_test_id("person-card").filter(has=page.locator(links))


def test_urdu_name_search_shows_one_card_per_person_with_sources(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    page.get_by_label("Name (any script), CNIC, phone, plate or account").fill(site.wanted_urdu_name)
    page.get_by_role("button", name="Search").click()
    summary = page.get_by_test_id("result-summary").inner_text()
    people = int(page.get_by_test_id("people-count").inner_text())
    records = int(page.get_by_test_id("hit-count").inner_text())
    assert re.search(rf"\b{people} (person|people) · {records} records?\b", summary), summary
    assert 1 <= people <= records
    # The wanted person's records (wanted list, NADRA, ...) are one card, not one row each.
    card = _cards_of(page, site.wanted, site.wanted_nadra)
    assert card.count() == 1
    sources = card.get_by_test_id("card-sources").inner_text()
    assert "Police wanted list" in sources and "NADRA ID registry extract" in sources
    assert card.get_by_text(site.wanted_birth_date).is_visible()  # what tells namesakes apart
    # No person is split over two cards.
    clusters = [c for c in page.get_by_test_id("person-card").evaluate_all("cs => cs.map(c => c.dataset.cluster)") if c]
    assert len(clusters) == len(set(clusters))
    # The Urdu name renders right to left in Nastaliq, in the box and on the cards.
    urdu = card.locator('bdi[lang="ur"]').first
    assert urdu.get_attribute("dir") == "rtl"
    assert "Nastaliq" in urdu.evaluate("e => getComputedStyle(e).fontFamily")
    assert page.get_by_test_id("facets").is_visible()
    assert page.js_errors == []
    shot(page, "people-01-search-urdu")


def test_facets_and_pages(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}/search?q=Muhammad")
    people = int(page.get_by_test_id("people-count").inner_text())
    assert people > 20  # a common name: more than one page
    pages = -(-people // 20)
    assert page.get_by_test_id("pager").get_by_text(f"Page 1 of {pages}").is_visible()
    assert page.get_by_test_id("person-card").count() == 20
    page.get_by_test_id("pager").get_by_role("link", name="Next").click()
    assert page.get_by_test_id("pager").get_by_text(f"Page 2 of {pages}").is_visible()
    # The kind facet: only people with a warrant record.
    facet = page.get_by_test_id("facet-schema").filter(has_text="Warrant")
    count = int(facet.locator(".count").inner_text())
    facet.click()
    assert int(page.get_by_test_id("people-count").inner_text()) == count
    assert page.get_by_test_id("person-card").count() == min(count, 20)
    shot(page, "people-02-search-facet")


def test_wanted_person_page_merges_the_cluster_and_links_the_warrant(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}/entities/{site.wanted}")
    assert page.get_by_test_id("wanted-badge").is_visible()
    # The warrant, at the top, linked.
    legal = page.get_by_test_id("legal")
    warrant = legal.locator(f'a[href*="/entities/{site.warrant}"]')
    assert warrant.is_visible() and site.warrant_number in warrant.inner_text()
    # The birth date comes from the NADRA record of the same person, and says so.
    row = page.get_by_test_id("values").locator('tr[data-prop="birthDate"]')
    assert site.wanted_birth_date in row.inner_text() and "NADRA ID registry extract" in row.inner_text()
    # The source records below, and the reasons behind the cluster folded away.
    records = page.get_by_test_id("records")
    assert records.locator(f'a[href*="/entities/{site.wanted_nadra}"]').count() == 1
    why = page.get_by_test_id("resolution")
    assert not why.get_by_test_id("waterfall").first.is_visible()
    # No hash as a label anywhere on the page.
    text = page.locator("main").inner_text()
    found = re.search(r"\b[0-9a-f]{32}\b", text) or re.search(r"\b[0-9a-f]{10,}…", text)
    assert found is None, text[max(0, found.start() - 200): found.end() + 50]
    shot(page, "people-03-wanted-person")
    why.locator("summary").click()
    assert why.get_by_test_id("waterfall").first.is_visible()
    shot(page, "people-04-why-same-person")
    warrant.click()
    assert site.warrant_number in page.locator("h1").inner_text()
    assert page.js_errors == []
