"""Networks in the store: detection over the Transaction entities and campaigns over the Complaint
entities, each read through a gate view (one audited bulk read), and the stored campaigns.

    with gate.scope(SYSTEM, "networks detection job") as job:
        run = detect_in_store(job)                      # DetectionRun: hits + counts
    with gate.scope(SYSTEM, "campaign clustering job") as job:
        cluster_in_store(job)                           # replaces table network_campaigns
    with gate.scope(me, "review scam campaigns") as view:
        page = list_campaigns(view, offset=0, limit=25)
        detail = get_campaign(view, page.items[0].id)

Deviations from the shared contract (for the API/web helper):
  * `open_case_from_campaign` takes the case opener as `open_case=` (tahqiq.govern.cases.open_case):
    the networks room may import only tahqiq.govern's public surface, which does not offer it. It
    takes `authorising_officer` and `days` too (a case needs both); `title` becomes the case purpose.
  * `attach_hit_to_case(gate, principal, hit_accounts, case_ref, purpose=...)` takes the hit's IBANs
    (an alert's `evidence["accounts"]`), since alerts live in a room above this one.
  * Bulk reads (detection, clustering) need a supervisor or the SYSTEM principal; the gate refuses
    others (and writes the refusal). Listing and reading stored campaigns needs any reader role.

Hits and campaigns are evidence about past transactions and complaints for a person to verify,
never a score of a person: the only properties read are listed in TX_PROPS and COMPLAINT_PROPS.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import delete, func, insert, select

from tahqiq.govern import SUPERVISOR, CaseView, Gate, GovernError, Principal, View
from tahqiq.networks.campaign_money import DAY, LinkedMoney, linked_transactions
from tahqiq.networks.campaigns import Campaign, Link, campaign_accounts, cluster
from tahqiq.networks.complaints import COMPLAINT_PROPS, complaints_from_frame
from tahqiq.networks.detectors import DetectorSettings, detect
from tahqiq.networks.hits import Hit
from tahqiq.networks.scorer import Scorer
from tahqiq.networks.tables import NetworkCampaign
from tahqiq.networks.transactions import from_frame

__all__ = ["TX_PROPS", "SORTS", "DetectionRun", "CampaignRun", "CampaignSummary", "CampaignPage", "CampaignDetail",
           "CampaignNotFound", "detect_in_store", "cluster_in_store", "list_campaigns", "get_campaign",
           "open_case_from_campaign", "attach_hit_to_case", "transactions_frame"]

# The Transaction properties detection reads: behaviour only (who paid whom, how much, when, how).
TX_PROPS = ["transactionId", "occurredAt", "payerIban", "payeeIban", "amount", "channel"]
SORTS = ("complaints", "total_lost", "recent")
MAX_PAGE = 200
_TOP_VALUES = 5
_MONEY_PER_ACCOUNT = 500  # transactions read per campaign account for the money view
_KIND_FIELD = {"phone": "phones", "iban": "ibans", "wallet": "wallets", "domain": "domains", "device": "devices"}


class CampaignNotFound(GovernError):
    """No stored campaign has this id (the API answers 404)."""


@dataclass(frozen=True)
class DetectionRun:
    """One run of the transaction-network detectors."""

    hits: list[Hit]
    transactions: int
    accounts: int
    seconds: float
    scorer: str | None  # what scored accounts (the scorer's description), None: rules only
    # tx_id -> {ts, payer, payee, amount, channel} of the hits' transactions: the alerts' evidence
    hit_transactions: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CampaignRun:
    campaigns: int
    complaints: int  # complaints read
    linked: int  # complaints in some campaign
    seconds: float
    run_at: datetime


@dataclass(frozen=True)
class CampaignSummary:
    id: str
    complaints: int
    first_time: datetime | None  # aware UTC
    last_time: datetime | None
    districts: dict[str, int]
    total_lost: float
    phones: int
    ibans: int
    wallets: int
    domains: int
    devices: int
    top_values: list[tuple[str, str, int]]  # (kind, value, complaints): the most shared joining values


@dataclass(frozen=True)
class CampaignPage:
    total: int
    offset: int
    limit: int
    items: list[CampaignSummary]
    run_at: datetime | None  # when the stored campaigns were clustered; None: never


@dataclass(frozen=True)
class CampaignDetail:
    summary: CampaignSummary
    timeline: list[tuple[datetime, str]]  # (reported at, complaint number), time order
    values: dict[str, list[tuple[str, int]]]  # kind -> [(value, complaints naming it)], most named first
    links: list[tuple[str, list[str]]]  # joining value -> complaint numbers
    hubs: dict[str, int]
    complaint_entities: list[str]  # entity ids of the Complaint entities
    money: LinkedMoney | None  # transactions into/out of the campaign's IBANs and candidate mules


class CaseOpener(Protocol):
    def __call__(self, audit: Any, actor: Principal, reference: str, *, basis_kind: str, basis_ref: str,
                 authorising_officer: str, purpose: str, days: int | None = ...) -> Any: ...


# --- detection ---------------------------------------------------------------------------------

def _bulk_reader(view: View, action: str) -> None:
    """Bulk reads of the store are a supervisor's or a scheduled job's (as the gate's export is)."""
    if not view.principal.is_system and view.principal.role != SUPERVISOR:
        raise view.refuse(action, "bulk reads of transactions and complaints need a supervisor or the "
                                  "scheduled job")


def transactions_frame(raw: pd.DataFrame) -> pd.DataFrame:
    """The gate's Transaction rows in the contract's columns (tx_id, ts, payer, payee, amount, channel);
    rows without an id, a time or an amount are dropped (they cannot be placed in a pattern)."""
    frame = raw.rename(columns={"transactionId": "tx_id", "occurredAt": "ts", "payerIban": "payer",
                                "payeeIban": "payee"})
    frame["tx_id"] = frame["tx_id"].where(frame["tx_id"].notna(), frame["unique_id"])
    frame = frame.dropna(subset=["ts", "amount"])
    return frame[["tx_id", "ts", "payer", "payee", "amount", "channel"]]


def detect_in_store(view: View, *, scorer: Scorer | None = None, settings: DetectorSettings | None = None,
                    progress: bool = False) -> DetectionRun:
    """Read every Transaction through `view` (one audited bulk read of TX_PROPS), run the typology
    rules and, with a scorer, the behaviour scorer over the same table."""
    _bulk_reader(view, "networks.detect")
    started = time.perf_counter()
    with view.read("networks.detect", detail={"schema": "Transaction", "props": TX_PROPS}) as r:
        raw = r.schema_table("Transaction", TX_PROPS)
        r.note(scorer=scorer is not None)
    con = from_frame(transactions_frame(raw))
    try:
        hits = detect(con, settings, progress=progress)
        if scorer is not None:
            hits = hits + scorer.score(con, also_flagged={a for h in hits for a in h.accounts})
        wanted = pd.DataFrame({"tx_id": sorted({t for h in hits for t in h.transactions})}, dtype="object")
        con.register("wanted", wanted)
        rows = con.execute("SELECT tx_id, ts, payer, payee, amount, channel FROM tx WHERE tx_id IN "
                           "(SELECT tx_id FROM wanted)").fetchall()
        con.unregister("wanted")
        subgraph = {str(t): {"ts": int(ts), "payer": p, "payee": q, "amount": float(a), "channel": c}
                    for t, ts, p, q, a, c in rows}
        row = con.execute("SELECT count(*), (SELECT count(DISTINCT a) FROM (SELECT payer AS a FROM tx UNION "
                          "SELECT payee FROM tx) WHERE a IS NOT NULL) FROM tx").fetchone()
    finally:
        con.close()
    n_tx, n_accounts = (int(row[0]), int(row[1])) if row else (0, 0)
    return DetectionRun(hits, n_tx, n_accounts, time.perf_counter() - started,
                        None if scorer is None else _described(scorer), subgraph)


def _described(scorer: Scorer) -> str:
    return f"behaviour scorer over {len(scorer.features)} features, threshold {scorer.threshold:.3f}"


# --- campaigns ---------------------------------------------------------------------------------

def _aware(epoch: int | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _row(c: Campaign, entities: dict[str, str], run_at: datetime) -> dict[str, Any]:
    counts = {field: len(c.values.get(kind, {})) for kind, field in _KIND_FIELD.items()}
    detail = {"complaints": list(c.complaints), "times": list(c.times), "districts": c.districts,
              "values": c.values, "hubs": c.hubs,
              "links": [[k.value, list(k.kinds), list(k.complaints)] for k in c.links],
              "entities": [entities[x] for x in c.complaints if x in entities]}
    return {"id": c.id, "complaints": c.size, "first_time": _aware(c.first_time), "last_time": _aware(c.last_time),
            "total_lost": float(c.total_lost), "district_keys": "|" + "|".join(sorted(c.districts)) + "|",
            "detail": detail, "run_at": run_at, **counts}


def cluster_in_store(view: View, *, progress: bool = False) -> CampaignRun:
    """Read every Complaint's identifiers through `view`, cluster them into campaigns and replace the
    stored campaigns (one audited read, one audited write)."""
    _bulk_reader(view, "networks.cluster")
    started = time.perf_counter()
    with view.read("networks.cluster", detail={"schema": "Complaint", "props": COMPLAINT_PROPS}) as r:
        frame = r.schema_table("Complaint", COMPLAINT_PROPS)
    rows = complaints_from_frame(frame)
    ids = frame["complaintNumber"].where(frame["complaintNumber"].notna(), frame["unique_id"]).astype(str)
    entities = dict(zip(ids, frame["unique_id"].astype(str), strict=True))
    found = cluster(rows) if rows else []
    run_at = datetime.now(UTC)
    with view.write("networks.campaigns.replace", detail={"campaigns": len(found)}) as w:
        w.conn.execute(delete(NetworkCampaign))
        if found:
            w.conn.execute(insert(NetworkCampaign), [_row(c, entities, run_at) for c in found])
    return CampaignRun(len(found), len(rows), sum(c.size for c in found), time.perf_counter() - started, run_at)


def _campaign(row: NetworkCampaign) -> Campaign:
    d = row.detail
    links = tuple(Link(v, tuple(k), tuple(cs)) for v, k, cs in d.get("links", []))
    times = tuple(None if t is None else int(t) for t in d.get("times", []))
    first_at, last_at = _utc(row.first_time), _utc(row.last_time)
    first = None if first_at is None else int(first_at.timestamp())
    last = None if last_at is None else int(last_at.timestamp())
    return Campaign(row.id, tuple(d.get("complaints", [])), times, first, last, dict(d.get("districts", {})),
                    float(row.total_lost), {k: dict(v) for k, v in d.get("values", {}).items()}, links,
                    dict(d.get("hubs", {})))


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for timezone-aware columns; they were written in UTC
    return None if value is None else value if value.tzinfo else value.replace(tzinfo=UTC)


def _summary(row: NetworkCampaign) -> CampaignSummary:
    c = _campaign(row)
    kind_of = {v: kinds for kinds_values in [c.values] for kinds in kinds_values for v in kinds_values[kinds]}
    top = [(link.kinds[0] if link.kinds else kind_of.get(link.value, ""), link.value, len(link.complaints))
           for link in c.links[:_TOP_VALUES]]
    return CampaignSummary(row.id, row.complaints, _utc(row.first_time), _utc(row.last_time), c.districts,
                           float(row.total_lost), row.phones, row.ibans, row.wallets, row.domains, row.devices, top)


def list_campaigns(view: View, *, offset: int = 0, limit: int = 25, district: str | None = None,
                   sort: str = "complaints") -> CampaignPage:
    """A page of the stored campaigns (largest first by default), optionally of one district."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"offset must be >= 0 and limit between 1 and {MAX_PAGE}")
    t = NetworkCampaign
    where = [t.district_keys.contains(f"|{district}|", autoescape=True)] if district else []
    column = {"complaints": t.complaints, "total_lost": t.total_lost, "recent": t.last_time}[sort]
    first_key = column.desc()
    with view.read("networks.campaigns.list", detail={"offset": offset, "limit": limit, "district": district,
                                                      "sort": sort}) as r:
        total = int(r.conn.execute(select(func.count()).select_from(t).where(*where)).scalar_one())
        run_at = r.conn.execute(select(func.max(t.run_at))).scalar()
        page = select(t).where(*where).order_by(first_key, t.id).offset(offset).limit(limit)
        rows = r.session.execute(page).scalars().all()
        items = [_summary(row) for row in rows]
        r.note(shown=[i.id for i in items])
    return CampaignPage(total, offset, limit, items, _utc(run_at))


def _money(view: View, accounts: list[str], campaign: Campaign) -> LinkedMoney | None:
    """The transactions into and out of the campaign's accounts, read by IBAN through `view`."""
    if not accounts:
        return None
    with view.read("networks.campaign.money", detail={"accounts": len(accounts)}) as r:
        ids: set[str] = set()
        for iban in accounts:
            for prop in ("payeeIban", "payerIban"):
                ids.update(e.id for e in r.find(prop, iban, limit=_MONEY_PER_ACCOUNT))
        raw = r.schema_table("Transaction", TX_PROPS, sorted(ids)) if ids else None
    if raw is None or raw.empty:
        return LinkedMoney(tuple(accounts), (), 0.0, 0.0, ())
    con = from_frame(transactions_frame(raw))
    try:
        lo = (campaign.first_time or 0) - 30 * DAY
        hi = (campaign.last_time or 2**62 - 30 * DAY) + 30 * DAY
        return linked_transactions(con, accounts, between=(lo, hi))
    finally:
        con.close()


def get_campaign(view: View, campaign_id: str, *, money: bool = True) -> CampaignDetail:
    """One stored campaign: its timeline, values, joins, hubs, complaints and (with `money`) the money
    around its accounts. Raises CampaignNotFound."""
    with view.read("networks.campaign.read", target=campaign_id) as r:
        row = r.session.get(NetworkCampaign, campaign_id)
        if row is None:
            raise CampaignNotFound(f"no campaign {campaign_id!r} (campaigns are re-clustered by "
                                   "`tahqiq networks campaigns`)")
        summary, campaign, entities = _summary(row), _campaign(row), list(row.detail.get("entities", []))
    timeline = [(t, cid) for cid, epoch in zip(campaign.complaints, campaign.times, strict=True)
                if (t := _aware(epoch)) is not None]
    values = {kind: sorted(named.items(), key=lambda kv: (-kv[1], kv[0])) for kind, named in campaign.values.items()}
    links = [(link.value, list(link.complaints)) for link in campaign.links]
    linked = _money(view, campaign_accounts(campaign), campaign) if money else None
    return CampaignDetail(summary, timeline, values, links, dict(campaign.hubs), entities, linked)


# --- cases -------------------------------------------------------------------------------------

def _account_entities(view: CaseView, ibans: list[str]) -> list[str]:
    """The BankAccount entities holding these IBANs (an account the store does not know is skipped)."""
    with view.read("networks.accounts.find", detail={"ibans": len(ibans)}) as r:
        return sorted({e.id for iban in ibans for e in r.find("iban", iban, limit=5) if e.schema == "BankAccount"})


def open_case_from_campaign(gate: Gate, principal: Principal, campaign_id: str, *, reference: str, title: str,
                            basis_kind: str, basis_ref: str, authorising_officer: str, open_case: CaseOpener,
                            days: int = 90) -> str:
    """Open a case (a supervisor's act, as `tahqiq case open`) for a campaign and attach its complaints
    and the bank accounts they name as subjects; returns the case reference."""
    with gate.scope(principal, f"open a case for campaign {campaign_id}") as view:
        detail = get_campaign(view, campaign_id, money=False)
        accounts = campaign_accounts(_campaign_of(detail))
    open_case(gate.audit, principal, reference, basis_kind=basis_kind, basis_ref=basis_ref,
              authorising_officer=authorising_officer, purpose=title, days=days)
    with gate.session(principal, reference, title) as case:
        subjects = list(detail.complaint_entities) + _account_entities(case, accounts)
        for entity_id in dict.fromkeys(subjects):
            case.attach_subject(entity_id, note=f"campaign {campaign_id}")
    return reference


def _campaign_of(detail: CampaignDetail) -> Campaign:
    values = {kind: dict(pairs) for kind, pairs in detail.values.items()}
    return Campaign(detail.summary.id, (), (), None, None, {}, 0.0, values, (), detail.hubs)


def attach_hit_to_case(gate: Gate, principal: Principal, hit_accounts: list[str] | tuple[str, ...], case_ref: str,
                       *, purpose: str = "attach a transaction-network alert's accounts") -> list[str]:
    """Attach the BankAccount entities of a hit's IBANs to the case as subjects, so the case's link
    graph shows the subgraph; returns the entity ids attached."""
    with gate.session(principal, case_ref, purpose) as case:
        found = _account_entities(case, list(hit_accounts))
        for entity_id in found:
            case.attach_subject(entity_id, note="transaction-network alert")
    return found
