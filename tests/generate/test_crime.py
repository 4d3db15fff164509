"""FIR incidents cluster in space and time and follow the rhythm of street crime."""

from __future__ import annotations

import collections
import re
from datetime import datetime

import pytest

from tahqiq.generate.crime import build_crime, knox_excess
from tahqiq.generate.people import build_population
from tahqiq.generate.timefmt import iso
from tahqiq.model.geography import geography


@pytest.fixture(scope="module")
def many_firs():
    """More incidents than the small province has, for statistics with some power."""
    geo = geography()
    pop = build_population(3000, 11, geo)
    crime = build_crime(pop, geo, 11, 4000)
    return [(datetime.fromisoformat(iso(f.time)), f.lat, f.lon, None) for f in crime.firs]


def _firs(rows):
    out = []
    for r in rows["police_fir"]:
        t = datetime.fromisoformat(r["occurred_at"])
        out.append((t, float(r["latitude"]), float(r["longitude"]), r))
    return out


def test_space_time_clustering_beats_chance(rows, many_firs):
    """Knox test: pairs close in space and time, against the same places with shuffled times."""
    points = [(int(t.timestamp()), lat, lon) for t, lat, lon, _ in _firs(rows)]
    assert knox_excess(points, km=1.0, days=7) > 2.0
    # near repeats within 300 m and 3 days, in a denser set where hotspots alone make many pairs
    points = [(int(t.timestamp()), lat, lon) for t, lat, lon, _ in many_firs[::2]]
    assert knox_excess(points, km=0.3, days=3) > 1.5


def test_hot_cells_hold_more_incidents_than_uniform(many_firs):
    firs = many_firs
    cells = collections.Counter((round(lat / 0.01), round(lon / 0.01)) for _, lat, lon, _ in firs)
    counts = sorted(cells.values(), reverse=True)
    top = counts[: max(1, len(counts) // 10)]
    # under a uniform spread over the same occupied cells each would hold len(firs)/len(cells)
    assert sum(top) / len(firs) > 2 * len(top) / len(cells)
    assert counts[0] >= 20


def test_more_incidents_at_night_and_weekends(many_firs):
    firs = many_firs
    night = sum(1 for t, *_ in firs if t.hour >= 18 or t.hour < 2)
    assert night / len(firs) > 8 / 24 * 1.2
    weekend = sum(1 for t, *_ in firs if t.weekday() >= 5)
    assert weekend / len(firs) > 2 / 7


def test_offences_and_ppc_sections(rows):
    firs = rows["police_fir"]
    sections = {r["ppc_sections"] for r in firs}
    assert {"379", "381-A", "392", "420"} <= sections
    vehicle = [r for r in firs if r["offence"] == "Motor vehicle theft"]
    assert vehicle and all(r["stolen_vehicle_no"] for r in vehicle)
    statuses = {r["status"] for r in firs}
    assert statuses <= {"registered", "under_investigation", "challan_submitted", "closed", "cancelled"}
    # some accused are named, many are not
    named = sum(1 for r in firs if r["accused_name"])
    assert 0.1 * len(firs) < named < 0.9 * len(firs)


def test_wanted_list_refers_to_firs_and_accused(rows, truth):
    firs = {r["fir_no"] + "@" + r["police_station"] for r in rows["police_fir"]}
    wanted = rows["police_wanted"]
    assert wanted
    assert all(w["fir_no"] + "@" + w["police_station"] in firs for w in wanted)
    accused = {t["person_id"] for t in truth["persons"] if t["source"] == "police_fir" and t["entity"] == "accused"}
    subjects = {t["person_id"] for t in truth["persons"] if t["source"] == "police_wanted"}
    assert subjects <= accused


def test_osint_is_incidents_not_speech(rows):
    events = rows["osint_events"]
    assert events
    kinds = {e["event_type"] for e in events}
    assert kinds <= {"road_accident", "fire", "road_closure", "gas_cylinder_blast", "urban_flooding",
                     "building_collapse", "power_outage"}
    words = set(re.findall(r"[a-z]+", " ".join(e["title"].lower() for e in events)))
    assert not words & {"protest", "rally", "post", "tweet", "said", "religion", "religious", "sect", "party"}
