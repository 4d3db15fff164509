"""`tahqiq eval networks DIR`: the detectors against a generated directory's ground truth.

Three systems run side by side in one go, all measured on the held-out last 20% of the period (the
scorer trains on the first 60% and picks its threshold on the next 20%):
  * rules: static bank rules on degree and size (10+ counterparties in a week, or one payment of
    2,000,000 PKR or more), the baseline;
  * detectors: the typology detectors (detectors.py);
  * detectors + scorer: both, the scorer adding accounts the shapes missed, within what the rules
    left of the alert budget on validation and only at a validation precision floor.
Counting rules:
  * a pattern is found when one hit holds at least half of its illicit transactions, or at least
    half of its accounts (recall per typology, whatever typology the hit names);
  * a hit is correct when it holds at least one illicit transaction (precision over hits);
  * a transaction is predicted illicit when any hit holds it (illicit-transaction precision, recall
    and F1, the minority class);
  * alert rate = accounts named by any hit / accounts active in the test period;
  * a look-alike is falsely flagged when one hit names at least half of its accounts (and two or
    more) during its time span.
Patterns count when they start in the test period; transactions when they happen in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console
from rich.table import Table

from tahqiq.networks.detectors import TYPOLOGIES, DetectorSettings, detect
from tahqiq.networks.hits import Hit
from tahqiq.networks.scorer import time_split, train
from tahqiq.networks.transactions import load_dir

__all__ = ["SystemScores", "NetworkEvaluation", "evaluate", "score_hits", "rule_baseline", "render"]

STATIC_DEGREE = 10
STATIC_AMOUNT = 2_000_000.0


@dataclass
class SystemScores:
    name: str
    hits: int
    precision: float  # hits holding an illicit transaction / hits
    alert_rate: float
    tx_precision: float
    tx_recall: float
    tx_f1: float
    recall: dict[str, float] = field(default_factory=dict)  # per typology
    found: dict[str, tuple[int, int]] = field(default_factory=dict)  # typology -> (found, patterns)
    lookalike_fp: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind -> (flagged, total)
    seconds: float = 0.0


@dataclass
class NetworkEvaluation:
    directory: str
    transactions: int
    test_transactions: int
    active_accounts: int
    periods: dict[str, tuple[int, int]]
    systems: list[SystemScores]

    @property
    def f1(self) -> float:
        return self.systems[-1].tx_f1


def _read_truth(directory: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    truth = directory / "truth"
    if not (truth / "laundering.csv").exists():
        raise FileNotFoundError(f"{directory}: no truth/laundering.csv (make it with `tahqiq generate bank`)")
    illicit = pd.read_csv(truth / "laundering.csv", dtype={"transaction_id": str})
    patterns = (pd.read_csv(truth / "laundering_patterns.csv") if (truth / "laundering_patterns.csv").exists()
                else pd.DataFrame(columns=["pattern_id", "typology", "accounts", "first_ts", "last_ts", "n_tx"]))
    lookalikes = (pd.read_csv(truth / "lookalikes.csv") if (truth / "lookalikes.csv").exists()
                  else pd.DataFrame(columns=["pattern_id", "kind", "accounts", "first_ts", "last_ts", "n_tx"]))
    return illicit, patterns, lookalikes


def score_hits(name: str, hits: Iterable[Hit], illicit: pd.DataFrame, patterns: pd.DataFrame,
               lookalikes: pd.DataFrame, test_tx: set[str], active_accounts: int) -> SystemScores:
    """Score hits already restricted to the test period against its truth (rules in the module doc)."""
    hits = list(hits)
    bad = illicit[illicit["transaction_id"].isin(test_tx)]
    bad_tx = set(bad["transaction_id"])
    predicted = {t for h in hits for t in h.transactions}
    tp = len(predicted & bad_tx)
    p = tp / len(predicted) if predicted else 0.0
    r = tp / len(bad_tx) if bad_tx else 0.0
    tx_sets = [set(h.transactions) for h in hits]
    acct_sets = [set(h.accounts) for h in hits]
    by_pattern = bad.groupby("pattern_id")["transaction_id"].apply(set).to_dict()
    found: dict[str, list[int]] = {t: [0, 0] for t in TYPOLOGIES}
    for row in patterns.itertuples():
        txs = by_pattern.get(row.pattern_id, set())
        if not txs:
            continue  # the pattern starts outside the test period
        accounts = set(str(row.accounts).split(";"))
        hit = any(len(txs & s) * 2 >= len(txs) for s in tx_sets) or any(
            len(accounts & a) * 2 >= len(accounts) for a in acct_sets)
        counts = found.setdefault(str(row.typology), [0, 0])
        counts[0] += int(hit)
        counts[1] += 1
    fp: dict[str, tuple[int, int]] = {}
    spans = [(h.first_ts, h.last_ts) for h in hits]
    for kind, group in lookalikes.groupby("kind"):
        flagged = 0
        for row in group.itertuples():
            accounts = set(str(row.accounts).split(";"))
            need = max(2, (len(accounts) + 1) // 2)
            flagged += any(len(accounts & a) >= need and s[0] <= row.last_ts and s[1] >= row.first_ts
                           for a, s in zip(acct_sets, spans, strict=True))
        fp[str(kind)] = (flagged, len(group))
    correct = sum(1 for s in tx_sets if s & bad_tx)
    flagged_accounts = set().union(*acct_sets) if acct_sets else set()
    return SystemScores(
        name=name, hits=len(hits), precision=correct / len(hits) if hits else 0.0,
        alert_rate=len(flagged_accounts) / active_accounts if active_accounts else 0.0,
        tx_precision=p, tx_recall=r, tx_f1=2 * p * r / (p + r) if p + r else 0.0,
        recall={t: c[0] / c[1] for t, c in found.items() if c[1]},
        found={t: (c[0], c[1]) for t, c in found.items() if c[1]}, lookalike_fp=fp)


def rule_baseline(con: duckdb.DuckDBPyConnection, start: int, end: int) -> list[Hit]:
    """A bank's static rules: an account with STATIC_DEGREE+ counterparties in a week, or a single
    payment of STATIC_AMOUNT or more. The hit holds the payments that tripped the rule."""
    rows = con.execute(f"""
        WITH legs AS (SELECT tx_id, ts, amount, payee AS acct, payer AS cp FROM tx
                      WHERE payee IS NOT NULL AND ts >= {start} AND ts < {end}
                      UNION ALL SELECT tx_id, ts, amount, payer, payee FROM tx
                      WHERE payer IS NOT NULL AND ts >= {start} AND ts < {end}),
             wk AS (SELECT acct, ts // {7 * 86400} AS b FROM legs WHERE cp IS NOT NULL GROUP BY acct, b
                    HAVING COUNT(DISTINCT cp) >= {STATIC_DEGREE})
        SELECT l.acct, l.tx_id, l.ts, l.amount FROM legs l
        LEFT JOIN wk ON wk.acct = l.acct AND wk.b = l.ts // {7 * 86400}
        WHERE wk.acct IS NOT NULL OR l.amount >= {STATIC_AMOUNT}
        ORDER BY l.acct, l.ts, l.tx_id""").df()
    hits = []
    for acct, g in rows.groupby("acct", sort=True):
        hits.append(Hit("static_rule", (str(acct),), tuple(g["tx_id"]), int(g["ts"].min()), int(g["ts"].max()),
                        float(g["amount"].sum()), 1.0, {"payments": float(len(g))},
                        "tripped a static degree or amount rule", "rules"))
    return hits


def _in_period(hits: Iterable[Hit], test_tx: set[str]) -> list[Hit]:
    out = []
    for h in hits:
        kept = tuple(t for t in h.transactions if t in test_tx)
        if kept:
            out.append(Hit(h.typology, h.accounts, kept, h.first_ts, h.last_ts, h.total, h.score, h.features,
                           h.reason, h.source))
    return out


def evaluate(directory: str | Path, *, settings: DetectorSettings | None = None, progress: bool = False,
             seed: int = 13, alert_budget: float = 0.01, min_precision: float = 0.5) -> NetworkEvaluation:
    """The three systems on the test period. The scorer gets what is left of `alert_budget` after the
    rules, measured on validation, and adds accounts only at `min_precision` or better there."""
    import time

    path = Path(directory)
    illicit, patterns, lookalikes = _read_truth(path)
    con = load_dir(path)
    start, train_end, val_end, end = time_split(con)
    test = con.execute("SELECT tx_id FROM tx WHERE ts >= ?", [val_end]).fetchall()
    test_tx = {r[0] for r in test}
    active = con.execute("""SELECT COUNT(*) FROM (SELECT payer a FROM tx WHERE ts >= ? UNION
                            SELECT payee FROM tx WHERE ts >= ?) WHERE a IS NOT NULL""", [val_end, val_end]).fetchone()
    n_active = int(active[0]) if active else 0
    total = con.execute("SELECT COUNT(*) FROM tx").fetchone()
    systems = []
    t = time.perf_counter()
    baseline = rule_baseline(con, val_end, end)
    systems.append(score_hits("rules (static)", baseline, illicit, patterns, lookalikes, test_tx, n_active))
    systems[-1].seconds = time.perf_counter() - t
    t = time.perf_counter()
    every = detect(con, settings, progress=progress)
    found = _in_period(every, test_tx)
    systems.append(score_hits("typology detectors", found, illicit, patterns, lookalikes, test_tx, n_active))
    systems[-1].seconds = time.perf_counter() - t
    t = time.perf_counter()
    validation_tx = {r[0] for r in con.execute("SELECT tx_id FROM tx WHERE ts >= ? AND ts < ?",
                                               [train_end, val_end]).fetchall()}
    ruled = {a for h in _in_period(every, validation_tx) for a in h.accounts}
    scorer = train(con, illicit, seed=seed, alert_budget=alert_budget, already_flagged=ruled,
                   min_precision=min_precision)
    named = {a for h in found for a in h.accounts}
    learned = scorer.score(con, val_end, end, also_flagged=named)
    systems.append(score_hits("detectors + scorer", found + learned, illicit, patterns, lookalikes, test_tx,
                              n_active))
    systems[-1].seconds = time.perf_counter() - t + systems[-2].seconds
    return NetworkEvaluation(str(path), int(total[0]) if total else 0, len(test_tx), n_active,
                             {"train": (start, train_end), "validation": (train_end, val_end), "test": (val_end, end)},
                             systems)


def render(evaluation: NetworkEvaluation, console: Console) -> None:
    e = evaluation
    console.print(f"{e.directory}: {e.transactions:,} transactions; test period (last 20%): "
                  f"{e.test_transactions:,} transactions, {e.active_accounts:,} active accounts", highlight=False)
    table = Table("system", "hits", "hit precision", "alert rate", "tx precision", "tx recall", "tx F1", "seconds",
                  title="illicit transactions, held-out test period")
    for s in e.systems:
        table.add_row(s.name, str(s.hits), f"{s.precision:.3f}", f"{100 * s.alert_rate:.2f}%", f"{s.tx_precision:.3f}",
                      f"{s.tx_recall:.3f}", f"{s.tx_f1:.3f}", f"{s.seconds:.1f}")
    console.print(table)
    typologies = sorted({t for s in e.systems for t in s.found})
    recall = Table("typology", "patterns", *[s.name for s in e.systems], title="recall per typology")
    for t in typologies:
        n = next(s.found[t][1] for s in e.systems if t in s.found)
        recall.add_row(t, str(n), *[f"{s.recall.get(t, 0.0):.2f}" for s in e.systems])
    console.print(recall)
    kinds = sorted({k for s in e.systems for k in s.lookalike_fp})
    if kinds:
        fp = Table("look-alike", "total", *[s.name for s in e.systems], title="look-alikes flagged (false positives)")
        for k in kinds:
            n = next(s.lookalike_fp[k][1] for s in e.systems if k in s.lookalike_fp)
            fp.add_row(k, str(n), *[str(s.lookalike_fp.get(k, (0, 0))[0]) for s in e.systems])
        console.print(fp)
    console.print(f"F1 {e.f1:.4f}", highlight=False)
