"""The event trends page: counts of reported events (ACLED-style OSINT) by district, ISO week and theme.

    GET /intel/trends?district=&theme=&since=&until=&dataset=&page=    filters are a plain GET form

What it shows: weekly counts by theme as a stacked bar chart drawn here as inline SVG (no script, no
new library; the numbers are also in a table beneath it, for screen readers and for copying), a map
of the district totals (circles sized by count, on the offline basemap the case map uses, drawn by
static/osint.js from a JSON block in the page), and a paginated table of district x theme totals.

The counts contain no personal data (tahqiq.intel.osint keeps no notes, names or source texts), yet
the page is for analysts and supervisors, as the other analysis pages are, and its one read goes
through the gate (`trends_overview`), decided and audited like any other.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.govern import ANALYST, SUPERVISOR, AccessDenied, Principal
from tahqiq.intel.osint import OTHER_DISTRICT, THEMES, district_centre, district_name
from tahqiq.intel.osint_store import SeriesPoint, TrendFilter, trends_overview
from tahqiq.web.i18n import N_, is_rtl
from tahqiq.web.i18n import gettext as _
from tahqiq.web.render import MAX_PAGE, denial, page, speak

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
PATH = "/intel/trends"
PER_PAGE = 20
PURPOSE = "OSINT event trends (aggregate counts)"
REFUSAL = "event trends are for analysts and supervisors"
MAX_WEEKS = 156  # bars in the chart; a longer range shows its newest weeks and says so
THEME_LABELS = {"Battles": N_("Battles"), "Explosions/Remote violence": N_("Explosions/Remote violence"),
                "Violence against civilians": N_("Violence against civilians"), "Protests": N_("Protests"),
                "Riots": N_("Riots"), "Strategic developments": N_("Strategic developments")}
# Okabe-Ito colours (told apart with the common colour-vision deficiencies), one per theme.
THEME_COLOURS = {"Battles": "#D55E00", "Explosions/Remote violence": "#CC79A7",
                 "Violence against civilians": "#E69F00", "Protests": "#0072B2", "Riots": "#009E73",
                 "Strategic developments": "#56B4E9"}
CHART_W, CHART_H, PAD_START, PAD_END, PAD_TOP, PAD_BOTTOM = 760, 260, 44, 12, 12, 34


def theme_label(theme: str) -> str:
    return _(THEME_LABELS[theme]) if theme in THEME_LABELS else theme


def district_label(district: str) -> str:
    return _("Other/unknown") if district == OTHER_DISTRICT else district


def _nice_top(value: int) -> int:
    """The y axis's top: 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 5:
        return 5
    power = 10 ** int(math.floor(math.log10(value)))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def chart(series: list[SeriesPoint], rtl: bool) -> dict[str, Any]:
    """The stacked weekly bars as geometry for the template: every week from the first to the last
    (a quiet week is an empty slot, not a missing one), newest at the reading end (right in English,
    left in Urdu)."""
    if not series:
        return {"weeks": [], "bars": [], "ticks": [], "labels": [], "themes": [], "clipped": 0}
    first, last = min(p.week for p in series), max(p.week for p in series)
    span = (last - first).days // 7 + 1
    clipped = max(0, span - MAX_WEEKS)
    first = first + timedelta(weeks=clipped)
    weeks = [first + timedelta(weeks=i) for i in range(span - clipped)]
    counts: dict[date, dict[str, int]] = {w: {} for w in weeks}
    deaths: dict[date, int] = dict.fromkeys(weeks, 0)
    for p in series:
        if p.week in counts:
            counts[p.week][p.theme] = counts[p.week].get(p.theme, 0) + p.events
            deaths[p.week] += p.fatalities
    themes = [t for t in THEMES if any(t in c for c in counts.values())]
    themes += sorted({t for c in counts.values() for t in c} - set(themes))
    top = _nice_top(max((sum(c.values()) for c in counts.values()), default=0))
    plot_w, plot_h = CHART_W - PAD_START - PAD_END, CHART_H - PAD_TOP - PAD_BOTTOM
    left = PAD_END if rtl else PAD_START  # the value labels stand at the axis's start: right in Urdu
    slot = plot_w / len(weeks)
    base = PAD_TOP + plot_h
    bars, labels = [], []
    every = max(1, math.ceil(len(weeks) / 8))
    for i, week in enumerate(weeks):
        x = left + (len(weeks) - 1 - i if rtl else i) * slot
        y = float(base)
        for theme in themes:
            n = counts[week].get(theme, 0)
            if not n:
                continue
            h = n / top * plot_h
            y -= h
            bars.append({"x": round(x + slot * 0.1, 2), "y": round(y, 2), "w": round(slot * 0.8, 2),
                         "h": round(h, 2), "colour": THEME_COLOURS.get(theme, "#555"), "theme": theme, "n": n,
                         "week": week.isoformat()})
        if i % every == 0:
            labels.append({"x": round(x + slot / 2, 2), "text": week.strftime("%d %b %y"), "week": week.isoformat()})
    ticks = [{"y": round(base - v / top * plot_h, 2), "value": v} for v in (0, top // 2, top)]
    rows = [{"week": w.isoformat(), "counts": [counts[w].get(t, 0) for t in themes], "total": sum(counts[w].values()),
             "fatalities": deaths[w]} for w in weeks]
    return {"weeks": rows, "bars": bars, "ticks": ticks, "labels": labels, "themes": themes, "clipped": clipped,
            "width": CHART_W, "height": CHART_H, "plot_start": left, "plot_end": left + plot_w, "base": base,
            "label_y": CHART_H - 10, "tick_x": left + plot_w + 6 if rtl else left - 6,
            "tick_anchor": "start" if rtl else "end", "total": sum(r["total"] for r in rows)}


def map_points(totals: list[Any], chosen: str | None) -> list[dict[str, Any]]:
    """District totals with a place, as the map script draws them (circles sized by count)."""
    out = []
    for t in totals:
        if t.latitude is None or t.longitude is None:
            continue
        out.append({"district": t.district, "label": district_label(t.district), "events": t.events,
                    "fatalities": t.fatalities, "lat": t.latitude, "lon": t.longitude,
                    "centre": district_centre(t.district) is not None, "chosen": t.district == chosen})
    return out


def _day(text: str | None, problems: list[str], problem: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.append(problem)
        return None


def filters(request: Request) -> tuple[TrendFilter, int, int, list[str]]:
    """The form's filters (bad ones dropped, with a sentence saying so), the page and its size."""
    q = request.query_params
    problems: list[str] = []
    district = district_name(q.get("district") or "")[:100] or None
    theme = q.get("theme") if q.get("theme") in THEMES else None
    since = _day(q.get("since"), problems, _("The start date is written like 2026-03-01; it was left out."))
    until = _day(q.get("until"), problems, _("The end date is written like 2026-03-01; it was left out."))
    if since and until and since > until:
        since, until = until, since
        problems.append(_("The start came after the end; they were swapped."))
    dataset = (q.get("dataset") or "").strip()[:100] or None
    try:
        number = min(MAX_PAGE, max(1, int(q.get("page") or 1)))
        per_page = min(100, max(1, int(q.get("per_page") or PER_PAGE)))
    except ValueError:
        number, per_page = 1, PER_PAGE
    return TrendFilter(district, theme, since, until, dataset), number, per_page, problems


def _query(f: TrendFilter, per_page: int) -> str:
    pairs = [(k, str(v)) for k, v in (("district", f.district), ("theme", f.theme), ("since", f.since),
                                      ("until", f.until), ("dataset", f.dataset)) if v]
    return urlencode(pairs + ([("per_page", str(per_page))] if per_page != PER_PAGE else []))


@router.get(PATH)
def trends(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    lang = speak(request)
    f, number, per_page, problems = filters(request)
    try:
        with deps.gate(request).scope(who, PURPOSE, roles=(ANALYST, SUPERVISOR), system=False,
                                      refusal=REFUSAL) as view:
            found = trends_overview(view, f, offset=(number - 1) * per_page, limit=per_page)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    rtl = is_rtl(lang)
    pages = max(1, -(-found.table.total // per_page))
    return page(request, "osint.html", who, nav="trends", f=found.filter, found=found, number=number, pages=pages,
                query=_query(f, per_page), problems=problems, chart=chart(found.series, rtl),
                points=map_points(found.districts, f.district), unplaced=[d for d in found.districts
                                                                          if d.latitude is None],
                themes=THEMES, theme_label=theme_label, district_label=district_label, colours=THEME_COLOURS,
                districts=found.district_names, datasets=found.datasets)


__all__ = ["PATH", "THEME_COLOURS", "THEME_LABELS", "chart", "filters", "map_points", "router"]
