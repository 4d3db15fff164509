"""Per-account features of transaction behaviour, for the learned scorer.

Only the `tx` table is read (tx_id, ts, payer, payee, amount, channel): never a name, age, gender,
district or any other account attribute. The features describe how money moves through an account
over a period [start, end): windowed volumes, how quickly money leaves after it arrives, the shape of
its counterparties, short cycles it sits on, speed, round and just-under-threshold amounts, and
night-time activity (Pakistan time, UTC+5).
"""

from __future__ import annotations

import duckdb
import pandas as pd

__all__ = ["FEATURES", "TX_COLUMNS_READ", "account_features"]

TX_COLUMNS_READ = ("ts", "payer", "payee", "amount")
WINDOWS = {"1d": 86400, "7d": 7 * 86400, "30d": 30 * 86400}
REPORTING_THRESHOLDS = (2_000_000.0, 500_000.0)  # PKR; structuring keeps amounts just below these
LOCAL_OFFSET_S = 5 * 3600

FEATURES = tuple(
    [f"{d}_{m}_max_{w}" for w in WINDOWS for d in ("in", "out") for m in ("count", "amount")]
    + ["in_count", "out_count", "in_amount", "out_amount", "in_counterparties", "out_counterparties",
       "max_in_counterparties_7d", "max_out_counterparties_7d", "pass_through_ratio", "pass_through_2d",
       "median_dwell_hours", "on_cycle_2", "on_cycle_3", "on_cycle_4", "tx_per_active_day", "active_days",
       "round_share", "just_under_threshold", "night_share", "mean_amount", "max_amount"])


def _legs(start: int, end: int) -> str:
    # One row per account and direction of each payment between two accounts in the period.
    return f"""SELECT payee AS acct, payer AS cp, 'in' AS dir, ts, amount FROM tx
               WHERE payee IS NOT NULL AND ts >= {start} AND ts < {end}
               UNION ALL
               SELECT payer AS acct, payee AS cp, 'out' AS dir, ts, amount FROM tx
               WHERE payer IS NOT NULL AND ts >= {start} AND ts < {end}"""


def account_features(con: duckdb.DuckDBPyConnection, start: int | None = None, end: int | None = None, *,
                     hub_degree: int = 60) -> pd.DataFrame:
    """One row per account active in [start, end), indexed by `account`, columns FEATURES."""
    lo, hi = con.execute("SELECT MIN(ts), MAX(ts) + 1 FROM tx").fetchone() or (0, 0)
    start = int(lo if start is None else start)
    end = int(hi if end is None else end)
    con.execute(f"CREATE OR REPLACE TEMP TABLE legs AS {_legs(start, end)}")
    parts = [_windowed(con, name, seconds) for name, seconds in WINDOWS.items()]
    totals = con.execute(f"""
        SELECT acct AS account,
          SUM(CASE WHEN dir='in' THEN 1 ELSE 0 END) AS in_count,
          SUM(CASE WHEN dir='out' THEN 1 ELSE 0 END) AS out_count,
          SUM(CASE WHEN dir='in' THEN amount ELSE 0 END) AS in_amount,
          SUM(CASE WHEN dir='out' THEN amount ELSE 0 END) AS out_amount,
          COUNT(DISTINCT CASE WHEN dir='in' THEN cp END) AS in_counterparties,
          COUNT(DISTINCT CASE WHEN dir='out' THEN cp END) AS out_counterparties,
          COUNT(*) * 1.0 / COUNT(DISTINCT (ts + {LOCAL_OFFSET_S}) // 86400) AS tx_per_active_day,
          COUNT(DISTINCT (ts + {LOCAL_OFFSET_S}) // 86400) AS active_days,
          AVG(CASE WHEN amount % 1000 = 0 THEN 1.0 ELSE 0.0 END) AS round_share,
          SUM(CASE WHEN {' OR '.join(f'(amount >= {0.9 * t} AND amount < {t})' for t in REPORTING_THRESHOLDS)}
              THEN 1 ELSE 0 END) AS just_under_threshold,
          AVG(CASE WHEN ((ts + {LOCAL_OFFSET_S}) % 86400) < 6 * 3600 THEN 1.0 ELSE 0.0 END) AS night_share,
          AVG(amount) AS mean_amount, MAX(amount) AS max_amount
        FROM legs GROUP BY acct""").df().set_index("account")
    fan = con.execute(f"""
        SELECT acct AS account,
          MAX(CASE WHEN dir='in' THEN d ELSE 0 END) AS max_in_counterparties_7d,
          MAX(CASE WHEN dir='out' THEN d ELSE 0 END) AS max_out_counterparties_7d
        FROM (SELECT acct, dir, ts // {7 * 86400} AS b, COUNT(DISTINCT cp) AS d FROM legs WHERE cp IS NOT NULL
              GROUP BY acct, dir, b) GROUP BY acct""").df().set_index("account")
    # For each payment in, the first payment out after it (an as-of join): how long money stays.
    dwell = con.execute("""
        WITH i AS (SELECT acct, ts, amount FROM legs WHERE dir = 'in'),
             o AS (SELECT acct, ts AS out_ts FROM legs WHERE dir = 'out')
        SELECT i.acct AS account, MEDIAN(o.out_ts - i.ts) / 3600.0 AS median_dwell_hours
        FROM i ASOF JOIN o ON i.acct = o.acct AND o.out_ts >= i.ts GROUP BY i.acct""").df().set_index("account")
    through = con.execute("""
        WITH i AS (SELECT acct, ts, amount FROM legs WHERE dir = 'in')
        SELECT i.acct AS account, SUM(LEAST(o.amount, i.amount)) / SUM(i.amount) AS pass_through_2d
        FROM i ASOF JOIN (SELECT acct, ts AS out_ts, amount FROM legs WHERE dir = 'out') o
          ON i.acct = o.acct AND o.out_ts >= i.ts
        WHERE o.out_ts - i.ts <= 2 * 86400 GROUP BY i.acct""").df().set_index("account")
    cycles = _cycles(con, hub_degree)
    frame = totals.join(parts).join(fan).join(dwell).join(through).join(cycles)
    frame["pass_through_ratio"] = frame["out_amount"] / frame["in_amount"].where(frame["in_amount"] > 0)
    frame = frame.reindex(columns=list(FEATURES)).astype("float64")
    frame = frame.fillna({c: 0.0 for c in FEATURES if c not in ("median_dwell_hours", "pass_through_ratio")})
    frame.index.name = "account"
    return frame.sort_index()


def _windowed(con: duckdb.DuckDBPyConnection, name: str, seconds: int) -> pd.DataFrame:
    return con.execute(f"""
        SELECT acct AS account,
          MAX(CASE WHEN dir='in' THEN n ELSE 0 END) AS in_count_max_{name},
          MAX(CASE WHEN dir='in' THEN s ELSE 0 END) AS in_amount_max_{name},
          MAX(CASE WHEN dir='out' THEN n ELSE 0 END) AS out_count_max_{name},
          MAX(CASE WHEN dir='out' THEN s ELSE 0 END) AS out_amount_max_{name}
        FROM (SELECT acct, dir, ts // {seconds} AS b, COUNT(*) AS n, SUM(amount) AS s FROM legs GROUP BY acct, dir, b)
        GROUP BY acct""").df().set_index("account")


def _cycles(con: duckdb.DuckDBPyConnection, hub_degree: int) -> pd.DataFrame:
    """Whether an account sits on a directed cycle of 2, 3 or 4 distinct accounts. Accounts with very
    many counterparties are left out: every shop closes cycles by chance."""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE e AS
        WITH deg AS (SELECT acct, COUNT(DISTINCT cp) AS d FROM legs WHERE cp IS NOT NULL GROUP BY acct)
        SELECT DISTINCT l.acct AS a, l.cp AS b FROM legs l
        JOIN deg x ON x.acct = l.acct AND x.d <= {hub_degree} JOIN deg y ON y.acct = l.cp AND y.d <= {hub_degree}
        WHERE l.dir = 'out' AND l.acct <> l.cp""")
    return con.execute("""
        WITH c2 AS (SELECT DISTINCT e1.a FROM e e1 JOIN e e2 ON e1.b = e2.a AND e2.b = e1.a),
             c3 AS (SELECT DISTINCT e1.a FROM e e1 JOIN e e2 ON e1.b = e2.a JOIN e e3 ON e2.b = e3.a AND e3.b = e1.a
                    WHERE e2.b <> e1.a),
             c4 AS (SELECT DISTINCT e1.a FROM e e1 JOIN e e2 ON e1.b = e2.a JOIN e e3 ON e2.b = e3.a
                    JOIN e e4 ON e3.b = e4.a AND e4.b = e1.a
                    WHERE e2.b <> e1.a AND e3.b <> e1.b AND e3.b <> e1.a)
        SELECT acct AS account, MAX(c = 2)::DOUBLE AS on_cycle_2, MAX(c = 3)::DOUBLE AS on_cycle_3,
               MAX(c = 4)::DOUBLE AS on_cycle_4
        FROM (SELECT a AS acct, 2 AS c FROM c2 UNION ALL SELECT a, 3 FROM c3 UNION ALL SELECT a, 4 FROM c4)
        GROUP BY acct""").df().set_index("account")
