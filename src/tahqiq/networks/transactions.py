"""Transactions into an in-memory DuckDB table `tx`, from a generated directory or a frame.

The table is the only thing the detectors, the features and the scorer read:
`tx(tx_id VARCHAR, ts BIGINT, payer VARCHAR, payee VARCHAR, amount DOUBLE, channel VARCHAR)`, where a
null payer is a cash deposit and a null payee a cash withdrawal. Account demographics are never loaded.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

__all__ = ["TX_COLUMNS", "load_dir", "from_frame", "connect"]

TX_COLUMNS = ("tx_id", "ts", "payer", "payee", "amount", "channel")

_TABLE = """CREATE OR REPLACE TABLE tx (tx_id VARCHAR, ts BIGINT, payer VARCHAR, payee VARCHAR,
                                        amount DOUBLE, channel VARCHAR)"""


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET enable_progress_bar = false")  # our own Rich progress says what is happening
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute(_TABLE)
    return con


def load_dir(path: str | Path, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Either layout: the bank's transactions.parquet, or the world's streams/transactions.jsonl."""
    directory = Path(path)
    parquet = directory / "transactions.parquet"
    jsonl = directory / "streams" / "transactions.jsonl"
    con = connect(threads)
    if parquet.exists():
        con.execute("INSERT INTO tx SELECT CAST(tx_id AS VARCHAR), CAST(ts AS BIGINT), NULLIF(payer, ''), "
                    "NULLIF(payee, ''), CAST(amount AS DOUBLE), channel FROM read_parquet(?) ORDER BY ts, tx_id",
                    [str(parquet)])
    elif jsonl.exists():
        # The world layout writes amounts as strings with two decimals and times in local ISO-8601.
        con.execute("""INSERT INTO tx SELECT transaction_id, CAST(epoch(CAST(occurred_at AS TIMESTAMPTZ)) AS BIGINT),
                              NULLIF(payer_iban, ''), NULLIF(payee_iban, ''), CAST(amount AS DOUBLE), channel
                       FROM read_json(?, format='newline_delimited',
                                      columns={transaction_id: 'VARCHAR', occurred_at: 'VARCHAR',
                                               amount: 'VARCHAR', channel: 'VARCHAR', payer_iban: 'VARCHAR',
                                               payee_iban: 'VARCHAR'})
                       ORDER BY 2, 1""", [str(jsonl)])
    else:
        raise FileNotFoundError(f"{directory}: neither transactions.parquet (bank layout) nor "
                                "streams/transactions.jsonl (world layout) is there")
    return con


def from_frame(df: pd.DataFrame, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """Rows handed over by the gate: the contract's columns, or the world's names
    (transaction_id, occurred_at, payer_iban, payee_iban)."""
    renames = {"transaction_id": "tx_id", "occurred_at": "ts", "payer_iban": "payer", "payee_iban": "payee"}
    frame = df.rename(columns={k: v for k, v in renames.items() if k in df.columns and v not in df.columns})
    missing = [c for c in ("tx_id", "ts", "payer", "payee", "amount") if c not in frame.columns]
    if missing:
        raise ValueError(f"transactions need columns {missing}; got {list(df.columns)}")
    frame = frame.copy()
    if "channel" not in frame.columns:
        frame["channel"] = None
    ts = frame["ts"]
    if not pd.api.types.is_integer_dtype(ts):
        frame["ts"] = (pd.to_datetime(ts, utc=True).astype("int64") // 1_000_000_000).astype("int64")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="raise").astype("float64")
    for column in ("payer", "payee"):
        frame[column] = frame[column].where(frame[column].notna() & (frame[column].astype(str) != ""), None)
    con = connect(threads)
    con.register("incoming", frame[list(TX_COLUMNS)])
    con.execute("INSERT INTO tx SELECT CAST(tx_id AS VARCHAR), ts, payer, payee, amount, channel FROM incoming "
                "ORDER BY ts, tx_id")
    con.unregister("incoming")
    return con
