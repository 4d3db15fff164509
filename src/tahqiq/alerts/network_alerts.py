"""Transaction-network hits as alerts on the desk: one alert per hit, rule id `networks.<typology>`.

The alert's evidence is the hit's subgraph (accounts, transactions with amounts and times, the facts
that made it, the reason and what found it), so the person who triages it sees what the detector
saw. An alert is a lead about past transactions, not a finding about anyone: the desk's triage and
verify steps (by a named person, in the audit log) come before any action.

    with gate.scope(SYSTEM, "networks detection job") as job:
        run = detect_in_store(job)
        new = write_hit_alerts(job, run.hits, transactions=amounts)   # insert-or-ignore on the hit's key
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from tahqiq.alerts.store import write_alerts
from tahqiq.govern import View
from tahqiq.networks import Hit, rupees, short_iban
from tahqiq.stream.rulefile import Rule
from tahqiq.stream.windows import Detection

__all__ = ["RULE_PREFIX", "TYPOLOGY_LABELS", "hit_detections", "hit_severity", "hit_title", "is_network_rule",
           "write_hit_alerts"]

RULE_PREFIX = "networks."
TYPOLOGY_LABELS = {"fan_out": "Fan-out", "fan_in": "Fan-in", "cycle": "Cycle", "scatter_gather": "Scatter-gather",
                   "gather_scatter": "Gather-scatter", "bipartite": "Bipartite", "stack": "Stack",
                   "random": "Chain of hops", "account_behaviour": "Account behaviour"}
# Shapes that move money through several hands on purpose rank above a single burst; the scorer's
# hits are one account's behaviour, the weakest lead, unless the model is very sure.
_HIGH = frozenset({"cycle", "scatter_gather", "gather_scatter", "stack", "bipartite"})
MAX_TRANSACTIONS_IN_EVIDENCE = 200  # a page shows this many; the count says how many there were


def is_network_rule(rule_id: str) -> bool:
    return rule_id.startswith(RULE_PREFIX)


def hit_severity(hit: Hit) -> str:
    if hit.source == "scorer":
        return "medium" if hit.score >= 0.9 else "low"
    if hit.typology in _HIGH or hit.total >= 5_000_000:
        return "high"
    return "medium"


def hit_title(hit: Hit) -> str:
    """"Fan-in: 12 accounts paid into PK..1234", from the hit's shape and its centre account."""
    label = TYPOLOGY_LABELS.get(hit.typology, hit.typology.replace("_", " ").capitalize())
    centre, others = (hit.accounts[0] if hit.accounts else "?"), max(len(hit.accounts) - 1, 0)
    if hit.typology == "fan_in":
        return f"{label}: {others} accounts paid into {short_iban(centre)}"
    if hit.typology == "fan_out":
        return f"{label}: {short_iban(centre)} paid {others} accounts"
    if hit.typology == "account_behaviour":
        return f"{label}: {short_iban(centre)} moved {rupees(hit.total)} PKR like known laundering accounts"
    return f"{label}: {len(hit.accounts)} accounts moved {rupees(hit.total)} PKR from {short_iban(centre)}"


def _rule(hit: Hit) -> Rule:
    return Rule(id=RULE_PREFIX + hit.typology, title=hit_title(hit), severity=hit_severity(hit),
                schemas=("Transaction",), key="iban", selections={}, condition=(), correlation=None, step_trees=[],
                source="tahqiq.networks")


def _evidence(hit: Hit, transactions: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    shown = hit.transactions[:MAX_TRANSACTIONS_IN_EVIDENCE]
    return {"network": {"typology": hit.typology, "source": hit.source, "score": hit.score, "key": hit.key,
                        "accounts": list(hit.accounts), "first_ts": hit.first_ts, "last_ts": hit.last_ts,
                        "total": hit.total, "total_text": f"{rupees(hit.total)} PKR", "reason": hit.reason,
                        "features": dict(hit.features), "n_transactions": len(hit.transactions),
                        "transactions": [{"tx_id": t, **dict(transactions.get(t, {}))} for t in shown]},
            "rule": {"id": RULE_PREFIX + hit.typology, "title": hit_title(hit)},
            "event": {"schema": "Transaction"}}


def hit_detections(hits: Iterable[Hit], transactions: Mapping[str, Mapping[str, Any]] | None = None
                   ) -> list[Detection]:
    """A desk alert for each hit. `transactions` (tx_id -> {ts, payer, payee, amount, channel}) fills
    the evidence's transaction rows; without it they carry only ids. The dedupe key is the hit's key,
    so running detection again over the same data adds no alert."""
    known = transactions or {}
    return [Detection(rule=_rule(h), dedupe_key=h.key, key_kind="iban", key_value=None, occurred_at=float(h.last_ts),
                      district=None, case_ref=None, evidence=_evidence(h, known), event_id=h.key) for h in hits]


def write_hit_alerts(view: View, hits: Iterable[Hit], transactions: Mapping[str, Mapping[str, Any]] | None = None
                     ) -> int:
    """Write the hits' alerts under `view` (a decided write, in the audit log); returns how many were new."""
    detections = hit_detections(hits, transactions)
    with view.write("networks.alerts.write", detail={"hits": len(detections)}) as w:
        new = write_alerts(w.conn, detections)
        w.record(new=new)
    return new
