"""The entity page's "resolved from these records, because ..." section, and its waterfall chart.

Entity resolution (tahqiq.resolve) explains each link between two records as Splink does: a prior
match weight plus one log2 Bayes factor per compared field (name agreed exactly: +9.1; birth year
differs: -4.3 ...), summing to the link's match weight. The waterfall draws those steps so an
analyst can see which fields carried the decision, and challenge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tahqiq import resolve
from tahqiq.govern import CaseView
from tahqiq.resolve import FieldContribution
from tahqiq.web.entities import summary
from tahqiq.web.i18n import gettext as _

WIDTH, LABEL_W, ROW_H, PAD = 760, 230, 22, 8
# A field that rules a match out entirely has a Bayes factor of 0 (log2 = -inf); the chart draws it
# as this many bits so the bar stays on the page, and labels it "-inf".
CLAMP = 30.0


def _clamped(v: float | None) -> float:
    """A field's weight on the chart: None (a factor of 0 or infinity) is drawn at the clamp."""
    return -CLAMP if v is None else max(-CLAMP, min(CLAMP, v))


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    start: float  # cumulative log2 weight before this step
    end: float    # ... and after it
    kind: str     # prior | pos | neg | total


def waterfall_bars(match_weight: float, fields: list[FieldContribution]) -> list[Bar]:
    """Prior, one bar per field, then the total. The prior is what the field factors leave of the
    match weight (Splink's lambda term), so the bars always sum to the weight the link was given."""
    contributions = [(f"{f.field}", f.level, _clamped(f.log2_bayes_factor)) for f in fields]
    prior = _clamped(match_weight) - sum(c[2] for c in contributions)
    bars = [Bar(_("prior (how likely any two records match)"), "", 0.0, prior, "prior")]
    running = prior
    for name, level, weight in contributions:
        bars.append(Bar(name, level, running, running + weight, "pos" if weight >= 0 else "neg"))
        running += weight
    bars.append(Bar(_("match weight"), "", 0.0, running, "total"))
    return bars


def waterfall_svg(bars: list[Bar]) -> dict[str, Any]:
    """Geometry for the template: a scale from the smallest to the largest cumulative weight."""
    lo = min([0.0] + [min(b.start, b.end) for b in bars])
    hi = max([0.0] + [max(b.start, b.end) for b in bars])
    span = (hi - lo) or 1.0
    plot = WIDTH - LABEL_W - 60

    def x(v: float) -> float:
        return round(LABEL_W + (v - lo) / span * plot, 1)

    rows = []
    for i, b in enumerate(bars):
        left, right = sorted((x(b.start), x(b.end)))
        value = b.end - b.start
        shown = f"{value:+.1f}" if abs(value) < CLAMP else ("+inf" if value > 0 else "-inf")
        rows.append({"y": PAD + i * ROW_H, "x": left, "w": max(right - left, 1.5), "label": b.label,
                     "detail": b.detail, "kind": b.kind, "value": round(value, 2), "shown": shown,
                     "text_x": right + 4})
    return {"width": WIDTH, "height": PAD * 2 + len(bars) * ROW_H + 16, "zero": x(0.0), "rows": rows,
            "row_h": ROW_H, "axis_y": PAD + len(bars) * ROW_H + 4, "lo": round(lo, 1), "hi": round(hi, 1),
            "lo_x": x(lo), "hi_x": x(hi)}


def resolution_of(view: CaseView, entity_id: str) -> dict[str, Any] | None:
    """What the page shows about how the entity was resolved, or None where the entity stands
    alone. Reads go through `resolve.resolved` (gated, audited)."""
    found = resolve.resolved(view, entity_id)
    if found is None:
        return None
    members = {m.id: summary(m) for m in found.members}
    links = []
    for link in found.links:
        # An analyst's merge or split has no model weights to draw: the page shows who and why.
        modelled = link.source == "model" and link.match_weight is not None
        chart = waterfall_svg(waterfall_bars(link.match_weight, link.fields)) if link.match_weight is not None else None
        # A member the gate no longer returns (deleted by retention) is named as such, never by its id.
        gone = {"label": _("a record no longer in the store"), "schema_label": "", "source": ""}
        links.append({"left": members.get(link.left_id, {"id": link.left_id, **gone}),
                      "right": members.get(link.right_id, {"id": link.right_id, **gone}),
                      "match_weight": link.match_weight, "probability": link.probability, "source": link.source,
                      "status": link.status, "fields": link.fields, "chart": chart if modelled else None})
    spanning = _spanning(links)
    return {"cluster_id": found.cluster_id, "members": list(members.values()), "links": spanning,
            "more_links": len(links) - len(spanning), "all_links": links}


def _spanning(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strongest links that join every record to the others (one fewer than the records): what
    explains the cluster, without the n·(n-1)/2 charts of every scored pair. Analysts' decisions
    always stay in."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    chosen = []
    for link in sorted(links, key=lambda k: (k["source"] != "analyst", -(k["probability"] or 0.0))):
        a, b = root(link["left"]["id"]), root(link["right"]["id"])
        if a != b or link["source"] == "analyst":
            parent[a] = b
            chosen.append(link)
    return chosen


__all__ = ["Bar", "waterfall_bars", "waterfall_svg", "resolution_of"]
