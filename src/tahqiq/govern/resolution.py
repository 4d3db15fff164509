"""Resolution through the gate: the bulk read a resolution run needs, the explanation of an entity's
cluster, the review queue, and analysts' merge/split decisions (with who and why, audited).

A resolution run reads every person record, but only to compute links: no one sees the values. It
may be started by a supervisor or an administrator (or the scheduler, as SYSTEM), and the read is
audited as one bulk entry with the number of records. What people *see* of the result — a cluster,
its members, why they were linked — is read under a case like any other personal data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import and_, or_, select

from tahqiq.govern.base import ADMIN, SUPERVISOR, GovernError, Principal
from tahqiq.govern.gate import CaseView, Gate
from tahqiq.govern.identity import deny
from tahqiq.resolve.tables import MatchLink, ResolutionDecision, ResolvedEntity
from tahqiq.store import reads
from tahqiq.store.db import session_factory
from tahqiq.store.reads import EntityView
from tahqiq.store.tables import Entity, Statement, props_of_these

RUNNER_ROLES = (SUPERVISOR, ADMIN)
DECISIONS = ("merge", "split")
_CHUNK = 5000


@dataclass
class FieldContribution:
    field: str
    level: str
    bayes_factor: float
    log2_bayes_factor: float


@dataclass
class LinkExplanation:
    left_id: str
    right_id: str
    match_weight: float
    probability: float
    source: str  # "model" or "analyst"
    status: str = "link"  # link | review | refused | merge | split
    fields: list[FieldContribution] = field(default_factory=list)


@dataclass
class ResolvedView:
    cluster_id: str
    members: list[EntityView]
    links: list[LinkExplanation]


# --- the run's bulk read -----------------------------------------------------------------------

def resolution_input(gate: Gate, principal: Principal, schema: str, props: list[str], *,
                     only_unresolved: bool = False) -> pd.DataFrame:
    """Every `schema` entity (or only those no run has placed yet) with its resolution fields."""
    action = "resolve.read"
    if not principal.is_system:
        gate._active(principal, action)
        if principal.role not in RUNNER_ROLES:
            raise deny(gate.audit, principal, action, "resolution runs need a supervisor or an administrator",
                       target=schema)
    with session_factory(gate.engine)() as s:
        ids = None
        if only_unresolved:
            placed = select(ResolvedEntity.entity_id)
            ids = list(s.execute(select(Entity.id).where(Entity.schema == schema, Entity.id.not_in(placed))).scalars())
        if ids is None:
            frame = reads.schema_table(s, schema, props)
        else:
            parts = [reads.schema_table(s, schema, props, ids[i:i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
            frame = pd.concat(parts, ignore_index=True) if parts else reads.schema_table(s, schema, props, [])
    gate.audit.append(principal.username, action, role=principal.role, decision="grant", target=schema,
                      detail={"records": len(frame), "props": props, "only_unresolved": only_unresolved})
    return frame


# --- what analysts see -------------------------------------------------------------------------

def _explanation(link: MatchLink, source: str = "model") -> LinkExplanation:
    fields = [FieldContribution(f["field"], f["level"], f["bayes_factor"],
                                math.log2(f["bayes_factor"]) if f["bayes_factor"] > 0 else float("-inf"))
              for f in (link.fields or [])]
    return LinkExplanation(link.left_id, link.right_id, link.match_weight, link.match_probability, source,
                           link.status, fields)


def resolved(view: CaseView, entity_id: str) -> ResolvedView | None:
    """The records `entity_id` was resolved together with, and the scored links that joined them."""
    view._decide("read.resolved", target=entity_id)
    with view._session() as s:
        cluster_id = s.execute(select(ResolvedEntity.cluster_id).where(ResolvedEntity.entity_id == entity_id)).scalar()
        if cluster_id is None:
            found = reads.get_entities(s, [entity_id])
            if not found:
                view._grant("read.resolved", target=entity_id, detail={"found": False})
                return None
            ids, links = [entity_id], []
        else:
            ids = list(s.execute(select(ResolvedEntity.entity_id).where(ResolvedEntity.cluster_id == cluster_id)
                                 .order_by(ResolvedEntity.entity_id)).scalars())
            rows = s.execute(select(MatchLink).where(MatchLink.left_id.in_(ids), MatchLink.right_id.in_(ids))
                             .order_by(MatchLink.match_probability.desc())).scalars()
            links = [_explanation(r) for r in rows]
            decided = s.execute(select(ResolutionDecision).where(ResolutionDecision.left_id.in_(ids))
                                .order_by(ResolutionDecision.id)).scalars()
            links += [LinkExplanation(d.left_id, d.right_id, math.inf if d.decision == "merge" else -math.inf,
                                      1.0 if d.decision == "merge" else 0.0, "analyst", d.decision,
                                      [FieldContribution("analyst", f"{d.username}: {d.reason}", 1.0, 0.0)])
                      for d in decided]
            found = reads.get_entities(s, ids)
    view._grant("read.resolved", target=entity_id,
                detail={"cluster": cluster_id, "ids": [e.id for e in found], "count": len(found)})
    return ResolvedView(cluster_id or entity_id, found, links)


def review_queue(view: CaseView, limit: int = 50) -> list[LinkExplanation]:
    """Uncertain pairs, most likely first, that no analyst has decided yet."""
    view._decide("read.review")
    d = ResolutionDecision
    with view._session() as s:
        undecided = ~select(d.id).where(
            or_(and_(d.left_id == MatchLink.left_id, d.right_id == MatchLink.right_id),
                and_(d.left_id == MatchLink.right_id, d.right_id == MatchLink.left_id))).exists()
        rows = list(s.execute(select(MatchLink).where(MatchLink.status == "review", undecided)
                              .order_by(MatchLink.match_probability.desc()).limit(limit)).scalars())
        out = [_explanation(r) for r in rows]
    view._grant("read.review", target=None,
                detail={"pairs": [[x.left_id, x.right_id] for x in out], "count": len(out)})
    return out


def decide(view: CaseView, left_id: str, right_id: str, decision: str, reason: str) -> int:
    """Record an analyst's merge or split of two records; every later run obeys it."""
    if decision not in DECISIONS:
        raise GovernError(f"decision must be merge or split, not {decision!r}")
    if not reason or len(reason.strip()) < 5:
        raise GovernError("say why (a few words): the decision is kept with your name")
    if left_id == right_id:
        raise GovernError("a record cannot be merged with or split from itself")
    view._decide("resolve.decide", target=f"{left_id},{right_id}")
    left_id, right_id = sorted((left_id, right_id))
    with view.gate.audit.transaction() as conn:
        known = set(conn.execute(select(Entity.id).where(Entity.id.in_([left_id, right_id]))).scalars())
        missing = {left_id, right_id} - known
        if missing:
            raise GovernError(f"no such entity: {', '.join(sorted(missing))}")
        if decision == "merge":
            cnics = conn.execute(select(Statement.entity_id, Statement.value).where(
                Statement.entity_id.in_([left_id, right_id]), props_of_these(Statement.prop, ["cnic"]))).all()
            if len({v for _, v in cnics}) > 1 and len({e for e, _ in cnics}) == 2:
                raise GovernError("these records carry different CNICs, and a CNIC is issued once per person: "
                                  "they cannot be merged (correct the wrong CNIC at its source instead)")
        rec = view.gate.audit.append(view.principal.username, "resolve.decide", role=view.principal.role,
                                     case=view.case, purpose=view.purpose, decision="grant",
                                     target=f"{left_id},{right_id}",
                                     detail={"decision": decision, "reason": reason}, conn=conn)
        did = conn.execute(ResolutionDecision.__table__.insert().values(
            left_id=left_id, right_id=right_id, decision=decision, reason=reason.strip(),
            username=view.principal.username, case_ref=view.case, audit_seq=rec.seq)).inserted_primary_key[0]
    return did


def decisions(engine) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(merges, splits): the newest decision on each pair (no personal data: ids only)."""
    latest: dict[tuple[str, str], str] = {}
    with engine.connect() as conn:
        for left, right, what in conn.execute(select(ResolutionDecision.left_id, ResolutionDecision.right_id,
                                                     ResolutionDecision.decision).order_by(ResolutionDecision.id)):
            latest[(left, right)] = what
    merges = [p for p, w in latest.items() if w == "merge"]
    splits = [p for p, w in latest.items() if w == "split"]
    return merges, splits
