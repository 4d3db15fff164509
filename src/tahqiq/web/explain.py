"""The entity page's "resolved from these records, because ..." section, and its waterfall chart.

Entity resolution (tahqiq.govern.resolution) explains each link between two records as Splink does:
a prior match weight plus one log2 Bayes factor per compared field (name agreed exactly: +9.1; birth
year differs: -4.3 ...), summing to the link's match weight. The waterfall draws those steps so an
analyst can see which fields carried the decision, and challenge it. Until resolution is installed
the page shows the entity's own values only.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass

from tahqiq.govern import CaseView

WIDTH, LABEL_W, ROW_H, PAD = 760, 230, 22, 8
# A field that rules a match out entirely has a Bayes factor of 0 (log2 = -inf); the chart draws it
# as this many bits so the bar stays on the page, and labels it "-inf".
CLAMP = 30.0


def _finite(v: float) -> float:
    return max(-CLAMP, min(CLAMP, v)) if math.isfinite(v) else (CLAMP if v > 0 else -CLAMP)


@dataclass(frozen=True)
class Bar:
    label: str
    detail: str
    start: float  # cumulative log2 weight before this step
    end: float    # ... and after it
    kind: str     # prior | pos | neg | total


def waterfall_bars(match_weight: float, fields: list) -> list[Bar]:
    """Prior, one bar per field, then the total. The prior is what the field factors leave of the
    match weight (Splink's lambda term), so the bars always sum to the weight the link was given."""
    contributions = [(f"{f.field}", f.level, _finite(float(f.log2_bayes_factor))) for f in fields]
    prior = _finite(match_weight) - sum(c[2] for c in contributions)
    bars = [Bar("prior (how likely any two records match)", "", 0.0, prior, "prior")]
    running = prior
    for name, level, weight in contributions:
        bars.append(Bar(name, level, running, running + weight, "pos" if weight >= 0 else "neg"))
        running += weight
    bars.append(Bar("match weight", "", 0.0, running, "total"))
    return bars


def waterfall_svg(bars: list[Bar]) -> dict:
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


def resolution_available() -> bool:
    """Whether entity resolution is installed (the lead's tahqiq.govern.resolution)."""
    return importlib.util.find_spec("tahqiq.govern.resolution") is not None


def resolution_of(view: CaseView, entity_id: str) -> dict | None:
    """What the page shows about how the entity was resolved, or None where resolution is not
    installed or the entity stands alone. Reads go through `resolution.resolved` (gated, audited)."""
    try:
        from tahqiq.govern import resolution
    except ImportError:
        return None
    found = resolution.resolved(view, entity_id)
    if found is None:
        return None
    from tahqiq.web.case_pages import summary

    members = {m.id: summary(m) for m in found.members}
    links = []
    for link in found.links:
        # An analyst's merge or split has no model weights to draw: the page shows who and why.
        modelled = link.source == "model" and math.isfinite(link.match_weight)
        chart = waterfall_svg(waterfall_bars(link.match_weight, link.fields)) if modelled else None
        links.append({"left": members.get(link.left_id, {"id": link.left_id, "label": link.left_id}),
                      "right": members.get(link.right_id, {"id": link.right_id, "label": link.right_id}),
                      "match_weight": link.match_weight, "probability": link.probability, "source": link.source,
                      "status": getattr(link, "status", None), "fields": link.fields, "chart": chart})
    return {"cluster_id": found.cluster_id, "members": list(members.values()), "links": links}


__all__ = ["Bar", "waterfall_bars", "waterfall_svg", "resolution_of"]
