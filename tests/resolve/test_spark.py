"""The Spark path: the same settings and a model trained on DuckDB give the same links on Spark
(local mode). Slow (Spark starts a JVM), so the data is small."""

from __future__ import annotations

import pytest

from tahqiq.resolve.engine import Engine
from tahqiq.resolve.evaluate import FEBRL_FIELDS, _febrl
from tahqiq.resolve.features import prepare

pytestmark = pytest.mark.slow


@pytest.fixture
def spark(spark_session):
    return spark_session  # shared by every Spark test (tests/conftest.py)


def test_spark_scores_pairs_like_duckdb(spark):
    frames, truth, _ = _febrl("febrl3")
    frame = frames[0].head(1500)
    prepared = prepare(frame, FEBRL_FIELDS)
    duck = Engine(FEBRL_FIELDS)
    duck.train([prepared], u_pairs=200_000)
    model = duck.model_json()
    ref = duck.predict(threshold=0.5)
    on_spark = Engine(FEBRL_FIELDS, backend="spark", spark=spark, model=model).predict([prepared], threshold=0.5)

    def keyed(df):
        pairs = zip(df.unique_id_l, df.unique_id_r, strict=True)
        return {tuple(sorted(p)): round(w, 6) for p, w in zip(pairs, df.match_probability, strict=True)}

    a, b = keyed(ref), keyed(on_spark)
    assert len(a) > 100
    assert a.keys() == b.keys()
    assert all(abs(a[k] - b[k]) < 1e-6 for k in a)
    # and the links it finds are real duplicates
    ids = frame["unique_id"]
    originals = dict(zip(ids, ids.str.extract(r"rec-(\d+)-")[0], strict=True))
    sure = [k for k, p in b.items() if p >= 0.9]
    assert sum(originals[x] == originals[y] for x, y in sure) / len(sure) > 0.99
