"""In chromium: the API documentation renders from local assets under the app's own
Content-Security-Policy, and an unknown address shows the app's error page with a way back."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.web.conftest import login, shot


def test_api_docs_render_operations_offline(page, server):
    origins: set[str] = set()
    page.on("request", lambda req: origins.add(urlsplit(req.url).netloc))
    page.goto("/docs")
    page.locator(".opblock").first.wait_for()
    operations = page.locator(".opblock-summary-path")
    assert operations.count() > 20
    paths = {operations.nth(i).get_attribute("data-path") for i in range(operations.count())}
    assert {"/api/login", "/api/cases/{ref}/resolution/review", "/api/alerts"} <= paths
    assert page.locator(".info .title").inner_text().startswith("Tahqiq")
    # Open one operation, as a reader would, to see its parameters.
    page.locator('.opblock-summary-path[data-path="/api/cases/{ref}/resolution/review"]').click()
    assert page.locator(".parameters-container").first.is_visible()
    shot(page, "api-docs")
    assert origins == {urlsplit(server.url).netloc}, f"the docs page reached other origins: {origins}"
    assert page.js_errors == [], page.js_errors  # a CSP violation is a console error


def test_unknown_address_shows_the_error_page_with_the_top_bar(page):
    login(page, "ayesha")
    response = page.goto("/no/such/page")
    assert response.status == 404
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert "There is no page at /no/such/page." in page.get_by_test_id("error-page").inner_text()
    assert page.get_by_test_id("current-user").inner_text() == "ayesha"  # the top bar: signed in
    shot(page, "error-404")
    page.goto("/language/ur?next=/no/such/page")
    assert page.locator("html").get_attribute("dir") == "rtl" and page.get_by_test_id("error-page").is_visible()
    shot(page, "error-404-ur")
    page.goto("/language/en?next=/no/such/page")
    page.get_by_role("link", name="My cases").last.click()
    assert urlsplit(page.url).path == "/"
