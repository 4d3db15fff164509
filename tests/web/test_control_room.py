"""End-to-end in the browser: alerts raised by the real detection pipeline (events replayed through the
in-process bus, the shipped rules with the real watchlist index, the worker, the alert store) arrive
live in the operator's control room over server-sent events. The operator opens one: the page says
the plate, the camera, the local time with its zone and the warrant behind the watchlist entry, and
links to the records; then verifies and dispatches it with a unit, and the card shows who did what.
Filters, pages and the supervisor view are walked too."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest

from tests.web.conftest import login, shot
from tests.web.seed import CASE, OTHER_CASE, plate_reads

pytestmark = pytest.mark.timeout(180)

RULE = """
rules:
  - id: test.vehicle-of-interest
    title: Vehicle of interest in case CASE-2026-0101 read by an ANPR camera
    severity: high
    schema: PlateRead
    key: plate
    detection:
      seen: {{plate: {plate}}}
      sure: {{confidence|gte: 0.5}}
      condition: seen and sure
"""


def replay_through_pipeline(engine, records: list[dict], rule_file=None, lookup=None) -> int:
    """Run the embedded pipeline as `tahqiq replay` does: replay -> bus -> worker -> alerts."""
    from tahqiq.alerts import write_alerts
    from tahqiq.stream.bus import InProcessBus
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.rulefile import load_rules
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker, replay

    rules = load_rules(rule_file) if rule_file else load_rules()

    async def run():
        bus = InProcessBus()
        worker = Worker(engine, Detector(RuleEngine(rules, lookup)), bus, sink=write_alerts)

        async def produce():
            await replay(bus, records, batch_size=50)
            await bus.close()

        _, stats = await asyncio.gather(produce(), worker.run())
        return stats.alerts_new

    # Playwright's sync API keeps an event loop running in this thread: run the pipeline in its own.
    result: list = []
    thread = threading.Thread(target=lambda: result.append(asyncio.run(run())), name="replay")
    thread.start()
    thread.join(timeout=60)
    assert result, "the pipeline did not finish"
    return result[0]


def wanted_plate(site) -> int:
    """The subjects' vehicle on the watchlist of the warrant case (as its officer would list it)."""
    from tahqiq.screen import add_entry

    with site.gate.session(site.users["sana"], OTHER_CASE, "vehicle used by the absconder") as view:
        return add_entry(view, "plate", reason="used by the absconder in the Model Town robbery",
                         entity_id=site.vehicle, expires_at=datetime.now(UTC) + timedelta(days=20))


def test_operator_opens_an_alert_that_explains_itself_then_verifies_and_dispatches(page, site):
    from tahqiq.govern import SYSTEM
    from tahqiq.screen import WatchlistIndex

    wanted_plate(site)
    login(page, "ayesha", next_url="/control-room")
    page.wait_for_selector("[data-control-room][data-ready]")
    page.wait_for_selector("[data-live].on")  # the event stream is open

    lookup = WatchlistIndex.load(site.gate, SYSTEM, "detection worker: screen ANPR reads")
    reads = [r for r in plate_reads(site) if float(r.get("confidence") or 0) >= 0.8][:3]
    assert reads, "the seed's vehicle has no confident plate read"
    assert replay_through_pipeline(site.engine, reads, lookup=lookup) >= len(reads)

    # No reload: the list refreshes when the stream brings alerts that match the filters.
    card = page.locator("[data-alert][data-rule='anpr.wanted-plate']").first
    card.wait_for(timeout=20_000)
    notice = page.locator("[data-notice]")
    assert notice.is_visible() and "New High alert" in notice.inner_text()
    assert int(page.locator("body").get_attribute("data-beeps") or 0) >= 1  # the sound is on by default
    page.get_by_role("button", name="Sound on").click()  # mute: remembered
    assert page.get_by_role("button", name="Sound off").get_attribute("aria-pressed") == "true"
    assert site.plate in card.inner_text()
    shot(page, "12-control-room-alert")

    # The explanation: plate, camera, local time with its zone, the warrant behind the entry, links.
    grouped = card.get_attribute("data-count") != "1"  # a card of repeats opens on its newest alert
    card.locator("[data-explain]").click()
    page.wait_for_selector("[data-sentence]")
    sentence = page.locator("[data-sentence]").inner_text()
    newest = max(reads, key=lambda r: r["occurred_at"]) if grouped else None
    assert sentence.startswith(f"Vehicle {site.plate}, on a watchlist, was read by camera ")
    assert re.search(r"at \d{4}-\d\d-\d\d \d\d:\d\d PKT\.$", sentence), sentence
    def local(r: dict) -> str:  # the records are in Pakistan time (+05:00)
        return r["occurred_at"][:16].replace("T", " ")

    # one of the replayed reads (two may share a camera): the one at this camera and time
    the_read = next((r for r in reads if r["camera"] in sentence and f"{local(r)} PKT" in sentence), None) \
        if newest is None else newest
    assert the_read is not None, (sentence, reads)
    assert f"{local(the_read)} PKT" in sentence and the_read["camera"] in sentence and the_read["district"] in sentence
    facts = page.locator("[data-entry]").inner_text()
    assert "Warrant W-77/2026 ATC Lahore" in facts and "used by the absconder" in facts
    links = page.locator("[data-links] a")
    assert links.count() >= 1
    vehicle = page.locator("[data-link='Vehicle'] a").first
    assert vehicle.get_attribute("href").startswith(f"/cases/{CASE}/entities/")
    assert site.plate in vehicle.inner_text()
    page.wait_for_selector("[data-alert-map][data-ready]")
    body = page.locator("main").inner_text()
    for leak in ("entry_id", "score", "expires_at", "/tmp/", "evidence"):
        assert leak not in body, leak
    shot(page, "14-alert-explained")
    with page.expect_navigation():
        vehicle.click()
    assert f"/cases/{CASE}/entities/" in page.url and site.plate in page.locator("main").inner_text()
    page.go_back()

    # Back in the control room: acknowledge, verify, dispatch with a unit; the card says who did it.
    page.goto("/control-room")
    card = page.locator("[data-alert][data-rule='anpr.wanted-plate']").first
    alert_id = card.get_attribute("data-alert")
    card.get_by_role("button", name="Acknowledge").click()
    card = page.locator(f'[data-alert="{alert_id}"][data-status="acknowledged"]')
    card.wait_for()
    assert card.locator(".dispatch summary").get_attribute("aria-disabled") == "true"  # only after verification
    card.get_by_role("button", name="Verified").click()
    card = page.locator(f'[data-alert="{alert_id}"][data-status="verified"]')
    card.wait_for()
    card.locator(".dispatch summary").click()
    card.get_by_label("Unit or police station").fill("PS Gulberg, Dolphin squad 12")
    card.get_by_role("button", name="Dispatch", exact=True).click()  # the note is required: nothing sent
    assert page.locator(f'[data-alert="{alert_id}"]').get_attribute("data-status") == "verified"
    card.get_by_label("Note (what they were told)").fill("Stop the vehicle at the Canal Road picket")
    card.get_by_role("button", name="Dispatch", exact=True).click()
    card = page.locator(f'[data-alert="{alert_id}"][data-status="dispatched"]')
    card.wait_for()
    history = card.locator("[data-history]").inner_text()
    assert "Acknowledged by ayesha at" in history and "Verified by ayesha at" in history
    assert "Dispatched to PS Gulberg, Dolphin squad 12 by ayesha at" in history and "PKT" in history
    assert not page.js_errors, page.js_errors
    shot(page, "13-control-room-dispatched")

    from tahqiq.alerts import AlertDesk

    steps = AlertDesk(site.gate).get(site.users["ayesha"], int(alert_id)).history
    assert [(h["to"], h["unit"]) for h in steps] == [("acknowledged", None), ("verified", None),
                                                     ("dispatched", "PS Gulberg, Dolphin squad 12")]


def test_filters_and_pages(page, site, tmp_path):
    rule_file = tmp_path / "test-rules.yml"
    rule_file.write_text(RULE.format(plate=site.plate), encoding="utf-8")
    replay_through_pipeline(site.engine, plate_reads(site)[:4], rule_file)
    login(page, "ayesha", next_url="/control-room?filtered=1&per_page=1&sort=time")
    info = page.locator("[data-pageinfo]").inner_text()
    total = int(re.search(r"Page 1 of (\d+)", info).group(1))
    assert total >= 2
    first = page.locator("[data-alert]").get_attribute("data-alert")
    page.get_by_role("link", name="Next").click()
    page.wait_for_selector("text=Page 2 of")
    assert page.locator("[data-alert]").get_attribute("data-alert") != first
    # Filter by severity: only low alerts (none of ours is low), then by rule.
    page.goto("/control-room")
    page.locator("label.chip", has_text="Low").locator("input").check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    assert all(c.get_attribute("data-severity") == "low" for c in page.locator("[data-alert]").all())
    page.goto("/control-room")
    page.locator("[data-filters] select[name=rule]").select_option("test.vehicle-of-interest")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state("networkidle")
    cards = page.locator("[data-alert]")
    assert cards.count() >= 1 and all(c.get_attribute("data-rule") == "test.vehicle-of-interest" for c in cards.all())
    assert "match these filters" in page.locator("[data-counts]").inner_text()
    assert not page.js_errors, page.js_errors
    shot(page, "15-control-room-filtered")


def test_supervisor_view(page, site):
    login(page, "sana", next_url="/control-room/supervisor")
    assert page.get_by_role("heading", name="Time to acknowledge").is_visible()
    assert page.locator("[data-kpi='alerts']").inner_text().strip() != "0"
    assert page.locator("[data-workload] tbody tr").count() >= 1
    assert not page.js_errors, page.js_errors
    shot(page, "16-control-room-supervisor")
    page.get_by_role("button", name="Sign out").click()
    login(page, "ayesha", next_url="/control-room/supervisor")
    assert "only supervisors" in page.locator("main").inner_text()
