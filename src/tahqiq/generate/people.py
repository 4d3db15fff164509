"""Building the synthetic population: households, names, CNICs and where people live, then what
they hold (holdings) and the few repeat offenders.

People are generated in households (a head, usually a wife, and adult children), so fathers' names,
addresses and surnames are shared the way they are in real records. That matters for entity
resolution: siblings share a father's name and an address and must still be told apart.
Everyone here is an adult (18+), because every source deals with CNIC holders.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.holdings import build_accounts, build_phones, build_vehicles
from tahqiq.generate.places import home_address, tehsil_weights
from tahqiq.generate.population import Household, Population
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import REF_ORD
from tahqiq.model.geography import Geography


def build_population(n: int, seed: int, geo: Geography) -> Population:
    npr = np_stream(seed, "population")
    r = stream(seed, "population")
    factory = nm.NameFactory(np_stream(seed, "names"), stream(seed, "names"))
    dists = geo.districts
    dweights = np.array([d.population for d in dists])
    dweights = dweights / dweights.sum()

    # 1. household structure
    roles: list[tuple[int, str, str, int]] = []  # (household, role, gender, age)
    hh = Household()
    h = 0
    big = max(64, n // 2 + 64)
    head_age = np.clip(np.round(npr.gamma(6.0, 4.2, size=big) + 22), 22, 85).astype(int)
    wife_u = npr.random(big)
    kids = npr.poisson(np.clip((head_age - 40) / 7.0, 0.0, 4.0))
    hd = npr.choice(len(dists), size=big, p=dweights)
    rnd = r.random
    while len(roles) < n:
        if h >= big:
            raise RuntimeError("household draw exhausted")
        a = int(head_age[h])
        roles.append((h, "head", "M", a))
        if a >= 24 and wife_u[h] < 0.9:
            roles.append((h, "wife", "F", max(18, a - 2 - int(rnd() * 7))))
        for _ in range(int(min(kids[h], 5))):
            ka = a - 20 - int(rnd() * 16)
            if ka >= 18:
                roles.append((h, "son" if rnd() < 0.5 else "daughter", "", ka))
        d = dists[hd[h]]
        ti = tehsil_weights(d).pick(rnd())
        text, home_lat, home_lon = home_address(d, ti, r)
        hh.district.append(int(hd[h]))
        hh.tehsil.append(ti)
        hh.address.append(text)
        hh.lat.append(home_lat)
        hh.lon.append(home_lon)
        h += 1
    roles = roles[:n]
    n_h = h

    # 2. names
    head_clan_u = npr.random(n_h)
    head_clans_drawn = factory.clan(n_h)
    head_clan = [head_clans_drawn[i] if head_clan_u[i] < 0.55 else "" for i in range(n_h)]
    heads = factory.male_parts(n_h, clans=head_clan)
    grand = factory.male_parts(n_h, clans=[c if r.random() < 0.8 else "" for c in head_clan], older=True)
    genders = []
    for (_hid, role, g, _a) in roles:
        if role in ("son", "daughter"):
            g = "M" if role == "son" else "F"
        genders.append(g)
    sons = [k for k, (hid, role, _g, _a) in enumerate(roles) if role == "son"]
    females = [k for k, g in enumerate(genders) if g == "F"]
    son_parts = factory.male_parts(len(sons), clans=[head_clan[roles[k][0]] if r.random() < 0.85 else "" for k in sons])
    fem_parts = factory.female_parts(len(females), clans=[head_clan[roles[k][0]] for k in females])
    wife_fathers = factory.male_parts(len(females), older=True)
    husbands = factory.male_parts(len(females))

    parts: list[nm.NameParts] = [()] * n
    father_parts: list[nm.NameParts] = [()] * n
    spouse_parts: list[nm.NameParts | None] = [None] * n
    for k, (hid, role, _g, _a) in enumerate(roles):
        if role == "head":
            parts[k] = heads[hid]
            father_parts[k] = grand[hid]
    for j, k in enumerate(sons):
        parts[k] = son_parts[j]
        father_parts[k] = heads[roles[k][0]]
    married_daughter: list[bool] = [False] * n
    for j, k in enumerate(females):
        hid, role, _g, a = roles[k]
        parts[k] = fem_parts[j]
        if role == "wife":
            father_parts[k] = wife_fathers[j]
            spouse_parts[k] = heads[hid]
        else:
            father_parts[k] = heads[hid]
            if a > 22 and r.random() < 0.65:
                spouse_parts[k] = husbands[j]
                married_daughter[k] = True

    # 3. dates, CNICs and where people live
    dob: list[int] = []
    issue: list[int] = []
    cnic: list[str] = []
    used: set[str] = set()
    bodies = npr.integers(0, 10_000_000, size=n + 1024)
    lastpick = npr.integers(0, 5, size=n)
    doy = npr.integers(0, 365, size=n)
    bi = 0
    district: list[int] = []
    tehsil: list[int] = []
    address: list[str] = []
    lat: list[float] = []
    lon: list[float] = []
    cnic_district: list[int] = []
    lahore = next(i for i, d in enumerate(dists) if d.name == "Lahore")
    rawalpindi = next(i for i, d in enumerate(dists) if d.name == "Rawalpindi")
    for k, (hid, role, _g, a) in enumerate(roles):
        born = REF_ORD - int(a * 365.25) - int(doy[k])
        if a >= 50 and r.random() < 0.25:  # many older people have 1 January recorded as birth date
            born = date(date.fromordinal(born).year, 1, 1).toordinal()
        dob.append(born)
        d_home = hh.district[hid]
        t_home = hh.tehsil[hid]
        prefix = f"{dists[d_home].cnic_code}{t_home + 1:02d}"
        while True:
            body = int(bodies[bi % len(bodies)]) if bi < len(bodies) else r.randrange(10_000_000)
            bi += 1
            c = ids.cnic(prefix, body, genders[k] == "M", int(lastpick[k]))
            if c not in used:
                used.add(c)
                break
        cnic.append(c)
        adult_at = born + 6575
        lo = max(adult_at, REF_ORD - 3650 + 1)
        issue.append(lo + int(rnd() * (REF_ORD - lo)) if lo < REF_ORD else REF_ORD - 1)
        cnic_district.append(d_home)
        moved = (role == "son" and a >= 24 and rnd() < 0.15) or married_daughter[k]
        if moved:
            if role == "son":
                nd = lahore if rnd() < 0.5 else (rawalpindi if rnd() < 0.4 else int(hd[int(rnd() * n_h)]))
            else:
                nd = d_home if rnd() < 0.7 else int(hd[int(rnd() * n_h)])
            dd = dists[nd]
            ti = tehsil_weights(dd).pick(rnd())
            text, la, lo_ = home_address(dd, ti, r)
            district.append(nd)
            tehsil.append(ti)
            address.append(text)
            lat.append(la)
            lon.append(lo_)
        else:
            district.append(d_home)
            tehsil.append(t_home)
            address.append(hh.address[hid])
            lat.append(hh.lat[hid])
            lon.append(hh.lon[hid])

    name = [nm.canonical(p) for p in parts]
    name_ur = [nm.urdu(p) for p in parts]
    father_name = [nm.canonical(p) for p in father_parts]
    father_name_ur = [nm.urdu(p) for p in father_parts]
    spouse_name = [nm.canonical(p) if p else "" for p in spouse_parts]
    pop = Population(
        n=n, gender=genders, parts=parts, name=name, name_ur=name_ur, father_parts=father_parts,
        father_name=father_name, father_name_ur=father_name_ur, spouse_parts=spouse_parts,
        spouse_name=spouse_name, dob=dob, cnic=cnic, issue=issue, household=[x[0] for x in roles],
        district=district, tehsil=tehsil, address=address, lat=lat, lon=lon, cnic_district=cnic_district,
        households=hh,
    )
    pop.phones = build_phones(pop, seed)
    pop.accounts = build_accounts(pop, seed, geo)
    pop.vehicles = build_vehicles(pop, seed, geo, n_h)
    _choose_offenders(pop, seed)
    return pop


def _choose_offenders(pop: Population, seed: int) -> None:
    """A small set of people commit most recorded crime (a heavy-tailed activity distribution)."""
    r = stream(seed, "offenders")
    cands = [i for i in range(pop.n) if pop.gender[i] == "M" and 18 <= pop.age(i) <= 50]
    if not cands:
        cands = list(range(pop.n))
    k = max(10, int(pop.n * 0.006))
    chosen = sorted(r.sample(cands, min(k, len(cands))))
    pop.offenders = chosen
    pop.offender_set = frozenset(chosen)
    pop.offender_weight = [1.0 / (1 + rank) ** 0.9 for rank in range(len(chosen))]
    r.shuffle(pop.offender_weight)
