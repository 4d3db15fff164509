"""The learned scorer: LightGBM over per-account behaviour features (features.py), trained on
generated data where the laundering is known.

Honest by time: the period is split into train (first 60%), validation (next 20%) and test (last
20%); features and labels of each part come only from that part's transactions. The alert threshold
is chosen on validation, as the best F1 among thresholds that flag no more than `alert_budget` of the
active accounts, less those the rules already flag, and only at a validation precision the caller
accepts. A hit from the scorer is about an account's transactions, never about a person.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import lightgbm as lgb
import numpy as np
import pandas as pd

from tahqiq.networks.features import FEATURES, account_features
from tahqiq.networks.hits import Hit, rupees

__all__ = ["Scorer", "train", "time_split", "account_labels", "SCORER_TYPOLOGY", "NO_ALERTS"]

SCORER_TYPOLOGY = "account_behaviour"
SPLIT = (0.6, 0.8)  # train | validation | test boundaries as shares of the period


def time_split(con: duckdb.DuckDBPyConnection) -> tuple[int, int, int, int]:
    """(start, train_end, validation_end, end) in epoch seconds over the `tx` table."""
    lo, hi = con.execute("SELECT MIN(ts), MAX(ts) + 1 FROM tx").fetchone() or (None, None)
    if lo is None:
        raise ValueError("no transactions to split")
    span = hi - lo
    return int(lo), int(lo + span * SPLIT[0]), int(lo + span * SPLIT[1]), int(hi)


def account_labels(con: duckdb.DuckDBPyConnection, illicit_tx: pd.Series, start: int, end: int) -> set[str]:
    """Accounts on either side of a known illicit transaction in [start, end)."""
    con.register("illicit_ids", pd.DataFrame({"tx_id": illicit_tx.astype(str).unique()}))
    rows = con.execute("""SELECT DISTINCT a FROM (
            SELECT t.payer AS a FROM tx t JOIN illicit_ids i ON i.tx_id = t.tx_id WHERE t.ts >= ? AND t.ts < ?
            UNION ALL SELECT t.payee FROM tx t JOIN illicit_ids i ON i.tx_id = t.tx_id WHERE t.ts >= ? AND t.ts < ?)
            WHERE a IS NOT NULL""", [start, end, start, end]).fetchall()
    con.unregister("illicit_ids")
    return {r[0] for r in rows}


@dataclass
class Scorer:
    model_text: str
    features: list[str]
    threshold: float
    facts: dict[str, object] = field(default_factory=dict)
    num_threads: int = 1

    def __post_init__(self) -> None:
        self._booster = lgb.Booster(model_str=self.model_text)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps({"model": self.model_text, "features": self.features,
                                          "threshold": self.threshold, "facts": self.facts}))

    @classmethod
    def load(cls, path: str | Path) -> Scorer:
        data = json.loads(Path(path).read_text())
        return cls(data["model"], list(data["features"]), float(data["threshold"]), dict(data["facts"]))

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        if frame.empty:
            return np.zeros(0)
        return np.asarray(self._booster.predict(frame[self.features], num_threads=self.num_threads))

    def score(self, con: duckdb.DuckDBPyConnection, start: int | None = None, end: int | None = None, *,
              also_flagged: set[str] | frozenset[str] = frozenset(), top: int = 5) -> list[Hit]:
        """A hit per account over the threshold. Its transactions are those in [start, end) between it
        and another flagged account (by the scorer or `also_flagged`): money moving among them."""
        frame = account_features(con, start, end)
        p = self.predict(frame)
        flagged = frame.index[p >= self.threshold]
        if len(flagged) == 0:
            return []
        chosen = frame.loc[flagged]
        contrib = np.asarray(self._booster.predict(chosen[self.features], pred_contrib=True,
                                                   num_threads=self.num_threads))[:, :-1]
        probability = dict(zip(frame.index, p, strict=True))
        lo, hi = (start if start is not None else -(2**62)), (end if end is not None else 2**62)
        both = pd.DataFrame({"a": sorted(set(flagged) | set(also_flagged))})
        con.register("flagged_accounts", both)
        txs = con.execute("""SELECT t.tx_id, t.ts, t.payer, t.payee, t.amount FROM tx t
                             WHERE t.ts >= ? AND t.ts < ? AND t.payer IN (SELECT a FROM flagged_accounts)
                               AND t.payee IN (SELECT a FROM flagged_accounts) ORDER BY t.ts, t.tx_id""",
                          [lo, hi]).df()
        con.unregister("flagged_accounts")
        legs = pd.concat([txs.assign(acct=txs["payer"]), txs.assign(acct=txs["payee"])])
        by_account = {a: g for a, g in legs.groupby("acct")}
        hits = []
        for row, account in enumerate(flagged):
            order = np.argsort(-contrib[row])[:top]
            named = {self.features[i]: round(float(contrib[row][i]), 4) for i in order if contrib[row][i] > 0}
            mine = by_account.get(account, txs.iloc[0:0])
            acts = frame.loc[account]
            first = int(mine["ts"].min()) if len(mine) else 0
            last = int(mine["ts"].max()) if len(mine) else 0
            total = float(mine["amount"].sum())
            top_names = ", ".join(k.replace("_", " ") for k in list(named)[:3]) or "its overall pattern"
            hits.append(Hit(
                typology=SCORER_TYPOLOGY, accounts=(str(account),), transactions=tuple(mine["tx_id"]),
                first_ts=first, last_ts=last, total=round(total, 2), score=round(float(probability[account]), 4),
                features=named, source="scorer",
                reason=(f"{account[:2]}..{account[-4:]} moved {rupees(acts['in_amount'] + acts['out_amount'])} PKR "
                        f"in a way the model learned from known laundering accounts, mostly for {top_names}")))
        return hits


def _fit_frame(con: duckdb.DuckDBPyConnection, illicit: pd.Series, start: int, end: int
               ) -> tuple[pd.DataFrame, np.ndarray]:
    frame = account_features(con, start, end)
    positive = account_labels(con, illicit, start, end)
    return frame, frame.index.isin(list(positive)).astype(int)


NO_ALERTS = float("inf")  # a threshold no probability reaches: the scorer adds nothing


def _best_threshold(p: np.ndarray, y: np.ndarray, budget: float, taken: np.ndarray | None = None,
                    min_precision: float = 0.0) -> tuple[float, dict[str, float]]:
    """The best F1 among thresholds that flag no more than `budget` of the accounts, counting the
    accounts already `taken` (flagged by the rules) against the budget and leaving them out of the
    ranking: the scorer only spends what the rules left. A threshold whose own precision is below
    `min_precision` is not chosen, so where little is laundered the scorer stays quiet."""
    taken = np.zeros(len(p), dtype=bool) if taken is None else taken
    limit = int(budget * len(p)) - int(taken.sum())
    free = np.flatnonzero(~taken)
    p_free, y_free = p[free], y[free]
    order = np.argsort(-p_free, kind="stable")
    best = (NO_ALERTS, {"precision": 0.0, "recall": 0.0, "f1": 0.0, "flagged": 0.0, "taken": float(taken.sum())})
    positives = max(1, int(y_free.sum()))
    hits = np.cumsum(y_free[order])
    for k in range(1, min(limit, len(p_free)) + 1):
        if k < len(p_free) and p_free[order[k]] == p_free[order[k - 1]]:
            continue  # a threshold cannot split ties
        precision, recall = hits[k - 1] / k, hits[k - 1] / positives
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best[1]["f1"] and precision >= min_precision:
            best = (float(p_free[order[k - 1]]), {"precision": float(precision), "recall": float(recall),
                                                  "f1": float(f1), "flagged": float(k), "taken": float(taken.sum())})
    return best


def train(con: duckdb.DuckDBPyConnection, truth: pd.DataFrame, *, seed: int = 13, num_threads: int = 1,
          alert_budget: float = 0.01, rounds: int = 200, already_flagged: Collection[str] = frozenset(),
          min_precision: float = 0.0) -> Scorer:
    """Fit on the first 60% of the period, pick the threshold on the next 20%; the last 20% is left
    for testing. `truth` is laundering.csv (a `transaction_id` column). `already_flagged`: accounts
    the rules name in the validation period; they use up part of `alert_budget` and the scorer is
    tuned on the rest. `min_precision`: the least validation precision of the accounts it adds."""
    if "transaction_id" not in truth.columns:
        raise ValueError("truth needs a transaction_id column (truth/laundering.csv)")
    start, train_end, val_end, end = time_split(con)
    illicit = truth["transaction_id"]
    x_train, y_train = _fit_frame(con, illicit, start, train_end)
    x_val, y_val = _fit_frame(con, illicit, train_end, val_end)
    if y_train.sum() == 0:
        raise ValueError("no laundering in the training period: nothing to learn from")
    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 10,
              "feature_fraction": 0.9, "bagging_fraction": 0.8, "bagging_freq": 1, "seed": seed,
              "deterministic": True, "force_row_wise": True, "num_threads": num_threads, "verbose": -1,
              "scale_pos_weight": float(max(1.0, (len(y_train) - y_train.sum()) / max(1, y_train.sum())) ** 0.5)}
    data = lgb.Dataset(x_train[list(FEATURES)], label=y_train, free_raw_data=False)
    booster = lgb.train(params, data, num_boost_round=rounds)
    p_val = np.asarray(booster.predict(x_val[list(FEATURES)], num_threads=num_threads))
    taken = x_val.index.isin(list(already_flagged))
    threshold, at = _best_threshold(p_val, y_val, alert_budget, taken, min_precision)
    facts: dict[str, object] = {
        "seed": seed, "periods": {"train": [start, train_end], "validation": [train_end, val_end],
                                  "test": [val_end, end]},
        "train_accounts": int(len(y_train)), "train_positive": int(y_train.sum()),
        "validation_accounts": int(len(y_val)), "validation_positive": int(y_val.sum()),
        "alert_budget": alert_budget, "min_precision": min_precision, "validation": at, "rounds": rounds}
    return Scorer(booster.model_to_string(), list(FEATURES), threshold, facts, num_threads)
