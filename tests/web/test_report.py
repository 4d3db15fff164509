"""The case report from the workspace, as an analyst gets it: clicking the PDF export shows progress
(a message, the seconds elapsed, a progress element) until the file downloads; a refusal shows the
gate's reason and the audit entry. The report itself opens with its summary (screenshot of the first
page, from the browser and from the PDF)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tahqiq.govern.cases import open_case, remove_member
from tests.web.conftest import SCREENSHOTS, login, shot
from tests.web.seed import AGENCY, CASE

# Also kept beside the report's other artefacts (test-artifacts/screenshots is emptied by each run).
REPORTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def _keep(path: Path) -> None:
    REPORTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, REPORTS / path.name)


def _exports(page):
    section = page.locator("[data-exports]")
    assert section.count() == 1, "the workspace should include partials/exports.html (the export list)"
    section.scroll_into_view_if_needed()
    return section


def test_pdf_export_shows_progress_then_downloads(page, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    section = _exports(page)
    status = section.locator("[data-export-status]")
    assert status.is_hidden()
    with page.expect_download(timeout=90_000) as info:
        section.locator('a[data-export="pdf"]').click()
        assert status.is_visible()
        assert "Building the report" in status.inner_text()
        assert section.locator("[data-export-status] progress").is_visible()
        assert section.get_attribute("aria-busy") == "true"
        page.wait_for_function("/\\d+ s elapsed/.test(document.querySelector('[data-export-elapsed]').textContent)")
        _keep(shot(page, "report-export-progress"))
    download = info.value
    assert download.suggested_filename == f"{CASE}.pdf"
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    page.wait_for_selector("[data-export-status][data-state='done']")
    done = status.inner_text()
    assert f"Downloaded {CASE}.pdf" in done and re.search(r"audit entry \d+", done)
    assert section.get_attribute("aria-busy") == "false"
    seq = int(re.search(r"audit entry (\d+)", done).group(1))
    entry = site.gate.audit.record(seq)
    assert (entry.action, entry.target, entry.case) == ("export", "pdf", CASE)
    _keep(shot(page, "report-export-done"))
    assert not page.js_errors, page.js_errors

    # The first page of the printed report, as the PDF shows it.
    try:
        import pypdfium2 as pdfium
    except ImportError:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument(data)
    try:
        doc[0].render(scale=1.5).to_pil().save(SCREENSHOTS / "report-pdf-page1.png")
        _keep(SCREENSHOTS / "report-pdf-page1.png")
    finally:
        doc.close()


def test_html_report_first_page(page, context, site):
    login(page, "ayesha", next_url=f"/cases/{CASE}")
    section = _exports(page)
    with page.expect_download(timeout=60_000) as info:
        section.locator('a[data-export="html"]').click()
    html = open(info.value.path(), encoding="utf-8").read()
    report = context.new_page()
    report.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    report.set_content(html, wait_until="load")
    first = report.locator("section").first
    assert first.get_attribute("data-section") == "summary"
    assert "Legal basis" in first.inner_text() and "123/2026 PS Model Town" in first.inner_text()
    assert report.locator("#graph svg circle").count() >= 2
    # Urdu in the report is drawn in the embedded Nastaliq, with no missing glyph for "ہ".
    assert report.evaluate("document.fonts.check('16px \"Noto Nastaliq Urdu\"', 'ہ')")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report.screenshot(path=str(SCREENSHOTS / "report-first-page.png"))
    _keep(SCREENSHOTS / "report-first-page.png")
    report.close()


def test_refused_export_shows_the_gates_reason(page, site):
    ref = "CASE-2026-0160"
    sana = site.users["sana"]
    open_case(site.gate.audit, sana, ref, basis_kind="fir", basis_ref="160/2026 PS Civil Lines",
              authorising_officer="SP Investigation Lahore", purpose="report refusal check", days=30,
              members=["ayesha"])
    with site.gate.session(site.users["ayesha"], ref, "attach a subject") as view:
        view.attach_subject(site.subject, "for the export")
    login(page, "ayesha", next_url=f"/cases/{ref}")
    section = _exports(page)
    # The supervisor takes ayesha off the case while her workspace is open.
    remove_member(site.gate.audit, sana, ref, "ayesha")
    section.locator('a[data-export="pdf"]').click()
    page.wait_for_selector("[data-export-status][data-state='error']")
    text = section.locator("[data-export-status]").inner_text()
    assert text.startswith("The export was refused:")
    seq = int(re.search(r"audit entry (\d+)", text).group(1))
    entry = site.gate.audit.record(seq)
    assert entry.case == ref and entry.decision == "deny"
    assert "member" in text.lower()
    _keep(shot(page, "report-export-refused"))
    assert site.users["ayesha"].agency == AGENCY
