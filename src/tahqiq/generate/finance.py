"""Bank transactions, laundering typologies, suspicious-transaction reports and cybercrime complaints.

SYNTHETIC DATA. The laundering patterns follow the typologies of Altman et al., "Realistic Synthetic
Financial Transactions for Anti-Money Laundering Models" (NeurIPS 2023 Datasets and Benchmarks):
fan-out, fan-in, cycle and scatter-gather, embedded in ordinary traffic (person-to-person
transfers, bill payments, ATM withdrawals, cash deposits). It is kept deliberately simple; it does
not reproduce their simulator. Each laundering transaction is labelled in truth/laundering.csv.

Scam proceeds are the fan-in pattern here: victims pay a collector account, and some of them
complain to the cybercrime wing, naming the collector's IBAN and the caller's phone number.
"""

from __future__ import annotations

from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np

from tahqiq.generate.population import Population
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import EPOCH_ORD, REF_ORD, seconds_of

WINDOW_DAYS = 90
CHANNELS = ("branch", "atm", "ibft", "raast", "mobile_wallet", "pos", "online")
TYPOLOGIES = ("fan_out", "fan_in", "cycle", "scatter_gather")
TYPOLOGY_WEIGHTS = (0.25, 0.35, 0.15, 0.25)
CASH_THRESHOLD = 2_000_000  # PKR; structuring keeps amounts just below reporting thresholds

# daytime-heavy hour profile of retail banking
HOUR_WEIGHTS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 4, 5, 5, 5, 5, 5, 5, 4.5, 4.5, 4, 4, 3.5, 3, 2, 1)


@dataclass
class Transactions:
    time: list[int] = field(default_factory=list)
    payer: list[int] = field(default_factory=list)  # account index, -1 for cash
    payee: list[int] = field(default_factory=list)
    amount: list[int] = field(default_factory=list)  # paisa
    channel: list[str] = field(default_factory=list)
    typology: list[str] = field(default_factory=list)
    pattern: list[int] = field(default_factory=list)
    order: list[int] = field(default_factory=list)  # indices sorted by time

    def tid(self, rank: int) -> str:
        return f"TX{rank + 1:09d}"


@dataclass
class Pattern:
    kind: str
    accounts: list[int]
    collector: int = -1
    victims: list[tuple[int, int]] = field(default_factory=list)  # (tx index, account)


@dataclass
class Str:
    tx: int  # transaction index
    subject_account: int
    role: str  # payer | payee
    reported: int  # day ordinal
    grounds: str


@dataclass
class Complaint:
    time: int
    category: str
    complainant: int
    district: int
    description: str
    amount: int = 0  # paisa
    suspect_phone: int = -1
    suspect_account: int = -1
    suspect_url: str = ""


@dataclass
class Finance:
    tx: Transactions
    patterns: list[Pattern]
    strs: list[Str]
    complaints: list[Complaint]


def _times(npr: np.random.Generator, n: int, start: int, days: int) -> np.ndarray:
    hp = np.array(HOUR_WEIGHTS, dtype=float)
    hours = npr.choice(24, size=n, p=hp / hp.sum())
    d = npr.integers(0, days, size=n)
    return start + d * 86400 + hours * 3600 + npr.integers(0, 3600, size=n)


def build_finance(pop: Population, seed: int, n_tx: int) -> Finance:
    npr = np_stream(seed, "transactions")
    r = stream(seed, "laundering")
    acc = pop.accounts
    n_personal = acc.n_personal
    n_business = len(acc.iban) - n_personal
    start = seconds_of(REF_ORD - WINDOW_DAYS)
    tx = Transactions()
    if n_personal < 10:
        return Finance(tx, [], [], [])

    # --- ordinary traffic (vectorised) ---
    activity = npr.lognormal(0.0, 1.0, size=n_personal)
    payers = npr.choice(n_personal, size=n_tx, p=activity / activity.sum())
    kind = npr.random(n_tx)
    times = _times(npr, n_tx, start, WINDOW_DAYS)
    p2p_amount = np.round(npr.lognormal(np.log(12000), 1.0, size=n_tx), -2)
    bill_amount = np.round(npr.lognormal(np.log(4500), 0.8, size=n_tx))
    atm_amount = npr.integers(2, 51, size=n_tx) * 1000
    dep_amount = np.round(npr.lognormal(np.log(30000), 1.0, size=n_tx), -2)
    random_payee = npr.integers(0, n_personal, size=n_tx)
    business = n_personal + npr.integers(0, max(1, n_business), size=n_tx)
    p2p_channel = npr.choice(np.array(["ibft", "raast", "mobile_wallet", "online"]), size=n_tx,
                             p=[0.35, 0.35, 0.2, 0.1])
    bill_channel = npr.choice(np.array(["online", "pos", "mobile_wallet"]), size=n_tx, p=[0.45, 0.4, 0.15])
    family_u = npr.random(n_tx)
    household_accounts: dict[int, list[int]] = {}
    for a in range(n_personal):
        household_accounts.setdefault(pop.household[acc.owner[a]], []).append(a)
    for j in range(n_tx):
        u = kind[j]
        payer = int(payers[j])
        if u < 0.45:
            payee = int(random_payee[j])
            if family_u[j] < 0.3:
                fam = household_accounts.get(pop.household[acc.owner[payer]], ())
                if len(fam) > 1:
                    payee = fam[int(family_u[j] * 1000) % len(fam)]
            if payee == payer:
                payee = (payee + 1) % n_personal
            tx.payer.append(payer)
            tx.payee.append(payee)
            tx.amount.append(int(max(p2p_amount[j], 100)) * 100)
            tx.channel.append(str(p2p_channel[j]))
        elif u < 0.70:
            tx.payer.append(payer)
            tx.payee.append(int(business[j]) if n_business else int(random_payee[j]))
            tx.amount.append(int(max(bill_amount[j], 50)) * 100)
            tx.channel.append(str(bill_channel[j]))
        elif u < 0.92:
            tx.payer.append(payer)
            tx.payee.append(-1)
            tx.amount.append(int(atm_amount[j]) * 100)
            tx.channel.append("atm")
        else:
            tx.payer.append(-1)
            tx.payee.append(payer)
            tx.amount.append(int(max(dep_amount[j], 500)) * 100)
            tx.channel.append("branch")
        tx.time.append(int(times[j]))
        tx.typology.append("")
        tx.pattern.append(-1)

    # --- laundering patterns ---
    patterns = _laundering(pop, tx, r, start, max(6, pop.n // 2500))
    tx.order = sorted(range(len(tx.time)), key=lambda k: (tx.time[k], k))
    strs = _strs(pop, tx, patterns, stream(seed, "str"))
    complaints = _complaints(pop, tx, patterns, stream(seed, "cybercrime"), max(30, pop.n * 3 // 1000))
    return Finance(tx, patterns, strs, complaints)


def _laundering(pop: Population, tx: Transactions, r, start: int, n_patterns: int) -> list[Pattern]:
    acc = pop.accounts
    rnd = r.random
    n_personal = acc.n_personal
    criminal = sorted({a for i in pop.offenders for a in acc.by_person.get(i, ())})
    young_men = [a for a in range(n_personal) if pop.gender[acc.owner[a]] == "M" and pop.age(acc.owner[a]) < 35]
    mules = (sorted(set(r.sample(young_men, min(len(young_men), max(20, n_patterns * 4)))) | set(criminal))
             or list(range(n_personal)))
    bosses = criminal or mules
    kcum = list(accumulate(TYPOLOGY_WEIGHTS))
    patterns: list[Pattern] = []

    def add(t: int, payer: int, payee: int, amount_rs: float, channel: str, kind: str, pid: int) -> int:
        tx.time.append(int(t))
        tx.payer.append(payer)
        tx.payee.append(payee)
        tx.amount.append(int(round(amount_rs)) * 100)
        tx.channel.append(channel)
        tx.typology.append(kind)
        tx.pattern.append(pid)
        return len(tx.time) - 1

    def distinct(pool: list[int], k: int, exclude: set[int]) -> list[int]:
        out: list[int] = []
        tries = 0
        while len(out) < k and tries < k * 20:
            a = pool[int(rnd() * len(pool))]
            tries += 1
            if a not in exclude and a not in out:
                out.append(a)
        return out

    end = start + WINDOW_DAYS * 86400 - 1
    for pid in range(n_patterns):
        # every typology at least once, then in proportion to TYPOLOGY_WEIGHTS
        kind = TYPOLOGIES[pid] if pid < len(TYPOLOGIES) else TYPOLOGIES[bisect(kcum, rnd() * kcum[-1])]
        t0 = start + int(rnd() * (WINDOW_DAYS - 16) * 86400)
        fast = ("ibft", "raast")
        if kind == "fan_out":
            src = bosses[int(rnd() * len(bosses))]
            dests = distinct(mules, 5 + int(rnd() * 8), {src})
            for d in dests:
                add(t0 + int(rnd() * 72 * 3600), src, d, round(400_000 + rnd() * 1_550_000, -3), fast[int(rnd() * 2)],
                    kind, pid)
            patterns.append(Pattern(kind, [src] + dests))
        elif kind == "fan_in":
            collector = mules[int(rnd() * len(mules))]
            victims = distinct(list(range(n_personal)), 6 + int(rnd() * 15), {collector})
            p = Pattern(kind, [collector] + victims, collector=collector)
            for v in victims:
                amount = min(500_000, max(5_000, round(r.lognormvariate(10.6, 0.8), -2)))
                k = add(t0 + int(rnd() * 14 * 86400), v, collector, amount,
                        ("mobile_wallet", "ibft", "raast")[int(rnd() * 3)], kind, pid)
                p.victims.append((k, v))
            patterns.append(p)
        elif kind == "cycle":
            ring = distinct(mules, 3 + int(rnd() * 4), set())
            if len(ring) < 3:
                continue
            amount = 1_000_000 + rnd() * 4_000_000
            t = t0
            for i, a in enumerate(ring):
                b = ring[(i + 1) % len(ring)]
                t += 3600 + int(rnd() * 47 * 3600)
                add(min(t, end), a, b, round(amount, -2), fast[int(rnd() * 2)], kind, pid)
                amount *= 1 - (0.005 + rnd() * 0.025)
            patterns.append(Pattern(kind, ring))
        else:  # scatter_gather
            src = bosses[int(rnd() * len(bosses))]
            mids = distinct(mules, 4 + int(rnd() * 7), {src})
            dst_pool = [a for a in bosses if a != src] or [a for a in mules if a != src]
            dst = dst_pool[int(rnd() * len(dst_pool))]
            mids = [m for m in mids if m != dst]
            for m in mids:
                a = round(300_000 + rnd() * 1_200_000, -3)
                t1 = t0 + int(rnd() * 24 * 3600)
                add(t1, src, m, a, fast[int(rnd() * 2)], kind, pid)
                add(min(end, t1 + 86400 + int(rnd() * 2 * 86400)), m, dst, round(a * (1 - 0.01 - rnd() * 0.02), -2),
                    fast[int(rnd() * 2)], kind, pid)
            patterns.append(Pattern(kind, [src] + mids + [dst]))
    return patterns


GROUNDS = {
    "fan_out": "Funds received and immediately split across several accounts below reporting threshold",
    "fan_in": "Many small credits from unrelated individuals followed by rapid withdrawal",
    "cycle": "Circular transfers between related accounts with no apparent economic purpose",
    "scatter_gather": "Funds routed through several intermediary accounts to a single beneficiary",
    "": "Transaction inconsistent with customer profile",
}


def _strs(pop: Population, tx: Transactions, patterns: list[Pattern], r) -> list[Str]:
    """Banks file STRs on part of the laundering they detect, and on some innocent large transfers."""
    rnd = r.random
    acc = pop.accounts
    detected = {pid for pid in range(len(patterns)) if rnd() < 0.55}
    out: list[Str] = []
    last_day = REF_ORD - 1
    for k in tx.order:
        kind = tx.typology[k]
        if kind:
            if tx.pattern[k] not in detected or rnd() >= 0.7:
                continue
        elif (not (tx.amount[k] >= 50_000_000 and tx.payer[k] >= 0 and tx.payee[k] >= 0 and rnd() < 0.15)
              and not (rnd() < 0.0002)):
            continue
        payer, payee = tx.payer[k], tx.payee[k]
        options = [(a, role) for a, role in ((payer, "payer"), (payee, "payee")) if 0 <= a < acc.n_personal]
        if not options:
            continue
        a, role = options[int(rnd() * len(options))]
        day = seconds_to_ord(tx.time[k]) + 3 + int(rnd() * 25)
        if day > last_day:
            continue  # not filed yet on the reference date
        out.append(Str(k, a, role, day, GROUNDS[kind]))
    return out


def seconds_to_ord(seconds: int) -> int:
    return EPOCH_ORD + int(seconds) // 86400


SCAM_DESCRIPTIONS = (
    "Caller posing as bank helpline asked for OTP; amount transferred from account without consent",
    "Received SMS about a cash prize; asked to pay processing fee to claim it",
    "Online seller took advance payment for a mobile phone and stopped responding",
    "Caller claimed a relative was arrested and demanded money for release",
    "Fake job offer asked for registration fee through mobile wallet",
)
OTHER = (
    ("phishing", "Received link imitating a bank login page; credentials entered and account accessed"),
    ("identity_theft", "SIM issued on complainant's CNIC without knowledge; used for fraud calls"),
    ("hacking", "Messaging account taken over after verification code was shared; contacts asked for money"),
    ("harassment", "Repeated threatening calls and messages from unknown number"),
    ("blackmail", "Unknown number demanding money under threat of leaking private pictures"),
    ("other", "Social media page selling goods with no delivery after payment"),
)
URL_BRANDS = ("bisp-8171", "jazzcash-reward", "easypaisa-bonus", "pk-bank-verify", "nadra-update", "ehsaas-online")


def _complaints(pop: Population, tx: Transactions, patterns: list[Pattern], r, n: int) -> list[Complaint]:
    rnd = r.random
    acc = pop.accounts
    phones = pop.phones
    offender_phones = [k for i in pop.offenders for k in phones.by_person.get(i, ())] or list(range(len(phones.number)))
    out: list[Complaint] = []
    end = seconds_of(REF_ORD) - 60
    for p in patterns:
        if p.kind != "fan_in":
            continue
        owner = acc.owner[p.collector]
        scam_phones = phones.by_person.get(owner) or offender_phones
        scam_phone = scam_phones[int(rnd() * len(scam_phones))] if scam_phones else -1
        desc = SCAM_DESCRIPTIONS[int(rnd() * len(SCAM_DESCRIPTIONS))]
        for k, victim in p.victims:
            if rnd() >= 0.35 or len(out) >= n:
                continue
            person = acc.owner[victim]
            t = min(end, tx.time[k] + 3600 + int(rnd() * 5 * 86400))
            out.append(Complaint(t, "financial_fraud" if rnd() < 0.6 else "online_scam", person, pop.district[person],
                                 desc, amount=tx.amount[k], suspect_phone=scam_phone, suspect_account=p.collector))
    start = seconds_of(REF_ORD - 365)
    while len(out) < n:
        person = int(rnd() * pop.n)
        t = start + int(rnd() * 365 * 86400)
        if rnd() < 0.3:
            desc = SCAM_DESCRIPTIONS[int(rnd() * len(SCAM_DESCRIPTIONS))]
            sp = offender_phones[int(rnd() * len(offender_phones))] if offender_phones and rnd() < 0.8 else -1
            mine = acc.by_person.get(person)
            amount = int(round(r.lognormvariate(10.3, 0.9), -2)) * 100 if mine else 0
            out.append(Complaint(t, "online_scam", person, pop.district[person], desc, amount=amount, suspect_phone=sp))
            continue
        cat, desc = OTHER[int(rnd() * len(OTHER))]
        c = Complaint(t, cat, person, pop.district[person], desc)
        if cat in ("harassment", "blackmail", "hacking", "identity_theft") and offender_phones and rnd() < 0.7:
            c.suspect_phone = offender_phones[int(rnd() * len(offender_phones))]
        if cat in ("phishing", "other"):
            brand = URL_BRANDS[int(rnd() * len(URL_BRANDS))]
            page = "verify" if cat == "phishing" else "shop"
            c.suspect_url = f"https://{brand}.example/{page}/{int(rnd() * 90000) + 10000}"
        out.append(c)
    out.sort(key=lambda c: (c.time, c.complainant))
    return out
