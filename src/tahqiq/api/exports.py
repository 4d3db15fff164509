"""Case exports: followthemoney JSON lines, GraphML, CSV, a printable HTML report and its PDF.

What is exported is the case's graph: its subjects and everything one link away (`graph.case_graph`,
an audited read), and each export writes its own "export" audit entry with the format, the entity
ids and the SHA-256 of the file handed out.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
are prefixed with a single quote, as OWASP recommends against CSV injection. The HTML report is built
by tahqiq.api.report (summary, merged profiles, graph, timeline, map, appendices); the PDF is that
report printed by headless Chromium (Playwright, using /usr/bin/chromium); without it the route
answers 503 and says what is missing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
from pathlib import Path
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, HTTPException, Query, Request, Response

from tahqiq import graph
from tahqiq.api import deps
from tahqiq.api.models import DENIED, SIGNED_IN, UNDER_CASE, ExportFormat, Problem
from tahqiq.api.report import ENGLISH, Language, build_report, render_footer, render_html
from tahqiq.govern import CaseView
from tahqiq.graph import CaseGraph
from tahqiq.model.entity import EntityView
from tahqiq.model.ftm import to_ftm

FORMATS = {
    "ftm": ("application/x-ndjson", "ftm.jsonl"),
    "graphml": ("application/graphml+xml", "graphml"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPORT_EVENTS = 500  # the subjects' newest events in the report

router = APIRouter(prefix="/api/cases", tags=["exports"], dependencies=SIGNED_IN, responses=DENIED)


def csv_safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_ftm_lines(entities: list[EntityView]) -> bytes:
    return "".join(json.dumps(to_ftm(e), ensure_ascii=False, sort_keys=True) + "\n" for e in entities).encode()


def to_graphml(case: CaseGraph) -> bytes:
    """GraphML for Gephi or i2: node attributes are the caption, schema, source and each property's
    values joined by ' | ' (GraphML attributes are scalars)."""
    g = nx.MultiDiGraph()
    for e in case.entities:
        attrs = {"label": e.caption, "schema": e.schema, "source": e.source, "subject": e.id in case.subjects}
        for prop in e.properties:
            attrs[f"p_{prop}"] = " | ".join(e.values(prop))
        g.add_node(e.id, **attrs)
    for link in case.links:
        g.add_edge(link.source, link.target, key=link.relation, relation=link.relation)
    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def to_csv(entities: list[EntityView], subjects: set[str]) -> bytes:
    """One row per value, with its provenance: entity, schema, subject, property, value, original
    spelling, script, source, source record, batch, time."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["entity_id", "schema", "caption", "subject", "property", "value", "original", "script",
                "source", "record_id", "batch_id", "seen_at"])
    for e in entities:
        cap = e.caption
        for prop, values in e.properties.items():
            for v in values:
                w.writerow([csv_safe(x) for x in (e.id, e.schema, cap, e.id in subjects, prop, v.value, v.original,
                                                  v.script, v.source, v.record_id, v.batch_id, v.seen_at.isoformat())])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes spreadsheets read Urdu as UTF-8


def to_html(view: CaseView, case: CaseGraph, language: Language = ENGLISH) -> tuple[bytes, str]:
    """The case report (tahqiq.api.report) and its PDF page footer."""
    built = build_report(view, case, graph.timeline(view, limit=REPORT_EVENTS))
    return render_html(built, language), render_footer(built, language)


def chromium_path() -> str | None:
    for path in (os.environ.get("TAHQIQ_CHROMIUM"), *CHROMIUM_PATHS, shutil.which("chromium")):
        if path and Path(path).is_file():
            return path
    return None


def html_to_pdf(html: bytes, footer: str | None = None) -> bytes:
    """Print the report with headless Chromium (no network: the report has no external resources;
    its Urdu font is inside it). `footer`: HTML for each page's footer (page numbers)."""
    exe = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise HTTPException(503, "PDF export needs the Python package playwright (pip install playwright)") from None
    if exe is None:
        raise HTTPException(503, "PDF export needs Chromium: install Debian's `chromium` (/usr/bin/chromium) or set "
                                 "TAHQIQ_CHROMIUM to its path; the HTML report (format html) works without it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.set_content(html.decode("utf-8"), wait_until="load")
            # Web fonts load when text first needs them: print only once Nastaliq is in.
            page.evaluate("document.fonts.ready.then(() => true)")
            return page.pdf(format="A4", print_background=True, prefer_css_page_size=True,
                            display_header_footer=footer is not None, header_template="<span></span>",
                            footer_template=footer or "",
                            margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        finally:
            browser.close()


def export_case(view: CaseView, fmt: str, hops: int = 1, language: Language = ENGLISH) -> tuple[bytes, int]:
    """The case's graph in `fmt`; returns (bytes, audit seq of the export entry)."""
    if fmt not in FORMATS:
        raise HTTPException(400, f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    case = graph.case_graph(view, hops=hops)
    if fmt == "ftm":
        data = to_ftm_lines(case.entities)
    elif fmt == "graphml":
        data = to_graphml(case)
    elif fmt == "csv":
        data = to_csv(case.entities, case.subjects)
    else:
        data, footer = to_html(view, case, language)
        if fmt == "pdf":
            data = html_to_pdf(data, footer)
    # The export hands the file out: the entry names every entity in it and the file's hash.
    with view.read("export", target=fmt, detail={"format": fmt, "sha256": hashlib.sha256(data).hexdigest(),
                                                 "bytes": len(data)}) as r:
        r.disclose(sorted(e.id for e in case.entities))
    assert r.entry is not None
    return data, r.entry.seq


EXPORT_ANSWERS: dict[int | str, dict[str, Any]] = {
    **UNDER_CASE, 503: {"model": Problem, "description": "no Chromium for the PDF"},
    200: {"content": {t.split(";")[0]: {} for t, _ in FORMATS.values()}, "description": "the file"}}


@router.get("/{ref}/export/{fmt}", response_class=Response, responses=EXPORT_ANSWERS)
def export(request: Request, ref: str, fmt: ExportFormat,
           purpose: Annotated[str | None, Query(max_length=500, description="why you export it")] = None,
           hops: Annotated[int, Query(ge=0, le=2, description="links followed from the subjects")] = 1) -> Response:
    """Download the case's subjects and their neighbours as ftm (followthemoney JSON lines),
    graphml, csv, html (printable report) or pdf. Audited as an export."""
    if fmt not in FORMATS:
        raise HTTPException(400, f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    with deps.case_view(request, ref, purpose) as view:
        data, seq = export_case(view, fmt, hops=hops, language=Language.of(request))
    media, ext = FORMATS[fmt]
    safe_ref = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in ref)
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{safe_ref}.{ext}"',
        "X-Tahqiq-Audit-Seq": str(seq), "X-Content-Type-Options": "nosniff"})
