"""The forecast pages: stored hotspot forecasts, one forecast's map layer, its patrol areas and its
bias audit.

    GET /forecasts?page=                          stored forecasts, newest first (paginated)
    GET /forecasts/{forecast_id}?share=&page=     the map of its top cells, the patrol areas per
                                                  district (supervisors; paginated by district) and
                                                  the bias audit (district shares, feedback loop)

Forecasts are about places and times, never persons: the cells, districts and numbers shown hold no
personal data. The pages are still for analysts and supervisors, and the patrol list for
supervisors only; every read goes through the gate (decided and audited). The feedback-loop chart
is drawn here as inline SVG (the same numbers in a table beneath it), the map by static/forecast.js
from a JSON block in the page on the offline basemap.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tahqiq.api import deps
from tahqiq.api.models import refuse_nul
from tahqiq.forecast.store import PatrolArea, StoredForecast, get_forecast, list_forecasts, patrol_areas
from tahqiq.govern import ANALYST, SUPERVISOR, AccessDenied, Principal
from tahqiq.web.i18n import gettext as _
from tahqiq.web.i18n import is_rtl
from tahqiq.web.render import MAX_PAGE, denial, error, page, speak

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
PATH = "/forecasts"
PER_PAGE = 20
DISTRICTS_PER_PAGE = 10
MAP_CELLS = 2000  # the top cells drawn on the map
PURPOSE = "hotspot forecasts (places, no personal data)"
PATROL_PURPOSE = "plan patrols from a stored forecast"
REFUSAL = "forecasts are for analysts and supervisors"
SHARES = (0.01, 0.02, 0.05, 0.1)
# Okabe-Ito colours, one per district line of the feedback chart.
LINE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
CHART_W, CHART_H, PAD = 360, 200, 34


def _int(text: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(text or default)))
    except ValueError:
        return default


def feedback_chart(run: dict[str, Any], districts: list[str], rtl: bool) -> dict[str, Any]:
    """One panel of the feedback loop: each district's share of patrols over the rounds, as polyline
    points (round 0 at the reading start: left in English, right in Urdu)."""
    traj = run["trajectory"]
    rounds, every = run["rounds"], run["every"]
    xs = [min(i * every, rounds - 1) for i in range(len(traj) - 1)] + [rounds - 1]
    plot_w, plot_h = CHART_W - 2 * PAD, CHART_H - 2 * PAD

    def px(r: int) -> float:
        f = r / max(1, rounds - 1)
        return round(PAD + (1 - f if rtl else f) * plot_w, 2)

    def py(v: float) -> float:
        return round(PAD + (1 - v) * plot_h, 2)

    lines = []
    for k, name in enumerate(districts):
        pts = " ".join(f"{px(r)},{py(row[k])}" for r, row in zip(xs, traj, strict=True))
        lines.append({"district": name, "points": pts, "colour": LINE_COLOURS[k % len(LINE_COLOURS)],
                      "final": traj[-1][k], "true": run["true_shares"][k], "target": run["target_shares"][k],
                      "estimated": run["estimated_shares"][k]})
    return {"lines": lines, "width": CHART_W, "height": CHART_H, "x0": PAD, "x1": PAD + plot_w, "y0": py(0.0),
            "y1": py(1.0), "ymid": py(0.5), "start_x": px(0), "end_x": px(rounds - 1), "rounds": rounds,
            "top": run["top_patrol_share"], "estimate_error": run["estimate_error"],
            "patrol_error": run["patrol_error"],
            "label_y": CHART_H - 10, "tick_x": PAD + plot_w + 4 if rtl else PAD - 4,
            "tick_anchor": "start" if rtl else "end"}


def map_cells(found: StoredForecast) -> list[dict[str, Any]]:
    """The top cells as the map script draws them (squares of the forecast's cell size)."""
    return [{"rank": i + 1, "cell": c.cell, "lat": c.lat, "lon": c.lon, "expected": round(c.expected, 4),
             "district": c.district} for i, c in enumerate(found.cells)]


@router.get(PATH)
def forecasts(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)
    number = _int(request.query_params.get("page"), 1, 1, MAX_PAGE)
    try:
        with deps.gate(request).scope(who, PURPOSE, roles=(ANALYST, SUPERVISOR), system=False,
                                      refusal=REFUSAL) as view:
            found = list_forecasts(view, (number - 1) * PER_PAGE, PER_PAGE)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    pages = max(1, -(-found.total // PER_PAGE))
    return page(request, "forecast.html", who, nav="forecasts", listing=found, number=number, pages=pages,
                one=None)


@router.get(PATH + "/{forecast_id}")
def forecast(request: Request, forecast_id: int, who: Principal = Depends(deps.page_principal)) -> Response:
    lang = speak(request)
    q = request.query_params
    number = _int(q.get("page"), 1, 1, MAX_PAGE)
    try:
        share = float(q.get("share") or 0.05)
    except ValueError:
        share = 0.05
    share = share if share in SHARES else 0.05
    areas: list[PatrolArea] | None = None
    try:
        with deps.gate(request).scope(who, PURPOSE, roles=(ANALYST, SUPERVISOR), system=False,
                                      refusal=REFUSAL) as view:
            found = get_forecast(view, forecast_id, top=MAP_CELLS)
        if found is not None and who.role == SUPERVISOR:
            with deps.gate(request).scope(who, PATROL_PURPOSE, roles=(SUPERVISOR,), system=False) as view:
                areas = patrol_areas(view, forecast_id, share=share)
    except AccessDenied as exc:
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    if found is None:
        return error(request, who, _("No stored forecast has this number."), status_code=404, title=_("Not found"),
                     back=PATH)
    rtl = is_rtl(lang)
    audit = found.info.audit or {}
    loop = audit.get("feedback")
    charts = None
    if loop:
        charts = {k: feedback_chart(loop[k], loop["districts"], rtl) for k in ("uncorrected", "corrected")}
    area_pages = max(1, -(-len(areas) // DISTRICTS_PER_PAGE)) if areas is not None else 1
    shown = areas[(number - 1) * DISTRICTS_PER_PAGE:number * DISTRICTS_PER_PAGE] if areas is not None else None
    return page(request, "forecast.html", who, nav="forecasts", one=found, info=found.info, cells=map_cells(found),
                areas=shown, area_total=len(areas) if areas is not None else 0, number=number, pages=area_pages,
                share=share, shares=SHARES, audit=audit, loop=loop, charts=charts)


__all__ = ["PATH", "feedback_chart", "map_cells", "router"]
