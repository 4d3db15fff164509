"""The link graph of a case: neighbours, paths, the case's whole graph, its timeline and its places.

Every function takes a CaseView and reads through it: each call is decided by the gate and its
result (the entities it discloses) written to the audit log, like any other read of personal data.

    with gate.session(me, case, purpose) as view:
        neighbours(view, entity_id)          # Graph(nodes, edges)
        paths(view, a, b, max_hops=4)        # Paths(nodes, edges, paths)
        timeline(view)                       # [Event], newest first
        places(view)                         # [Event] with coordinates
"""

from tahqiq.graph.events import places, timeline
from tahqiq.graph.explore import case_graph, neighbours, paths
from tahqiq.graph.links import Link, relation_label, relation_names
from tahqiq.graph.shapes import CaseGraph, Edge, Event, Graph, Node, Paths

__all__ = ["CaseGraph", "Edge", "Event", "Graph", "Link", "Node", "Paths", "case_graph", "neighbours", "paths",
           "places", "relation_label", "relation_names", "timeline"]
