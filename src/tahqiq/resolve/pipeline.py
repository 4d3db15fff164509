"""The resolution pipeline on tables: prepare -> train -> predict -> cluster, timed step by step.

`resolve_frames` is what `tahqiq resolve`, `tahqiq eval resolve` and the benchmarks all call; the
store-facing side (reading through the gate, saving clusters, review queue, analyst decisions) is
in tahqiq.resolve.store_run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

import pandas as pd

from tahqiq.resolve.cluster import Clustering, cluster
from tahqiq.resolve.engine import Engine
from tahqiq.resolve.features import prepare
from tahqiq.resolve.spec import Field

# A pair at or above LINK joins a cluster; between REVIEW and LINK an analyst should look.
LINK_PROBABILITY = 0.9
REVIEW_PROBABILITY = 0.5


@dataclass
class Resolution:
    clustering: Clustering
    pairs: pd.DataFrame  # every kept pair with weights and per-field Bayes factors
    model: dict
    timings: dict[str, float] = field(default_factory=dict)
    records: int = 0

    def review(self, low: float = REVIEW_PROBABILITY, high: float = LINK_PROBABILITY) -> pd.DataFrame:
        p = self.pairs["match_probability"]
        return self.pairs[(p >= low) & (p < high)].sort_values("match_probability", ascending=False)


def national_ids(frame: pd.DataFrame, fields: list[Field]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        if f.kind == "national_id" and f.column in frame:
            vals = frame[["unique_id", f.column]].dropna()
            out.update(zip(vals["unique_id"].astype(str), vals[f.column].astype(str)))
    return out


def resolve_frames(frames: list[pd.DataFrame], fields: list[Field], *, link_type: str = "dedupe_only",
                   threshold: float = LINK_PROBABILITY, keep: float = 0.2, backend: str = "duckdb", spark: Any = None,
                   model: dict | None = None, merges=(), splits=(),
                   step: Callable[[str], None] | None = None) -> Resolution:
    """Resolve raw tables (each with unique_id and the fields' columns; several for link_only)."""
    timings: dict[str, float] = {}

    def mark(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        if step:
            step(name)
        return now

    t = time.perf_counter()
    prepared = [prepare(f, fields) for f in frames]
    t = mark("prepare", t)
    engine = Engine(fields, link_type=link_type, backend=backend, spark=spark, model=model)
    if model is None:
        engine.train(prepared)
        t = mark("train", t)
        pairs = engine.predict(threshold=keep)
    else:
        pairs = engine.predict(prepared, threshold=keep)
    t = mark("predict", t)
    ids = [u for f in prepared for u in f["unique_id"].astype(str)]
    nat: dict[str, str] = {}
    for f in prepared:
        nat.update(national_ids(f, fields))
    clustering = cluster(ids, pairs, threshold=threshold, national=nat, merges=merges, splits=splits)
    mark("cluster", t)
    return Resolution(clustering, pairs, engine.model_json(), timings, len(ids))
