"""Saved link charts: an analyst's drawing of a case (which people and records are on it, where,
which people are opened up into their records, the links, and notes on nodes), saved under the
case and reopened later, like an i2 chart.

A chart holds names and the analyst's words about people, so saving one is a write under the case
(decided like a read, its audit entry committed with it) and reopening one is an audited read
naming the entities it shows.

    with gate.session(me, case, purpose) as view:
        saved = save_chart(view, "Owner and vehicle", {"nodes": [...], "edges": [...], ...})
        charts = list_charts(view)               # titles, authors, sizes (no bodies)
        chart = open_chart(view, saved.id)       # the whole drawing
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from tahqiq.casework.tables import CaseChart
from tahqiq.govern import CaseView, GovernError
from tahqiq.govern.tables import User
from tahqiq.store.base import aware_utc, inserted_id, utcnow

MAX_TITLE = 200
MAX_CHART_BYTES = 2_000_000  # a chart of a few thousand nodes; larger drawings are exports, not charts
MAX_ANNOTATION = 2_000
KEYS = ("nodes", "edges", "split", "annotations", "hops", "relations")


@dataclass(frozen=True)
class ChartSummary:
    id: int
    case: str
    title: str
    author: str
    nodes: int
    annotations: int
    created_at: datetime
    audit_seq: int


@dataclass(frozen=True)
class Chart(ChartSummary):
    """The drawing: `nodes` are cytoscape node data with a `position`, `edges` edge data, `split`
    the ids of people shown as their records, `annotations` a note per node id, `hops` the path
    search's limit and `relations` the relation filters left on."""

    body: dict[str, Any] = field(default_factory=dict)


def _entity_ids(body: dict[str, Any]) -> list[str]:
    """The entities a chart shows: its nodes and the records folded into them."""
    ids: dict[str, None] = {}
    for node in body.get("nodes", []):
        data = node.get("data", node) if isinstance(node, dict) else {}
        if isinstance(data.get("id"), str):
            ids[data["id"]] = None
        for rec in data.get("records") or []:
            if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                ids[rec["id"]] = None
    return list(ids)


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise GovernError("a chart is an object with nodes, edges and annotations")
    kept = {k: body[k] for k in KEYS if k in body}
    if not isinstance(kept.get("nodes", []), list) or not isinstance(kept.get("edges", []), list):
        raise GovernError("a chart's nodes and edges are lists")
    notes = kept.get("annotations") or {}
    if not isinstance(notes, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in notes.items()):
        raise GovernError("annotations are a text per node id")
    if any(len(v) > MAX_ANNOTATION for v in notes.values()):
        raise GovernError(f"an annotation may hold at most {MAX_ANNOTATION} characters")
    kept["annotations"] = {k: v.strip() for k, v in notes.items() if v.strip()}
    if len(json.dumps(kept)) > MAX_CHART_BYTES:
        raise GovernError(f"a chart may take at most {MAX_CHART_BYTES // 1_000_000} MB")
    return kept


def save_chart(view: CaseView, title: str, body: dict[str, Any]) -> ChartSummary:
    """Save a chart under the view's case."""
    title = (title or "").strip()
    if not title:
        raise GovernError("a chart needs a title")
    if len(title) > MAX_TITLE:
        raise GovernError(f"a chart's title may hold at most {MAX_TITLE} characters")
    kept = _clean(body)
    nodes, annotations = len(kept.get("nodes", [])), len(kept["annotations"])
    now = utcnow()
    # The log names the entities drawn and the chart's size; the title and annotations (the
    # analyst's words) stay in the case file, like a note's text.
    with view.write("chart.save", detail={"nodes": nodes, "annotations": annotations,
                                          "entities": _entity_ids(kept)[:500]}) as w:
        assert w.case is not None
        rec = w.record()
        cid = inserted_id(w.conn.execute(insert(CaseChart).values(
            case_id=w.case.id, author_id=view.principal.user_id, title=title, body=kept, nodes=nodes,
            created_at=now, audit_seq=rec.seq)))
    return ChartSummary(cid, view.case, title, view.principal.username, nodes, annotations, now, rec.seq)


def list_charts(view: CaseView, limit: int = 200) -> list[ChartSummary]:
    """The case's charts, newest first (titles and sizes; opening one is its own read)."""
    with view.read("read.charts") as r:
        assert r.case is not None
        rows = r.session.execute(
            select(CaseChart.id, CaseChart.title, CaseChart.nodes, CaseChart.body, CaseChart.created_at,
                   CaseChart.audit_seq, User.username)
            .join(User, User.id == CaseChart.author_id).where(CaseChart.case_id == r.case.id)
            .order_by(CaseChart.id.desc()).limit(max(1, min(limit, 1000)))).all()
        charts = [ChartSummary(row.id, view.case, row.title, row.username, row.nodes,
                               len((row.body or {}).get("annotations") or {}), aware_utc(row.created_at), row.audit_seq)
                  for row in rows]
        r.disclose(f"chart:{c.id}" for c in charts)
    return charts


def open_chart(view: CaseView, chart_id: int) -> Chart:
    """One chart of the view's case, whole (an audited read naming the entities it shows)."""
    with view.read("read.chart", target=f"chart:{chart_id}") as r:
        assert r.case is not None
        row = r.session.execute(
            select(CaseChart, User.username).join(User, User.id == CaseChart.author_id)
            .where(CaseChart.id == chart_id, CaseChart.case_id == r.case.id)).first()
        if row is None:
            raise LookupError(f"no chart {chart_id} in case {view.case}")
        chart, username = row
        body = dict(chart.body or {})
        r.disclose(_entity_ids(body))
    return Chart(chart.id, view.case, chart.title, username, chart.nodes, len(body.get("annotations") or {}),
                 aware_utc(chart.created_at), chart.audit_seq, body)


__all__ = ["Chart", "ChartSummary", "MAX_CHART_BYTES", "list_charts", "open_chart", "save_chart"]
