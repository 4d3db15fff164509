"""Event streams and open-source incidents: checkpoint CNIC checks, ANPR plate reads, OSINT events.

OSINT events are incidents reported in open sources (rescue service bulletins, traffic advisories,
police press releases): road accidents, fires, road closures. Never people's posts or speech.
"""

from __future__ import annotations

from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

from tahqiq.generate.crime import OFFENCES, Crime
from tahqiq.generate.population import Population
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import REF_ORD, seconds_of
from tahqiq.model.geography import Geography

STREAM_DAYS = 90
CHECK_HOURS = (0.5, 0.4, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 2, 2.5, 2.5, 2.5, 2.5, 2.5, 3, 3.5, 4, 4.5, 4.5, 4, 3, 2, 1)
TRAFFIC_HOURS = (0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1, 2.5, 4, 4, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 4, 4.5, 4.5, 4, 3, 2, 1.5, 1)


@dataclass
class Point:
    id: str
    name: str
    district: int
    lat: float
    lon: float


# How ANPR cameras misread plates, for generated reads: the look-alike groups and how often each
# character is read as each other one (relative weights), and the share of reads with one
# confusion or one dropped character. Kept apart from the screening side's own table
# (tahqiq.screen.confusions) on purpose: the generator plays the camera, not the matcher.
CAMERA_LOOKALIKES: dict[str, tuple[tuple[str, float], ...]] = {
    "O": (("0", 1.0), ("D", 0.5), ("Q", 0.5)), "0": (("O", 1.0), ("D", 0.6), ("Q", 0.4)),
    "D": (("0", 0.6), ("O", 0.5), ("Q", 0.2)), "Q": (("0", 0.4), ("O", 0.5), ("D", 0.2)),
    "I": (("1", 1.0), ("L", 0.4)), "1": (("I", 1.0), ("L", 0.5)), "L": (("1", 0.5), ("I", 0.4)),
    "B": (("8", 1.0),), "8": (("B", 1.0),), "S": (("5", 1.0),), "5": (("S", 1.0),),
    "Z": (("2", 1.0),), "2": (("Z", 1.0),), "G": (("6", 1.0),), "6": (("G", 1.0),),
}
CONFUSION_RATE, DROP_RATE = 0.03, 0.01
READ_EXACT, READ_CONFUSED, READ_DROPPED = 0, 1, 2


def camera_misread(plate: str, how: int, rnd: Callable[[], float]) -> str:
    """The plate as an ANPR camera outputs it (letters and digits, no separator), with one
    look-alike confusion (READ_CONFUSED) or one dropped character (READ_DROPPED) as `how` says.
    A plate with no look-alike character is read as it is when a confusion is asked for."""
    text = plate.replace("-", "").replace(" ", "")
    if how == READ_DROPPED and len(text) > 2:
        i = int(rnd() * len(text))
        return text[:i] + text[i + 1:]
    if how != READ_CONFUSED:
        return text
    spots = [i for i, ch in enumerate(text) if ch in CAMERA_LOOKALIKES]
    if not spots:
        return text
    i = spots[int(rnd() * len(spots))]
    mates = CAMERA_LOOKALIKES[text[i]]
    pick = rnd() * sum(w for _, w in mates)
    chosen = mates[-1][0]
    for mate, w in mates:
        pick -= w
        if pick < 0:
            chosen = mate
            break
    return text[:i] + chosen + text[i + 1:]


def read_quality(rnd: Callable[[], float]) -> int:
    """READ_CONFUSED, READ_DROPPED or READ_EXACT, at CONFUSION_RATE and DROP_RATE (one draw)."""
    x = rnd()
    return READ_CONFUSED if x < CONFUSION_RATE else READ_DROPPED if x < CONFUSION_RATE + DROP_RATE else READ_EXACT


@dataclass
class Stream:
    time: list[int] = field(default_factory=list)
    point: list[int] = field(default_factory=list)
    subject: list[int] = field(default_factory=list)  # person (checks) or vehicle (reads)
    extra: list[int] = field(default_factory=list)  # how the camera read it (reads) / badge (checks)


def _in_time_order(s: Stream) -> Stream:
    """The stream sorted by time (then point and subject, so equal times have a fixed order)."""
    order = sorted(range(len(s.time)), key=lambda k: (s.time[k], s.point[k], s.subject[k]))
    return Stream([s.time[k] for k in order], [s.point[k] for k in order], [s.subject[k] for k in order],
                  [s.extra[k] for k in order])


def checkpoints(geo: Geography) -> list[Point]:
    out: list[Point] = []
    for di, d in enumerate(geo.districts):
        k = 0
        for t in d.tehsils:
            town = t.name.replace(" City", "").replace(" Sadar", "").replace(" Saddar", "")
            for label, dlat, dlon in ((f"{town} entry naka", 0.05, 0.03), (f"{town} exit naka", -0.04, -0.05)):
                k += 1
                out.append(Point(f"CP-{d.plate_code}-{k:03d}", label, di, t.lat + dlat, t.lon + dlon))
            for p in t.places:
                if p.kind == "neighbourhood" or (p.kind == "town" and p.weight >= 10):
                    k += 1
                    out.append(Point(f"CP-{d.plate_code}-{k:03d}", f"Picket {p.name}", di, p.lat + 0.004,
                                     p.lon - 0.004))
    return out


def cameras(geo: Geography) -> list[Point]:
    out: list[Point] = []
    for di, d in enumerate(geo.districts):
        if not d.has_anpr:
            continue
        k = 0
        for t in d.tehsils:
            for p in t.places:
                if p.kind == "neighbourhood" or p.kind == "tehsil" or p.weight >= 20:
                    n = 3 if p.kind == "neighbourhood" else 2
                    for c in range(n):
                        k += 1
                        road = d.roads[(k + c) % len(d.roads)]
                        out.append(Point(f"PSCA-{d.plate_code}-{k:04d}", f"{p.name} / {road}", di,
                                         p.lat + (c - 1) * 0.004, p.lon + (c % 2) * 0.004))
    return out


def _hour_times(npr: np.random.Generator, weights, n: int, start: int, days: int) -> np.ndarray:
    hp = np.array(weights, dtype=float)
    hours = npr.choice(24, size=n, p=hp / hp.sum())
    return start + npr.integers(0, days, size=n) * 86400 + hours * 3600 + npr.integers(0, 3600, size=n)


def build_checks(pop: Population, geo: Geography, seed: int, n: int) -> tuple[list[Point], Stream]:
    npr = np_stream(seed, "checkpoints")
    r = stream(seed, "checkpoints")
    rnd = r.random
    pts = checkpoints(geo)
    by_d: dict[int, list[int]] = {}
    for k, p in enumerate(pts):
        by_d.setdefault(p.district, []).append(k)
    w = np.ones(pop.n)
    w[np.array(pop.offenders, dtype=int)] *= 8.0
    men = np.array([g == "M" for g in pop.gender])
    w[men] *= 2.5
    people = npr.choice(pop.n, size=n, p=w / w.sum())
    start = seconds_of(REF_ORD - STREAM_DAYS)
    times = _hour_times(npr, CHECK_HOURS, n, start, STREAM_DAYS)
    dweights = [d.population for d in geo.districts]
    dcum = list(accumulate(dweights))
    s = Stream()
    end = seconds_of(REF_ORD) - 1
    i = 0
    while len(s.time) < n:
        person = int(people[i % n])
        t = int(times[i % n])
        i += 1
        d = pop.district[person] if rnd() < 0.75 else bisect(dcum, rnd() * dcum[-1])
        cps = by_d[d]
        hops = 1 if rnd() < 0.75 else 2 + int(rnd() * 3)  # a journey passes several pickets
        for _ in range(hops):
            if len(s.time) >= n or t > end:
                break
            s.time.append(t)
            s.point.append(cps[int(rnd() * len(cps))])
            s.subject.append(person)
            s.extra.append(1000 + int(rnd() * 9000))
            t += 1200 + int(rnd() * 5400)
    return pts, _in_time_order(s)


def build_reads(pop: Population, geo: Geography, crime: Crime, seed: int, n: int) -> tuple[list[Point], Stream]:
    npr = np_stream(seed, "anpr")
    r = stream(seed, "anpr")
    rnd = r.random
    cams = cameras(geo)
    v = pop.vehicles
    s = Stream()
    if not cams or not v.plate:
        return cams, s
    by_d: dict[int, list[int]] = {}
    for k, c in enumerate(cams):
        by_d.setdefault(c.district, []).append(k)
    anpr_districts = sorted(by_d)
    nv = len(v.plate)
    w = np.array([3.0 if v.vtype[k] == "Car" else 1.0 for k in range(nv)])
    local = np.array([pop.district[v.user[k]] in by_d for k in range(nv)])
    w[~local] *= 0.1  # vehicles from districts without cameras pass through now and then
    trips = max(1, n // 3)
    vehicles = npr.choice(nv, size=trips, p=w / w.sum())
    start = seconds_of(REF_ORD - STREAM_DAYS)
    end = seconds_of(REF_ORD) - 1
    times = _hour_times(npr, TRAFFIC_HOURS, trips, start, STREAM_DAYS)
    # stolen vehicles keep moving after the theft (a classic ANPR hit)
    stolen = [(f.time, f.vehicle) for f in crime.firs
              if f.vehicle >= 0 and f.time >= start - 30 * 86400 and OFFENCES[f.offence][4] == "vehicle"]
    plan: list[tuple[int, int]] = [(int(times[j]), int(vehicles[j])) for j in range(trips)]
    for t, k in stolen:
        if rnd() < 0.4:
            plan.append((max(start, t) + 3600 + int(rnd() * 10 * 86400), k))
    for t, k in plan:
        if len(s.time) >= n:
            break
        home = pop.district[v.user[k]]
        d = home if home in by_d else anpr_districts[int(rnd() * len(anpr_districts))]
        cs = by_d[d]
        for _ in range(1 + int(rnd() * 5)):
            if len(s.time) >= n or t > end:
                break
            s.time.append(t)
            s.point.append(cs[int(rnd() * len(cs))])
            s.subject.append(k)
            s.extra.append(read_quality(rnd))  # READ_EXACT, or the camera's kind of misread
            t += 120 + int(rnd() * 1100)
    return cams, _in_time_order(s)


OSINT_TYPES = (
    # type, weight, title templates
    ("road_accident", 40, ("Road accident on {road} near {place}",
                           "Collision between bus and van on {road} near {place}",
                           "Motorcyclist injured in accident near {place}")),
    ("fire", 20, ("Fire breaks out at warehouse in {place}",
                  "Fire at textile factory near {place} brought under control",
                  "Short circuit causes fire in market at {place}")),
    ("road_closure", 15, ("{road} closed near {place} for repair work",
                          "Traffic diverted at {place} due to water main burst",
                          "Motorway section near {place} closed due to dense fog")),
    ("gas_cylinder_blast", 8, ("Gas cylinder blast in house at {place}", "Gas leakage explosion reported in {place}")),
    ("urban_flooding", 7, ("Rainwater accumulates on {road} in {place} after heavy rain",
                           "Underpass near {place} flooded after rain")),
    ("building_collapse", 5, ("Roof of old house collapses in {place}",
                              "Under-construction building wall collapses in {place}")),
    ("power_outage", 5, ("Prolonged power outage reported in {place}",
                         "Feeder tripping leaves {place} without electricity")),
)
PUBLISHERS = (("Rescue 1122 bulletin", "rescue1122-bulletin"),
              ("District Police press release", "district-police-press"),
              ("City Traffic Police advisory", "traffic-advisory"), ("Local news roundup", "local-news-roundup"))


@dataclass
class Osint:
    time: int
    kind: str
    title: str
    district: int
    lat: float
    lon: float
    publisher: str
    url: str


def build_osint(geo: Geography, seed: int, n: int) -> list[Osint]:
    r = stream(seed, "osint")
    rnd = r.random
    dcum = list(accumulate(d.population for d in geo.districts))
    tcum = list(accumulate(t[1] for t in OSINT_TYPES))
    start = seconds_of(REF_ORD - 365)
    out: list[Osint] = []
    for k in range(n):
        di = bisect(dcum, rnd() * dcum[-1])
        d = geo.districts[di]
        places = d.places
        p = places[int(rnd() * len(places))]
        kind, _w, templates = OSINT_TYPES[bisect(tcum, rnd() * tcum[-1])]
        title = templates[int(rnd() * len(templates))].format(road=d.roads[int(rnd() * len(d.roads))], place=p.name)
        t = start + int(rnd() * 365 * 86400)
        pub, slug = PUBLISHERS[int(rnd() * len(PUBLISHERS))]
        url_slug = "-".join(title.lower().replace(",", "").replace("/", " ").split())[:60].strip("-")
        out.append(Osint(t, kind, title, di, p.lat + r.gauss(0, 0.005), p.lon + r.gauss(0, 0.005), pub,
                         f"https://{slug}.example/{k + 1:06d}/{url_slug}"))
    out.sort(key=lambda o: (o.time, o.title))
    return out
