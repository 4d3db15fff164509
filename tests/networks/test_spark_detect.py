"""Spark runs the same detector SQL and gives the same hits as DuckDB (local mode). Slow: Spark
starts a JVM and runs many small stages, so the data is the smallest fixture, on one partition."""

from __future__ import annotations

import pytest

from tahqiq.networks.detectors import DetectorSettings, detect
from tahqiq.networks.spark_detect import detect_spark
from tahqiq.networks.transactions import load_dir
from tests.networks.bankfixture import write

pytestmark = pytest.mark.slow


# One partition and no adaptive planning: the data is tiny, so every stage is pure overhead; and
# compiling generated Java for each of the many small stages costs more than running them. These are
# session settings, set on the run's shared Spark (tests/conftest.py) and put back afterwards.
SMALL_DATA = {"spark.sql.shuffle.partitions": "1", "spark.sql.adaptive.enabled": "false",
              "spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN"}


@pytest.fixture
def spark(spark_session):
    before = {k: spark_session.conf.get(k, None) for k in SMALL_DATA}
    for k, v in SMALL_DATA.items():
        spark_session.conf.set(k, v)
    yield spark_session
    for k, v in before.items():
        if v is None:
            spark_session.conf.unset(k)
        else:
            spark_session.conf.set(k, v)


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
