"""The case report (HTML, and the PDF printed from it): a summary first, then the subjects' merged
profiles, a picture of the link graph, the timeline and a map, then appendices with the source records.

What a reader sees is written for people: property labels from the model (never `birthDate`), a
linked record's caption or its kind and identifier (never an entity id), local times with the zone's
name. Each subject's profile is the resolved person (`tahqiq.search.profile`: every value of the
cluster, with the sources that say it); a subject already inside another subject's cluster is not
repeated. The pictures are SVG drawn on the server (`report_svg`), and the Urdu font (Noto Nastaliq
Urdu, vendored by `make assets`) is embedded as a data: URL, so the HTML is self-contained and
Chromium prints Urdu in Nastaliq with no missing glyph and no network.

The reader's language comes from the web layer when it gives one (`app.state.i18n`: an object with
`language_of(request)`, `translations(lang)` and `is_rtl(lang)`, i.e. `tahqiq.web.i18n`); `api`
sits below `web` and cannot import it. Without it the report is in English.
"""

from __future__ import annotations

import base64
import gettext
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request

from tahqiq import casework
from tahqiq.api.report_svg import Figure, GraphEdge, GraphNode, graph_svg, is_urdu, map_svg, timeline_svg, when
from tahqiq.govern import CaseInfo, CaseView, Principal, get_case
from tahqiq.graph import CaseGraph, Event, relation_label
from tahqiq.model.entity import EntityView
from tahqiq.model.geography import geography
from tahqiq.model.schema import model
from tahqiq.search import Profile as Merged
from tahqiq.search import profile as merged_profile

TEMPLATES = Path(__file__).resolve().parent / "templates"
NASTALIQ_DIR = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "nastaliq" / "files"
NASTALIQ_FILE = "noto-nastaliq-urdu-arabic-400-normal.woff2"
ARABIC_RANGE = "U+0600-06FF,U+0750-077F,U+08A0-08FF,U+200C-200E,U+FB50-FDFF,U+FE70-FEFF"
GRAPH_NODES = 40  # nodes in the printed graph; the appendix lists every record
BODY_EVENTS = 25  # events listed in the body; all of them in the appendix
BUNDLE_FROM = 3  # events of one kind on the same records drawn as one node from this many


class Languages(Protocol):
    """What the web layer knows about the reader's language (tahqiq.web.i18n has these functions)."""

    def language_of(self, request: Request) -> str: ...

    def translations(self, lang: str) -> Any: ...

    def is_rtl(self, lang: str | None = None) -> bool: ...


@dataclass(frozen=True)
class Language:
    code: str = "en"
    rtl: bool = False
    translations: Any = field(default_factory=gettext.NullTranslations)

    @classmethod
    def of(cls, request: Request) -> Language:
        """The reader's language, when the web layer registered its i18n on the app (else English)."""
        i18n: Languages | None = getattr(request.app.state, "i18n", None)
        if i18n is None:
            return ENGLISH
        code = i18n.language_of(request)
        return cls(code, bool(i18n.is_rtl(code)), i18n.translations(code))


ENGLISH = Language()


@dataclass
class Shown:
    """One value as printed: its text (a linked record's label, not its id), script and provenance."""

    text: str
    script: str | None = None
    sources: list[str] = field(default_factory=list)
    original: str | None = None  # as the source wrote it, when normalising changed it
    linked: bool = False  # a link to a record this report does not hold (shown as such, not as an id)

    @property
    def urdu(self) -> bool:
        return self.script == "Arab" or is_urdu(self.text)


@dataclass
class Row:
    label: str
    values: list[Shown]


@dataclass
class Legal:
    """A warrant or FIR that names the subject: what it is and how it names them."""

    kind: str
    title: str
    relation: str
    status: str | None
    facts: list[tuple[str, str]]


@dataclass
class Profile:
    """A subject as one person (or thing): its facts merged from every record of its cluster."""

    title: str
    kind: str
    identifiers: list[str]
    facts: list[Row]
    sources: dict[str, int]
    records: int
    legal: list[Legal] = field(default_factory=list)


@dataclass
class Record:
    """A source record, for the appendix."""

    title: str
    kind: str
    source: str
    record_id: str
    subject: bool
    rows: list[Row]


@dataclass
class NoteOut:
    author: str
    at: str
    about: str | None
    body: str


@dataclass
class Report:
    case: CaseInfo
    purpose: str
    produced_by: Principal
    produced_at: str
    subjects: int  # subject records attached to the case
    profiles: list[Profile]
    records: list[Record]
    events: list[Event]
    graph: Figure
    graph_shown: int
    timeline: Figure
    map: Figure
    notes: list[NoteOut]
    source_labels: dict[str, str] = field(default_factory=dict)  # source name -> its mapping's label

    @property
    def body_events(self) -> list[Event]:
        return self.events[:BODY_EVENTS]


def kind_of(schema: str) -> str:
    found = model().schemata.get(schema)
    return found.label if found else schema


def label_of(entity: EntityView) -> str:
    """What to call a record: its caption; a thing captioned by an identifier (a vehicle by its plate)
    or with no caption at all is its kind and identifier ("Vehicle LEK-200"); never its id."""
    schema = model().schemata.get(entity.schema)
    kind = kind_of(entity.schema)
    caption = entity.caption
    if caption == entity.id:
        return entity.title
    prop = schema.properties.get(schema.caption) if schema and schema.caption else None
    if prop is not None and prop.type in model().identifier_types:
        return f"{kind} {caption}"
    return caption


@cache
def _reference_props() -> frozenset[str]:
    return frozenset(p.name for s in model().schemata.values() for p in s.properties.values() if p.is_reference)


@cache
def _prop_types() -> dict[str, str]:
    types: dict[str, str] = {}
    for s in model().schemata.values():
        for p in s.properties.values():
            types.setdefault(p.name, p.type)
    return types


def _shown(prop: str, value: str, labels: dict[str, str], **kw: Any) -> Shown:
    """A value as a person reads it: a link as the linked record's label, a time in local time."""
    if prop in _reference_props():
        return Shown(labels[value], **kw) if value in labels else Shown("", linked=True, **kw)
    if _prop_types().get(prop) == "datetime":
        return Shown(when(value), **{**kw, "original": None})
    return Shown(value, **kw)


def _record(entity: EntityView, labels: dict[str, str], subject: bool) -> Record:
    schema = model().schemata.get(entity.schema)
    order = list(schema.properties) if schema else []
    props = sorted(entity.properties, key=lambda p: (order.index(p) if p in order else len(order), p))
    rows = [Row(schema.properties[p].label if schema and p in schema.properties else model().property_label(p),
                [_shown(p, v.value, labels, script=v.script,
                        original=v.original if v.original and v.original != v.value else None)
                 for v in entity.properties[p]]) for p in props]
    first = next((v for vals in entity.properties.values() for v in vals), None)
    return Record(labels[entity.id], kind_of(entity.schema), entity.source, first.record_id if first else "",
                  subject, rows)


def _profile_of(found: Merged, labels: dict[str, str]) -> Profile:
    """A report profile from the search room's merged profile (every value of the cluster once)."""
    rows: dict[str, Row] = {}
    for fact in found.facts:
        row = rows.setdefault(fact.prop, Row(fact.label, []))
        if fact.ref is not None:
            text = labels.get(fact.ref.id) or fact.ref.caption
            row.values.append(Shown(text, sources=list(fact.sources)))
        else:
            shown = _shown(fact.prop, fact.value, labels, script=fact.script, sources=list(fact.sources))
            shown.original = next((o for o in fact.originals if o != fact.value), None) if fact.type != "datetime" \
                else None
            row.values.append(shown)
    legal = [Legal(x.schema_label, x.caption, x.relation, x.status,
                   [(label, when(value) if kind == "datetime" else value) for label, value, kind in x.facts])
             for x in found.legal]
    # A person is called by the cluster's best name; a thing keeps its kind ("Vehicle LEK-200").
    title = labels.get(found.id) or found.caption
    if found.caption and not title.startswith(f"{found.schema_label} "):
        title = found.caption
    return Profile(title, found.schema_label, list(found.identifiers), list(rows.values()), dict(found.sources),
                   len(found.member_ids) or 1, legal)


def _profile_alone(entity: EntityView, labels: dict[str, str]) -> Profile:
    """A profile of one record, where no resolved profile is available."""
    record = _record(entity, labels, True)
    for row in record.rows:
        for v in row.values:
            v.sources = [entity.source]
    return Profile(record.title, record.kind, entity.identifiers(), record.rows, {entity.source: 1}, 1)


def profiles(view: CaseView, case: CaseGraph, labels: dict[str, str]) -> tuple[list[Profile], dict[str, str]]:
    """One profile per resolved subject (in the case's order), and each record's group (the subject
    whose cluster holds it) so the graph draws a resolved person once."""
    by_id = {e.id: e for e in case.entities}
    out: list[Profile] = []
    group: dict[str, str] = {}
    for eid in [e.id for e in case.entities if e.id in case.subjects]:
        if eid in group:
            continue  # inside an earlier subject's cluster: already profiled
        found = merged_profile(view, eid)
        if found is not None:
            out.append(_profile_of(found, labels))
            for member in [eid, *found.member_ids]:
                group.setdefault(member, eid)
        else:
            out.append(_profile_alone(by_id[eid], labels))
            group[eid] = eid
    return out, group


def _bundle_events(case: CaseGraph, group: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Events of one kind linked to the same records (nineteen plate reads of one vehicle) become one
    node of the printed graph: their members join `group`; returns bundle -> (label, schema)."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in case.links:
        neighbours[link.source].add(link.target)
        neighbours[link.target].add(link.source)
    bundles: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for e in case.entities:
        schema = model().schemata.get(e.schema)
        if schema is not None and schema.is_event and e.id not in case.subjects and e.id not in group:
            bundles[(e.schema, frozenset(group.get(n, n) for n in neighbours[e.id]))].append(e.id)
    out = {}
    for (schema_name, _), members in bundles.items():
        if len(members) >= BUNDLE_FROM:
            key = f"bundle:{members[0]}"
            group.update({m: key for m in members})
            out[key] = (f"{kind_of(schema_name)} ×{len(members)}", schema_name)
    return out


def graph_figure(case: CaseGraph, labels: dict[str, str], group: dict[str, str]) -> tuple[Figure, int]:
    """The printed link graph: the subjects (a resolved person once) and their nearest links, at most
    GRAPH_NODES nodes, repeated events bundled; returns the figure and how many records it shows."""
    group = dict(group)
    bundles = _bundle_events(case, group)
    degree: Counter[str] = Counter()
    for link in case.links:
        degree[link.source] += 1
        degree[link.target] += 1
    schemata = {e.id: e.schema for e in case.entities}
    ranked = sorted(case.entities, key=lambda e: (e.id not in case.subjects, kind_of(e.schema) != "Person",
                                                  -degree[e.id], labels[e.id]))
    chosen: dict[str, GraphNode] = {}
    shown = 0
    for e in ranked:
        key = group.get(e.id, e.id)
        if key not in chosen:
            if len(chosen) >= GRAPH_NODES:
                continue
            label, schema = bundles.get(key) or (labels[key], schemata[key])
            chosen[key] = GraphNode(key, label, kind_of(schema), key in case.subjects)
        shown += 1
    edges = {(min(a, b), max(a, b), link.relation): GraphEdge(a, b, relation_label(link.relation))
             for link in case.links
             if (a := group.get(link.source, link.source)) in chosen and (b := group.get(link.target, link.target))
             in chosen and a != b}
    return graph_svg(list(chosen.values()), list(edges.values())), shown


def district_centres(events: list[Event]) -> dict[str, tuple[float, float]]:
    """(lon, lat) of the districts where located events happened, to name them on the map."""
    named = {ev.place for ev in events if ev.place and ev.latitude is not None}
    return {d.name: (d.lon, d.lat) for d in geography().districts if d.name in named}


def build_report(view: CaseView, case: CaseGraph, events: list[Event]) -> Report:
    """Everything the report shows, read through `view` (profiles and notes are audited reads)."""
    labels = {e.id: label_of(e) for e in case.entities}
    found, group = profiles(view, case, labels)
    order = {e.id: i for i, e in enumerate(case.entities)}
    records = [_record(e, labels, e.id in case.subjects) for e in
               sorted(case.entities, key=lambda e: (e.id not in case.subjects, kind_of(e.schema), labels[e.id],
                                                    order[e.id]))]
    graph, shown = graph_figure(case, labels, group)
    notes = [NoteOut(n.author, when(n.created_at), labels.get(n.entity_id) if n.entity_id else None, n.body)
             for n in casework.list_notes(view)]
    return Report(get_case(view.gate.engine, view.case), view.purpose, view.principal, when(datetime.now(UTC)),
                  len(case.subjects), found, records, events, graph, shown, timeline_svg(events),
                  map_svg(events, district_centres(events)), notes, view.gate.source_labels())


def bidi(value: object) -> Markup:
    """Text that may be Urdu, isolated so it cannot reorder the line around it; Urdu gets lang="ur"
    (the Nastaliq font) and right-to-left direction (the pages' `bidi` filter, for the report)."""
    text = "" if value is None else str(value)
    if is_urdu(text):
        return Markup('<bdi lang="ur" dir="rtl">{}</bdi>').format(text)
    return Markup('<bdi dir="auto">{}</bdi>').format(text)


@cache
def nastaliq_css() -> str:
    """@font-face for Noto Nastaliq Urdu with the font inside (data: URL), for the Arabic script
    range only; empty when `make assets` has not vendored it."""
    path = NASTALIQ_DIR / NASTALIQ_FILE
    if not path.is_file():
        return ""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return ("@font-face { font-family: 'Noto Nastaliq Urdu'; font-style: normal; font-weight: 400; "
            f"src: url(data:font/woff2;base64,{data}) format('woff2'); unicode-range: {ARABIC_RANGE}; }}")


@lru_cache(maxsize=8)
def _environment(translations: Any) -> Environment:
    """One template environment per catalogue (the web layer caches its catalogues, so few exist)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["when"] = when
    env.filters["bidi"] = bidi
    return env


def render_html(report: Report, language: Language = ENGLISH) -> bytes:
    env = _environment(language.translations)
    html = env.get_template("report.html").render(
        r=report, lang=language.code, rtl=language.rtl, font_css=Markup(nastaliq_css()))
    return html.encode("utf-8")


def render_footer(report: Report, language: Language = ENGLISH) -> str:
    """The PDF's page footer (Chromium fills in the page numbers)."""
    return _environment(language.translations).get_template("report_footer.html").render(
        r=report, rtl=language.rtl, page_number=Markup('<span class="pageNumber"></span>'),
        total_pages=Markup('<span class="totalPages"></span>'))


__all__ = ["ENGLISH", "Language", "Languages", "Legal", "Profile", "Record", "Report", "Row", "Shown", "bidi",
           "build_report", "graph_figure", "kind_of", "label_of", "nastaliq_css", "profiles", "render_footer",
           "render_html"]
