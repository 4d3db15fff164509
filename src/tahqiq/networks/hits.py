"""A detection result: a group of past transactions that looks like a laundering typology.

A hit is evidence for an analyst to review, never a judgement about a person: it names accounts and
transactions, the facts that made it (`features`) and one English sentence that explains it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Hit", "hits_to_frame", "rupees", "short_iban"]


@dataclass(frozen=True)
class Hit:
    typology: str
    accounts: tuple[str, ...]  # IBANs, the centre/collector first
    transactions: tuple[str, ...]  # tx_ids
    first_ts: int
    last_ts: int
    total: float  # PKR
    score: float  # 0..1; the rules give 1.0
    features: dict[str, float] = field(default_factory=dict, compare=False, hash=False)
    reason: str = ""
    source: str = "rules"  # rules | scorer

    @property
    def key(self) -> str:
        """A stable id for dedupe: the same typology over the same accounts starting at the same time."""
        text = "|".join([self.typology, *sorted(self.accounts), str(self.first_ts)])
        return hashlib.sha256(text.encode()).hexdigest()


def short_iban(iban: str) -> str:
    """An IBAN as a sentence names it: its country and last four digits (PK..1234)."""
    return f"{iban[:2]}..{iban[-4:]}" if len(iban) > 6 else iban


def rupees(amount: float) -> str:
    """PKR in the South Asian grouping analysts read (3,41,000 and 1,25,00,000)."""
    whole = int(round(amount))
    sign, digits = ("-" if whole < 0 else ""), str(abs(whole))
    if len(digits) <= 3:
        return sign + digits
    head, tail = digits[:-3], digits[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join(groups) + "," + tail


def hits_to_frame(hits: Iterable[Hit]) -> pd.DataFrame:
    """One row per hit (accounts and transactions joined by ';'), for files and tables."""
    rows = [{"key": h.key, "typology": h.typology, "source": h.source, "score": h.score,
             "first_ts": h.first_ts, "last_ts": h.last_ts, "total": h.total, "n_accounts": len(h.accounts),
             "n_transactions": len(h.transactions), "accounts": ";".join(h.accounts),
             "transactions": ";".join(h.transactions), "reason": h.reason,
             "features": ";".join(f"{k}={v:g}" for k, v in h.features.items())} for h in hits]
    columns = ["key", "typology", "source", "score", "first_ts", "last_ts", "total", "n_accounts",
               "n_transactions", "accounts", "transactions", "reason", "features"]
    return pd.DataFrame(rows, columns=columns)
