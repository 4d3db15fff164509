"""The resolution pipeline on tables: prepare -> train -> predict -> cluster, timed step by step.

`resolve_frames` is what `tahqiq resolve`, `tahqiq eval resolve` and the benchmarks all call; the
store-facing side (reading through the gate, saving clusters, review queue, analyst decisions) is
in tahqiq.resolve.store_run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tahqiq.resolve.cluster import LARGE_CLUSTER, SCORE_DECIMALS, Clustering, cluster
from tahqiq.resolve.engine import Engine
from tahqiq.resolve.features import prepare
from tahqiq.resolve.spec import Field, LinkType

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
    levels: dict = field(default_factory=dict)  # comparison -> [(match weight, level label)], for explanations

    def review(self, low: float = REVIEW_PROBABILITY, high: float = LINK_PROBABILITY) -> pd.DataFrame:
        p = self.pairs["match_probability"].round(SCORE_DECIMALS)
        queue = self.pairs[(p >= low) & (p < high)].assign(_p=p)
        return queue.sort_values(["_p", "unique_id_l", "unique_id_r"], ascending=[False, True, True],
                                 kind="stable").drop(columns="_p")


def national_ids(frame: pd.DataFrame, fields: list[Field]) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in fields:
        if f.kind == "national_id" and f.column in frame:
            vals = frame[["unique_id", f.column]].dropna()
            out.update(zip(vals["unique_id"].astype(str), vals[f.column].astype(str), strict=True))
    return out


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("unique_id", kind="stable", key=lambda ids: ids.astype(str), ignore_index=True)


def resolve_frames(frames: list[pd.DataFrame], fields: list[Field], *, link_type: LinkType = "dedupe_only",
                   threshold: float = LINK_PROBABILITY, keep: float = 0.2, backend: str = "duckdb", spark: Any = None,
                   model: dict | None = None, merges: Sequence[tuple[str, str]] = (),
                   splits: Sequence[tuple[str, str]] = (), step: Callable[[str], None] | None = None) -> Resolution:
    """Resolve raw tables (each with unique_id and the fields' columns; several for link_only)."""
    timings: dict[str, float] = {}

    def mark(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 2)
        if step:
            step(name)
        return now

    t = time.perf_counter()
    # EM's sums follow the rows' order: records in id order make the model the same bit for bit
    # whatever order the store (or a directory's files) handed them over in.
    prepared = [prepare(_by_id(f), fields) for f in frames]
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
    return Resolution(clustering, pairs, engine.model_json(), timings, len(ids), engine.levels)


def link_new(existing: pd.DataFrame, new_frame: pd.DataFrame, fields: list[Field], model: dict,
             cluster_of: dict[str, str], *, threshold: float = LINK_PROBABILITY, backend: str = "duckdb",
             merges: Sequence[tuple[str, str]] = (), splits: Sequence[tuple[str, str]] = ()
             ) -> tuple[Clustering, pd.DataFrame, pd.DataFrame, dict[str, float], dict]:
    """Incremental linking: score raw `new_frame` against `existing` (already prepared) and among
    itself with a trained model, then re-cluster holding the existing clusters (`cluster_of`)
    together. Returns the clustering, the new pairs, the prepared new records, timings, and the
    model's level weights (for explanations)."""
    timings: dict[str, float] = {}
    t = time.perf_counter()
    new = prepare(new_frame, fields)
    timings["prepare"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    engine = Engine(fields, backend=backend, model=model)
    pairs = engine.predict_between(existing, new)
    timings["predict"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    # Only clusters that a new pair touches can change: re-cluster those (with their members tied
    # together, so walls and decisions still apply) and the new records; every other cluster stays.
    placed = pd.DataFrame({"e": list(cluster_of.keys()), "c": list(cluster_of.values())})
    scored = pairs[["unique_id_l", "unique_id_r", "match_probability", "match_weight"]]
    touched_ids = set(scored["unique_id_l"].astype(str)) | set(scored["unique_id_r"].astype(str))
    touched_ids |= {a for pair in merges for a in pair} | {a for pair in splits for a in pair}
    touched = placed[placed["c"].isin({cluster_of[i] for i in touched_ids if i in cluster_of})]
    anchor = touched.groupby("c")["e"].transform("min")
    ties = touched[touched["e"] != anchor]
    held = pd.DataFrame({"unique_id_l": ties["e"].to_numpy(), "unique_id_r": anchor[ties.index].to_numpy(),
                         "match_probability": 1.0, "match_weight": 1e6})
    ids = list(dict.fromkeys([*touched["e"], *new["unique_id"].astype(str)]))
    involved = existing[existing["unique_id"].astype(str).isin(set(touched["e"]))]
    nat = {**national_ids(involved, fields), **national_ids(new, fields)}
    part = cluster(ids, pd.concat([held, scored], ignore_index=True), threshold=threshold, national=nat,
                   merges=merges, splits=splits)
    everything = {**cluster_of, **part.cluster_of}
    per_cluster = pd.Series(everything).value_counts()
    sizes = per_cluster.value_counts().sort_index()
    large = sorted(((c, int(n)) for c, n in per_cluster[per_cluster > LARGE_CLUSTER].items()),
                   key=lambda x: (-x[1], x[0]))
    clustering = Clustering(everything, part.edges_used, part.walls_enforced,
                            {int(k): int(v) for k, v in sizes.items()}, large)
    timings["cluster"] = round(time.perf_counter() - t, 2)
    return clustering, pairs, new, timings, engine.levels
