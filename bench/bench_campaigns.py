"""Scam campaigns from cybercrime complaints at scale: time, campaigns found, pairwise precision and
recall against planted campaigns, peak memory.

    .venv/bin/python bench/bench_campaigns.py                          # 1,000,000 complaints
    .venv/bin/python bench/bench_campaigns.py --complaints 200000 --sweep 50,200,500,2000
    .venv/bin/python bench/bench_campaigns.py --compare-unionfind      # scipy against a Python union-find
    .venv/bin/python bench/bench_campaigns.py --world DIR              # a generated world's complaints

The complaints: 60% belong to planted campaigns (sizes log-normal, median 10, 2 to 400 complaints),
each campaign with 1-3 phones, 1-2 IBANs and maybe a wallet (half of them a mobile-wallet number,
which is a phone), a phishing domain and a device. Each complaint names a random part of its
campaign's identifiers, written as victims write them (0300-1234567, +92 300 1234567, 0092..., IBANs
in lower case with spaces, URLs with www. and different paths), so a planted campaign is not always
connected and recall below 1 is expected. 1% of campaigns reuse another campaign's IBAN (a mule
account rented to two gangs: the clustering joins them, and precision counts that as a mistake). The
other 40% are unrelated complaints with their own phone or domain, or none. Hubs: 2% of complaints
also name a stop-list value (a bank helpline, facebook.com), and five popular values (a courier's
number, a marketplace) are named by 3,000 random complaints each.

Precision and recall are over pairs of complaints: a pair is positive when both are in one campaign.
`cluster` runs in this process after the rows are built; the clock covers rows -> campaigns only
(wall and process CPU time, with the load average: other work on the machine slows the wall clock).
Peak memory is the process's resident high-water mark (ru_maxrss) before and after clustering.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import time

import numpy as np
import pandas as pd

from tahqiq.networks.campaigns import _components, _mentions, cluster
from tahqiq.networks.complaints import ComplaintRow, complaints_from_arrays

# Pakistani mobile operator prefixes the model's phone normaliser accepts.
PREFIXES = [f"3{d:02d}" for d in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 31, 32,
                                       33, 34, 35, 36, 40, 41, 42, 43, 44, 45, 46, 47)]
STOP_WRITTEN = ["021-111-111-425", "1122", "15", "https://www.facebook.com/marketplace/item/1",
                "https://wa.me/923001234567", "daraz.pk", "https://bit.ly/3xYz"]


def phone_number(j: int) -> str:
    """The j-th synthetic mobile number (national digits after 0), distinct for distinct j."""
    prefix = PREFIXES[j % len(PREFIXES)]
    return prefix + f"{(j // len(PREFIXES)) * 7_654_321 % 10_000_000:07d}"


def spell_phone(national: str, style: int) -> str:
    return (f"0{national[:3]}-{national[3:]}", f"+92{national}", f"0092 {national[:3]} {national[3:]}",
            f"92{national}", f"+92 {national[:3]} {national[3:]}")[style]


def iban(j: int) -> str:
    bank = ("HABB", "UNIL", "MUCB", "MEZN", "ALFH", "NBPA")[j % 6]
    account = f"{j:016d}"
    digits = "".join(str(int(ch, 36)) for ch in bank + account + "PK00")
    return f"PK{98 - int(digits) % 97:02d}{bank}{account}"


def spell_iban(code: str, style: int) -> str:
    return code if style == 0 else " ".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()


def synthetic(n: int, seed: int, campaign_share: float = 0.6, reuse: float = 0.01):
    """Rows and the planted campaign of each (-1 for an unrelated complaint)."""
    rng = np.random.default_rng(seed)
    sizes: list[int] = []
    while sum(sizes) < campaign_share * n:
        sizes.extend(np.clip(np.rint(np.exp(rng.normal(2.3, 1.0, 1000))), 2, 400).astype(int).tolist())
    while sum(sizes) > campaign_share * n:
        sizes.pop()
    k = len(sizes)
    phone_j = iban_j = 0
    pools = []
    for _ in range(k):
        n_ph = 1 + min(2, int(rng.poisson(0.5)))
        n_ib = 1 + int(rng.random() < 0.3)
        pools.append({"phones": list(range(phone_j, phone_j + n_ph)), "ibans": list(range(iban_j, iban_j + n_ib)),
                      "wallet": rng.random() < 0.4, "domain": rng.random() < 0.4, "device": rng.random() < 0.3})
        phone_j += n_ph
        iban_j += n_ib
    for c in np.flatnonzero(rng.random(k) < reuse).tolist():
        pools[c]["ibans"].append(pools[int(rng.integers(k))]["ibans"][0])
    campaign = np.repeat(np.arange(k), sizes)
    truth = np.full(n, -1, dtype=np.int64)
    truth[:len(campaign)] = campaign
    rng.shuffle(truth)
    t0 = 1_700_000_000
    starts = t0 + rng.integers(0, 300 * 86400, k)
    u = rng.random((n, 8))
    styles = rng.integers(0, 5, (n, 3))
    rows: list[ComplaintRow] = []
    noise_j = 10_000_000
    for i in range(n):
        c = int(truth[i])
        ph: list[str] = []
        ib: list[str] = []
        wa: list[str] = []
        ur: list[str] = []
        dv: list[str] = []
        if c >= 0:
            p = pools[c]
            t = int(starts[c] + u[i, 0] * 30 * 86400)
            if u[i, 1] < 0.85:
                ph.append(spell_phone(phone_number(p["phones"][int(u[i, 2] * len(p["phones"]))]), int(styles[i, 0])))
            if u[i, 3] < 0.5:
                ib.append(spell_iban(iban(p["ibans"][int(u[i, 2] * len(p["ibans"]))]), int(styles[i, 1]) % 2))
            if p["wallet"] and u[i, 4] < 0.25:
                wa.append(spell_phone(phone_number(5_000_000 + c), int(styles[i, 2])) if c % 2 else f"TW{c:08d}x")
            if p["domain"] and u[i, 5] < 0.35:
                ur.append(f"https://{'www.' if u[i, 6] < 0.5 else ''}offer-{c}.com.pk/claim/{i}")
            if p["device"] and u[i, 6] < 0.15:
                dv.append(f"35{c:013d}")
            if not (ph or ib or wa or ur or dv):
                ph.append(spell_phone(phone_number(p["phones"][0]), int(styles[i, 0])))
        else:
            t = t0 + int(u[i, 0] * 330 * 86400)
            if u[i, 1] < 0.5:
                ph.append(spell_phone(phone_number(noise_j + i), int(styles[i, 0])))
            elif u[i, 1] < 0.7:
                ur.append(f"http://shop-{i}.example/item")
        if u[i, 7] < 0.02:
            stop = STOP_WRITTEN[int(u[i, 2] * len(STOP_WRITTEN))]
            (ur if not stop[0].isdigit() else ph).append(stop)
        rows.append(ComplaintRow(f"CC-{i:08d}", t, f"D{int(u[i, 5] * 36):02d}", float(int(u[i, 4] * 50_000)),
                                 tuple(ph), tuple(ib), tuple(wa), tuple(ur), tuple(dv)))
    popular = ["0300-0000001", "0321-0000002", "https://www.shop-mall.pk/x", "0333-0000003", "tcs-courier.com.pk"]
    for value in popular:
        for i in rng.choice(n, 3000, replace=False).tolist():
            r = rows[i]
            if value[0].isdigit():
                rows[i] = ComplaintRow(r.complaint_id, r.time, r.district, r.amount_lost, (*r.phones, value),
                                       r.ibans, r.wallets, r.urls, r.devices)
            else:
                rows[i] = ComplaintRow(r.complaint_id, r.time, r.district, r.amount_lost, r.phones, r.ibans,
                                       r.wallets, (*r.urls, value), r.devices)
    return rows, truth


def pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Precision and recall over complaint pairs; -1 in either means "in no group"."""
    n = len(truth)
    t = np.where(truth >= 0, truth, -1 - np.arange(n))
    p = np.where(predicted >= 0, predicted, -1 - np.arange(n))
    both = pd.DataFrame({"t": t, "p": p}).groupby(["t", "p"]).size().to_numpy()
    tp = pairs(both)
    pp = pairs(pd.Series(p).value_counts().to_numpy())
    tt = pairs(pd.Series(t).value_counts().to_numpy())
    return (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)


def labels_of(rows: list[ComplaintRow], campaigns) -> np.ndarray:
    index = {r.complaint_id: i for i, r in enumerate(rows)}
    out = np.full(len(rows), -1, dtype=np.int64)
    for c, cmp in enumerate(campaigns):
        out[[index[x] for x in cmp.complaints]] = c
    return out


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class UnionFind:
    """Path compression (halving) and union by size, over Python lists: the reference for scipy."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def compare_unionfind(rows: list[ComplaintRow]) -> None:
    m = _mentions(rows)
    named_by = np.bincount(m.value[m.first], minlength=len(m.names))
    link = m.first & (named_by[m.value] >= 2) & (named_by[m.value] <= 500)
    value, row = m.value[link], m.row[link]
    started = time.perf_counter()
    labels = _components(len(rows), value, row)
    scipy_s = time.perf_counter() - started
    started = time.perf_counter()
    uf = UnionFind(len(rows))
    starts = np.r_[True, value[1:] != value[:-1]]
    first = row[starts][np.cumsum(starts) - 1]
    for a, b in zip(row.tolist(), first.tolist(), strict=True):
        uf.union(a, b)
    roots = [uf.find(i) for i in range(len(rows))]
    python_s = time.perf_counter() - started
    same = pd.Series(labels).groupby(pd.Series(roots)).nunique().max() == 1 and len(set(roots)) == len(set(labels))
    print(f"components over {len(row):,} linking mentions: scipy {scipy_s:.2f} s, "
          f"Python union-find {python_s:.2f} s, same partition: {same}")


def world(directory: str) -> tuple[list[ComplaintRow], np.ndarray]:
    """Complaints of a `tahqiq generate` world (sources/cybercrime_complaints.jsonl, read as written,
    before ingest) and its planted campaigns (truth/campaigns.csv)."""
    df = pd.read_json(f"{directory}/sources/cybercrime_complaints.jsonl", lines=True, dtype=False)
    rows = complaints_from_arrays(df["complaint_no"].tolist(), df["reported_at"].tolist(),
                                  districts=df["district"].tolist(), amounts=df["amount_lost"].tolist(),
                                  phones=df["suspect_phone"].tolist(), ibans=df["suspect_iban"].tolist(),
                                  wallets=df["suspect_wallet"].tolist(), urls=df["suspect_url"].tolist(),
                                  devices=df["suspect_device"].tolist())
    truth = pd.read_csv(f"{directory}/truth/campaigns.csv", dtype=str)
    codes = dict(zip(truth["complaint_number"], pd.factorize(truth["campaign_id"])[0].tolist(), strict=True))
    return rows, np.asarray([codes.get(r.complaint_id, -1) for r in rows], dtype=np.int64)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--complaints", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--sweep", default="", help="comma-separated max_complaints_per_value values to try")
    ap.add_argument("--compare-unionfind", action="store_true")
    ap.add_argument("--world", help="a `tahqiq generate` directory with truth/campaigns.csv, instead of synthetic rows")
    args = ap.parse_args()
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    started = time.perf_counter()
    rows, truth = world(args.world) if args.world else synthetic(args.complaints, args.seed)
    planted = len(set(truth[truth >= 0].tolist()))
    print(f"generated {len(rows):,} complaints ({int((truth >= 0).sum()):,} in {planted:,} planted campaigns)"
          f" in {time.perf_counter() - started:.1f} s; peak RSS {max_rss_mib():,.0f} MiB")
    if args.compare_unionfind:
        compare_unionfind(rows)
    for limit in [int(x) for x in args.sweep.split(",") if x] or [None]:
        started, cpu = time.perf_counter(), time.process_time()
        campaigns = cluster(rows) if limit is None else cluster(rows, max_complaints_per_value=limit)
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        precision, recall = pairwise(truth, labels_of(rows, campaigns))
        largest = max((c.size for c in campaigns), default=0)
        print(f"max_complaints_per_value={limit or 'default'}: {took:.1f} s ({cpu:.1f} s CPU; load {load()}), "
              f"{len(campaigns):,} campaigns (largest {largest:,}, {sum(c.size for c in campaigns):,} complaints), "
              f"pairwise precision {precision:.4f} recall {recall:.4f}; peak RSS {max_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
