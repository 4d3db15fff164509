"""End-to-end: an analyst works a case in a real browser; a colleague outside the case is refused.
Each test saves a screenshot of the page it ends on (test-artifacts/screenshots/)."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import login, shot
from tests.web.graph_clicks import click_node as click_chart_node
from tests.web.seed import CASE, OTHER_CASE

pytestmark = pytest.mark.timeout(120)


def test_login_shows_my_cases(page, site):
    page.goto("/")
    assert "/login" in page.url  # not signed in: sent to the sign-in form
    page.get_by_label("User name").fill("ayesha")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Sign-in failed")
    shot(page, "01-login-failed")
    login(page, "ayesha")
    assert page.get_by_test_id("current-user").inner_text() == "ayesha"
    cases = page.get_by_test_id("cases")
    assert cases.get_by_role("link", name=CASE).is_visible()
    shot(page, "02-home")


def test_search_by_cnic_and_by_name_in_urdu(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    page.get_by_label("Name (any script), CNIC, phone, plate or account").fill(site.owner_cnic)
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("results")
    assert int(page.get_by_test_id("hit-count").inner_text()) >= 2  # the excise owner and the NADRA record
    assert results.locator(f'a[href*="{site.second_subject}"]').count() == 1
    shot(page, "03-search-cnic")
    # A name typed in Urdu script finds Roman-script records too; Urdu renders right-to-left in Nastaliq.
    page.goto(f"/cases/{CASE}/search?q=محمد")
    assert int(page.get_by_test_id("hit-count").inner_text()) > 0
    urdu = page.locator('bdi[lang="ur"]').first
    assert urdu.get_attribute("dir") == "rtl"
    assert "Nastaliq" in urdu.evaluate("e => getComputedStyle(e).fontFamily")
    shot(page, "04-search-urdu")


def test_entity_page_shows_values_with_provenance_and_links(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}/entities/{site.vehicle}")
    values = page.get_by_test_id("values")
    assert values.get_by_text(site.plate, exact=True).first.is_visible()
    assert values.get_by_text("Excise vehicle registry").first.is_visible()  # every value names its source
    links = page.get_by_test_id("links")
    assert links.get_by_text("Same registration plate").first.is_visible()  # the ANPR reads' vehicle
    assert links.locator(f'a[href$="/entities/{site.subject}"]').count() >= 1  # its owner (owner, same CNIC)
    assert page.get_by_test_id("resolution").is_visible()
    shot(page, "05-entity")


def test_graph_expands_two_hops_and_map_shows_events(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    page.wait_for_selector("[data-graph][data-ready]")
    count = lambda: page.evaluate("window.tahqiqGraph.nodes().length")  # noqa: E731
    # The three subjects: the owner's excise record and the NADRA record of their CNIC are one person
    # (one node listing its records), beside their vehicle. (tests/web/test_graph.py: the rest of the graph.)
    person = page.evaluate(f"""window.tahqiqGraph.nodes().filter(n => (n.data('records') || [])
        .some(r => r.id === {json.dumps(site.second_subject)})).map(n => n.id())[0]""")
    assert person and page.evaluate(f"""window.tahqiqGraph.getElementById({json.dumps(person)}).data('records')
        .map(r => r.id)""").count(site.subject) == 1
    assert page.evaluate("window.tahqiqGraph.nodes().filter(n => n.data('subject')).length") == 2

    def click_node(node_id: str) -> None:
        # A real mouse double-click on the canvas, where cytoscape drew the node (a click selects it).
        before = int(page.get_attribute("[data-graph]", "data-expansions") or 0)
        click_chart_node(page, node_id, double=True,
                     done=f"document.querySelector('[data-graph]').dataset.expansions === '{before + 1}'")

    def expand_person(node_id: str) -> None:
        # For a person (a double-click shows their records) and for keyboard users: choose, press Expand.
        before = int(page.get_attribute("[data-graph]", "data-expansions") or 0)
        page.select_option("#expand-node", node_id)
        page.get_by_role("button", name="Expand", exact=True).click()
        page.wait_for_selector(f'[data-graph][data-expansions="{before + 1}"]')

    reads_js = "window.tahqiqGraph.nodes().filter(n => n.data('schema') === 'PlateRead').length"
    expand_person(person)  # hop 1 from the owner: their registered vehicle (and what else names them)
    after_one = count()
    assert page.evaluate(f"window.tahqiqGraph.getElementById({json.dumps(person)}).neighborhood()"
                         f".nodes().map(n => n.id())").count(site.vehicle) == 1
    assert page.evaluate(reads_js) == 0
    click_node(site.vehicle)  # hop 2: the ANPR plate reads of that vehicle
    reads = page.evaluate(reads_js)
    assert reads > 0 and count() > after_one
    hops = page.evaluate(f"""() => {{ const cy = window.tahqiqGraph;
        const bfs = cy.elements().bfs({{ roots: cy.getElementById({json.dumps(person)}) }});
        const read = cy.nodes().filter(n => n.data('schema') === 'PlateRead')[0];
        return bfs.path.filter(e => e.isEdge()).length && cy.elements().aStar({{ """
                         f"""root: cy.getElementById({json.dumps(person)}), goal: read }}).distance; }}""")
    assert hops == 2
    assert not page.js_errors, page.js_errors
    page.locator("#graph-h").scroll_into_view_if_needed()
    shot(page, "06-graph-two-hops")

    # The relation filter hides links of a type, and the nodes only those links connected.
    page.get_by_label("Same registration plate", exact=True).uncheck()
    shown = page.evaluate("""() => { const cy = window.tahqiqGraph;
        return { plateLinks: cy.edges().filter(e => e.data('relation') === 'same_plate' && """
                          """!e.hasClass('hidden')).length,
                 reads: cy.nodes().filter(n => n.data('schema') === 'PlateRead' && """
                          """!n.hasClass('hidden')).length }; }""")
    assert shown["plateLinks"] == 0 and shown["reads"] < reads
    page.get_by_label("Same registration plate", exact=True).check()

    # Paths between the two subjects' nodes: the person owns the vehicle.
    page.select_option("#path-a", person)
    page.select_option("#path-b", site.vehicle)
    page.get_by_role("button", name="Find paths", exact=True).click()
    page.wait_for_selector("[data-graph][data-paths]")
    assert int(page.get_attribute("[data-graph]", "data-paths")) >= 1

    # Timeline and map: the plate reads (events with coordinates) two hops from the subjects.
    page.wait_for_selector("[data-timeline][data-events]")
    assert int(page.get_attribute("[data-timeline]", "data-events")) > 0
    page.wait_for_selector("[data-map][data-ready]")
    # markers, or clusters of them (tests/web/test_maps.py accounts for every one)
    assert int(page.get_attribute("[data-map]", "data-events")) > 0
    assert page.locator("#map .event-marker, #map .event-cluster").count() > 0
    tiles = page.locator("#map img.leaflet-tile-loaded")
    assert tiles.count() > 0  # the offline basemap answered
    page.locator("#map-h").scroll_into_view_if_needed()
    shot(page, "07-workspace-map")
    assert not page.js_errors, page.js_errors


def test_export_downloads(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    with page.expect_download() as info:
        page.locator('a[data-export="graphml"]').click()
    download = info.value
    path = download.path()
    text = open(path, encoding="utf-8").read()
    assert "<graphml" in text and site.vehicle in text
    with page.expect_download() as info:
        page.locator('a[data-export="csv"]').click()
    assert info.value.suggested_filename.endswith(".csv")
    shot(page, "08-exports")


def test_notes_and_evidence_from_the_workspace(page, site, tmp_path):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    page.get_by_label("New note").fill("ملزم کی گاڑی: checked against the excise record")
    page.get_by_role("button", name="Add note").click()
    notes = page.get_by_test_id("notes")
    notes.get_by_text("checked against the excise record").wait_for()
    upload = tmp_path / "cctv-still.txt"
    upload.write_text("frame 0412, camera PSCA-LH-0007")
    page.get_by_label("File (hashed with SHA-256 into the custody log)").set_input_files(str(upload))
    page.get_by_role("button", name="Take into custody").click()
    page.get_by_test_id("evidence").get_by_text("cctv-still.txt").wait_for()
    shot(page, "09-notes-evidence")


def test_user_outside_the_case_sees_a_denial(page, site):
    login(page, "bilal", next_url=f"/cases/{CASE}")
    assert page.get_by_test_id("denial").is_visible()
    reason = page.get_by_test_id("denial-reason").inner_text()
    assert "member" in reason
    assert site.plate not in page.content()
    shot(page, "10-denial")
    # The API answers the same refusal, with the reason.
    res = page.request.get(f"/api/cases/{CASE}/subjects")
    assert res.status == 403 and "member" in res.json()["detail"]
    # A member of one case is refused another.
    page.goto(f"/cases/{OTHER_CASE}")
    assert page.get_by_test_id("denial").is_visible()


def test_oversight_for_the_auditor(page, site):
    login(page, "irfan", next_url="/oversight")
    assert page.get_by_test_id("sig-status").inner_text() == "valid"
    assert page.get_by_test_id("root-status").inner_text() == "yes"
    page.get_by_label("User", exact=True).fill("bilal")
    page.get_by_role("button", name="Filter").click()
    log = page.get_by_test_id("audit-log")
    assert log.get_by_text("deny").count() >= 1  # bilal's refused attempt is on the record
    shot(page, "11-oversight")
