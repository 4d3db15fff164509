"""Bank transactions, laundering, suspicious-transaction reports and cybercrime complaints.

SYNTHETIC DATA. Ordinary traffic (person-to-person transfers, often within the family, bill
payments, ATM withdrawals, cash deposits) carries the eight laundering typologies of AMLworld
(Altman et al., NeurIPS 2023) and their legitimate look-alikes (payroll, merchant sales, family
cycles, rent splitting), both built by `laundering.py`. Mules are drawn uniformly from the personal
accounts; the repeat offenders' accounts are where dirty money enters. Laundering transactions are
labelled in truth/laundering.csv, patterns in truth/laundering_patterns.csv, look-alikes in
truth/lookalikes.csv.

Scam proceeds are the fan-in patterns: victims pay a collector account. Complaints to the
cybercrime wing come in campaigns: one gang's phones, mule IBANs, wallets,
websites and handsets, each complaint naming one or two of them (campaigns.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tahqiq.generate import laundering as ml
from tahqiq.generate.campaigns import Complaint, build_complaints
from tahqiq.generate.population import Population
from tahqiq.generate.rng import np_stream, stream
from tahqiq.generate.timefmt import EPOCH_ORD, REF_ORD, seconds_of

WINDOW_DAYS = 90
CHANNELS = ml.CHANNELS
TYPOLOGIES = ml.TYPOLOGIES
CASH_THRESHOLD = ml.REPORTING_THRESHOLD

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


Pattern = ml.Pattern


@dataclass
class Str:
    tx: int  # transaction index
    subject_account: int
    role: str  # payer | payee
    reported: int  # day ordinal
    grounds: str


@dataclass
class Finance:
    tx: Transactions
    patterns: list[ml.Pattern]
    strs: list[Str]
    complaints: list[Complaint]
    lookalikes: list[ml.Pattern] = field(default_factory=list)


def _times(npr: np.random.Generator, n: int, start: int, days: int) -> np.ndarray:
    hp = np.array(HOUR_WEIGHTS, dtype=float)
    hours = npr.choice(24, size=n, p=hp / hp.sum())
    d = npr.integers(0, days, size=n)
    return start + d * 86400 + hours * 3600 + npr.integers(0, 3600, size=n)


def build_finance(pop: Population, seed: int, n_tx: int) -> Finance:
    npr = np_stream(seed, "transactions")
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

    # --- laundering and its look-alikes (laundering.py) ---
    window = ml.Window(date.fromordinal(REF_ORD - WINDOW_DAYS), WINDOW_DAYS, start)
    patterns: list[ml.Pattern] = []
    lookalikes: list[ml.Pattern] = []
    if n_personal >= 60:
        patterns = _launder(pop, tx, seed, window, max(len(TYPOLOGIES), pop.n // 2500))
        lookalikes = _lookalikes(pop, tx, seed, window, household_accounts)
    tx.order = sorted(range(len(tx.time)), key=lambda k: (tx.time[k], k))
    strs = _strs(pop, tx, patterns, stream(seed, "str"))
    complaints = build_complaints(pop, tx, patterns, stream(seed, "cybercrime"), max(30, pop.n * 3 // 1000))
    return Finance(tx, patterns, strs, complaints, lookalikes)


def _append(tx: Transactions, batch: ml.Batch, illicit: bool) -> None:
    f = batch.flows()
    n = len(f.ts)
    tx.time.extend(f.ts.tolist())
    tx.payer.extend(f.payer.tolist())
    tx.payee.extend(f.payee.tolist())
    tx.amount.extend((np.round(f.amount).astype(np.int64) * 100).tolist())
    tx.channel.extend(CHANNELS[c] for c in f.channel.tolist())
    if illicit:
        tx.typology.extend(batch.patterns[p].kind for p in f.pattern.tolist())
        tx.pattern.extend(f.pattern.tolist())
    else:
        tx.typology.extend([""] * n)
        tx.pattern.extend([-1] * n)


def _launder(pop: Population, tx: Transactions, seed: int, window: ml.Window, n_patterns: int) -> list[ml.Pattern]:
    """Mules are a uniform draw from the personal accounts (never by age, gender or place); dirty
    money enters through the repeat offenders' accounts; fan-in payers are scam victims."""
    acc = pop.accounts
    g = np_stream(seed, "laundering")
    personal = np.arange(acc.n_personal, dtype=np.int64)
    mules = g.choice(personal, size=min(acc.n_personal // 2, max(40, n_patterns * 6)), replace=False)
    criminal = sorted({a for i in pop.offenders for a in acc.by_person.get(i, ())})
    sources = np.array(criminal, dtype=np.int64) if criminal else mules
    batch = ml.build_laundering(g, window, ml.Pools(mules, sources, personal), patterns=n_patterns, scam_fan_in=True)
    _append(tx, batch, illicit=True)
    return batch.patterns


def _lookalikes(pop: Population, tx: Transactions, seed: int, window: ml.Window,
                household_accounts: dict[int, list[int]]) -> list[ml.Pattern]:
    """A modest number of legitimate patterns shaped like laundering (about 3% of the traffic)."""
    acc = pop.accounts
    g = np_stream(seed, "lookalikes")
    firms = np.arange(acc.n_personal, len(acc.iban), dtype=np.int64)
    families = [np.array(v) for _h, v in sorted(household_accounts.items()) if 3 <= len(v) <= 5]
    chosen = [families[i] for i in g.permutation(len(families))] if families else []
    k = max(2, pop.n // 5000)
    counts = {"payroll": min(len(firms), max(2, pop.n // 10000)), "merchant": k, "family_cycle": k, "rent_split": k}
    batch = ml.build_lookalikes(g, window, counts, employers=firms, merchants=firms,
                                personal=np.arange(acc.n_personal, dtype=np.int64), families=chosen)
    _append(tx, batch, illicit=False)
    return batch.patterns


GROUNDS = {
    "fan_out": "Funds received and immediately split across several accounts below reporting threshold",
    "fan_in": "Many small credits from unrelated individuals followed by rapid withdrawal",
    "cycle": "Circular transfers between related accounts with no apparent economic purpose",
    "scatter_gather": "Funds routed through several intermediary accounts to a single beneficiary",
    "gather_scatter": "Credits from several accounts pooled and immediately dispersed to others",
    "bipartite": "Several accounts paying a group of unrelated accounts in round amounts within days",
    "stack": "Funds layered through two tiers of intermediary accounts",
    "random": "Funds passed along a chain of accounts with no apparent economic purpose",
    "": "Transaction inconsistent with customer profile",
}


def _strs(pop: Population, tx: Transactions, patterns: list[ml.Pattern], r) -> list[Str]:
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
