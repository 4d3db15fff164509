"""Turn scored pairs into clusters, with rules a score can never overrule.

1. Two records with different national ID numbers (CNIC) are never in one cluster, whatever
   chain of links connects them: a CNIC is issued once per person.
2. An analyst's "split" between two records is the same kind of wall; an analyst's "merge" is a
   link stronger than any score.
3. Everything else: records linked by a pair at or above the threshold end in one cluster.

Most connected components break none of the walls, and for them connected components are the
answer (computed with scipy on the whole graph at once). Only components that contain a wall are
re-built edge by edge, strongest first, refusing any union that would join two sides of a wall —
so a single weak, wrong link cannot chain two people together.

The result depends on the pairs, never on the order they arrive in: scores are compared with the
threshold and with each other at SCORE_DECIMALS decimals (the same pair scored on another machine
may differ in the last bits), and equal links are taken in the order of their records' ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

LARGE_CLUSTER = 25  # more records than one person plausibly has across all sources: flag for review
SCORE_DECIMALS = 9  # probabilities and weights are compared at this precision


def rounded(scores: pd.Series | np.ndarray) -> np.ndarray:
    """Scores at the precision they are compared at (infinite weights stay infinite)."""
    return np.round(np.asarray(scores, dtype=float), SCORE_DECIMALS)


@dataclass
class Clustering:
    cluster_of: dict[str, str]  # record id -> cluster id (the smallest record id in the cluster)
    edges_used: int
    walls_enforced: int  # unions refused because of a national-ID or analyst wall
    sizes: dict[int, int] = field(default_factory=dict)  # cluster size -> how many clusters
    large: list[tuple[str, int]] = field(default_factory=list)  # (cluster id, size) above LARGE_CLUSTER


class _Union:
    def __init__(self, ids: list[str], national: dict[str, str]) -> None:
        self.parent = {i: i for i in ids}
        self.nat = {i: ({national[i]} if national.get(i) else set()) for i in ids}
        self.members = {i: {i} for i in ids}

    def find(self, x: str) -> str:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, cannot: dict[str, set[str]]) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.nat[ra] and self.nat[rb] and self.nat[ra] != self.nat[rb]:
            return False
        small, big = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        for m in self.members[small]:
            for other in cannot.get(m, ()):
                if self.find(other) == big:
                    return False
        self.parent[small] = big
        self.nat[big] |= self.nat.pop(small)
        self.members[big] |= self.members.pop(small)
        return True


def cluster(ids: list[str], pairs: pd.DataFrame, *, threshold: float, national: dict[str, str] | None = None,
            merges: Sequence[tuple[str, str]] = (), splits: Sequence[tuple[str, str]] = ()) -> Clustering:
    """`pairs` has unique_id_l, unique_id_r, match_probability (and match_weight to order ties)."""
    national = national or {}
    index = {u: k for k, u in enumerate(ids)}
    strong = pairs[rounded(pairs["match_probability"]) >= threshold]
    left = strong["unique_id_l"].astype(str).map(index)
    right = strong["unique_id_r"].astype(str).map(index)
    keep = left.notna() & right.notna()
    score = strong["match_weight"] if "match_weight" in strong else strong["match_probability"]
    weights = rounded(score)[keep.to_numpy()]
    edges = pd.DataFrame({"l": left[keep].astype(np.int64).to_numpy(), "r": right[keep].astype(np.int64).to_numpy(),
                          "w": weights})
    merge_edges = [(index[a], index[b]) for a, b in merges if a in index and b in index]
    if merge_edges:
        edges = pd.concat([edges, pd.DataFrame({"l": [m[0] for m in merge_edges], "r": [m[1] for m in merge_edges],
                                                "w": np.inf})], ignore_index=True)
    split_set = {(index[a], index[b]) for a, b in splits if a in index and b in index}
    n = len(ids)
    graph = coo_matrix((np.ones(len(edges)), (edges["l"].to_numpy(), edges["r"].to_numpy())), shape=(n, n))
    _, labels = connected_components(graph, directed=False)

    # Components with a wall inside them are re-built; the rest are done.
    comp_nat: dict[int, set[str]] = defaultdict(set)
    for u, nid in national.items():
        if nid and u in index:
            comp_nat[labels[index[u]]].add(nid)
    walled = {c for c, s in comp_nat.items() if len(s) > 1}
    walled |= {labels[a] for a, b in split_set if labels[a] == labels[b]}

    root = {}
    refused = 0
    if walled:
        cannot: dict[str, set[str]] = defaultdict(set)
        for a, b in split_set:
            cannot[ids[a]].add(ids[b])
            cannot[ids[b]].add(ids[a])
        in_walled = np.isin(labels[edges["l"].to_numpy()], list(walled))
        # Strongest first; equal links in the order of their records' ids (not of their arrival).
        sub = edges[in_walled]
        named = np.asarray(ids, dtype=object)
        a, b = named[sub["l"].to_numpy()], named[sub["r"].to_numpy()]
        first = a < b
        sub = sub.assign(lo=np.where(first, a, b), hi=np.where(first, b, a)).sort_values(
            ["w", "lo", "hi"], ascending=[False, True, True], kind="stable")
        members = [ids[k] for k in range(n) if labels[k] in walled]
        uf = _Union(members, national)
        for l_idx, r_idx in zip(sub["l"].to_numpy(), sub["r"].to_numpy(), strict=True):
            if not uf.union(ids[l_idx], ids[r_idx], cannot):
                refused += 1
        for m in members:
            root[m] = uf.find(m)

    # Name each cluster by its smallest record id: stable across runs while the members stay.
    groups: dict[object, list[str]] = defaultdict(list)
    for k, u in enumerate(ids):
        groups[("w", root[u]) if u in root else ("c", int(labels[k]))].append(u)
    cluster_of: dict[str, str] = {}
    sizes: defaultdict[int, int] = defaultdict(int)
    large: list[tuple[str, int]] = []
    for members in groups.values():
        cid = min(members)
        for m in members:
            cluster_of[m] = cid
        sizes[len(members)] += 1
        if len(members) > LARGE_CLUSTER:
            large.append((cid, len(members)))
    large.sort(key=lambda x: (-x[1], x[0]))  # biggest first, then by id: the same list every run
    return Clustering(cluster_of, len(edges), refused, dict(sorted(sizes.items())), large)
