"""The case workspace's chart: people rather than records, a first view with its links, expansion
of a person (all their records at once), paths between people and the details of a selection.

Each function is one decided and audited read through the CaseView, like `neighbours` and `paths`.

    with gate.session(me, case, purpose) as view:
        start(view)                          # the subjects, folded into people, and what links them
        expand(view, [record ids])           # a node's neighbours (folded)
        people_paths(view, [a ids], [b ids]) # shortest paths between two nodes (folded)
        details(view, [record ids])          # caption, kind, facts, identifiers, sources
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from tahqiq.govern import CaseView, GovernError, Reader
from tahqiq.graph.explore import MAX_EXPLORED, _relations
from tahqiq.graph.links import Link, find_links
from tahqiq.graph.people import fold
from tahqiq.graph.shapes import Details, Fact, Graph, Paths, Record
from tahqiq.model.entity import EntityView, common_title, merge_values
from tahqiq.model.schema import model

MAX_IDS = 50  # records a node may stand for in one request (a person's records)
START_FANOUT = 50  # links per subject and relation looked at to find what joins two subjects
FACTS_SKIPPED_TYPES = frozenset({"entity", "latitude", "longitude"})  # links and raw coordinates: not facts


def _ids(ids: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(i.strip() for i in ids if i and i.strip()))
    if not found:
        raise GovernError("name at least one entity")
    if len(found) > MAX_IDS or any(len(i) > 32 for i in found):
        raise GovernError(f"at most {MAX_IDS} entity ids of at most 32 characters")
    return found


def _graph(r: Reader, entities: list[EntityView], links: list[Link],
           subjects: set[str]) -> tuple[Graph, dict[str, str]]:
    """Fold the records into people; events carry their time (for brushing a time range)."""
    events = set(model().event_schemata)
    times = r.times([e.id for e in entities if e.schema in events])
    nodes, edges, node_of = fold(r, entities, links, subjects, times)
    return Graph(nodes, edges), node_of


def start(view: CaseView) -> Graph:
    """The first view: the subjects (one node per person), the links among them and what joins two
    of them (an FIR naming both, a shared address or phone), without the rest of their neighbours."""
    with view.read("read.graph.start") as r:
        subjects = r.subject_ids()
        if not subjects:
            return Graph()
        links = find_links(r, subjects, fanout=START_FANOUT)
        subject_set = set(subjects)
        touches: dict[str, set[str]] = defaultdict(set)
        for link in links:
            for end, other in ((link.source, link.target), (link.target, link.source)):
                if end not in subject_set and other in subject_set:
                    touches[end].add(other)
        # A neighbour shared by two subjects is worth showing; which of them are the same person is
        # known after folding, so first keep every neighbour of two subject records.
        joining = sorted(x for x, by in touches.items() if len(by) >= 2)
        found = r.entities(subjects + joining)
        graph, node_of = _graph(r, found, links, subject_set)
        # ... then drop a joiner that joins only records of one person.
        keep = {n.id for n in graph.nodes if n.subject}
        for x in joining:
            if len({node_of.get(s) for s in touches[x]}) >= 2 and x in node_of:
                keep.add(node_of[x])
        r.note(subjects=len(subjects), joining=len(keep) - sum(1 for n in graph.nodes if n.subject))
    return Graph([n for n in graph.nodes if n.id in keep],
                 [e for e in graph.edges if e.source in keep and e.target in keep])


def expand(view: CaseView, ids: Iterable[str], relations: Iterable[str] | None = None, limit: int = 200) -> Graph:
    """The neighbours of a node (every record it stands for), one node per person."""
    center = _ids(ids)
    wanted = _relations(relations)
    limit = max(1, min(int(limit), 2000))
    with view.read("read.graph", detail={"center": center[0], "records": len(center),
                                         "relations": sorted(wanted or [])}) as r:
        found_center = r.entities(center)
        if not found_center:
            raise LookupError(f"no entity {center[0]}")
        center_set = set(center)
        links = find_links(r, center, wanted, fanout=limit)
        others = list(dict.fromkeys(x for link in links for x in (link.source, link.target) if x not in center_set))
        found = found_center + r.entities(others[:limit])
        graph, _ = _graph(r, found, links, set(r.subject_ids()))
    return graph


def people_paths(view: CaseView, a: Iterable[str], b: Iterable[str], max_hops: int = 4, max_paths: int = 5,
                 relations: Iterable[str] | None = None) -> Paths:
    """Shortest paths (at most `max_hops` links) between two nodes, each given as the records it
    stands for; the paths run between people (a person's records count as one)."""
    if not 1 <= max_hops <= 6:
        raise GovernError("max_hops must be between 1 and 6")
    side_a, side_b = _ids(a), _ids(b)
    wanted = _relations(relations)
    # A node's records are one point of the search: every record of a side is aliased to its first.
    alias = {x: side_a[0] for x in side_a} | {x: side_b[0] for x in side_b}
    src, dst = side_a[0], side_b[0]
    graph = nx.Graph()
    graph.add_nodes_from([src, dst])
    kinds: dict[frozenset[str], Link] = {}
    with view.read("read.graph.paths", detail={"from": src, "to": dst, "max_hops": max_hops}) as r:
        if not r.schemata([src, dst]) or len(r.schemata([src, dst])) < len({src, dst}):
            raise LookupError("no such entity")
        seen = {src: set(side_a), dst: set(side_b)}
        frontier = {src: set(side_a), dst: set(side_b)}
        hops, met = 0, src == dst or bool(set(side_a) & set(side_b))
        while not met and hops < max_hops and frontier[src] and frontier[dst]:
            side = src if len(frontier[src]) <= len(frontier[dst]) else dst
            nxt: set[str] = set()
            for link in find_links(r, frontier[side], wanted, fanout=100):
                s, t = alias.get(link.source, link.source), alias.get(link.target, link.target)
                if s == t:
                    continue
                graph.add_edge(s, t)
                kinds.setdefault(frozenset((s, t)), Link(s, t, link.relation))
                for end in (link.source, link.target):
                    if end not in seen[side]:
                        seen[side].add(end)
                        nxt.add(end)
            frontier[side] = nxt
            hops += 1
            met = bool(seen[src] & seen[dst]) or graph.has_edge(src, dst)
            if len(seen[src]) + len(seen[dst]) > MAX_EXPLORED:
                break
        found_paths: list[list[str]] = []
        if met and nx.has_path(graph, src, dst):
            for p in nx.all_shortest_paths(graph, src, dst):
                if len(p) - 1 > max_hops or len(found_paths) >= max_paths:
                    break
                found_paths.append(p)
        on_paths = list(dict.fromkeys([src, dst] + [n for p in found_paths for n in p]))
        entities = r.entities(on_paths)
        # The two ends keep the records they were given as; the rest are folded as usual.
        links = [kinds[frozenset(pair)] for p in found_paths for pair in zip(p, p[1:], strict=False)]
        folded, node_of = _graph(r, entities, links, set(r.subject_ids()))
        r.note(paths=len(found_paths), explored=graph.number_of_nodes())
    return Paths(folded.nodes, folded.edges,
                 [list(dict.fromkeys(node_of.get(x, x) for x in p)) for p in found_paths])


def _facts(records: list[EntityView]) -> list[Fact]:
    """Every value of the records except links and coordinates, merged (model.entity.merge_values):
    one fact per (property, value) with the sources that give it; identifiers first."""
    identifiers = model().identifier_types
    shown = [m for m in merge_values(records) if m.type not in FACTS_SKIPPED_TYPES]
    shown.sort(key=lambda m: m.type not in identifiers)  # stable: the model's order within each group
    return [Fact(m.prop, m.label, m.value, m.script, sorted(m.sources), m.type in identifiers) for m in shown]


def details(view: CaseView, ids: Iterable[str]) -> Details:
    """The details of a selected node: the records it stands for, read (and so disclosed) in full."""
    wanted = _ids(ids)
    with view.read("read.graph.details", detail={"records": len(wanted)}) as r:
        found = r.entities(wanted)
    if not found:
        raise LookupError(f"no entity {wanted[0]}")
    head = found[0]
    schema = model().schemata.get(head.schema)
    label, script = common_title(found) if len(found) > 1 else (head.title, head.caption_script)
    return Details(head.id, label, script, head.schema, schema.label if schema else head.schema, _facts(found),
                   [Record.of(e, e.title) for e in found], sorted({e.source for e in found}))


__all__ = ["MAX_IDS", "details", "expand", "people_paths", "start"]
