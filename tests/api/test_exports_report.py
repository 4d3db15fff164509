"""The case report as its reader checks it: a summary first (case, legal basis, officer, purpose, who
produced it and when in local time, the counts), the subjects' merged profiles with human labels,
a graph, timeline and map drawn as SVG, appendices with the source records; no raw property names
and no entity ids in what a person reads; the PDF carries Noto Nastaliq Urdu for Urdu text."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tahqiq.api.exports import chromium_path
from tahqiq.api.report import nastaliq_css
from tahqiq.model.schema import model
from tests.api.conftest import ID, member_headers
from tests.govern.conftest import CNIC

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
URDU_NOTE = "گاڑی کا مالک یہی ہے"  # "ہ" (U+06C1): the glyph the old report lacked


class _Text(HTMLParser):
    """The text a reader sees, in order, with the id of the section it is in (no CSS, no titles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[tuple[str, str]] = []
        self.section = ""
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "script"):
            self._skip += 1
        if tag == "section":
            self.section = dict(attrs).get("data-section", "")

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append((self.section, data.strip()))


def _report(api, fmt="html"):
    h = member_headers(api)
    case = api.world.case
    api.client.post(f"/api/cases/{case}/subjects", json={"entity_id": ID["urdu"]}, headers=h)
    api.client.post(f"/api/cases/{case}/subjects", json={"entity_id": ID["vehicle"]}, headers=h)
    api.client.post(f"/api/cases/{case}/notes", json={"body": URDU_NOTE}, headers=h)
    r = api.client.get(f"/api/cases/{case}/export/{fmt}", headers=h)
    assert r.status_code == 200, r.text
    return r


def _text(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def test_report_opens_with_a_summary(api):
    html = _report(api).text
    seen = _text(html)
    sections = [s for s, _ in seen.parts if s]
    assert sections[0] == "summary"
    assert sections.index("summary") < sections.index("profiles") < sections.index("graph") \
        < sections.index("timeline") < sections.index("map") < sections.index("records")
    summary = " ".join(t for s, t in seen.parts if s == "summary")
    for expected in ("CASE-2026-0001", "123/2026 PS Model Town", "Legal basis", "Authorising officer",
                     "Produced by", "ayesha"):
        assert expected in summary, expected
    produced = re.search(r'data-testid="produced-at">([^<]+)<', html).group(1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d PKT", produced)  # local time, zone labelled
    assert re.search(r"\d+ subjects", summary) and re.search(r"\d+ records in this report", summary)
    assert re.search(r"\d+ events", summary)


def test_profiles_use_labels_and_no_raw_names_or_ids(api):
    html = _report(api).text
    seen = _text(html)
    profiles = " ".join(t for s, t in seen.parts if s == "profiles")
    assert "ali raza" in profiles and CNIC in profiles and "CNIC" in profiles and "Name" in profiles
    assert "محمد اسلم" in profiles
    # The vehicle subject: its owner is shown as the owner's name, never the owner's entity id.
    assert "Vehicle LEA-1234" in profiles and "Owner" in profiles
    body = " ".join(t for _, t in seen.parts)
    camel = {p for s in model().schemata.values() for p in s.properties if re.search(r"[a-z][A-Z]", p)}
    assert camel, "the model has camelCase property names to look for"
    leaked = sorted(p for p in camel if re.search(rf"\b{p}\b", body))
    assert not leaked, f"raw property names in the report: {leaked}"
    ids = {api.world.subject, *ID.values()}
    # The appendix cites each source's own record number (here the fixture's "r-<id>"); no other
    # text, and no label anywhere, is an entity id.
    outside = " ".join(t for s, t in seen.parts if s != "records")
    assert not [i for i in ids if i in outside], "entity ids shown as text"
    assert not [i for i in ids if re.search(rf"<bdi[^>]*>{i}</bdi>", html)], "entity ids shown as labels"
    assert "registrationNumber" not in html.split("</style>", 1)[1]


def test_graph_timeline_and_map_are_svg(api):
    html = _report(api).text
    graph = re.search(r'<section id="graph".*?</section>', html, re.S).group(0)
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in graph and graph.count("<circle") >= 3
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", graph)
    assert "ali raza" in labels and "Vehicle LEA-1234" in labels
    assert "Owner" in graph  # the relation's human name in the legend
    timeline = re.search(r'<section id="timeline".*?</section>', html, re.S).group(0)
    assert "<svg" in timeline and "2026-03-01 15:00 PKT" in timeline  # 10:00 UTC read, local time
    map_ = re.search(r'<section id="map".*?</section>', html, re.S).group(0)
    assert "<path d=\"M" in map_ and "Lahore" in map_  # Punjab's outline and the events' district


def test_appendix_lists_source_records_with_labels(api):
    html = _report(api).text
    records = " ".join(t for s, t in _text(html).parts if s == "records")
    assert "Registration number" in records and "LEA-1234" in records and "Make" in records
    assert "record" in records


@pytest.mark.skipif(not nastaliq_css(), reason="Noto Nastaliq Urdu not vendored: run `make assets`")
def test_html_report_embeds_nastaliq(api):
    css = nastaliq_css()
    assert "font-family: 'Noto Nastaliq Urdu'" in css and "data:font/woff2;base64," in css and "U+0600-06FF" in css


@pytest.mark.skipif(chromium_path() is None, reason="no Chromium at /usr/bin/chromium")
@pytest.mark.skipif(not nastaliq_css(), reason="Noto Nastaliq Urdu not vendored: run `make assets`")
def test_pdf_embeds_nastaliq_and_renders(api):
    pdfminer = pytest.importorskip("pdfminer.high_level")
    from pdfminer.pdfpage import PDFPage

    pdf = _report(api, "pdf").content
    assert pdf.startswith(b"%PDF-")
    fonts = set()
    for page in PDFPage.get_pages(io.BytesIO(pdf)):
        for font in (page.resources or {}).get("Font", {}).values():
            obj = font.resolve() if hasattr(font, "resolve") else font
            fonts.add(str(obj.get("BaseFont")))
    assert any("NastaliqUrdu" in f for f in fonts), fonts
    text = pdfminer.extract_text(io.BytesIO(pdf))
    assert "CASE-2026-0001" in text and "Summary" in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "case-report.pdf").write_bytes(pdf)
    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf)
    try:
        for i in range(min(len(doc), 2)):
            doc[i].render(scale=1.5).to_pil().save(ARTIFACTS / f"case-report-page{i + 1}.png")
    finally:
        doc.close()
