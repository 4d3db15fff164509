"""The synthetic people of Punjab and what they hold: CNICs, SIMs, bank accounts and vehicles.

People are generated in households (a head, usually a wife, and adult children), so fathers' names,
addresses and surnames are shared the way they are in real records. That matters for entity
resolution: siblings share a father's name and an address and must still be told apart.
Everyone here is an adult (18+), because every source below deals with CNIC holders.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

import numpy as np

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import REF_ORD
from tahqiq.model.geography import GENERIC_LOCALITIES, District, Geography

MIN_DATE_ORD = 730120  # 2000-01-01


@dataclass
class Household:
    district: list[int] = field(default_factory=list)
    tehsil: list[int] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)


@dataclass
class Population:
    n: int
    gender: list[str]
    parts: list[tuple]
    name: list[str]
    name_ur: list[str]
    father_parts: list[tuple]
    father_name: list[str]
    father_name_ur: list[str]
    spouse_parts: list[tuple | None]
    spouse_name: list[str]
    dob: list[int]  # day ordinals
    cnic: list[str]
    issue: list[int]
    household: list[int]
    district: list[int]  # where the person lives now
    tehsil: list[int]
    address: list[str]
    lat: list[float]
    lon: list[float]
    cnic_district: list[int]  # where the CNIC was issued (the family's home)
    households: Household
    phones: Phones = None  # type: ignore[assignment]
    accounts: Accounts = None  # type: ignore[assignment]
    vehicles: Vehicles = None  # type: ignore[assignment]
    offenders: list[int] = field(default_factory=list)
    offender_weight: list[float] = field(default_factory=list)
    offender_set: frozenset[int] = frozenset()

    def pid(self, i: int) -> str:
        return f"P{i + 1:07d}"

    def age(self, i: int, at: int = REF_ORD) -> int:
        return int((at - self.dob[i]) // 365.25)


@dataclass
class Phones:
    number: list[str] = field(default_factory=list)  # national form 03001234567
    operator: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    activated: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    by_person: dict[int, list[int]] = field(default_factory=dict)

    def pid(self, i: int) -> str:
        return f"PH{i + 1:07d}"


@dataclass
class Accounts:
    iban: list[str] = field(default_factory=list)
    bank: list[str] = field(default_factory=list)
    branch: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)  # -1: a business account not in our bank extract
    opened: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    by_person: dict[int, list[int]] = field(default_factory=dict)
    n_personal: int = 0

    def aid(self, i: int) -> str:
        return f"AC{i + 1:07d}"


@dataclass
class Vehicles:
    plate: list[str] = field(default_factory=list)
    chassis: list[str] = field(default_factory=list)
    engine: list[str] = field(default_factory=list)
    make: list[str] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    vtype: list[str] = field(default_factory=list)
    colour: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    user: list[int] = field(default_factory=list)  # who drives it now (open-letter sales)
    reg_district: list[int] = field(default_factory=list)
    registered: list[int] = field(default_factory=list)

    def vid(self, i: int) -> str:
        return f"VH{i + 1:07d}"


# --- fast draws ----------------------------------------------------------------------------------

class _Cum:
    """Cumulative weights for repeated weighted picks (random.choices rebuilds them every call)."""

    __slots__ = ("cum", "total")

    def __init__(self, weights):
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, u: float) -> int:
        return bisect(self.cum, u * self.total)


_TEHSIL_CUM: dict[int, _Cum] = {}
_PLACE_CUM: dict[tuple[int, int], _Cum] = {}


def _tehsil_cum(d: District) -> _Cum:
    c = _TEHSIL_CUM.get(id(d))
    if c is None:
        c = _TEHSIL_CUM[id(d)] = _Cum([t.weight for t in d.tehsils])
    return c


def _place_cum(d: District, ti: int) -> _Cum:
    c = _PLACE_CUM.get((id(d), ti))
    if c is None:
        c = _PLACE_CUM[(id(d), ti)] = _Cum([p.weight for p in d.tehsils[ti].places])
    return c


# --- addresses -----------------------------------------------------------------------------------

def _address(d: District, ti: int, r: random.Random) -> tuple[str, float, float]:
    t = d.tehsils[ti]
    city = d.name if d.name != "Dera Ghazi Khan" else "D.G. Khan"
    rnd = r.random
    u = rnd()
    if d.chak_suffixes and u < 0.28:
        n = 1 + int(rnd() * 599)
        suffix = d.chak_suffixes[int(rnd() * len(d.chak_suffixes))]
        text = f"Chak No. {n}/{suffix}, Tehsil {t.name}, District {d.name}"
        return text, t.lat + (rnd() - 0.5) * 0.3, t.lon + (rnd() - 0.5) * 0.3
    place = t.places[_place_cum(d, ti).pick(rnd())]
    h = 1 + int(rnd() * 899)
    if place.kind == "neighbourhood":
        if rnd() < 0.5:
            text = f"House No. {h}, Street No. {1 + int(rnd() * 39)}, {place.name}, {city}"
        else:
            text = f"House No. {h}, Block {'ABCDEFGHJKL'[int(rnd() * 11)]}, {place.name}, {city}"
        jit = 0.012
    elif place.kind == "tehsil":
        loc = GENERIC_LOCALITIES[int(rnd() * len(GENERIC_LOCALITIES))]
        text = f"House No. {h}, Street No. {1 + int(rnd() * 29)}, {loc}, {place.name}"
        jit = 0.04
    elif place.weight >= 5:  # a town
        loc = GENERIC_LOCALITIES[int(rnd() * len(GENERIC_LOCALITIES))]
        text = f"Mohalla {loc}, {place.name}, Tehsil {t.name}"
        jit = 0.03
    else:
        text = f"Mauza {place.name}, Tehsil {t.name}, District {d.name}"
        jit = 0.02
    return text, place.lat + (rnd() - 0.5) * jit, place.lon + (rnd() - 0.5) * jit


def address_variant(text: str, r: random.Random, p: float) -> str:
    """How another agency writes the same address: abbreviations, dropped parts, case."""
    if r.random() >= p:
        return text
    u = r.random()
    if u < 0.3:
        text = text.replace("House No. ", "H# ").replace("Street No. ", "St# ").replace("Mohalla ", "Mohallah ")
    elif u < 0.5:
        text = text.replace("House No. ", "H.No.").replace("Street No. ", "Gali No. ")
    elif u < 0.7:
        parts = text.split(", ")
        if len(parts) > 2:
            parts.pop(0)
        text = ", ".join(parts)
    elif u < 0.85:
        text = text.replace("Tehsil ", "Teh. ").replace("District ", "Distt. ")
    else:
        text = text.upper()
    return text


# --- people --------------------------------------------------------------------------------------

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
        ti = _tehsil_cum(d).pick(rnd())
        text, lat, lon = _address(d, ti, r)
        hh.district.append(int(hd[h]))
        hh.tehsil.append(ti)
        hh.address.append(text)
        hh.lat.append(lat)
        hh.lon.append(lon)
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

    parts: list[tuple] = [()] * n
    father_parts: list[tuple] = [()] * n
    spouse_parts: list[tuple | None] = [None] * n
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
            ti = _tehsil_cum(dd).pick(rnd())
            text, la, lo_ = _address(dd, ti, r)
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
    pop.phones = _phones(pop, seed)
    pop.accounts = _accounts(pop, seed, geo)
    pop.vehicles = _vehicles(pop, seed, geo, n_h)
    _offenders(pop, seed)
    return pop


def _phones(pop: Population, seed: int) -> Phones:
    npr = np_stream(seed, "phones")
    r = stream(seed, "phones")
    n = pop.n
    counts = npr.choice(4, size=n, p=[0.08, 0.55, 0.28, 0.09])
    shares = np.array([o[2] for o in ids.OPERATORS])
    ops = npr.choice(len(ids.OPERATORS), size=int(counts.sum()) + 16, p=shares / shares.sum())
    subs = npr.integers(0, 10_000_000, size=int(counts.sum()) + 16)
    ph = Phones()
    rnd = r.random
    used: set[str] = set()
    j = 0
    for i in range(n):
        for _ in range(int(counts[i])):
            op_name, prefixes, _s = ids.OPERATORS[ops[j]]
            pre = prefixes[int(subs[j]) % len(prefixes)]
            number = ids.phone_national(pre, int(subs[j]))
            while number in used:
                number = ids.phone_national(pre, r.randrange(10_000_000))
            used.add(number)
            j += 1
            k = len(ph.number)
            ph.number.append(number)
            ph.operator.append(op_name)
            ph.owner.append(i)
            lo = max(pop.dob[i] + 6575, MIN_DATE_ORD + 3000)
            ph.activated.append(lo + int(rnd() * (REF_ORD - 1 - lo)) if lo < REF_ORD - 1 else REF_ORD - 2)
            ph.kind.append("postpaid" if rnd() < 0.04 else "prepaid")
            ph.by_person.setdefault(i, []).append(k)
    return ph


def _branches(d: District) -> tuple[list[str], _Cum]:
    """Bank branches of a district: one per place, weighted like the places."""
    out: list[str] = []
    w: list[float] = []
    for t in d.tehsils:
        city = t.name.replace(" City", "").replace(" Sadar", "").replace(" Saddar", "")
        for p in t.places:
            out.append(f"{p.name} Branch, {city}" if p.name != city else f"Main Branch, {city}")
            w.append(t.weight * p.weight)
    return out, _Cum(w)


def _accounts(pop: Population, seed: int, geo: Geography) -> Accounts:
    npr = np_stream(seed, "accounts")
    r = stream(seed, "accounts")
    n = pop.n
    u = npr.random(n)
    cnt = npr.choice([1, 2, 3], size=n, p=[0.82, 0.15, 0.03])
    shares = np.array([b[2] for b in ids.BANKS])
    banks = npr.choice(len(ids.BANKS), size=n * 3 + 64, p=shares / shares.sum())
    digits = npr.integers(0, 10**12, size=n * 3 + 64)
    acc = Accounts()
    used: set[str] = set()
    rnd = r.random
    branches = [_branches(d) for d in geo.districts]
    j = 0
    for i in range(n):
        p_has = 0.5 if pop.gender[i] == "M" else 0.25
        if u[i] >= p_has:
            continue
        for _ in range(int(cnt[i])):
            code, bank_name, _s = ids.BANKS[banks[j]]
            branch_code = int(digits[j]) % 9000 + 10
            acct = f"{branch_code:04d}{int(digits[j]):012d}"
            ib = ids.iban(code, acct)
            while ib in used:
                acct = f"{branch_code:04d}{r.randrange(10**12):012d}"
                ib = ids.iban(code, acct)
            used.add(ib)
            j += 1
            k = len(acc.iban)
            acc.iban.append(ib)
            acc.bank.append(bank_name)
            names_, cum = branches[pop.district[i]]
            acc.branch.append(names_[cum.pick(rnd())])
            acc.owner.append(i)
            lo = max(pop.dob[i] + 6575, MIN_DATE_ORD)
            acc.opened.append(lo + int(rnd() * (REF_ORD - 30 - lo)) if lo < REF_ORD - 30 else REF_ORD - 31)
            acc.kind.append("current" if rnd() < 0.35 else "savings")
            acc.by_person.setdefault(i, []).append(k)
    acc.n_personal = len(acc.iban)
    # businesses that receive bill payments and purchases; not in the personal-accounts extract
    for b in range(20 + n // 5000):
        code, bank_name, _s = ids.BANKS[b % len(ids.BANKS)]
        ib = ids.iban(code, f"{9000 + b % 900:04d}{r.randrange(10**12):012d}")
        while ib in used:
            ib = ids.iban(code, f"{9000 + b % 900:04d}{r.randrange(10**12):012d}")
        used.add(ib)
        acc.iban.append(ib)
        acc.bank.append(bank_name)
        acc.branch.append("Corporate Branch, Lahore")
        acc.owner.append(-1)
        acc.opened.append(MIN_DATE_ORD + r.randrange(3000))
        acc.kind.append("business")
    return acc


def _vehicles(pop: Population, seed: int, geo: Geography, n_h: int) -> Vehicles:
    r = stream(seed, "vehicles")
    dists = geo.districts
    lahore = next(i for i, d in enumerate(dists) if d.name == "Lahore")
    members: dict[int, list[int]] = {}
    for i in range(pop.n):
        members.setdefault(pop.household[i], []).append(i)
    models = ids.VEHICLE_MODELS
    bikes = [m for m in models if m[2] == "Motorcycle"]
    cars = [m for m in models if m[2] == "Car"]
    v = Vehicles()
    used: set[str] = set()
    for hid in range(n_h):
        mem = members.get(hid)
        if not mem:
            continue
        men = [i for i in mem if pop.gender[i] == "M"] or mem
        wants: list[tuple] = []
        if r.random() < 0.38:
            wants.append(r.choices(bikes, [m[3] for m in bikes])[0])
        if r.random() < 0.07:
            wants.append(r.choices(bikes, [m[3] for m in bikes])[0])
        big_city = dists[pop.households.district[hid]].name in ("Lahore", "Rawalpindi", "Faisalabad", "Multan", "Gujranwala", "Sialkot")
        if r.random() < (0.16 if big_city else 0.09):
            wants.append(r.choices(cars, [m[3] for m in cars])[0])
        for make, model, vtype, _s, frames in wants:
            owner = men[0] if r.random() < 0.7 else r.choice(men)
            year = r.randrange(2008, 2027) if vtype == "Motorcycle" else r.randrange(1996, 2027)
            u = r.random()
            reg_d = pop.district[owner] if u < 0.88 else (lahore if u < 0.96 else r.randrange(len(dists)))
            d = dists[reg_d]
            reg_year = min(2026, year + (0 if r.random() < 0.8 else r.randrange(1, 6)))
            series = "ABCDEFGHJKLMNPRSTUVWXYZ"[max(0, reg_year - 2005) // 2 % 23]
            with_year = r.random() < 0.22 and 2005 <= reg_year <= 2016
            while True:
                number = r.randrange(1, 10000) if not (d.name == "Rawalpindi" and r.random() < 0.2) else r.randrange(100, 1000)
                p = ids.plate(d.plate_code, series, number, reg_year if with_year else None)
                if p not in used:
                    used.add(p)
                    break
                series = r.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
            if frames and r.random() < 0.45:
                chassis = ids.frame_number(r.choice(frames), r)
            else:
                chassis = ids.vin(make, year, r)
            v.plate.append(p)
            v.chassis.append(chassis)
            v.engine.append(ids.engine_number(make, vtype, r))
            v.make.append(make)
            v.model.append(model)
            v.vtype.append(vtype)
            v.colour.append(r.choice(ids.MOTORCYCLE_COLOURS if vtype == "Motorcycle" else ids.COLOURS))
            v.year.append(year)
            v.owner.append(owner)
            # open-letter sales: the car changed hands but the excise record did not
            v.user.append(owner if r.random() < 0.88 else r.randrange(pop.n))
            v.reg_district.append(reg_d)
            # registered in reg_year (the year on "LEB-09-1234" plates), never before the owner was 18
            lo = max(date(reg_year, 1, 1).toordinal(), pop.dob[owner] + 6575)
            hi = min(date(reg_year, 12, 31).toordinal(), REF_ORD - 2)
            v.registered.append(lo + int(r.random() * (hi - lo)) if lo < hi else min(lo, REF_ORD - 2))
    return v


def _offenders(pop: Population, seed: int) -> None:
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
