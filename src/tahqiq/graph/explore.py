"""Neighbours, paths and a case's whole graph, each a decided and audited read through a CaseView.

Exploring the store to find a path reads no more than ids and link values; only the entities on
the returned paths (or around the centre) are disclosed, and the grant lists them.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from tahqiq.govern import CaseView, GovernError
from tahqiq.graph.links import Link, find_links, relation_names
from tahqiq.graph.shapes import CaseGraph, Edge, Graph, Node, Paths

MAX_EXPLORED = 20_000  # ids a path search may visit before it gives up


def _relations(relations: Iterable[str] | None) -> set[str] | None:
    wanted = set(relations or ()) or None
    if wanted and (unknown := wanted - set(relation_names())):
        raise GovernError(f"unknown relation(s) {', '.join(sorted(unknown))} (known: {', '.join(relation_names())})")
    return wanted


def neighbours(view: CaseView, entity_id: str, relations: Iterable[str] | None = None, limit: int = 200) -> Graph:
    """The entity and everything linked to it (at most `limit` neighbours)."""
    wanted = _relations(relations)
    limit = max(1, min(int(limit), 2000))
    with view.read("read.graph", detail={"center": entity_id, "relations": sorted(wanted or [])}) as r:
        center = r.entities([entity_id])
        if not center:
            raise LookupError(f"no entity {entity_id}")
        links = find_links(r, [entity_id], wanted, fanout=limit)
        others = list(dict.fromkeys(link.target if link.source == entity_id else link.source for link in links))
        found = center + r.entities(others[:limit])
        subjects = set(r.subject_ids())
    present = {e.id for e in found}
    return Graph([Node.of(e, subject=e.id in subjects) for e in found],
                 [Edge.of(link) for link in links if link.source in present and link.target in present])


def paths(view: CaseView, a: str, b: str, max_hops: int = 4, max_paths: int = 5,
          relations: Iterable[str] | None = None) -> Paths:
    """The shortest paths (up to `max_paths`, at most `max_hops` links long) between two entities."""
    if not 1 <= max_hops <= 6:
        raise GovernError("max_hops must be between 1 and 6")
    wanted = _relations(relations)
    graph = nx.Graph()
    graph.add_nodes_from([a, b])
    kinds: dict[frozenset[str], Link] = {}
    with view.read("read.graph.paths", detail={"from": a, "to": b}) as r:
        missing = {a, b} - set(r.schemata([a, b]))
        if missing:
            raise LookupError(f"no entity {', '.join(sorted(missing))}")
        # Bidirectional breadth-first search: grow the smaller side one hop at a time until they meet.
        seen = {a: {a}, b: {b}}
        frontier = {a: {a}, b: {b}}
        hops = 0
        met = a == b
        while not met and hops < max_hops and frontier[a] and frontier[b]:
            side = a if len(frontier[a]) <= len(frontier[b]) else b
            nxt = set()
            for link in find_links(r, frontier[side], wanted, fanout=100):
                graph.add_edge(link.source, link.target)
                kinds.setdefault(frozenset((link.source, link.target)), link)
                for end in (link.source, link.target):
                    if end not in seen[side]:
                        seen[side].add(end)
                        nxt.add(end)
            frontier[side] = nxt
            hops += 1
            met = bool(seen[a] & seen[b])
            if len(seen[a]) + len(seen[b]) > MAX_EXPLORED:
                break
        found_paths: list[list[str]] = []
        if met:
            for p in nx.all_shortest_paths(graph, a, b):
                if len(p) - 1 > max_hops:
                    break
                found_paths.append(p)
                if len(found_paths) >= max_paths:
                    break
        found = r.entities(list(dict.fromkeys([a, b] + [n for p in found_paths for n in p])))
        r.note(paths=len(found_paths), explored=graph.number_of_nodes())
    pairs = {frozenset(p) for path in found_paths for p in zip(path, path[1:], strict=False)}
    return Paths([Node.of(e) for e in found], [Edge.of(kinds[pair]) for pair in pairs], found_paths)


def case_graph(view: CaseView, hops: int = 1, limit: int = 5000) -> CaseGraph:
    """The subjects, everything within `hops` links of them (at most `limit` entities) and the links
    among them: what an export of the case contains."""
    if not 0 <= hops <= 2:
        raise GovernError("exports reach at most 2 hops from the subjects")
    with view.read("read.case_graph", detail={"hops": hops}) as r:
        subjects = r.subject_ids()
        ids, frontier, links = list(subjects), list(subjects), []
        for _ in range(hops):
            new = find_links(r, frontier, fanout=100)
            links.extend(new)
            frontier = [x for link in new for x in (link.source, link.target) if x not in ids]
            frontier = list(dict.fromkeys(frontier))[: max(0, limit - len(ids))]
            ids.extend(frontier)
        found = r.entities(ids)
    got = {e.id for e in found}
    unique = {link.key: link for link in links if link.source in got and link.target in got}
    return CaseGraph(found, list(unique.values()), set(subjects) & got)


__all__ = ["case_graph", "neighbours", "paths"]
