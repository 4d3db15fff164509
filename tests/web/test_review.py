"""The review queue page, in chromium, over a store that real resolution has run on: an analyst
compares two uncertain records side by side, merges one pair with a reason and sees it leave the
queue; the decision is the same audited one `tahqiq resolve decide` records.

The module builds its own site (the shared one of conftest is not resolved, and resolving it would
change what the other browser tests see): the same generated, ingested 300-person province, then
a full Splink run by the supervisor, which leaves about 140 pairs for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tahqiq.resolve.tables import ResolutionDecision
from tests.web.conftest import VENDOR, LiveServer, _require, login, shot
from tests.web.seed import CASE, Site, build_site

REVIEW = f"/cases/{CASE}/review"


@pytest.fixture(scope="module")
def resolved_site(tmp_path_factory) -> Iterator[Site]:
    from argon2 import PasswordHasher

    from tahqiq.govern import identity
    from tahqiq.resolve.store_run import run_resolution

    root = tmp_path_factory.mktemp("review-site")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAHQIQ_HOME", str(root / "home"))
        mp.setenv("TAHQIQ_DATABASE_URL", f"sqlite:///{root / 'store.db'}")
        mp.delenv("TAHQIQ_DATABASE_SCHEMA", raising=False)
        identity.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
        try:
            site = build_site(root)
            report = run_resolution(site.engine, site.gate, site.users["sana"])
            assert report.review > 2 * 10, "the generated province should leave more than a page of pairs to review"
            yield site
            site.gate.dispose()
            site.engine.dispose()
        finally:
            identity.set_password_hasher(PasswordHasher())


@pytest.fixture(scope="module")
def review_server(resolved_site) -> Iterator[LiveServer]:
    from tahqiq.compose import create_app

    _require((VENDOR / "htmx.min.js").is_file(), f"web assets missing in {VENDOR}: run `make assets`")
    live = LiveServer(create_app(resolved_site.engine, secure_cookies=False, gate=resolved_site.gate)).start()
    yield live
    live.stop()


@pytest.fixture
def rpage(browser, review_server) -> Iterator:
    ctx = browser.new_context(base_url=review_server.url, viewport={"width": 1360, "height": 900}, locale="en-GB",
                              timezone_id="Asia/Karachi")
    ctx.set_default_timeout(15_000)
    p = ctx.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    p.js_errors = errors
    yield p
    ctx.close()


def waiting(page) -> int:
    text = page.get_by_test_id("review-count").inner_text()
    return int(re.search(r"([\d,]+) pairs? waits?", text).group(1).replace(",", ""))


def test_merge_a_pair_with_a_reason_and_it_leaves_the_queue(rpage, resolved_site):
    page = rpage
    login(page, "ayesha", next_url=REVIEW)
    assert page.get_by_role("heading", name="Records that may be the same person").is_visible()
    before = waiting(page)
    pairs = page.get_by_test_id("review-pair")
    assert pairs.count() == 10
    first = pairs.first
    left, right = first.get_attribute("data-left"), first.get_attribute("data-right")
    # Side by side: a column per record headed by its caption (never its id), values aligned by property,
    # and beside each compared property what the model made of it, in words.
    headers = first.locator("thead th.side")
    assert headers.count() == 2
    for i in range(2):
        caption = headers.nth(i).locator("a").inner_text().strip()
        assert caption and not re.fullmatch(r"[0-9a-f]{12,}", caption)
    assert first.locator("tbody th").filter(has_text=re.compile(r"^\s*Name\s*$")).count() == 1
    assert first.locator("td.evidence .ev").count() >= 2
    assert re.search(r"\d+% likely to be the same person", first.inner_text())
    assert re.search(r"(strong )?evidence (for|against)|no evidence either way|rules the match out",
                     first.locator("td.evidence").first.inner_text())
    shot(page, "review-queue")

    first.get_by_label("Why? (required; kept with your name)").fill("Same father and CNIC on the FIR copy")
    first.get_by_role("button", name="Merge: same person").click()
    result = first.get_by_test_id("review-result")
    result.wait_for()
    assert "Merged" in result.inner_text()
    assert "Same father and CNIC on the FIR copy" in first.inner_text()
    shot(page, "review-merged")

    page.reload()
    assert waiting(page) == before - 1
    shown = [(p.get_attribute("data-left"), p.get_attribute("data-right"))
             for p in page.get_by_test_id("review-pair").all()]
    assert (left, right) not in shown and len(shown) == 10
    assert page.js_errors == []

    # The same decision as the CLI's: stored with the analyst's name and reason, and audited.
    with resolved_site.engine.connect() as conn:
        row = conn.execute(select(ResolutionDecision)).one()
    assert (row.left_id, row.right_id) == tuple(sorted((left, right)))
    assert (row.decision, row.username, row.case_ref) == ("merge", "ayesha", CASE)
    entry = next(r for r in resolved_site.gate.audit.records(limit=10_000) if r.action == "resolve.decide")
    assert entry.actor == "ayesha" and entry.seq == row.audit_seq


def test_a_decision_without_a_reason_is_refused_and_nothing_is_recorded(rpage, resolved_site):
    page = rpage
    login(page, "ayesha", next_url=REVIEW)
    first = page.get_by_test_id("review-pair").first
    left, right = first.get_attribute("data-left"), first.get_attribute("data-right")
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    with resolved_site.engine.connect() as conn:
        decided = len(conn.execute(select(ResolutionDecision.id)).all())
    # As htmx would send it, but with a reason of two letters: the browser's own check is bypassed.
    answer = page.request.post(f"{REVIEW}/decide", headers={"X-CSRF-Token": token, "HX-Request": "true"},
                               form={"left_id": left, "right_id": right, "decision": "split", "reason": "no",
                                     "page_no": "1", "number": "1"})
    assert answer.status == 422
    assert "Say why in a few words" in answer.text()
    with resolved_site.engine.connect() as conn:
        assert len(conn.execute(select(ResolutionDecision.id)).all()) == decided
    # Without the session's CSRF token the form is refused outright.
    forged = page.request.post(f"{REVIEW}/decide", form={"left_id": left, "right_id": right, "decision": "merge",
                                                          "reason": "looks the same to me"})
    assert forged.status == 403


def test_split_and_pages(rpage):
    page = rpage
    login(page, "ayesha", next_url=REVIEW)
    assert page.get_by_test_id("review-page").inner_text().startswith("Page 1 of ")
    total_pages = int(page.get_by_test_id("review-page").inner_text().split(" of ")[1])
    assert total_pages >= 2
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("review-page").inner_text() == f"Page 2 of {total_pages}"
    second = page.get_by_test_id("review-pair").first
    assert second.get_by_role("heading").inner_text().startswith("Pair 11 of ")
    pair = (second.get_attribute("data-left"), second.get_attribute("data-right"))
    second.get_by_label("Why? (required; kept with your name)").fill("Different fathers on the two FIRs")
    second.get_by_role("button", name="Split: different people").click()
    assert "Split" in second.get_by_test_id("review-result").inner_text()
    page.reload()
    assert page.get_by_test_id("review-page").inner_text() == f"Page 2 of {total_pages}"
    assert pair not in [(p.get_attribute("data-left"), p.get_attribute("data-right"))
                        for p in page.get_by_test_id("review-pair").all()]
    page.get_by_role("link", name="Previous").click()
    assert page.get_by_test_id("review-page").inner_text() == f"Page 1 of {total_pages}"


def test_an_analyst_outside_the_case_gets_the_denial_page(rpage):
    page = rpage
    login(page, "bilal", next_url=REVIEW)
    assert page.get_by_test_id("review-pair").count() == 0
    assert "not a member" in page.content() or "refused" in page.content().lower()
    response = page.request.get(REVIEW)
    assert response.status == 403


def test_the_queue_in_urdu_runs_right_to_left(rpage):
    page = rpage
    login(page, "ayesha", next_url=REVIEW)
    page.goto(f"/language/ur?next={REVIEW}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_test_id("review-pair").count() == 10
    shot(page, "review-queue-ur")
