"""Crime as police records see it: FIR incidents that cluster in space and time, and a wanted list.

Incidents follow a self-exciting (Hawkes-like) process, the model Mohler et al. (2011) fitted to
burglary data: background incidents arrive around hotspots in district towns, and each incident
raises the chance of another nearby within days ("near repeats"). Background incidents are more
likely at night and at weekends. A small set of repeat offenders commits most solved crime.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from tahqiq.generate.population import Population
from tahqiq.generate.rng import stream
from tahqiq.generate.timefmt import EPOCH_ORD, REF_ORD, seconds_of
from tahqiq.model.geography import Geography, km_between

WINDOW_DAYS = 730  # FIRs of the last two years
BRANCHING = 0.45  # expected offspring per incident (cluster size 1 / (1 - 0.45) = 1.8)
OFFSPRING_MEAN_DAYS = 2.5
OFFSPRING_KM = 0.25
HOTSPOT_KM = 0.45

# hour-of-day weights for background incidents: most street crime happens evening and night
HOUR_WEIGHTS = (5, 4, 3, 2, 1.5, 1, 1, 1.5, 2, 2.5, 3, 3, 3.5, 3.5, 3.5, 4, 4.5, 5, 6, 7, 7.5, 7.5, 7, 6)
WEEKEND_BOOST = 1.3  # Saturday and Sunday

# offence, PPC sections, weight, chance the accused is named, kind
# kind: property | vehicle | fraud | violent | state (police are complainant: narcotics, arms)
OFFENCES = (
    ("Theft", "379", 15, 0.20, "property"),
    ("Theft in dwelling house", "380", 6, 0.25, "property"),
    ("Motor vehicle theft", "381-A", 14, 0.12, "vehicle"),
    ("Mobile phone snatching", "382", 11, 0.15, "property"),
    ("Robbery", "392", 9, 0.25, "property"),
    ("Dacoity", "395", 2.5, 0.30, "property"),
    ("House-breaking by night", "457/380", 6, 0.20, "property"),
    ("Receiving stolen property", "411", 2, 1.0, "property"),
    ("Cheating", "420", 6, 0.85, "fraud"),
    ("Forgery and cheating", "420/468/471", 2, 0.85, "fraud"),
    ("Dishonoured cheque", "489-F", 5, 1.0, "fraud"),
    ("Murder", "302", 1.2, 0.80, "violent"),
    ("Attempted murder", "324", 1.8, 0.80, "violent"),
    ("Hurt", "337-A(i)/34", 6, 0.90, "violent"),
    ("Assault and criminal intimidation", "352/506", 3, 0.90, "violent"),
    ("Possession of narcotics", "9-C CNSA", 5, 1.0, "state"),
    ("Illegal weapon", "13/20/65 Arms Ordinance", 4, 1.0, "state"),
)
NEAR_REPEAT_SAME_OFFENCE = 0.6


@dataclass
class Station:
    name: str
    district: int
    lat: float
    lon: float
    code: str


@dataclass
class Fir:
    time: int  # seconds since EPOCH
    lat: float
    lon: float
    district: int
    offence: int
    station: Station | None = None
    number: str = ""
    reported: int = 0
    complainant: int = -1  # person index; -1: the state (a police officer)
    accused: int = -1  # person index; -1: unknown
    vehicle: int = -1
    status: str = "registered"
    parent: int = -1


@dataclass
class Warrant:
    fir: int
    person: int
    number: str
    category: str
    issued_by: str
    issued: int  # day ordinal
    status: str


@dataclass
class Crime:
    firs: list[Fir] = field(default_factory=list)
    stations: list[Station] = field(default_factory=list)
    warrants: list[Warrant] = field(default_factory=list)
    hotspots: list[tuple[float, float, int]] = field(default_factory=list)


def _stations(geo: Geography) -> list[Station]:
    out: list[Station] = []
    for di, d in enumerate(geo.districts):
        seen: set[str] = set()
        for t in d.tehsils:
            town = t.name.replace(" City", "").replace(" Sadar", "").replace(" Saddar", "")
            for label in (f"PS City {town}", f"PS Saddar {town}"):
                if label not in seen:
                    seen.add(label)
                    off = 0.0 if "City" in label else 0.03
                    out.append(Station(label, di, t.lat + off, t.lon - off, d.plate_code))
            for p in t.places:
                if p.kind in ("neighbourhood", "town") and p.weight >= 3:
                    label = f"PS {p.name}"
                    if label not in seen:
                        seen.add(label)
                        out.append(Station(label, di, p.lat, p.lon, d.plate_code))
    return out


def build_crime(pop: Population, geo: Geography, seed: int, n_fir: int) -> Crime:
    r = stream(seed, "crime")
    rnd = r.random
    dists = geo.districts
    crime = Crime(stations=_stations(geo))
    by_district: dict[int, list[Station]] = {}
    for s in crime.stations:
        by_district.setdefault(s.district, []).append(s)

    # hotspots: places in district towns, with heavy-tailed intensities
    hotspots: list[tuple[float, float, int]] = []
    hw: list[float] = []
    for di, d in enumerate(dists):
        cands = [(p, t.weight * p.weight) for t in d.tehsils for p in t.places]
        cw = list(accumulate(w for _, w in cands))
        k = max(2, round(2 + d.population * 2.2))
        for _ in range(k):
            p = cands[bisect(cw, rnd() * cw[-1])][0]
            lat = p.lat + r.gauss(0, 0.01)
            lon = p.lon + r.gauss(0, 0.01)
            hotspots.append((lat, lon, di))
            hw.append(d.population ** 1.2 / k * r.paretovariate(1.5))
    crime.hotspots = hotspots
    hcum = list(accumulate(hw))
    hour_cum = list(accumulate(HOUR_WEIGHTS))
    off_cum = list(accumulate(o[2] for o in OFFENCES))
    start_ord = REF_ORD - WINDOW_DAYS
    end_sec = seconds_of(REF_ORD)

    def background_time() -> int:
        while True:
            day = start_ord + int(rnd() * WINDOW_DAYS)
            wd = (day - 1) % 7  # 0 Monday ... 5 Saturday, 6 Sunday
            if wd >= 5 or rnd() < 1 / WEEKEND_BOOST:
                break
        hour = bisect(hour_cum, rnd() * hour_cum[-1])
        return seconds_of(day) + hour * 3600 + int(rnd() * 3600)

    firs: list[Fir] = []
    while len(firs) < n_fir:
        h = hotspots[bisect(hcum, rnd() * hcum[-1])]
        if rnd() < 0.8:
            lat = h[0] + r.gauss(0, HOTSPOT_KM / 111)
            lon = h[1] + r.gauss(0, HOTSPOT_KM / 111)
        else:  # scattered crime in the district
            lat = h[0] + r.gauss(0, 0.06)
            lon = h[1] + r.gauss(0, 0.06)
        offence = bisect(off_cum, rnd() * off_cum[-1])
        root = len(firs)
        firs.append(Fir(background_time(), lat, lon, h[2], offence))
        # cascade of near repeats
        queue = [root]
        while queue and len(firs) < n_fir:
            parent = firs[queue.pop()]
            kids = _poisson(BRANCHING, rnd)
            for _ in range(kids):
                t = parent.time + int(r.expovariate(1 / (OFFSPRING_MEAN_DAYS * 86400)))
                if t >= end_sec or len(firs) >= n_fir:
                    continue
                off = parent.offence if rnd() < NEAR_REPEAT_SAME_OFFENCE else bisect(off_cum, rnd() * off_cum[-1])
                child = Fir(t, parent.lat + r.gauss(0, OFFSPRING_KM / 111), parent.lon + r.gauss(0, OFFSPRING_KM / 111),
                            parent.district, off, parent=root)
                queue.append(len(firs))
                firs.append(child)
    firs.sort(key=lambda f: (f.time, f.lat, f.lon))
    crime.firs = firs
    _people_and_numbers(crime, pop, geo, r, by_district)
    _warrants(crime, pop, geo, r)
    return crime


def _poisson(lam: float, rnd) -> int:
    k, p, limit = 0, 1.0, math.exp(-lam)
    while True:
        p *= rnd()
        if p < limit:
            return k
        k += 1


def _people_and_numbers(crime: Crime, pop: Population, geo: Geography, r, by_district) -> None:
    rnd = r.random
    residents: dict[int, list[int]] = {}
    for i in range(pop.n):
        residents.setdefault(pop.district[i], []).append(i)
    all_people = list(range(pop.n))
    vehicles_by_district: dict[int, list[int]] = {}
    v = pop.vehicles
    for k in range(len(v.plate)):
        vehicles_by_district.setdefault(pop.district[v.user[k]], []).append(k)
    offenders_by_district: dict[int, list[int]] = {}
    for j, i in enumerate(pop.offenders):
        offenders_by_district.setdefault(pop.district[i], []).append(j)
    ocum = list(accumulate(pop.offender_weight))
    counters: dict[tuple[str, int], int] = {}
    stolen: set[int] = set()

    def pick_offender(district: int) -> int:
        local = offenders_by_district.get(district)
        if local and rnd() < 0.7:
            return pop.offenders[local[int(rnd() * len(local))]]
        return pop.offenders[bisect(ocum, rnd() * ocum[-1])]

    for f in crime.firs:
        name, sections, _w, p_known, kind = OFFENCES[f.offence]
        stations = by_district[f.district]
        f.station = min(stations, key=lambda s: (s.lat - f.lat) ** 2 + (s.lon - f.lon) ** 2)
        year = _year(f.time)
        key = (f.station.name + "/" + str(f.station.district), year)
        counters[key] = counters.get(key, 0) + 1
        f.number = f"{counters[key]}/{year % 100:02d}"
        local = residents.get(f.district) or all_people
        if kind == "state":
            f.complainant = -1
        elif kind == "vehicle":
            vs = vehicles_by_district.get(f.district)
            if vs:
                for _ in range(5):
                    k = vs[int(rnd() * len(vs))]
                    if k not in stolen:
                        break
                stolen.add(k)
                f.vehicle = k
                f.complainant = v.owner[k] if rnd() < 0.85 else v.user[k]
            else:
                f.offence = 0  # plain theft where nobody here owns a vehicle
                f.complainant = local[int(rnd() * len(local))]
        else:
            f.complainant = local[int(rnd() * len(local))]
        if rnd() < p_known:
            if kind in ("property", "vehicle", "state"):
                f.accused = pick_offender(f.district)
            elif kind == "fraud" or rnd() < 0.6:
                # disputes: someone local, nearly always a man
                for _ in range(4):
                    f.accused = local[int(rnd() * len(local))]
                    if pop.gender[f.accused] == "M" or rnd() < 0.05:
                        break
            else:
                f.accused = pick_offender(f.district)
            if f.accused == f.complainant:
                f.accused = -1
        delay_h = r.expovariate(1 / (6 if kind != "fraud" else 24 * 20))
        f.reported = f.time + int(delay_h * 3600) + 600
        end = seconds_of(REF_ORD) - 60
        if f.reported > end:
            f.reported = end
        age_days = (seconds_of(REF_ORD) - f.time) / 86400
        u = rnd()
        if age_days < 30:
            f.status = "registered" if u < 0.5 else "under_investigation"
        elif age_days < 180:
            f.status = "under_investigation" if u < 0.6 else ("challan_submitted" if u < 0.85 else "cancelled")
        else:
            f.status = "challan_submitted" if u < 0.45 else (
                "closed" if u < 0.75 else ("under_investigation" if u < 0.92 else "cancelled"))


def _year(seconds: int) -> int:
    return date.fromordinal(EPOCH_ORD + seconds // 86400).year


COURTS = ("Sessions Court", "Judicial Magistrate", "Anti-Terrorism Court", "Additional Sessions Judge")


def _warrants(crime: Crime, pop: Population, geo: Geography, r) -> None:
    rnd = r.random
    seen: set[tuple[int, int]] = set()
    counters: dict[tuple[str, int], int] = {}
    for fi, f in enumerate(crime.firs):
        if f.accused < 0 or f.status in ("closed", "cancelled"):
            continue
        kind = OFFENCES[f.offence][4]
        serious = kind in ("violent", "vehicle") or OFFENCES[f.offence][1] in ("392", "395")
        if rnd() >= (0.45 if serious else 0.12):
            continue
        if (f.accused, fi) in seen:
            continue
        seen.add((f.accused, fi))
        d = geo.districts[f.district]
        issued = min(REF_ORD - 1, f.reported // 86400 + EPOCH_ORD + 20 + int(rnd() * 200))
        year = _year((issued - EPOCH_ORD) * 86400)
        key = (d.plate_code, year)
        counters[key] = counters.get(key, 0) + 1
        category = "Proclaimed Offender (A)" if serious and rnd() < 0.6 else (
            "Proclaimed Offender (B)" if rnd() < 0.6 else "Court Absconder")
        if OFFENCES[f.offence][1] in ("302", "395") and rnd() < 0.2:
            court = COURTS[2]
        else:
            court = COURTS[int(rnd() * 2)] if rnd() < 0.7 else COURTS[3]
        u = rnd()
        status = "active" if u < 0.68 else ("executed" if u < 0.88 else ("withdrawn" if u < 0.94 else "expired"))
        crime.warrants.append(
            Warrant(fi, f.accused, f"PO-{d.plate_code}-{year}-{counters[key]:04d}", category, f"{court} {d.name}",
                    issued, status)
        )


def knox_excess(points: list[tuple[int, float, float]], km: float = 1.0, days: float = 7.0, seed: int = 0) -> float:
    """Space-time clustering check (Knox): close pairs observed / close pairs with shuffled times.

    Values well above 1 mean incidents cluster in space and time more than chance would give.
    """
    def close_pairs(pts):
        pts = sorted(pts)
        n = 0
        j0 = 0
        for i in range(len(pts)):
            while pts[i][0] - pts[j0][0] > days * 86400:
                j0 += 1
            for j in range(j0, i):
                if km_between(pts[i][1], pts[i][2], pts[j][1], pts[j][2]) <= km:
                    n += 1
        return n

    observed = close_pairs(points)
    rr = random.Random(seed)
    times = [p[0] for p in points]
    expected = 0.0
    reps = 5
    for _ in range(reps):
        rr.shuffle(times)
        expected += close_pairs([(t, p[1], p[2]) for t, p in zip(times, points, strict=True)])
    expected /= reps
    return observed / max(expected, 1.0)
