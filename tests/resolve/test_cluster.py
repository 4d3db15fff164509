"""Clustering rules a score cannot overrule: different CNICs never merge; analysts' decisions hold."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from tahqiq.resolve.cluster import cluster


def pairs(*rows):
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability", "match_weight"])


def test_linked_records_form_one_cluster():
    c = cluster(["a", "b", "c", "d"], pairs(("a", "b", 0.99, 10), ("b", "c", 0.95, 8)), threshold=0.9)
    assert c.cluster_of["a"] == c.cluster_of["b"] == c.cluster_of["c"] == "a"
    assert c.cluster_of["d"] == "d"
    assert c.sizes == {1: 1, 3: 1}


def test_pairs_below_threshold_do_not_link():
    c = cluster(["a", "b"], pairs(("a", "b", 0.85, 3)), threshold=0.9)
    assert c.cluster_of["a"] != c.cluster_of["b"]


def test_two_different_cnics_never_share_a_cluster_even_through_a_chain():
    # a -- b -- c: b has no CNIC, a and c have different ones. The weaker link must give way.
    national = {"a": "3520212345671", "c": "3520276543213"}
    c = cluster(["a", "b", "c"], pairs(("a", "b", 0.99, 12), ("b", "c", 0.97, 9)), threshold=0.9, national=national)
    assert c.cluster_of["a"] != c.cluster_of["c"]
    assert c.cluster_of["a"] == c.cluster_of["b"]  # the stronger link wins
    assert c.walls_enforced == 1


def test_an_analyst_split_is_a_wall_and_a_merge_is_a_link():
    p = pairs(("a", "b", 0.99, 12), ("c", "d", 0.1, -5))
    c = cluster(["a", "b", "c", "d"], p, threshold=0.9, splits=[("a", "b")], merges=[("c", "d")])
    assert c.cluster_of["a"] != c.cluster_of["b"]
    assert c.cluster_of["c"] == c.cluster_of["d"]


def test_large_clusters_are_flagged():
    ids = [f"r{i:03d}" for i in range(40)]
    p = pairs(*[(ids[i], ids[i + 1], 0.99, 10) for i in range(39)])
    c = cluster(ids, p, threshold=0.9)
    assert c.large == [("r000", 40)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(0.9, 1.0)), max_size=40),
       st.dictionaries(st.integers(0, 11), st.sampled_from(["1", "2", "3"]), max_size=8))
def test_no_cluster_ever_holds_two_national_ids(edges, nat):
    ids = [f"n{i:02d}" for i in range(12)]
    p = pairs(*[(ids[a], ids[b], pr, pr * 10) for a, b, pr in edges if a != b]) if edges else pairs()
    national = {ids[k]: v for k, v in nat.items()}
    c = cluster(ids, p, threshold=0.9, national=national)
    seen: dict[str, set[str]] = {}
    for rec, cid in c.cluster_of.items():
        if rec in national:
            seen.setdefault(cid, set()).add(national[rec])
    assert all(len(v) == 1 for v in seen.values())
    # and linking is otherwise transitive: records joined by an edge with no wall share a cluster
    for a, b, _ in edges:
        if a != b and not (ids[a] in national or ids[b] in national) and len(national) == 0:
            assert c.cluster_of[ids[a]] == c.cluster_of[ids[b]]
