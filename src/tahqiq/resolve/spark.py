"""Spark as the scale-out engine for resolution: the same settings, run by Splink's SparkAPI.

Locally (tests, a laptop) this starts Spark in local mode; on a cluster, start `tahqiq` with
SPARK_REMOTE / spark-submit settings so that `SparkSession.builder.getOrCreate()` reaches it
(see docs/scale.md). Splink needs a checkpoint directory for its iterative steps.
"""

from __future__ import annotations

import os
import tempfile


def local_session(cores: int | None = None, memory: str = "4g"):
    """A SparkSession: the configured cluster if SPARK_MASTER/SPARK_REMOTE say so, else local mode."""
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:  # pragma: no cover - pyspark is a declared extra
        raise RuntimeError("the spark backend needs pyspark: pip install 'tahqiq[spark]'") from exc
    master = os.environ.get("SPARK_MASTER") or f"local[{cores or '*'}]"
    builder = (SparkSession.builder.appName("tahqiq-resolve")
               .config("spark.driver.memory", memory)
               .config("spark.sql.shuffle.partitions", os.environ.get("TAHQIQ_SPARK_PARTITIONS", "8"))
               .config("spark.default.parallelism", os.environ.get("TAHQIQ_SPARK_PARTITIONS", "8"))
               .config("spark.ui.enabled", "false")
               # Splink's Jaro-Winkler and friends are Scala UDFs shipped in this jar.
               .config("spark.jars", similarity_jar_location())
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if not os.environ.get("SPARK_REMOTE"):
        builder = builder.master(master)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    checkpoints = os.environ.get("TAHQIQ_SPARK_CHECKPOINTS") or tempfile.mkdtemp(prefix="tahqiq-spark-")
    spark.sparkContext.setCheckpointDir(checkpoints)
    return spark
