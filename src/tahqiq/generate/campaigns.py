"""Cybercrime complaints as scam campaigns, plus unrelated noise complaints.

SYNTHETIC DATA. A campaign is one gang working for a few weeks with a few phone numbers, mule
IBANs (fan-in collectors and other laundering accounts, so they appear in the transactions),
mobile wallets, websites and handsets (IMEIs). Each complaint names only one or two of them, so a
campaign's complaints hold together only through shared values, transitively. A few very common
values (the banks' helpline numbers, which scammers spoof) are named by complaints of many
campaigns and by noise: hubs that a linker must not follow blindly. The campaign of each complaint
is ground truth (truth/campaigns.csv).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tahqiq.generate.laundering import Pattern
from tahqiq.generate.population import Population
from tahqiq.generate.timefmt import REF_ORD, seconds_of

if TYPE_CHECKING:
    from tahqiq.generate.finance import Transactions

__all__ = ["Complaint", "HUB_NUMBERS", "build_complaints"]


@dataclass
class Complaint:
    time: int
    category: str
    complainant: int
    district: int
    description: str
    amount: int = 0  # paisa
    suspect_phone: int = -1  # a SIM of the population
    suspect_number: str = ""  # a number outside the population (a spoofed helpline)
    suspect_account: int = -1
    suspect_url: str = ""
    suspect_wallet: str = ""
    suspect_device: str = ""  # IMEI
    campaign: int = -1


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
WALLET_BRANDS = ("JazzCash", "Easypaisa", "SadaPay", "NayaPay")
# values so common that complaints of many campaigns name them: the banks' helplines scammers spoof
HUB_NUMBERS = ("021-111-225-111", "042-111-000-622", "0800-26526")
KINDS = ("phone", "iban", "wallet", "url", "device")


def _imei(r: random.Random) -> str:
    body = f"35{r.randrange(10**12):012d}"
    total = sum(int(d) if i % 2 == 0 else sum(divmod(2 * int(d), 10)) for i, d in enumerate(body))
    return body + str(-total % 10)  # Luhn check digit, as on a real handset


@dataclass
class _Campaign:
    ids: dict[str, list[Any]]  # kind -> the gang's values: SIM or account indices, wallet/URL/IMEI strings
    start: int
    days: int
    description: str


FIELD = {"phone": "suspect_phone", "iban": "suspect_account", "wallet": "suspect_wallet", "url": "suspect_url",
         "device": "suspect_device"}


def _campaign_ids(camp: _Campaign, c: Complaint, r: random.Random, have: set[str], n: int) -> None:
    """Name `n` more of the gang's identifiers (of kinds not yet named); now and then a helpline hub."""
    for _ in range(n):
        if r.random() < 0.08 and "phone" not in have:
            c.suspect_number = HUB_NUMBERS[int(r.random() * len(HUB_NUMBERS))]
            have.add("phone")
            continue
        kinds = [k for k in KINDS if camp.ids[k] and k not in have]
        if kinds:
            kind = kinds[int(r.random() * len(kinds))]
            setattr(c, FIELD[kind], camp.ids[kind][int(r.random() * len(camp.ids[kind]))])
            have.add(kind)


def build_complaints(pop: Population, tx: Transactions, patterns: list[Pattern], r: random.Random,
                     n: int) -> list[Complaint]:
    """About 60% of complaints come from scam campaigns: one gang's 1..3 phones, mule IBANs (fan-in
    collectors and other laundering accounts, so they are in the transactions), wallets, URLs and
    handsets, used over 2..8 weeks; each complaint names one or two of them, so a campaign holds
    together only transitively. The rest are noise with unrelated values."""
    rnd = r.random
    acc, phones = pop.accounts, pop.phones
    n_phones = len(phones.number)
    offender_phones = [k for i in pop.offenders for k in phones.by_person.get(i, ())]
    used: set[int] = set()

    def fresh_phone() -> int:
        pool = [k for k in offender_phones if k not in used] if rnd() < 0.7 else []
        k = pool[int(rnd() * len(pool))] if pool else int(rnd() * n_phones)
        used.add(k)
        return k

    by_pattern: dict[int, list[int]] = {}
    for k, pid in enumerate(tx.pattern):
        if pid >= 0:
            by_pattern.setdefault(pid, []).append(k)
    fan_in = [pid for pid, p in enumerate(patterns) if p.kind == "fan_in"]
    collectors = {patterns[pid].accounts[0] for pid in fan_in}
    # mules of the other patterns (a fan-in's other accounts are mostly its victims)
    laundering_accounts = sorted({a for p in patterns if p.kind != "fan_in" for a in p.accounts[1:]
                                  if a < acc.n_personal} - collectors)
    taken: set[int] = set()
    n_camp = max(3, round(n * 0.6 / 10)) if n_phones and patterns else 0
    end = seconds_of(REF_ORD) - 60
    year_ago = seconds_of(REF_ORD - 365)
    out: list[Complaint] = []
    for ci in range(n_camp):
        mine = fan_in[ci::n_camp]
        ibans = [patterns[pid].accounts[0] for pid in mine]
        spare = [a for a in laundering_accounts if a not in taken]  # a mule serves one gang only
        if spare and (not ibans or rnd() < 0.4):
            ibans.append(spare[int(rnd() * len(spare))])
        taken.update(ibans)
        owner_phones = [k for a in ibans[:1] for k in phones.by_person.get(acc.owner[a], ()) if k not in used]
        used.update(owner_phones[:1])
        gang_phones = ([owner_phones[0]] if owner_phones else []) + [fresh_phone() for _ in range(1 + int(rnd() * 2))]
        site = f"https://{URL_BRANDS[int(rnd() * len(URL_BRANDS))]}-{int(rnd() * 900) + 100}.example"
        ids: dict[str, list[Any]] = {
            "phone": gang_phones, "iban": ibans,
            "wallet": [f"{WALLET_BRANDS[int(rnd() * 4)]} 03{int(rnd() * 50):02d}{int(rnd() * 10**7):07d}"
                       for _ in range(1 + int(rnd() * 2))],
            "url": [f"{site}/{page}" for page in ("claim", "verify")[:int(rnd() * 3)]],
            "device": [_imei(r) for _ in range(1 + int(rnd() * 2))],
        }
        victims = [(k, tx.payer[k]) for pid in mine for k in by_pattern[pid]
                   if tx.payee[k] == patterns[pid].accounts[0]]
        first = min((tx.time[k] for k, _v in victims), default=year_ago + int(rnd() * 300 * 86400))
        camp = _Campaign(ids, first, 14 + int(rnd() * 43), SCAM_DESCRIPTIONS[int(rnd() * len(SCAM_DESCRIPTIONS))])
        quota = max(3, round(n * 0.6 / n_camp))
        for k, victim in victims:  # victims who paid a collector name its IBAN, often one more value
            if rnd() < 0.35 and len(out) < n:
                person = acc.owner[victim]
                c = Complaint(min(end, tx.time[k] + 3600 + int(rnd() * 5 * 86400)),
                              "financial_fraud" if rnd() < 0.6 else "online_scam", person, pop.district[person],
                              camp.description, amount=tx.amount[k], suspect_account=tx.payee[k], campaign=ci)
                _campaign_ids(camp, c, r, {"iban"}, int(rnd() < 0.5))
                out.append(c)
                quota -= 1
        for _ in range(max(0, min(quota, n - len(out)))):  # victims who paid by wallet or cash
            person = int(rnd() * pop.n)
            c = Complaint(min(end, camp.start + int(rnd() * camp.days * 86400)),
                          "online_scam" if rnd() < 0.7 else "financial_fraud", person, pop.district[person],
                          camp.description, amount=int(round(r.lognormvariate(10.3, 0.9), -2)) * 100, campaign=ci)
            _campaign_ids(camp, c, r, set(), 1 + int(rnd() < 0.4))
            out.append(c)
    while len(out) < n:  # noise: other complaints, naming values no campaign uses
        person = int(rnd() * pop.n)
        cat, desc = OTHER[int(rnd() * len(OTHER))]
        c = Complaint(year_ago + int(rnd() * 365 * 86400), cat, person, pop.district[person], desc)
        if cat in ("harassment", "blackmail", "hacking", "identity_theft") and n_phones and rnd() < 0.7:
            c.suspect_phone = fresh_phone()
        if cat in ("phishing", "other"):
            page = "verify" if cat == "phishing" else "shop"
            brand = URL_BRANDS[int(rnd() * len(URL_BRANDS))]
            # Each unrelated fraudster registers a site of his own: a shared host would be a campaign.
            c.suspect_url = f"https://{brand}-{len(out)}x.example/{page}/{int(rnd() * 90000) + 10000}"
        if cat == "phishing" and rnd() < 0.05:
            c.suspect_number = HUB_NUMBERS[int(rnd() * len(HUB_NUMBERS))]
        out.append(c)
    out.sort(key=lambda c: (c.time, c.complainant))
    return out
