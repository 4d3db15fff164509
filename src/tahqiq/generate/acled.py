"""Synthetic ACLED-format event files for Punjab, so the demo and the tests have trends to show.

SYNTHETIC DATA. Rows have ACLED's export columns (event_date as "15 January 2024", event_type,
sub_event_type, inter1, admin1-3, latitude/longitude, fatalities, source, notes, ...) and ACLED's
categories. Events fall in Punjab's districts in proportion to their population, with a yearly
rhythm (more protests and riots in the hot months), noise from week to week, and a few flare-ups:
a district where one theme runs at six times its usual rate for two to four weeks, the pattern a
trend page exists to show.

Actors are ACLED's generic labels ("Protesters (Pakistan)", "Police Forces of Pakistan (2018-)"),
never a person's or an organisation's name, and the notes are one neutral sentence from the event's
category; the reader (`tahqiq.intel.osint`) keeps neither. The same arguments give the same bytes.
"""

from __future__ import annotations

import csv
import math
from datetime import date, timedelta
from pathlib import Path

from tahqiq.generate.rng import stream
from tahqiq.generate.timefmt import REFERENCE_DATE
from tahqiq.model.geography import geography

__all__ = ["COLUMNS", "FLARE_SHARE", "FLARE_UPS", "write_acled"]

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
FLARE_UPS = 3  # district flare-ups per file
FLARE_SHARE = 0.06  # of its weeks' events a flare-up adds

# event type -> (share of events, disorder type, [(sub-event type, weight)], actor1, inter1, actor2, inter2,
# mean fatalities per event)
_KINDS: dict[str, tuple[float, str, list[tuple[str, float]], str, str, str, str, float]] = {
    "Protests": (0.50, "Demonstrations", [("Peaceful protest", 0.9), ("Protest with intervention", 0.09),
                                         ("Excessive force against protesters", 0.01)],
                 "Protesters (Pakistan)", "Protesters", "", "", 0.0),
    "Riots": (0.10, "Demonstrations", [("Violent demonstration", 0.6), ("Mob violence", 0.4)],
              "Rioters (Pakistan)", "Rioters", "Police Forces of Pakistan (2018-)", "State forces", 0.15),
    "Strategic developments": (0.16, "Strategic developments",
                               [("Arrests", 0.5), ("Looting/property destruction", 0.2), ("Disrupted weapons use", 0.2),
                                ("Other", 0.1)],
                               "Police Forces of Pakistan (2018-)", "State forces", "", "", 0.0),
    "Violence against civilians": (0.12, "Political violence", [("Attack", 0.75),
                                                                ("Abduction/forced disappearance", 0.25)],
                                   "Unidentified Armed Group (Pakistan)", "Political militia", "Civilians (Pakistan)",
                                   "Civilians", 0.6),
    "Battles": (0.05, "Political violence", [("Armed clash", 1.0)], "Police Forces of Pakistan (2018-)",
                "State forces", "Unidentified Armed Group (Pakistan)", "Political militia", 0.8),
    "Explosions/Remote violence": (0.07, "Political violence", [("Remote explosive/landmine/IED", 0.6),
                                                                ("Grenade", 0.3), ("Suicide bomb", 0.1)],
                                   "Unidentified Armed Group (Pakistan)", "Political militia", "Civilians (Pakistan)",
                                   "Civilians", 1.2),
}
_OUTLETS = ("Dawn", "The Express Tribune", "The News International", "Business Recorder", "Pakistan Today",
            "Daily Jang", "Geo News", "Associated Press of Pakistan")


def _pick(rng, options: list[tuple[str, float]]) -> str:
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]


def _poisson(rng, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def write_acled(path: str | Path, *, seed: int, weeks: int, rows: int, end: date = REFERENCE_DATE) -> int:
    """Write about `rows` events over the `weeks` ISO weeks ending with `end`'s week to `path` (ACLED's
    columns); returns the number written."""
    if weeks < 1 or rows < 0:
        raise ValueError("weeks must be >= 1 and rows >= 0")
    rng = stream(seed, "acled")
    districts = geography().districts
    last_monday = end - timedelta(days=end.weekday())
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    themes = list(_KINDS)
    flares = [(rng.choice(districts).name, rng.randrange(weeks), rng.randint(2, 4), rng.choice(themes))
              for _ in range(FLARE_UPS)]

    # Weights of each (district, week, theme) cell: population x season x noise x flare.
    cells: list[tuple[int, int, int]] = []
    weights: list[float] = []
    for w in range(weeks):
        monday = first_monday + timedelta(weeks=w)
        season = 1.0 + 0.35 * math.sin(2 * math.pi * (monday.timetuple().tm_yday - 80) / 365.25)
        noise = rng.lognormvariate(0.0, 0.25)
        week_cells = [(w, di, ti) for di in range(len(districts)) for ti in range(len(themes))]
        week_weights = [districts[di].population * _KINDS[themes[ti]][0] * noise
                        * (season if themes[ti] in ("Protests", "Riots") else 1.0) for _w, di, ti in week_cells]
        total = sum(week_weights)
        for i, (_w, di, ti) in enumerate(week_cells):
            # A flare-up takes a share of the week's events whatever the district's size.
            if any(name == districts[di].name and t == themes[ti] and start <= w < start + span
                   for name, start, span, t in flares):
                week_weights[i] = week_weights[i] * 6 + FLARE_SHARE * total
        cells += week_cells
        weights += week_weights
    picks = rng.choices(cells, weights=weights, k=rows)
    picks.sort()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for n, (w, di, ti) in enumerate(picks, start=1):
            d, theme = districts[di], themes[ti]
            _share, disorder, subs, actor1, inter1, actor2, inter2, deaths = _KINDS[theme]
            day = first_monday + timedelta(weeks=w, days=rng.randrange(7))
            tehsil = rng.choice(d.tehsils) if d.tehsils else None
            lat = (tehsil.lat if tehsil else d.lat) + rng.uniform(-0.03, 0.03)
            lon = (tehsil.lon if tehsil else d.lon) + rng.uniform(-0.03, 0.03)
            sub = _pick(rng, subs)
            sources = rng.sample(_OUTLETS, rng.choice((1, 1, 2)))
            out.writerow([
                f"PAK{seed % 1000:03d}{n:06d}", day.strftime("%d %B %Y"), day.year, 1, disorder, theme, sub,
                actor1, "", inter1, actor2, "", inter2, "", "civilian targeting" if inter2 == "Civilians" else "",
                586, "Southern Asia", "Pakistan", "Punjab", d.name, tehsil.name if tehsil else "",
                tehsil.name if tehsil else d.name, f"{lat:.4f}", f"{lon:.4f}", 2 if tehsil else 3,
                "; ".join(sources), "National" if "Jang" not in sources[0] else "Subnational",
                f"Synthetic event: {sub.lower()} reported in {d.name} district.", _poisson(rng, deaths), "",
                int((day - date(1970, 1, 1)).total_seconds()) + 7 * 86400])
    return len(picks)
