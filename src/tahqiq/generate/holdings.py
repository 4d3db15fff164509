"""What people hold: SIMs, bank accounts and vehicles, handed out after the people exist.

Each kind draws from its own random stream, so adding a field to one never shifts the others.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from tahqiq.generate import identifiers as ids
from tahqiq.generate.places import CumulativeWeights
from tahqiq.generate.population import Accounts, Phones, Population, Vehicles
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import REF_ORD
from tahqiq.model.geography import District, Geography

MIN_DATE_ORD = 730120  # 2000-01-01
BIG_CITIES = ("Lahore", "Rawalpindi", "Faisalabad", "Multan", "Gujranwala", "Sialkot")


def build_phones(pop: Population, seed: int) -> Phones:
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


def _branches(d: District) -> tuple[list[str], CumulativeWeights]:
    """Bank branches of a district: one per place, weighted like the places."""
    out: list[str] = []
    w: list[float] = []
    for t in d.tehsils:
        city = t.name.replace(" City", "").replace(" Sadar", "").replace(" Saddar", "")
        for p in t.places:
            out.append(f"{p.name} Branch, {city}" if p.name != city else f"Main Branch, {city}")
            w.append(t.weight * p.weight)
    return out, CumulativeWeights(w)


def build_accounts(pop: Population, seed: int, geo: Geography) -> Accounts:
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


def build_vehicles(pop: Population, seed: int, geo: Geography, n_h: int) -> Vehicles:
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
        big_city = dists[pop.households.district[hid]].name in BIG_CITIES
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
                three_digit = d.name == "Rawalpindi" and r.random() < 0.2
                number = r.randrange(100, 1000) if three_digit else r.randrange(1, 10000)
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
