"""The typology detectors on Spark, for data that does not fit one machine: the same SQL as DuckDB
(queries.py is written in the SQL both accept) and the same Python after it, so both give the same
hits. Locally (tests) Spark runs in local mode via tahqiq.resolve.spark.local_session-like settings.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tahqiq.networks.detectors import DetectorSettings, run_detectors
from tahqiq.networks.hits import Hit

__all__ = ["SparkEngine", "detect_spark"]


class SparkEngine:
    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self.cached: list[Any] = []

    def materialize(self, name: str, sql: str) -> None:
        frame = self.spark.sql(sql).cache()
        frame.createOrReplaceTempView(name)
        self.cached.append(frame)

    def fetch(self, sql: str) -> pd.DataFrame:
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
