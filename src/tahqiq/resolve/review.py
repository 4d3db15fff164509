"""What people see of resolution, through the gate: the bulk read a run needs, the explanation of an
entity's cluster, the review queue, and analysts' merge/split decisions (with who and why, audited).

A resolution run reads every person record, but only to compute links: no one sees the values. It
may be started by a supervisor or an administrator (or the scheduler, as SYSTEM), and the read is
audited as one bulk entry with the number of records. What people *see* of the result — a cluster,
its members, why they were linked — is read under a case like any other personal data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import ColumnElement, Engine, and_, func, insert, or_, select
from sqlalchemy.orm import Session

from tahqiq.govern import ADMIN, SUPERVISOR, CaseView, Gate, GovernError, Principal
from tahqiq.model.entity import EntityView
from tahqiq.resolve.tables import ResolutionDecision
from tahqiq.store.base import inserted_id
from tahqiq.store.tables import Entity, MatchLink

RUNNER_ROLES = (SUPERVISOR, ADMIN)
DECISIONS = ("merge", "split")
_CHUNK = 5000


@dataclass
class FieldContribution:
    """One compared field's part in a link: its level ("name agreed exactly") and Bayes factor."""

    field: str
    level: str
    bayes_factor: float | None  # None: infinite
    log2_bayes_factor: float | None  # the field's bar in a waterfall; None: infinite (0: ruled out, -inf)


@dataclass
class LinkExplanation:
    left_id: str
    right_id: str
    match_weight: float | None  # None for an analyst's decision (certain by fiat, no model weights)
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
    with gate.scope(principal, f"resolve {schema} records", roles=RUNNER_ROLES,
                    refusal="resolution runs need a supervisor or an administrator") as job, \
            job.read("resolve.read", target=schema, detail={"props": props, "only_unresolved": only_unresolved}) as r:
        if not only_unresolved:
            return r.schema_table(schema, props)
        ids = sorted(r.unresolved_ids(schema))  # the same records in the same order on every run
        parts = [r.schema_table(schema, props, ids[i:i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
        return pd.concat(parts, ignore_index=True) if parts else r.schema_table(schema, props, [])


# --- what analysts see -------------------------------------------------------------------------

def _finite(x: float) -> float | None:
    """JSON has no infinity: an infinite weight is None (the field or link was certain either way)."""
    return x if math.isfinite(x) else None


def _explanation(link: MatchLink, source: str = "model") -> LinkExplanation:
    fields = [FieldContribution(f["field"], f["level"], _finite(f["bayes_factor"]),
                                _finite(math.log2(f["bayes_factor"])) if f["bayes_factor"] > 0 else None)
              for f in (link.fields or [])]
    return LinkExplanation(link.left_id, link.right_id, _finite(link.match_weight), link.match_probability, source,
                           link.status, fields)


def resolved(view: CaseView, entity_id: str) -> ResolvedView | None:
    """The records `entity_id` was resolved together with, and the scored links that joined them."""
    with view.read("read.resolved", target=entity_id) as r:
        cluster_id, ids = r.cluster_of(entity_id)
        links: list[LinkExplanation] = []
        if cluster_id is None:
            ids = [entity_id]
        else:
            rows = r.session.execute(select(MatchLink).where(MatchLink.left_id.in_(ids), MatchLink.right_id.in_(ids))
                                     .order_by(MatchLink.match_probability.desc())).scalars()
            links = [_explanation(row) for row in rows]
            decided = r.session.execute(select(ResolutionDecision).where(ResolutionDecision.left_id.in_(ids))
                                        .order_by(ResolutionDecision.id)).scalars()
            links += [LinkExplanation(d.left_id, d.right_id, None, 1.0 if d.decision == "merge" else 0.0, "analyst",
                                      d.decision,
                                      [FieldContribution("analyst", f"{d.username}: {d.reason}", 1.0, 0.0)])
                      for d in decided]
        found = r.entities(ids)
        r.note(cluster=cluster_id, found=bool(found))
    if not found:
        return None
    return ResolvedView(cluster_id or entity_id, found, links)


def _undecided() -> ColumnElement[bool]:
    """Review links no analyst has decided yet (a decision on either orientation of the pair counts)."""
    d = ResolutionDecision
    return ~select(d.id).where(
        or_(and_(d.left_id == MatchLink.left_id, d.right_id == MatchLink.right_id),
            and_(d.left_id == MatchLink.right_id, d.right_id == MatchLink.left_id))).exists()


def _queue(session: Session, offset: int, limit: int) -> list[LinkExplanation]:
    # Ties in probability are broken by the link's id, so that pages do not overlap or skip pairs.
    rows = session.execute(select(MatchLink).where(MatchLink.status == "review", _undecided())
                           .order_by(MatchLink.match_probability.desc(), MatchLink.id)
                           .offset(offset).limit(limit)).scalars()
    return [_explanation(row) for row in rows]


def review_queue(view: CaseView, limit: int = 50, offset: int = 0) -> list[LinkExplanation]:
    """Uncertain pairs, most likely first, that no analyst has decided yet."""
    with view.read("read.review") as r:
        out = _queue(r.session, offset, limit)
        r.note(pairs=[[x.left_id, x.right_id] for x in out], count=len(out), offset=offset)
    return out


@dataclass
class ReviewPage:
    """One page of the review queue with the two records of every pair, as a person compares them."""

    total: int  # undecided pairs in the whole queue
    offset: int
    pairs: list[LinkExplanation]
    records: dict[str, EntityView]  # both records of every pair on the page, by id


def review_page(view: CaseView, offset: int = 0, limit: int = 10) -> ReviewPage:
    """A page of the queue and the records it compares: one audited read that discloses exactly the
    records shown (the count of the rest is a number, not a disclosure)."""
    with view.read("read.review") as r:
        total = r.session.execute(select(func.count()).select_from(MatchLink)
                                  .where(MatchLink.status == "review", _undecided())).scalar_one()
        pairs = _queue(r.session, offset, limit)
        records = {e.id: e for e in r.entities(dict.fromkeys(i for p in pairs for i in (p.left_id, p.right_id)))}
        r.note(pairs=[[x.left_id, x.right_id] for x in pairs], count=len(pairs), offset=offset, total=total)
    return ReviewPage(total, offset, pairs, records)


def decide(view: CaseView, left_id: str, right_id: str, decision: str, reason: str) -> int:
    """Record an analyst's merge or split of two records; every later run obeys it."""
    if decision not in DECISIONS:
        raise GovernError(f"decision must be merge or split, not {decision!r}")
    if not reason or len(reason.strip()) < 5:
        raise GovernError("say why (a few words): the decision is kept with your name")
    if left_id == right_id:
        raise GovernError("a record cannot be merged with or split from itself")
    left_id, right_id = sorted((left_id, right_id))
    with view.write("resolve.decide", target=f"{left_id},{right_id}",
                    detail={"decision": decision, "reason": reason}) as w:
        conn = w.conn
        known = set(conn.execute(select(Entity.id).where(Entity.id.in_([left_id, right_id]))).scalars())
        missing = {left_id, right_id} - known
        if missing:
            raise GovernError(f"no such entity: {', '.join(sorted(missing))}")
        if decision == "merge":
            cnics = [(eid, value) for eid, _, _, value in w.values_of([left_id, right_id], ["cnic"])]
            if len({v for _, v in cnics}) > 1 and len({e for e, _ in cnics}) == 2:
                raise GovernError("these records carry different CNICs, and a CNIC is issued once per person: "
                                  "they cannot be merged (correct the wrong CNIC at its source instead)")
        rec = w.record()
        did = inserted_id(conn.execute(insert(ResolutionDecision).values(
            left_id=left_id, right_id=right_id, decision=decision, reason=reason.strip(),
            username=view.principal.username, case_ref=view.case, audit_seq=rec.seq)))
    return did


def decisions(engine: Engine) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(merges, splits): the newest decision on each pair (no personal data: ids only)."""
    latest: dict[tuple[str, str], str] = {}
    with engine.connect() as conn:
        for left, right, what in conn.execute(select(ResolutionDecision.left_id, ResolutionDecision.right_id,
                                                     ResolutionDecision.decision).order_by(ResolutionDecision.id)):
            latest[(left, right)] = what
    merges = [p for p, w in latest.items() if w == "merge"]
    splits = [p for p, w in latest.items() if w == "split"]
    return merges, splits


__all__ = ["DECISIONS", "RUNNER_ROLES", "FieldContribution", "LinkExplanation", "ResolvedView", "ReviewPage", "decide",
           "decisions", "resolution_input", "resolved", "review_page", "review_queue"]
