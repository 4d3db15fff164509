"""`tahqiq generate bank`: a standalone bank ledger with laundering hidden in ordinary traffic.

SYNTHETIC DATA, in the spirit of AMLworld (Altman et al., NeurIPS 2023): one bank's accounts
(personal, merchant, business, employer) and their transfers over 120 days: person-to-person
transfers, purchases at merchants, bill payments, salaries, ATM withdrawals, cash deposits and
business payments, with heavy-tailed account activity and a daytime rhythm. Into this go the eight
laundering typologies and the four legitimate look-alikes of `laundering.py`. Setting "HI" makes
about 1 transaction in 980 illicit (AMLworld HI-Small), "LI" about 1 in 1,950 (LI-Small).

Mules are drawn uniformly from the personal accounts; the holders' age, gender and district are
drawn from a separate random stream and never read when choosing them, so nothing demographic
predicts who launders. They are written only so that this independence can be tested.

Layout of `out` (the "bank layout" of docs/generate.md): transactions.parquet, accounts.parquet,
truth/laundering.csv, truth/laundering_patterns.csv, truth/lookalikes.csv, manifest.json. The same
arguments always give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from tahqiq.generate import identifiers as ids
from tahqiq.generate import laundering as ml
from tahqiq.generate.progress import Progress
from tahqiq.generate.rng import np_stream
from tahqiq.generate.timefmt import PKT, REFERENCE_DATE

__all__ = ["ILLICIT_RATE", "WINDOW_DAYS", "generate_bank"]

ILLICIT_RATE = {"HI": 1 / 980, "LI": 1 / 1950}
WINDOW_DAYS = 120
ROW_GROUP = 1_000_000
# daytime-heavy hour profile of retail banking (local time)
HOUR_WEIGHTS = (0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 2, 4, 5, 5, 5, 5, 5, 5, 4.5, 4.5, 4, 4, 3.5, 3, 2, 1)
# background traffic: share of each kind of transaction
BACKGROUND = {"p2p": 0.34, "purchase": 0.28, "bill": 0.10, "atm": 0.15, "deposit": 0.07, "b2b": 0.06}
TX_SCHEMA = pa.schema([("tx_id", pa.string()), ("ts", pa.int64()), ("payer", pa.string()), ("payee", pa.string()),
                       ("amount", pa.float64()), ("channel", pa.string())])
_ch = ml.channel_code


@dataclass
class _Book:
    iban: list[str]
    kind: np.ndarray  # index into KINDS
    personal: np.ndarray
    merchants: np.ndarray
    businesses: np.ndarray
    employers: np.ndarray


KINDS = ("personal", "merchant", "business", "employer")


def _open_accounts(n: int, seed: int) -> _Book:
    """Account indices: personal first, then merchants, businesses and employers. IBANs carry real
    bank codes and ISO 13616 check digits; account numbers are unique by construction."""
    g = np_stream(seed, "bank:accounts")
    n_emp, n_mer, n_bus = max(10, n // 100), max(20, n * 4 // 100), max(20, n * 4 // 100)
    n_per = n - n_emp - n_mer - n_bus
    kind = np.repeat(np.arange(4, dtype=np.int8), [n_per, n_mer, n_bus, n_emp])
    shares = np.array([b[2] for b in ids.BANKS])
    bank = g.choice(len(ids.BANKS), size=n, p=shares / shares.sum())
    branch = g.integers(1000, 9000, n)
    serial = (np.arange(n, dtype=np.int64) * 982_451_653 + int(g.integers(0, 10**12))) % 10**12
    acct16 = branch * 10**12 + serial
    # mod 97 of the rearranged IBAN (bank code as digits, account, "PK00" as 252000), term by term
    code_mod = np.array([int("".join(str(int(c, 36)) for c in b[0])) % 97 for b in ids.BANKS])
    rem = (code_mod[bank] * (10**22 % 97) + (acct16 % 97) * (10**6 % 97) + 252000 % 97) % 97
    check = 98 - rem
    codes = [b[0] for b in ids.BANKS]
    iban = [f"PK{c:02d}{codes[b]}{a:016d}" for c, b, a in zip(check.tolist(), bank.tolist(), acct16.tolist(),
                                                              strict=True)]
    edges = np.cumsum([0, n_per, n_mer, n_bus, n_emp])
    r = [np.arange(edges[i], edges[i + 1], dtype=np.int64) for i in range(4)]
    return _Book(iban, kind, r[0], r[1], r[2], r[3])


def _demographics(n: int, seed: int) -> dict[str, Any]:
    """Holders' age, gender and district from their own stream: nothing else reads it."""
    from tahqiq.model.geography import geography

    g = np_stream(seed, "bank:demographics")
    districts = geography().districts
    pop = np.array([d.population for d in districts])
    return {
        "holder_age": np.clip(np.round(18 + g.gamma(2.2, 9.0, n)), 18, 90).astype(np.int16),
        "holder_gender": np.where(g.random(n) < 0.53, "M", "F"),
        "district": np.array([d.name for d in districts])[g.choice(len(districts), size=n, p=pop / pop.sum())],
    }


def _zipf(g: np.random.Generator, pool: np.ndarray, n: int) -> np.ndarray:
    """A few popular accounts get most of the payments (shops, utilities)."""
    w = 1 / (1 + g.permutation(len(pool))) ** 0.9
    return pool[np.searchsorted(np.cumsum(w) / w.sum(), g.random(n), side="right").clip(0, len(pool) - 1)]


def _background(g: np.random.Generator, n: int, book: _Book, window: ml.Window) -> tuple[np.ndarray, ...]:
    personal = book.personal
    act = np.cumsum(g.lognormal(0.0, 1.2, len(personal)))
    act /= act[-1]

    def active(k: int) -> np.ndarray:  # heavy-tailed: a few accounts transact far more than most
        return personal[np.searchsorted(act, g.random(k), side="right").clip(0, len(personal) - 1)]

    def lognormal(median: float, sigma: float, k: int, digits: int) -> np.ndarray:
        return np.maximum(np.round(np.exp(g.normal(np.log(median), sigma, k)), digits), 100.0)

    def channels(names: tuple[str, ...], p: tuple[float, ...], k: int) -> np.ndarray:
        return g.choice(np.array([_ch(c) for c in names], dtype=np.int8), size=k, p=p)

    counts = dict(zip(BACKGROUND, g.multinomial(n, list(BACKGROUND.values())).tolist(), strict=True))
    firms = np.concatenate([book.merchants, book.businesses, book.employers])
    parts = []
    k = counts["p2p"]
    payer, payee = active(k), active(k)
    payee = np.where(payee == payer, personal[(payee + 1) % len(personal)], payee)
    parts.append((payer, payee, lognormal(12_000, 1.0, k, -2),
                  channels(("ibft", "raast", "mobile_wallet", "online"), (0.3, 0.35, 0.25, 0.1), k)))
    k = counts["purchase"]
    parts.append((active(k), _zipf(g, book.merchants, k), lognormal(2_500, 1.0, k, 0),
                  channels(("pos", "online"), (0.6, 0.4), k)))
    k = counts["bill"]
    parts.append((active(k), _zipf(g, book.businesses, k), lognormal(4_500, 0.8, k, 0),
                  channels(("online", "mobile_wallet", "branch"), (0.45, 0.35, 0.2), k)))
    k = counts["atm"]
    parts.append((active(k), np.full(k, ml.CASH), g.integers(1, 51, k) * 1000.0, np.full(k, _ch("atm"), np.int8)))
    k = counts["deposit"]
    to_firm = g.random(k) < 0.3
    parts.append((np.full(k, ml.CASH), np.where(to_firm, g.choice(firms, size=k), active(k)),
                  lognormal(30_000, 1.0, k, -2), np.full(k, _ch("branch"), np.int8)))
    k = counts["b2b"]
    parts.append((_zipf(g, firms, k), _zipf(g, book.businesses, k), lognormal(150_000, 1.2, k, -2),
                  channels(("ibft", "online"), (0.6, 0.4), k)))
    payer, payee, amount, channel = (np.concatenate([p[i] for p in parts]) for i in range(4))
    hours = np.array(HOUR_WEIGHTS) / sum(HOUR_WEIGHTS)
    ts = (window.start + g.integers(0, window.days, n) * ml.DAY
          + np.searchsorted(np.cumsum(hours), g.random(n), side="right").clip(0, 23) * ml.HOUR
          + g.integers(0, ml.HOUR, n))
    return ts, payer.astype(np.int64), payee.astype(np.int64), amount, channel


def _lookalike_counts(transactions: int, months: int, employers: int) -> dict[str, int]:
    """Sized so salaries are ~3% of all traffic and the rarer look-alikes outnumber the laundering."""
    return {
        "payroll": min(employers, max(2, round(0.03 * transactions / (months * 45)))),
        "merchant": max(2, round(0.002 * transactions / 45)),
        "family_cycle": max(2, round(0.0004 * transactions / 6)),
        "rent_split": max(2, round(0.001 * transactions / (3.5 * months))),
    }


def _window() -> ml.Window:
    first = REFERENCE_DATE - timedelta(days=WINDOW_DAYS)
    start = int(datetime(first.year, first.month, first.day, tzinfo=PKT).timestamp())
    return ml.Window(first, WINDOW_DAYS, start)


def generate_bank(out: str | Path, *, accounts: int, transactions: int, seed: int, setting: str = "HI",
                  progress: bool = True) -> dict[str, Any]:
    """Write the bank layout to `out` and return its manifest (also saved as out/manifest.json)."""
    if setting not in ILLICIT_RATE:
        raise ValueError(f"setting must be one of {', '.join(ILLICIT_RATE)}, got {setting!r}")
    if accounts < 1000:
        raise ValueError(f"accounts must be at least 1,000 (got {accounts:,}): mules, payrolls and merchants "
                         "need a population to hide in")
    if transactions < 10_000:
        raise ValueError(f"transactions must be at least 10,000 (got {transactions:,})")
    if seed < 0:
        raise ValueError("seed must be a non-negative integer")
    out = Path(out)
    window = _window()
    with Progress(enabled=progress) as prog:
        prog.stage(f"Opening {accounts:,} accounts")
        book = _open_accounts(accounts, seed)
        prog.stage(f"Laundering ({setting}) and look-alikes")
        g = np_stream(seed, "bank:laundering")
        target = round(transactions * ILLICIT_RATE[setting])
        pool = min(len(book.personal) // 2, max(40, target // 14 * 8))  # ~1.3 patterns per mule: some rings
        mules = g.choice(book.personal, size=pool, replace=False)  # uniform: no demographic is read
        shells = g.choice(book.businesses, size=max(2, pool // 8), replace=False)
        ill = ml.build_laundering(g, window, ml.Pools(mules, np.concatenate([mules, shells]), mules), min_tx=target)
        look = ml.build_lookalikes(np_stream(seed, "bank:lookalikes"), window,
                                   _lookalike_counts(transactions, len(window.month_starts()), len(book.employers)),
                                   employers=book.employers, merchants=book.merchants, personal=book.personal)
        n_bg = transactions - ill.n_tx - look.n_tx
        if n_bg < transactions // 2:
            raise ValueError(f"{transactions:,} transactions leave too little ordinary traffic around "
                             f"{ill.n_tx + look.n_tx:,} pattern transactions; ask for more")
        prog.stage(f"Simulating {n_bg:,} ordinary transactions")
        bg = _background(np_stream(seed, "bank:background"), n_bg, book, window)
        fi, fl = ill.flows(), look.flows()
        ts = np.concatenate([bg[0], fi.ts, fl.ts])
        payer = np.concatenate([bg[1], fi.payer, fl.payer])
        payee = np.concatenate([bg[2], fi.payee, fl.payee])
        amount = np.concatenate([bg[3], fi.amount, fl.amount])
        channel = np.concatenate([bg[4], fi.channel, fl.channel])
        pattern = np.concatenate([np.full(n_bg, -1, np.int32), fi.pattern, np.full(fl.ts.shape, -1, np.int32)])
        prog.stage("Sorting by time")
        order = np.argsort(ts, kind="stable")
        ts, payer, payee, amount, channel, pattern = (a[order] for a in (ts, payer, payee, amount, channel, pattern))
        del order, bg
        out.mkdir(parents=True, exist_ok=True)
        prog.file("transactions.parquet", transactions)
        _write_transactions(out / "transactions.parquet", book.iban, ts, payer, payee, amount, channel,
                            lambda n: prog.tick("transactions.parquet", n))
        prog.stage("Writing accounts, ground truth and manifest")
        _write_accounts(out / "accounts.parquet", book, seed)
        _write_truth(out / "truth", book.iban, ill, look, pattern)
    manifest = {
        "kind": "bank", "synthetic": True, "setting": setting, "seed": seed, "accounts": accounts,
        "transactions": transactions, "illicit_transactions": ill.n_tx, "window_days": WINDOW_DAYS,
        "first_day": window.first_day.isoformat(),
        "patterns": {t: sum(p.kind == t for p in ill.patterns) for t in ml.TYPOLOGIES},
        "lookalikes": {k: sum(p.kind == k for p in look.patterns) for k in ml.LOOKALIKES},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return manifest


def _write_transactions(path: Path, iban: list[str], ts: np.ndarray, payer: np.ndarray, payee: np.ndarray,
                        amount: np.ndarray, channel: np.ndarray, tick: Any) -> None:
    ibans = pa.array(iban, type=pa.string())
    names = pa.array(ml.CHANNELS, type=pa.string())

    def side(idx: np.ndarray) -> pa.Array:  # IBAN, or null for the cash side
        return ibans.take(pa.array(idx, mask=idx < 0))

    with pq.ParquetWriter(path, TX_SCHEMA, compression="zstd") as w:
        for a in range(0, len(ts), ROW_GROUP):
            b = min(a + ROW_GROUP, len(ts))
            table = pa.Table.from_arrays([
                pa.array([f"TX{i:09d}" for i in range(a + 1, b + 1)], type=pa.string()),
                pa.array(ts[a:b]), side(payer[a:b]), side(payee[a:b]), pa.array(np.round(amount[a:b], 2)),
                names.take(pa.array(channel[a:b])),
            ], schema=TX_SCHEMA)
            w.write_table(table, row_group_size=ROW_GROUP)
            tick(b - a)


def _write_accounts(path: Path, book: _Book, seed: int) -> None:
    demo = _demographics(len(book.iban), seed)
    table = pa.table({
        "iban": pa.array(book.iban, type=pa.string()),
        "kind": pa.array(KINDS, type=pa.string()).take(pa.array(book.kind)),
        "holder_age": pa.array(demo["holder_age"], type=pa.int16()),
        "holder_gender": pa.array(demo["holder_gender"], type=pa.string()),
        "district": pa.array(demo["district"], type=pa.string()),
    })
    pq.write_table(table, path, compression="zstd")


def _write_truth(directory: Path, iban: list[str], ill: ml.Batch, look: ml.Batch, pattern: np.ndarray) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "laundering.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["transaction_id", "typology", "pattern_id"])
        for rank in np.flatnonzero(pattern >= 0).tolist():
            pid = int(pattern[rank])
            w.writerow([f"TX{rank + 1:09d}", ill.patterns[pid].kind, f"ML{pid + 1:06d}"])
    for name, batch, prefix, kind_col in (("laundering_patterns", ill, "ML", "typology"),
                                          ("lookalikes", look, "LA", "kind")):
        with open(directory / f"{name}.csv", "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["pattern_id", kind_col, "accounts", "first_ts", "last_ts", "n_tx"])
            for pid, p in enumerate(batch.patterns):
                w.writerow([f"{prefix}{pid + 1:06d}", p.kind, ";".join(iban[a] for a in p.accounts), p.first_ts,
                            p.last_ts, p.n_tx])
