"""The money around a scam campaign: the transactions into and out of the accounts its complaints
name, and the accounts those accounts paid soon after money arrived (candidate mules: where victims'
money went next). Reads the contract's DuckDB table `tx(tx_id, ts, payer, payee, amount, channel)`.

Candidates are accounts to look at, not findings: a campaign account that pays its rent is listed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

__all__ = ["Transfer", "MuleCandidate", "LinkedMoney", "linked_transactions"]

DAY = 86_400


@dataclass(frozen=True)
class Transfer:
    tx_id: str
    ts: int
    payer: str | None  # None: a cash deposit
    payee: str | None  # None: a cash withdrawal
    amount: float
    channel: str


@dataclass(frozen=True)
class MuleCandidate:
    """An account outside the campaign that a campaign account paid within the window after money
    arrived in that campaign account."""

    iban: str
    received: float
    transfers: int
    first_ts: int
    from_accounts: tuple[str, ...]


@dataclass(frozen=True)
class LinkedMoney:
    accounts: tuple[str, ...]
    transactions: tuple[Transfer, ...]  # into or out of `accounts`, in time order
    total_in: float  # paid into the accounts from outside them
    total_out: float  # paid out of the accounts to outside them (cash withdrawals included)
    mules: tuple[MuleCandidate, ...]  # most received first


_ACCOUNTS = "acc AS (SELECT DISTINCT unnest(CAST(? AS VARCHAR[])) AS iban)"

_MOVES = f"""WITH {_ACCOUNTS}
SELECT tx_id, ts, payer, payee, amount, channel FROM tx
WHERE (payee IN (SELECT iban FROM acc) OR payer IN (SELECT iban FROM acc)) AND ts BETWEEN ? AND ?
ORDER BY ts, tx_id"""

# An onward payment: out of a campaign account to an account outside the campaign, no later than
# `window` seconds after some payment into that campaign account.
_MULES = f"""WITH {_ACCOUNTS},
arrivals AS (SELECT payee AS account, ts FROM tx WHERE payee IN (SELECT iban FROM acc) AND ts BETWEEN ? AND ?),
onward AS (
  SELECT o.payer, o.payee, o.amount, o.ts FROM tx o
  WHERE o.payer IN (SELECT iban FROM acc) AND o.payee IS NOT NULL AND o.payee NOT IN (SELECT iban FROM acc)
    AND o.ts BETWEEN ? AND ?
    AND EXISTS (SELECT 1 FROM arrivals a WHERE a.account = o.payer AND a.ts <= o.ts AND o.ts - a.ts <= ?))
SELECT payee, sum(amount), count(*), min(ts), list(DISTINCT payer ORDER BY payer)
FROM onward GROUP BY payee ORDER BY 2 DESC, payee"""


def linked_transactions(con: duckdb.DuckDBPyConnection, ibans: Sequence[str], *, within_days: float = 7,
                        between: tuple[int, int] | None = None) -> LinkedMoney:
    """Transactions of the campaign's accounts `ibans` (canonical IBANs, as `campaign_accounts` gives
    them) and the accounts they paid within `within_days` of receiving money. `between` (epoch
    seconds, inclusive) limits both to a time window, e.g. the campaign's first complaint time minus
    a month to its last plus `within_days`."""
    accounts = tuple(dict.fromkeys(ibans))
    if not accounts:
        return LinkedMoney((), (), 0.0, 0.0, ())
    if within_days < 0:
        raise ValueError("within_days cannot be negative")
    known = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'tx'").fetchone()
    if not known or not known[0]:
        raise ValueError("the connection has no tx table: load one with tahqiq.networks.transactions")
    lo, hi = between if between is not None else (-(2**62), 2**62)
    moves = tuple(Transfer(str(t), int(ts), p, q, float(a), str(c))
                  for t, ts, p, q, a, c in con.execute(_MOVES, [list(accounts), lo, hi]).fetchall())
    inside = set(accounts)
    total_in = sum(t.amount for t in moves if t.payee in inside and t.payer not in inside)
    total_out = sum(t.amount for t in moves if t.payer in inside and t.payee not in inside)
    rows = con.execute(_MULES, [list(accounts), lo, hi, lo, hi, int(within_days * DAY)]).fetchall()
    mules = tuple(MuleCandidate(str(iban), float(total), int(n), int(first), tuple(src))
                  for iban, total, n, first, src in rows)
    return LinkedMoney(accounts, moves, float(total_in), float(total_out), mules)
