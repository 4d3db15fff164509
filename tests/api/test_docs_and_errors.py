"""The API documentation from local assets, and errors as people and programs expect them: the app's
own 404/500 pages for browsers, JSON problems for /api/, a 500 that shows a reference (logged with
the traceback) and never the traceback itself."""

from __future__ import annotations

import logging
import re

import pytest

from tahqiq.compose.app import SECURITY_HEADERS
from tahqiq.web import STATIC_DIR

PAGE = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends
SECRET = "35202-7654321-9 lives at House 12"


def signed_in_as(html: str) -> str | None:
    """The user name in the page's top bar, if any (the text of data-testid="current-user")."""
    found = re.search(r'data-testid="current-user">(.*?)</span>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else None


def test_docs_reference_no_other_origin_and_no_inline_script(api):
    r = api.client.get("/docs", headers=PAGE)
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    html = r.text
    assert not re.search(r"https?://", html), "the docs page must name no other origin"
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline script (the CSP forbids it)"
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in html
    # Everything it loads is served by the app itself, and the init script reads /openapi.json.
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert api.client.get(asset).status_code == 200, asset
    init = (STATIC_DIR / "api-docs.js").read_text()
    assert "/openapi.json" in init and "validatorUrl: null" in init
    spec = api.client.get("/openapi.json").json()
    assert "/api/cases/{ref}/resolution/review" in spec["paths"]
    # ReDoc would need a CDN too: it is not served.
    assert api.client.get("/redoc", headers=PAGE).status_code == 404


def test_unknown_page_is_the_apps_error_page_for_browsers(api):
    r = api.client.get("/no/such/page", headers=PAGE)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "Page not found" in r.text and "There is no page at /no/such/page." in re.sub(r"<[^>]+>", "", r.text)
    assert '<bdi dir="ltr" class="mono">/no/such/page</bdi>' in r.text  # a path stays left to right in Urdu
    assert 'href="/login"' in r.text  # not signed in: the way back is to sign in
    assert r.headers["x-frame-options"] == "DENY"
    api.login("ayesha")
    r = api.client.get("/no/such/page", headers={**PAGE, "Referer": "https://testserver/cases/CASE-2026-0001"})
    assert signed_in_as(r.text) == "ayesha"  # the top bar of a signed-in reader
    assert 'href="/cases/CASE-2026-0001"' in r.text  # back where they came from
    r = api.client.get("/no/such/page", headers={**PAGE, "Referer": "https://evil.example/phish"})
    assert "evil.example" not in r.text  # never a link back to another site


def test_api_paths_and_programs_keep_json_problems(api):
    r = api.client.get("/api/no-such-route", headers=PAGE)
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = api.client.get("/no/such/page", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}
    r = api.client.get("/no/such/page", headers={**PAGE, "HX-Request": "true"})  # an htmx fragment
    assert r.headers["content-type"].startswith("application/json")


@pytest.fixture
def failing(api):
    """Two routes that fail as a bug would: with an exception that holds personal data."""
    def fail() -> None:
        raise RuntimeError(f"lookup failed for {SECRET}")

    api.client.app.add_api_route("/cases/{ref}/crash", fail, include_in_schema=False)
    api.client.app.add_api_route("/api/crash", fail, include_in_schema=False)
    return api


def test_a_failure_shows_a_reference_logged_with_the_traceback(failing, caplog):
    failing.login("ayesha")
    with caplog.at_level(logging.ERROR, logger="tahqiq.compose.app"):
        r = failing.client.get("/cases/CASE-2026-0001/crash", headers=PAGE)
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]
    reference = re.search(r'data-testid="error-reference">([^<]+)<', r.text).group(1)
    assert re.fullmatch(r"E-[0-9A-F]{8}", reference)
    assert "Something went wrong" in r.text and signed_in_as(r.text) == "ayesha"
    assert SECRET not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    logged = [rec for rec in caplog.records if reference in rec.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None
    assert SECRET in str(logged[0].exc_info[1])  # the log has what the page does not

    with caplog.at_level(logging.ERROR, logger="tahqiq.compose.app"):
        r = failing.client.get("/api/crash", headers=PAGE)
    assert r.status_code == 500
    body = r.json()
    assert SECRET not in r.text and re.fullmatch(r"E-[0-9A-F]{8}", body["reference"])
    assert any(body["reference"] in rec.getMessage() and rec.exc_info for rec in caplog.records)
