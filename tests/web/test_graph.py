"""The workspace's link graph as an analyst uses it, in a real browser over the real app and store:
one node per person, a first view with legible labels (measured through cytoscape), the details
panel, a person opened up into records, path search with a visible hop limit, brushing a time range
on the timeline, and a chart saved with an annotation and reopened. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.web.conftest import login, shot
from tests.web.graph_clicks import click_node, until, where
from tests.web.seed import CASE

pytestmark = pytest.mark.timeout(180)

NODE_OF = """(record) => { const cy = window.tahqiqGraph;
  const n = cy.nodes().filter(n => n.id() === record || (n.data('records') || []).some(r => r.id === record));
  return n.length ? n[0].id() : null; }"""

OVERLAPS = """() => { const cy = window.tahqiqGraph;
  const boxes = cy.nodes().filter(n => !n.hasClass('hidden'))
    .map(n => n.boundingBox({includeLabels: true, includeOverlays: false}));
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) hits.push([i, j]); }
  return hits.length; }"""


EXPANDED = "document.querySelector('[data-graph]').dataset.expansions === '1'"


def _open(page) -> None:
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    page.wait_for_selector("[data-graph][data-ready]")
    page.locator("#graph-h").scroll_into_view_if_needed()


def test_first_view_one_node_per_person_with_links_and_legible_labels(page, site):
    _open(page)
    nodes = page.evaluate("window.tahqiqGraph.nodes().map(n => n.data())")
    # Three subjects: the excise owner record, the NADRA record of the same CNIC, their vehicle. The
    # two person records, and the owner's other records (resolved with them), are one node.
    people = [n for n in nodes if n["schema"] == "Person"]
    assert len(people) == 1
    records = {r["id"] for r in people[0]["records"]}
    assert {site.subject, site.second_subject} <= records
    assert f"{len(records)} records" in people[0]["display"]
    assert any(n["id"] == site.vehicle for n in nodes)
    # ... with the links that join them (the vehicle's owner), never a person's records joined to themselves.
    edges = page.evaluate("window.tahqiqGraph.edges().map(e => e.data())")
    person = people[0]["id"]
    assert any(e["relation"] == "owner" and {e["source"], e["target"]} == {person, site.vehicle} for e in edges)
    assert all(e["source"] != e["target"] for e in edges)
    assert all(n["subject"] or len({e["source"] for e in edges if e["target"] == n["id"]}
                                   | {e["target"] for e in edges if e["source"] == n["id"]}) >= 2
               for n in nodes)  # anything else drawn joins two subjects
    # Labels are captions, never hashes, and no two label boxes overlap.
    assert not [n["label"] for n in nodes if re.fullmatch(r"[0-9a-f]{16,}", n["label"])]
    assert page.evaluate(OVERLAPS) == 0
    # Labels are drawn at a legible size on screen (font-size × zoom).
    assert page.evaluate("11 * window.tahqiqGraph.zoom()") >= 8
    relations = page.locator("fieldset.graph-relations label").all_inner_texts()
    assert "Address" in [r.strip() for r in relations] and not any("addressEntity" in r for r in relations)
    assert not page.js_errors, page.js_errors
    shot(page, "graph-01-first-view")


def test_details_panel_records_expansion_and_paths_with_hop_limit(page, site):
    _open(page)
    person = page.evaluate(NODE_OF, site.subject)
    click_node(page, person)
    details = page.get_by_test_id("details")
    details.get_by_test_id("details-title").wait_for()
    assert details.is_visible()
    facts = details.get_by_test_id("details-facts").inner_text()
    assert "CNIC" in facts and site.owner_cnic in facts
    n_records = page.evaluate(f"window.tahqiqGraph.getElementById({json.dumps(person)}).data('records').length")
    assert details.get_by_test_id("details-records").locator("li").count() == n_records >= 2
    assert details.get_by_role("link", name="Open the entity page").get_attribute("href").endswith(person)
    shot(page, "graph-02-details")

    # Open the person up into their records, and close them again.
    details.get_by_role("button", name="Show its records").click()
    ids = set(page.evaluate("window.tahqiqGraph.nodes().map(n => n.id())"))
    assert {site.subject, site.second_subject} <= ids
    assert page.evaluate("window.tahqiqGraph.edges().filter(e => e.data('relation') === 'same_person').length") \
        == n_records - 1  # the records stay joined
    shot(page, "graph-03-records")
    gone = f"window.tahqiqGraph.getElementById({json.dumps(site.second_subject)}).empty()"
    click_node(page, site.second_subject, double=True, done=gone)  # double-click a record: back to one person
    assert page.evaluate("window.tahqiqGraph.nodes().filter(n => n.data('schema') === 'Person').length") == 1

    # Expand the vehicle by double-click: its plate reads (through the plate) come in.
    click_node(page, site.vehicle, double=True, done=EXPANDED)
    page.wait_for_selector('[data-graph][data-expansions="1"]')
    reads = page.evaluate("window.tahqiqGraph.nodes().filter(n => n.data('schema') === 'PlateRead').map(n => n.id())")
    assert reads
    assert page.evaluate(OVERLAPS) == 0  # still legible after the expansion
    # Paths from the person to a plate read: person -> vehicle -> read (the same plate), 2 links.
    page.get_by_label("Hop limit").fill("1")
    assert page.get_by_test_id("hop-limit").inner_text() == "up to 1 hop"
    person = page.evaluate(NODE_OF, site.subject)
    page.select_option("#path-a", person)
    page.select_option("#path-b", reads[0])
    page.get_by_role("button", name="Find paths", exact=True).click()
    page.wait_for_selector('[data-graph][data-paths="0"]')
    assert "No path of up to 1 link" in page.locator("[data-graph-status]").inner_text()
    page.get_by_label("Hop limit").fill("4")
    assert page.get_by_test_id("hop-limit").inner_text() == "up to 4 hops"
    page.get_by_role("button", name="Find paths", exact=True).click()
    until(page, "Number(document.querySelector('[data-graph]').dataset.paths) > 0")
    highlighted = page.evaluate("window.tahqiqGraph.nodes('.path').map(n => n.id())")
    assert person in highlighted and reads[0] in highlighted
    assert page.evaluate("window.tahqiqGraph.edges('.path').length") >= 2
    assert not page.js_errors, page.js_errors
    shot(page, "graph-04-path")


def test_brushing_the_timeline_filters_the_graph_and_selection_filters_the_timeline(page, site):
    _open(page)
    page.evaluate("""() => { window.ranges = []; window.selections = [];
      document.addEventListener('tahqiq:timerange', e => window.ranges.push(e.detail));
      document.addEventListener('tahqiq:select', e => window.selections.push(e.detail)); }""")
    click_node(page, site.vehicle, double=True, done=EXPANDED)
    page.wait_for_selector('[data-graph][data-expansions="1"]')
    page.wait_for_selector("[data-timeline][data-events]")
    total = int(page.get_attribute("[data-timeline]", "data-shown"))
    # Select the vehicle: the timeline shows the vehicle's events only; the selection is announced.
    click_node(page, site.vehicle)
    page.get_by_test_id("details-title").wait_for()
    assert page.evaluate("window.selections.at(-1).ids").count(site.vehicle) == 1
    page.get_by_role("button", name="Show the whole timeline").click()
    # Drag across the left half of the timeline: a time range, announced and applied to the graph.
    chart = page.locator("[data-timeline-chart] svg")
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    y = box["y"] + box["height"] / 3
    page.mouse.move(box["x"] + box["width"] * 0.16, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.up()
    page.wait_for_selector('[data-timeline][data-range="1"]')
    last = page.evaluate("window.ranges.at(-1)")
    assert last["from"] and last["to"] and last["from"] < last["to"]
    assert int(page.get_attribute("[data-timeline]", "data-shown")) < total
    assert page.locator("p[data-range]").is_visible()
    dimmed = page.evaluate("window.tahqiqGraph.nodes('.dim').length")
    assert 0 < dimmed < page.evaluate("window.tahqiqGraph.nodes().length")
    shot(page, "graph-05-brushed")
    page.get_by_role("button", name="Show all times").click()
    assert page.evaluate("window.tahqiqGraph.nodes('.dim').length") == 0
    assert not page.js_errors, page.js_errors


def test_save_a_chart_with_an_annotation_and_reopen_it(page, site):
    _open(page)
    click_node(page, site.vehicle, double=True, done=EXPANDED)
    page.wait_for_selector('[data-graph][data-expansions="1"]')
    click_node(page, site.vehicle)
    page.get_by_label("Annotation (saved with the chart)").fill("seen near the scene twice")
    page.get_by_label("Save this chart as").fill("Owner, vehicle and plate reads")
    page.get_by_role("button", name="Save chart").click()
    page.wait_for_selector("[data-graph][data-saved]")
    drawn = page.evaluate("window.tahqiqGraph.nodes().map(n => [n.id(), n.position()])")
    # A fresh page starts from the first view; the saved chart comes back as it was drawn.
    page.goto(f"/cases/{CASE}")
    page.wait_for_selector("[data-graph][data-ready]")
    assert page.evaluate("window.tahqiqGraph.nodes().length") < len(drawn)
    options = page.get_by_test_id("chart-list").locator("option")
    options.filter(has_text="Owner, vehicle and plate reads").wait_for(state="attached")
    page.get_by_test_id("chart-list").select_option(label=options.nth(1).inner_text())
    page.get_by_role("button", name="Open chart").click()
    page.wait_for_selector("[data-graph][data-opened]")
    reopened = dict(page.evaluate("window.tahqiqGraph.nodes().map(n => [n.id(), n.position()])"))
    assert reopened.keys() == dict(drawn).keys()
    assert all(abs(reopened[i]["x"] - p["x"]) < 1 and abs(reopened[i]["y"] - p["y"]) < 1 for i, p in drawn)
    assert page.evaluate(f"window.tahqiqGraph.getElementById({json.dumps(site.vehicle)}).hasClass('annotated')")
    page.evaluate("window.tahqiqGraph.fit()")
    click_node(page, site.vehicle)
    assert page.get_by_label("Annotation (saved with the chart)").input_value() == "seen near the scene twice"
    assert not page.js_errors, page.js_errors
    shot(page, "graph-06-reopened")
