"""The event trends page in headless Chromium: a generated ACLED file loaded into the site's store, the
weekly chart (server-drawn SVG with its table), the district map on the offline basemap, the paginated
totals, the filters, Urdu laid out right to left (the chart's time axis mirrored), and who may see it.

Screenshots go to test-artifacts/screenshots/ (osint-trends-en.png, osint-trends-ur.png, ...)."""

from __future__ import annotations

import re

import pytest

from tahqiq.generate.acled import write_acled
from tahqiq.govern import SYSTEM
from tahqiq.intel.osint_store import load_trends
from tahqiq.web import i18n
from tests.web.conftest import login, shot

pytestmark = pytest.mark.timeout(180)
WEEKS = 20


@pytest.fixture(scope="module")
def trends(site, tmp_path_factory):
    """The site's store with two datasets: 1,500 generated events and one of a district not in the list."""
    folder = tmp_path_factory.mktemp("acled")
    write_acled(folder / "acled.csv", seed=11, weeks=WEEKS, rows=1500)
    (folder / "extra.csv").write_text("date,district,event_type,fatalities\n2026-09-01,Atlantis,Riots,0\n",
                                      encoding="utf-8")
    with site.gate.scope(SYSTEM, "load event datasets for the trends page") as job:
        loaded = load_trends(job, folder / "acled.csv", dataset="acled-test")
        load_trends(job, folder / "extra.csv", dataset="extra")
    return loaded


def _bar_x(page, week: str) -> float:
    return float(page.locator(f"svg.osint-chart rect[data-week='{week}']").first.get_attribute("x"))


def _wait_for_map(page) -> None:
    page.wait_for_function("document.querySelector('[data-osint-map]').dataset.ready === '1'")


def test_trends_page_chart_map_and_pages(page, trends):
    login(page, "ayesha", next_url="/intel/trends?per_page=10")
    assert page.locator("h1").inner_text() == "Event trends"
    # the chart: every week a row of its table, bars in time order left to right
    weeks = page.get_by_test_id("chart-table").locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.week)")
    assert len(weeks) == WEEKS and weeks == sorted(weeks)
    assert int(page.get_by_test_id("chart-svg").get_attribute("data-bars")) > WEEKS
    assert _bar_x(page, weeks[0]) < _bar_x(page, weeks[-1])
    total = sum(int(x) for x in page.get_by_test_id("chart-table").locator("tbody tr td:nth-last-child(2)")
                .all_inner_texts())
    assert total == 1501  # both datasets
    assert "PKT" in page.get_by_test_id("datasets").inner_text()  # load times in local time with the zone
    # the map: a circle per district with a place, on the offline basemap; Atlantis is listed, not drawn
    _wait_for_map(page)
    card = page.get_by_test_id("trend-map")
    assert int(card.get_attribute("data-circles")) == 36
    assert page.locator("#osint-map img.leaflet-tile-loaded").count() > 0
    drawn = page.evaluate("JSON.parse(document.getElementById('osint-points').textContent).map(p => p.district)")
    assert "Other/unknown" not in drawn and "Other/unknown" in page.get_by_test_id("unplaced").inner_text()
    shot(page, "osint-trends-en")
    # pages of the district x theme totals
    rows = page.locator("[data-total]")
    assert rows.count() == 10
    first = rows.evaluate_all("rs => rs.map(r => r.dataset.total)")
    assert re.search(r"Page 1 of \d+", page.locator("[data-pageinfo]").inner_text())
    page.locator("a[rel=next]").click()
    assert "page=2" in page.url
    second = page.locator("[data-total]").evaluate_all("rs => rs.map(r => r.dataset.total)")
    assert second and not set(first) & set(second)
    assert not page.js_errors


def test_filters_narrow_the_chart_the_table_and_mark_the_district(page, trends):
    login(page, "sana", next_url="/intel/trends")
    page.get_by_test_id("theme").select_option("Protests")
    page.get_by_test_id("district").fill("lhr")  # the admin list's spelling is found
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state("networkidle")
    assert "theme=Protests" in page.url
    totals = page.locator("[data-total]").evaluate_all("rs => rs.map(r => r.dataset.total)")
    assert totals == ["Lahore|Protests"]
    assert {t.get_attribute("data-theme") for t in page.locator("svg.osint-chart rect").all()} == {"Protests"}
    assert page.get_by_test_id("legend").locator("li").count() == 1
    _wait_for_map(page)
    assert int(page.get_by_test_id("trend-map").get_attribute("data-circles")) > 1  # the map keeps the others
    shot(page, "osint-trends-filtered")
    page.goto("/intel/trends?since=yesterday&until=2026-01-01")
    assert "2026-03-01" in page.get_by_test_id("filter-problem").inner_text()
    assert not page.js_errors


def test_urdu_right_to_left_with_the_time_axis_mirrored(page, trends):
    login(page, "ayesha", next_url="/intel/trends")
    page.goto("/language/ur?next=/intel/trends")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == i18n.translations("ur").gettext("Event trends")
    assert page.get_by_test_id("nav-home").inner_text() != "My cases"  # the top bar speaks Urdu
    weeks = page.get_by_test_id("chart-table").locator("tbody tr").evaluate_all("rs => rs.map(r => r.dataset.week)")
    assert _bar_x(page, weeks[0]) > _bar_x(page, weeks[-1])  # the newest week at the reading end (left)
    direction = page.get_by_test_id("totals").locator("table").evaluate("t => getComputedStyle(t).direction")
    assert direction == "rtl"
    _wait_for_map(page)
    shot(page, "osint-trends-ur")
    assert not page.js_errors


def test_only_analysts_and_supervisors(page, trends):
    page.goto("/intel/trends")
    assert "/login" in page.url  # signed out: the sign-in page, coming back here after
    login(page, "irfan", next_url="/intel/trends")
    assert page.get_by_test_id("denial").is_visible()
    assert "analysts and supervisors" in page.get_by_test_id("denial").inner_text()
    shot(page, "osint-trends-denied")
