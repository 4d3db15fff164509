"""End-to-end: an alert raised by the real detection pipeline (events replayed through the in-process
bus, rules, worker, alert store) arrives live in the operator's control room over server-sent
events, and the operator acknowledges and verifies it from the page."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tests.web.conftest import login, shot
from tests.web.seed import plate_reads

pytestmark = pytest.mark.timeout(120)

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


def replay_through_pipeline(engine, records: list[dict], rule_file) -> int:
    """Run the embedded pipeline as `tahqiq replay` does: replay -> bus -> worker -> alerts."""
    from tahqiq.alerts import write_alerts
    from tahqiq.stream.bus import InProcessBus
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.rulefile import load_rules
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker, replay

    async def run():
        bus = InProcessBus()
        worker = Worker(engine, Detector(RuleEngine(load_rules(rule_file))), bus, sink=write_alerts)

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


def test_alert_arrives_live_and_is_verified(page, site, tmp_path):
    login(page, "ayesha", next_url="/control-room")
    page.wait_for_selector("[data-live].on")  # the event stream is open
    before = page.locator("[data-alert]").count()

    rule_file = tmp_path / "test-rules.yml"
    rule_file.write_text(RULE.format(plate=site.plate), encoding="utf-8")
    records = plate_reads(site)[:2]
    assert replay_through_pipeline(site.engine, records, rule_file) == len(records)

    # No reload: the cards come over the open stream.
    page.wait_for_selector(f"[data-alert]:nth-child({before + len(records)})", timeout=20_000)
    card = page.locator("[data-alert]").first
    assert "Vehicle of interest" in card.inner_text()
    assert card.get_attribute("data-status") == "new"
    card.locator("summary").click()  # the evidence behind the alert: the plate read itself
    assert site.plate in card.inner_text()
    shot(page, "12-control-room-alert")

    alert_id = card.get_attribute("data-alert")
    card.get_by_role("button", name="Acknowledge").click()
    page.wait_for_selector(f'[data-alert="{alert_id}"][data-status="acknowledged"]')
    card = page.locator(f'[data-alert="{alert_id}"]')
    assert card.get_by_role("button", name="Dispatch").is_disabled()  # only after a human verified it
    card.get_by_role("button", name="Verified").click()
    page.wait_for_selector(f'[data-alert="{alert_id}"][data-status="verified"]')
    assert not page.js_errors, page.js_errors
    shot(page, "13-control-room-verified")

    # The lifecycle is on the record.
    from tahqiq.alerts import AlertDesk

    history = AlertDesk(site.gate).get(site.users["ayesha"], int(alert_id)).history
    assert [h["to"] for h in history] == ["acknowledged", "verified"]
    assert all(h["user"] == "ayesha" for h in history)
