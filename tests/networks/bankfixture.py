"""A small bank-layout directory for the networks tests: ordinary traffic, one planted pattern of
each typology, and the legitimate look-alikes (payroll, merchant fan-in, family cycles, rent splits).

A TEST FIXTURE, deliberately small and regular; the real simulator is tahqiq.generate.bank.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

DAY = 86400
START = 1_704_067_200  # 2024-01-01 UTC
DAYS = 90


class _Book:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.rows: list[tuple[int, str | None, str | None, float, str, str, str]] = []
        self.patterns: list[dict[str, object]] = []
        self.lookalikes: list[dict[str, object]] = []

    def pay(self, ts: int, payer: str | None, payee: str | None, amount: float, label: str = "", pid: str = "",
            channel: str = "ibft") -> None:
        self.rows.append((int(ts), payer, payee, round(float(amount), 2), channel, label, pid))


def iban(i: int) -> str:
    return f"PK{i % 97:02d}TQBK{i:016d}"


def build(seed: int = 7, n_accounts: int = 150, n_tx: int = 6000) -> _Book:
    book = _Book(seed)
    r = book.rng
    personal = [iban(i) for i in range(n_accounts)]
    merchants = [iban(10_000 + i) for i in range(6)]
    employer = iban(20_000)
    t = lambda day, hour=12.0: START + int(day * DAY + hour * 3600)  # noqa: E731
    # ordinary traffic: person-to-person, shop payments, cash
    for _ in range(n_tx):
        ts = START + int(r.integers(0, DAYS * DAY))
        a, b = r.choice(len(personal), 2, replace=False)
        u = r.random()
        if u < 0.5:
            book.pay(ts, personal[a], personal[b], round(float(r.lognormal(np.log(12_000), 1.0)), -2))
        elif u < 0.85:
            book.pay(ts, personal[a], merchants[int(r.integers(0, len(merchants)))],
                     round(float(r.lognormal(np.log(4_000), 0.8))), channel="pos")
        else:
            book.pay(ts, None, personal[a], round(float(r.lognormal(np.log(30_000), 1.0)), -2), channel="branch")
    used = iter(range(100_000, 200_000))
    mule = lambda: iban(next(used))  # noqa: E731

    def plant(typology: str, txs: list[tuple[int, str, str | None, float]]) -> None:
        pid = f"P{len(book.patterns):03d}"
        for ts, a, b, amount in txs:
            book.pay(ts, a, b, amount, typology, pid)
        accounts = list(dict.fromkeys([x for _, a, b, _ in txs for x in (a, b) if x]))
        book.patterns.append({"pattern_id": pid, "typology": typology, "accounts": ";".join(accounts),
                              "first_ts": min(x[0] for x in txs), "last_ts": max(x[0] for x in txs),
                              "n_tx": len(txs)})

    src, outs = mule(), [mule() for _ in range(7)]
    # the mules draw their share in cash the next day
    plant("fan_out", [(t(10, 9 + 3 * i), src, m, 400_000 + 37_000 * i) for i, m in enumerate(outs)]
          + [(t(11, 9 + 3 * i), m, None, 380_000 + 37_000 * i) for i, m in enumerate(outs)])
    dst = mule()
    # victims pay a collector, who sends most of it on
    plant("fan_in", [(t(20 + i / 4, 10), mule(), dst, 60_000 + 9_000 * i) for i in range(9)]
          + [(t(22.5, 15), dst, mule(), 800_000)])
    ring = [mule() for _ in range(4)]
    plant("cycle", [(t(30 + i, 11), ring[i], ring[(i + 1) % 4], 2_000_000 * 0.98 ** i) for i in range(4)])
    s, d, mids = mule(), mule(), [mule() for _ in range(5)]
    plant("scatter_gather", [x for i, m in enumerate(mids) for x in (
        (t(40, 9 + i), s, m, 500_000 + 10_000 * i), (t(41, 9 + i), m, d, (500_000 + 10_000 * i) * 0.98))])
    hub, ins, outs = mule(), [mule() for _ in range(5)], [mule() for _ in range(5)]
    plant("gather_scatter", [(t(50, 9 + i), a, hub, 300_000) for i, a in enumerate(ins)]
          + [(t(51, 9 + i), hub, b, 290_000) for i, b in enumerate(outs)])
    payers, payees = [mule() for _ in range(3)], [mule() for _ in range(3)]
    plant("bipartite", [(t(60, 9 + i + j / 3), p, q, 200_000 + 1000 * (i + j)) for i, p in enumerate(payers)
                        for j, q in enumerate(payees)])
    layer = [[mule() for _ in range(3)] for _ in range(3)]
    plant("stack", [(t(70 + k, 9 + i + j / 3), p, q, 250_000 - 3000 * k) for k in range(2)
                    for i, p in enumerate(layer[k]) for j, q in enumerate(layer[k + 1])])
    chain = [mule() for _ in range(5)]
    plant("random", [(t(80 + i * 0.6, 10), chain[i], chain[i + 1], 900_000 * 0.97 ** i) for i in range(4)])

    def lookalike(kind: str, txs: list[tuple[int, str, str, float]]) -> None:
        pid = f"L{len(book.lookalikes):03d}"
        for ts, a, b, amount in txs:
            book.pay(ts, a, b, amount)
        accounts = list(dict.fromkeys([x for _, a, b, _ in txs for x in (a, b)]))
        book.lookalikes.append({"pattern_id": pid, "kind": kind, "accounts": ";".join(accounts),
                                "first_ts": min(x[0] for x in txs), "last_ts": max(x[0] for x in txs),
                                "n_tx": len(txs)})

    staff = personal[:12]
    lookalike("payroll", [(t(28 * m + 1, 9 + i / 6), employer, e, 60_000 + 5_000 * i) for m in range(3)
                          for i, e in enumerate(staff)])
    lookalike("merchant", [(START + int(r.integers(0, DAYS * DAY)), personal[int(r.integers(0, n_accounts))],
                            merchants[0], round(float(r.lognormal(np.log(6_000), 0.5)))) for _ in range(150)])
    family = personal[20:23]
    lookalike("family_cycle", [(t(30 * m + 5 + i * 0.3), family[i], family[(i + 1) % 3], 50_000 * 0.97 ** i)
                               for m in range(3) for i in range(3)])
    flat, landlord = personal[30:34], personal[34]
    lookalike("rent_split", [(t(30 * m + 1, 10 + i), p, landlord, 25_000) for m in range(3)
                             for i, p in enumerate(flat)])
    return book


def write(out: Path, seed: int = 7, **sizes: int) -> Path:
    book = build(seed, **sizes)
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    df = pd.DataFrame(book.rows, columns=["ts", "payer", "payee", "amount", "channel", "typology", "pattern_id"])
    df = df.sort_values(["ts", "payer", "payee", "amount"], na_position="first", kind="stable").reset_index(drop=True)
    df["tx_id"] = [f"TX{i + 1:09d}" for i in range(len(df))]
    df[["tx_id", "ts", "payer", "payee", "amount", "channel"]].to_parquet(out / "transactions.parquet", index=False)
    bad = df[df["typology"] != ""]
    bad[["tx_id", "typology", "pattern_id"]].rename(columns={"tx_id": "transaction_id"}).to_csv(
        out / "truth" / "laundering.csv", index=False)
    pd.DataFrame(book.patterns).to_csv(out / "truth" / "laundering_patterns.csv", index=False)
    pd.DataFrame(book.lookalikes).to_csv(out / "truth" / "lookalikes.csv", index=False)
    accounts = sorted(set(df["payer"].dropna()) | set(df["payee"].dropna()))
    r = np.random.default_rng(seed + 1)
    pd.DataFrame({"iban": accounts, "kind": "personal",
                  "holder_age": r.integers(18, 80, len(accounts)).astype("int16"),
                  "holder_gender": r.choice(["M", "F"], len(accounts)),
                  "district": r.choice(["Lahore", "Karachi"], len(accounts))}).to_parquet(out / "accounts.parquet")
    manifest = {"kind": "bank", "setting": "HI", "seed": seed, "accounts": len(accounts), "transactions": len(df),
                "illicit_transactions": len(bad), "patterns": bad.groupby("typology")["pattern_id"].nunique().to_dict(),
                "lookalikes": pd.DataFrame(book.lookalikes)["kind"].value_counts().to_dict()}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return out
