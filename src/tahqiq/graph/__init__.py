"""The link graph of a case: neighbours, paths, the case's whole graph, its timeline and its places.

Every function takes a CaseView and reads through it: each call is decided by the gate and its
result (the entities it discloses) written to the audit log, like any other read of personal data.

    with gate.session(me, case, purpose) as view:
        neighbours(view, entity_id)          # Graph(nodes, edges)
        paths(view, a, b, max_hops=4)        # Paths(nodes, edges, paths)
        timeline(view)                       # [Event], newest first
        places(view)                         # [Event] with coordinates

The case workspace's chart draws people, not records (the records of one resolved cluster, or
sharing a CNIC, folded into one node that lists them; see people.py):

        start(view)                          # the subjects and what joins them
        expand(view, record_ids)             # a node's neighbours
        people_paths(view, a_ids, b_ids)     # paths between two nodes
        details(view, record_ids)            # the details panel of a selection
"""

from tahqiq.graph.events import places, timeline
from tahqiq.graph.explore import case_graph, neighbours, paths
from tahqiq.graph.links import Link, relation_label, relation_names
from tahqiq.graph.shapes import CaseGraph, Details, Edge, Event, Fact, Graph, Node, Paths, Record
from tahqiq.graph.workspace import details, expand, people_paths, start

__all__ = ["CaseGraph", "Details", "Edge", "Event", "Fact", "Graph", "Link", "Node", "Paths", "Record",
           "case_graph", "details", "expand", "neighbours", "paths", "people_paths", "places", "relation_label",
           "relation_names", "start", "timeline"]
