"""The forecast pages in headless Chromium: a forecast stored through save_forecast (with its bias
audit), the list, the map layer on the offline basemap, the patrol areas for supervisors only
(paginated by district), the feedback-loop chart with its table, Urdu right to left, and who may
see the pages.

Screenshots go to test-artifacts/screenshots/ (forecast-en.png, forecast-ur.png, ...)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from tahqiq.forecast.audit import audit_record, district_shares
from tahqiq.forecast.store import ranked_cells, save_forecast
from tahqiq.forecast.types import Grid
from tahqiq.govern import SYSTEM
from tahqiq.web import i18n
from tests.web.conftest import login, shot

pytestmark = pytest.mark.timeout(180)
DISTRICTS = [f"District {k:02d}" for k in range(12)]  # 12 districts: two pages of patrol areas
START, END = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def stored(site) -> list[int]:
    """Two forecasts over a 24 x 20 grid of 250 m cells in Lahore (UTM 43N), districts in strips."""
    areas = [DISTRICTS[(c % 24) // 2] for c in range(480)]
    grid = Grid(430_000.0, 3_480_000.0, 250.0, 24, 20, area_of=np.array(areas))
    rng = np.random.default_rng(5)
    expected = rng.gamma(0.6, 1.0, grid.cells)
    flagged = np.argsort(-expected)[:24]
    reported = {d: float(n) for d, n in zip(DISTRICTS, rng.integers(20, 60, len(DISTRICTS)), strict=True)}
    audit = audit_record(district_shares(flagged, areas, reported), rounds=300)
    ids = []
    with site.gate.scope(SYSTEM, "store forecasts for the forecast pages") as job:
        for model in ("exp-decay", "etas"):
            ids.append(save_forecast(job, model=model, params={"half_life_days": 14}, train_from=START.timestamp()
                                     - 365 * 86400, train_to=START, start=START, end=END, grid=grid,
                                     crs="EPSG:32643", cells=ranked_cells(grid, expected, "EPSG:32643"),
                                     evaluation={"PAI1": 4.1}, audit=audit, source="lahore-test"))
    return ids


def _wait_for_map(page) -> None:
    page.wait_for_function("document.querySelector('[data-forecast-map]').dataset.ready === '1'")


def test_list_and_one_forecast_for_a_supervisor(page, stored):
    login(page, "sana", next_url="/forecasts")
    assert page.locator("h1").inner_text() == "Forecasts"
    rows = page.locator("[data-forecast]").evaluate_all("rs => rs.map(r => Number(r.dataset.forecast))")
    assert rows == sorted(stored, reverse=True)
    assert "PKT" in page.get_by_test_id("forecast-list").inner_text()  # local time with the zone
    shot(page, "forecast-list-en")
    page.locator(f"a[href='/forecasts/{stored[0]}']").click()
    assert page.locator("h1").inner_text() == f"Forecast #{stored[0]}"
    assert "2026-06-01 05:00 PKT" in page.get_by_test_id("window").inner_text()
    _wait_for_map(page)
    assert int(page.get_by_test_id("forecast-map").get_attribute("data-cells")) == 480
    assert page.locator("#forecast-map img.leaflet-tile-loaded").count() > 0
    assert page.locator("#forecast-map path.leaflet-interactive").count() >= 480
    # patrol areas: 10 districts a page, each its top 5% (2 of its 40 cells), highest first
    areas = page.get_by_test_id("patrol-areas")
    assert "12 districts" in areas.inner_text()
    assert page.locator("details.patrol").count() == 10
    first = page.locator("details.patrol").first
    assert first.locator("tbody tr").count() == 2
    values = [float(x) for x in first.locator("tbody td:last-child").all_inner_texts()]
    assert values == sorted(values, reverse=True)
    # the audit: shares of every district, the loop drawn both ways with its numbers
    assert page.get_by_test_id("audit-shares").locator("tbody tr").count() == 12
    top_uncorrected = float(page.get_by_test_id("loop-uncorrected").get_attribute("data-top"))
    top_corrected = float(page.get_by_test_id("loop-corrected").get_attribute("data-top"))
    assert top_uncorrected > top_corrected
    assert page.locator("[data-testid=loop-corrected] polyline").count() == 8  # the top eight districts
    assert page.get_by_test_id("loop-table").locator("tbody tr").count() == 8
    shot(page, "forecast-en")
    page.locator("[data-testid=patrol-areas] a[rel=next]").click()
    assert page.locator("details.patrol").count() == 2
    page.get_by_test_id("share").select_option("0.1")
    page.get_by_test_id("share-form").get_by_role("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("details.patrol").first.locator("tbody tr").count() == 4
    assert not page.js_errors


def test_analysts_see_forecasts_but_no_patrol_list(page, stored):
    login(page, "ayesha", next_url=f"/forecasts/{stored[1]}")
    assert page.get_by_test_id("forecast-map").is_visible()
    assert page.get_by_test_id("patrol-areas").count() == 0
    assert page.get_by_test_id("bias-audit").is_visible()
    assert not page.js_errors
    response = page.goto("/forecasts/999999")  # (the browser logs the 404 in its console)
    assert response is not None and response.status == 404


def test_urdu_right_to_left(page, stored):
    login(page, "sana", next_url=f"/forecasts/{stored[0]}")
    page.goto(f"/language/ur?next=/forecasts/{stored[0]}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_test_id("nav-home").inner_text() != "My cases"
    assert page.locator("h2#audit-h").inner_text() == i18n.translations("ur").gettext("Bias audit")
    direction = page.get_by_test_id("audit-shares").evaluate("t => getComputedStyle(t).direction")
    assert direction == "rtl"
    # the loop's rounds run from the reading start: right in Urdu
    line = page.locator("[data-testid=loop-uncorrected] polyline").first.get_attribute("points")
    xs = [float(p.split(",")[0]) for p in line.split()]
    assert xs[0] > xs[-1]
    _wait_for_map(page)
    shot(page, "forecast-ur")
    assert not page.js_errors


def test_only_analysts_and_supervisors(page, stored):
    page.goto("/forecasts")
    assert "/login" in page.url
    login(page, "irfan", next_url="/forecasts")
    assert page.get_by_test_id("denial").is_visible()
    assert "analysts and supervisors" in page.get_by_test_id("denial").inner_text()
    shot(page, "forecast-denied")
