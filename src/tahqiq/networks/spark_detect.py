"""The typology detectors on Spark, for data that does not fit one machine: the same SQL as DuckDB
(queries.py is written in the SQL both accept) and the same Python after it, so both give the same
hits. Locally (tests) Spark runs in local mode via tahqiq.resolve.spark.local_session-like settings.

Spark inlines a common table expression wherever it is referenced, so a detector that reads its
`burst` or `mem` step four times would compute it four times. The engine therefore splits each
detector's leading WITH list into cached temporary views, computed once, before the final SELECT.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from tahqiq.networks.detectors import DetectorSettings, run_detectors
from tahqiq.networks.hits import Hit

__all__ = ["SparkEngine", "detect_spark", "split_ctes"]

_CTE_HEAD = re.compile(r"\s*(?:WITH\s+|,\s*)([A-Za-z_][A-Za-z0-9_]*)\s+AS\s*\(", re.IGNORECASE)


def _closing(sql: str, opening: int) -> int:
    """Index of the parenthesis that closes the one at `opening` (the SQL has no parentheses inside
    string literals, which keeps this a plain depth count)."""
    depth = 0
    for i in range(opening, len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses in detector SQL")


def split_ctes(sql: str) -> tuple[list[tuple[str, str]], str]:
    """A query's leading `WITH a AS (...), b AS (...)` list as (name, select) pairs, and the rest."""
    steps: list[tuple[str, str]] = []
    position = 0
    while True:
        head = _CTE_HEAD.match(sql, position)
        if head is None or (not steps and not head.group(0).strip().upper().startswith("WITH")):
            return steps, sql[position:]
        end = _closing(sql, head.end() - 1)
        steps.append((head.group(1), sql[head.end():end]))
        position = end + 1


class SparkEngine:
    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self.cached: list[Any] = []

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        frame.createOrReplaceTempView(name)
        self.cached.append(frame)

    def fetch(self, sql: str) -> pd.DataFrame:
        outer = re.match(r"\s*SELECT d\.\*, t\.ts, t\.payer, t\.payee, t\.amount FROM \((.*)\) d JOIN tx t ON "
                         r"t\.tx_id = d\.tx_id\s*$", sql, re.DOTALL)
        inner = outer.group(1) if outer else sql
        steps, rest = split_ctes(inner)
        for name, step in steps:
            self.materialize(name, step)
        if outer and steps:
            sql = f"SELECT d.*, t.ts, t.payer, t.payee, t.amount FROM ({rest}) d JOIN tx t ON t.tx_id = d.tx_id"
        elif steps:
            sql = rest
        return self.spark.sql(sql).toPandas()

    def release(self) -> None:
        for frame in self.cached:
            frame.unpersist()


def detect_spark(spark: Any, tx_df: Any, settings: DetectorSettings | None = None, *,
                 progress: bool = False) -> list[Hit]:
    """Hits over a Spark DataFrame with the `tx` columns (tx_id, ts, payer, payee, amount, channel)."""
    missing = {"tx_id", "ts", "payer", "payee", "amount"} - set(tx_df.columns)
    if missing:
        raise ValueError(f"the transactions frame lacks columns {sorted(missing)}")
    tx_df.createOrReplaceTempView("tx")
    engine = SparkEngine(spark)
    try:
        return run_detectors(engine, settings or DetectorSettings(), progress=progress)
    finally:
        engine.release()
