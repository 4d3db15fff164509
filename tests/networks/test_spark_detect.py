"""Spark runs the same detector SQL and gives the same hits as DuckDB (local mode). Slow: Spark
starts a JVM and runs many small stages, so the data is the smallest fixture, on one partition."""

from __future__ import annotations

import shutil

import pytest

from tahqiq.networks.detectors import DetectorSettings, detect
from tahqiq.networks.spark_detect import detect_spark
from tahqiq.networks.transactions import load_dir
from tests.networks.bankfixture import write

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.fail("the Spark path needs a Java runtime (java on PATH)")
    from pyspark.sql import SparkSession

    # One partition and no adaptive planning: the data is tiny, so every stage is pure overhead.
    session = (SparkSession.builder.master("local[1]").appName("tahqiq-networks-test")
               .config("spark.sql.shuffle.partitions", "1").config("spark.default.parallelism", "1")
               .config("spark.ui.enabled", "false").config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               # compiling generated Java for each of the many small stages costs more than running them
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_finds_the_same_hits_as_duckdb(spark, tmp_path):
    con = load_dir(write(tmp_path / "bank", n_accounts=60, n_tx=800))
    # fewer window widths and shorter paths: fewer Spark stages, the same SQL
    settings = DetectorSettings(fan_windows_s=(8 * 86400,), cycle_max_len=4, chain_max_hops=3)
    on_duckdb = detect(con, settings)
    frame = spark.createDataFrame(con.execute("SELECT * FROM tx").df())
    on_spark = detect_spark(spark, frame, settings)
    assert on_duckdb and {h.typology for h in on_duckdb} >= {"cycle", "scatter_gather", "fan_out"}
    assert [(h.key, h.transactions, h.features) for h in on_spark] == [
        (h.key, h.transactions, h.features) for h in on_duckdb]


def test_leading_ctes_split_into_steps():
    from tahqiq.networks.spark_detect import split_ctes

    sql = "WITH a AS (SELECT f(x) AS y FROM t), b AS (SELECT * FROM a WHERE (y > 1)) SELECT * FROM b"
    steps, rest = split_ctes(sql)
    assert steps == [("a", "SELECT f(x) AS y FROM t"), ("b", "SELECT * FROM a WHERE (y > 1)")]
    assert rest.strip() == "SELECT * FROM b"
    assert split_ctes("SELECT 1") == ([], "SELECT 1")
