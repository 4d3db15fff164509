"""Resolution runs against the store: full or incremental, obeying analysts' decisions.

    report = run_resolution(engine, gate, principal)                     # tahqiq resolve
    report = run_resolution(engine, gate, principal, incremental=True)   # tahqiq resolve --incremental

A full run reads every record (one audited bulk read), trains a model, scores pairs, clusters and
replaces the stored clusters and links. An incremental run reuses the last run's model and the
prepared features it cached under TAHQIQ_HOME, scores only the records no run has placed yet
against everything (and among themselves), and re-clusters with the existing clusters held
together, so that 10k new records against a million take seconds, not a full re-run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import delete, insert, select, update

from tahqiq.config import private_file
from tahqiq.govern import Gate, Principal
from tahqiq.resolve.cluster import Clustering, rounded
from tahqiq.resolve.features import prepare
from tahqiq.resolve.pipeline import LINK_PROBABILITY, REVIEW_PROBABILITY, link_new, resolve_frames
from tahqiq.resolve.review import decisions, resolution_input
from tahqiq.resolve.spec import RESOLVED_PROPERTIES, fields_for
from tahqiq.resolve.tables import features_cache
from tahqiq.store.base import utcnow
from tahqiq.store.db import refresh_statistics
from tahqiq.store.tables import MatchLink, ResolutionRun, ResolvedEntity

_BATCH = 20_000


@dataclass
class RunReport:
    run_id: int
    kind: str
    records: int
    new_records: int
    clusters: int
    links: int
    review: int
    walls_enforced: int
    sizes: dict[int, int]
    large: list[tuple[str, int]]
    timings: dict[str, float] = field(default_factory=dict)


class NothingToResolve(Exception):
    pass


def _explanations(pairs: pd.DataFrame, fields, levels: dict[str, list[tuple[float, str]]]) -> list[list[dict]]:
    """Per-pair [{field, level, bayes_factor}], built column-wise (millions of pairs stay quick).

    Splink 5 reports each comparison's match weight (log2 Bayes factor) as mw_<field> and the
    term-frequency adjustment (rare names count more) as mw_tf_adj_<field>. The scored pairs keep no
    compared values (they would double the memory at a million records), so the level is read back
    from its weight: each trained level has its own log2(m/u); weight 0 means a value was missing."""
    cols = []
    for f in fields:
        c = f.column
        if f"mw_{c}" not in pairs or c not in levels:
            continue
        mw = pairs[f"mw_{c}"].astype(float).fillna(0.0).to_numpy()
        weights = np.array([w for w, _ in levels[c]])
        labels = [label for _, label in levels[c]]
        if len(weights):
            nearest = np.abs(mw[:, None] - weights[None, :]).argmin(axis=1)
            names = np.where(mw == 0.0, "missing on one side", np.array(labels, dtype=object)[nearest])
        else:
            names = np.full(len(mw), "not trained", dtype=object)
        if f"mw_tf_adj_{c}" in pairs:
            mw = mw + pairs[f"mw_tf_adj_{c}"].astype(float).fillna(0.0).to_numpy()
        cols.append((c, names, np.exp2(mw)))
    return [[{"field": c, "level": str(lv[i]), "bayes_factor": float(bf[i])} for c, lv, bf in cols]
            for i in range(len(pairs))]


def _link_rows(pairs: pd.DataFrame, clustering: Clustering, fields, levels, run_id: int) -> list[dict]:
    keep = pairs[rounded(pairs["match_probability"]) >= REVIEW_PROBABILITY].reset_index(drop=True)
    if keep.empty:
        return []
    left, right = keep["unique_id_l"].astype(str), keep["unique_id_r"].astype(str)
    swap = left > right
    lo, hi = np.where(swap, right, left), np.where(swap, left, right)
    same = [clustering.cluster_of.get(a) == clustering.cluster_of.get(b) for a, b in zip(lo, hi, strict=True)]
    prob = keep["match_probability"].to_numpy()
    status = np.where(rounded(prob) >= LINK_PROBABILITY, np.where(same, "link", "refused"), "review")
    expl = _explanations(keep, fields, levels)
    return [{"run_id": run_id, "left_id": lo[i], "right_id": hi[i],
             "match_weight": float(keep["match_weight"].iat[i]), "match_probability": float(prob[i]),
             "status": str(status[i]), "fields": expl[i]} for i in range(len(keep))]


def run_resolution(engine, gate: Gate, principal: Principal, *, schema: str = "Person", incremental: bool = False,
                   backend: str = "duckdb", threshold: float = LINK_PROBABILITY,
                   step: Callable[[str], None] | None = None) -> RunReport:
    fields = fields_for(schema)
    props = list(RESOLVED_PROPERTIES[schema])
    merges, splits = decisions(engine)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        last = conn.execute(select(ResolutionRun.id, ResolutionRun.model).where(ResolutionRun.schema == schema)
                            .order_by(ResolutionRun.id.desc()).limit(1)).first()
    cache = features_cache(schema)
    if incremental and (last is None or not cache.exists()):
        raise NothingToResolve(
            "no earlier full run to build on (or its feature cache is gone): run `tahqiq resolve` first")
    frame = resolution_input(gate, principal, schema, props, only_unresolved=incremental)
    if frame.empty:
        raise NothingToResolve("no new records to resolve" if incremental else f"no {schema} records in the store")
    read_s = round(time.perf_counter() - t0, 2)
    if step:
        step("read")
    if incremental:
        report = _incremental(engine, principal, schema, fields, frame, last.model, cache, merges, splits, threshold,
                              backend, step)
    else:
        res = resolve_frames([frame], fields, threshold=threshold, backend=backend, merges=merges, splits=splits,
                             step=step)
        prepared = prepare(frame, fields)
        prepared.to_parquet(cache, index=False)
        private_file(cache)
        report = _save(engine, principal, schema, "full", backend, threshold, res.model, res.levels, res.clustering,
                       res.pairs, fields, len(frame), len(frame), res.timings, replace=True)
    report.timings = {"read": read_s, **report.timings}
    return report


def _incremental(engine, principal, schema, fields, frame, model: dict, cache: Path, merges, splits,
                 threshold, backend, step) -> RunReport:
    existing = pd.read_parquet(cache)
    existing = existing.astype(object).where(existing.notna(), None)
    with engine.connect() as conn:
        old = dict(conn.execute(select(ResolvedEntity.entity_id, ResolvedEntity.cluster_id)
                                .where(ResolvedEntity.schema == schema)).all())
    clustering, pairs, new, timings, levels = link_new(existing, frame, fields, model, old, threshold=threshold,
                                               backend=backend, merges=merges, splits=splits)
    if step:
        step("cluster")
    pd.concat([existing, new], ignore_index=True).to_parquet(cache, index=False)
    private_file(cache)
    changed = {e: c for e, c in clustering.cluster_of.items() if old.get(e) != c}
    return _save(engine, principal, schema, "incremental", backend, threshold, model, levels, clustering, pairs, fields,
                 len(clustering.cluster_of), len(new), timings, replace=False, changed=changed)


def _save(engine, principal, schema, kind, backend, threshold, model, levels, clustering: Clustering, pairs, fields,
          records, new_records, timings, *, replace: bool, changed: dict[str, str] | None = None) -> RunReport:
    t = time.perf_counter()
    with engine.begin() as conn:
        run_id = conn.execute(insert(ResolutionRun).values(
            schema=schema, kind=kind, backend=backend, actor=principal.username, records=records,
            clusters=len(set(clustering.cluster_of.values())), link_threshold=threshold, model=model,
            stats={})).inserted_primary_key[0]
        rows = _link_rows(pairs, clustering, fields, levels, run_id)
        if replace:
            conn.execute(delete(MatchLink))
            conn.execute(delete(ResolvedEntity).where(ResolvedEntity.schema == schema))
            assignment = clustering.cluster_of
        else:
            # Every scored pair involves a record no run had placed, so none of them is stored yet.
            assignment = changed or {}
            if assignment:
                ids = list(assignment)
                for i in range(0, len(ids), 500):
                    conn.execute(delete(ResolvedEntity).where(ResolvedEntity.entity_id.in_(ids[i:i + 500])))
        values = [{"entity_id": e, "cluster_id": c, "schema": schema, "run_id": run_id} for e, c in assignment.items()]
        for i in range(0, len(values), _BATCH):
            conn.execute(insert(ResolvedEntity), values[i:i + _BATCH])
        for i in range(0, len(rows), _BATCH):
            conn.execute(insert(MatchLink), rows[i:i + _BATCH])
        timings = {**timings, "save": round(time.perf_counter() - t, 2)}
        review = sum(1 for r in rows if r["status"] == "review")
        stats = {"timings": timings, "sizes": {str(k): v for k, v in clustering.sizes.items()},
                 "large": clustering.large[:50], "walls_enforced": clustering.walls_enforced,
                 "links": len(rows), "review": review, "new_records": new_records}
        conn.execute(update(ResolutionRun).where(ResolutionRun.id == run_id).values(stats=stats, finished_at=utcnow()))
    refresh_statistics(engine, ResolvedEntity.__table__, MatchLink.__table__)
    return RunReport(run_id, kind, records, new_records, len(set(clustering.cluster_of.values())), len(rows), review,
                     clustering.walls_enforced, clustering.sizes, clustering.large, timings)
