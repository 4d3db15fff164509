"""Financial-crime network routes: the scam campaigns found by clustering cybercrime complaints on
the identifiers they share, and turning a campaign or a transaction-network alert into case work.

    GET  /api/networks/campaigns                 campaigns, paginated (district filter, sort)
    GET  /api/networks/campaigns/{id}            one campaign: timeline, districts, values, money
    POST /api/networks/campaigns/{id}/case       open a case from it (supervisors; legal basis required)
    POST /api/networks/alerts/{alert_id}/case    attach a network alert's accounts to a case

Every read goes through the gate (`tahqiq.networks.service` reads inside a view's decided block,
which writes the audit entry): a campaign names complaints and the phones and accounts victims
gave, so it is personal data, readable by analysts and supervisors, never by auditors or admins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from tahqiq.alerts import AlertView
from tahqiq.api import deps, routes_alerts
from tahqiq.api.models import BAD_INPUT, DENIED, NOT_FOUND, SIGNED_IN, Offset, RowId, aware_model
from tahqiq.govern import ANALYST, SUPERVISOR, AccessDenied, GovernError, JobView, Principal
from tahqiq.govern.cases import open_case as open_new_case
from tahqiq.networks import service
from tahqiq.networks.campaign_money import LinkedMoney
from tahqiq.networks.hits import rupees

T = TypeVar("T")
router = APIRouter(prefix="/api/networks", tags=["networks"], dependencies=SIGNED_IN, responses=DENIED)

READERS = (ANALYST, SUPERVISOR)
RULE_PREFIX = "networks."
PURPOSE = "financial-crime networks: scam campaigns"
REFUSAL = "campaigns name complaints and the accounts victims paid: only analysts and supervisors read them"
CampaignSort = Literal["complaints", "recent", "total_lost"]
CampaignId = Annotated[str, Path(min_length=3, max_length=32, pattern=r"^[A-Za-z0-9_-]+$",
                                 description="a campaign's id (CMP-...)")]
District = Annotated[str | None, Query(max_length=100, description="only campaigns with complaints from here")]


# --- answers ----------------------------------------------------------------------------------------

class ValueCount(BaseModel):
    kind: str = Field(description="phone, iban, wallet, domain or device")
    value: str
    complaints: int = Field(description="how many of the campaign's complaints name it")


class CampaignOut(BaseModel):
    id: str
    complaints: int
    first_time: datetime | None
    last_time: datetime | None
    districts: dict[str, int] = Field(description="district -> complaints from there")
    total_lost: float = Field(description="PKR the complainants reported lost")
    total_lost_text: str = Field(description="the same in South-Asian grouping (3,41,000)")
    phones: int
    ibans: int
    wallets: int
    domains: int
    devices: int
    top_values: list[ValueCount]

    @classmethod
    def of(cls, s: service.CampaignSummary) -> CampaignOut:
        return cls(id=s.id, complaints=s.complaints, first_time=s.first_time, last_time=s.last_time,
                   districts=dict(s.districts), total_lost=s.total_lost, total_lost_text=rupees(s.total_lost),
                   phones=s.phones, ibans=s.ibans, wallets=s.wallets, domains=s.domains, devices=s.devices,
                   top_values=[ValueCount(kind=k, value=v, complaints=n) for k, v, n in s.top_values])


class CampaignPageOut(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[CampaignOut]
    run_at: datetime | None = Field(description="when the complaints were last clustered")


class Reported(BaseModel):
    reported_at: datetime
    complaint: str = Field(description="the complaint's number")


class Joined(BaseModel):
    value: str = Field(description="the identifier two or more complaints share")
    complaints: list[str]


class TransferOut(BaseModel):
    tx_id: str
    time: datetime
    payer: str | None = Field(description="None: a cash deposit")
    payee: str | None = Field(description="None: a cash withdrawal")
    amount: float
    amount_text: str
    channel: str


class MuleOut(BaseModel):
    iban: str
    received: float
    received_text: str
    transfers: int
    first_time: datetime
    from_accounts: list[str]


class MoneyOut(BaseModel):
    accounts: list[str]
    transactions: list[TransferOut]
    total_in: float
    total_out: float
    mules: list[MuleOut] = Field(description="accounts the campaign's accounts paid soon after money arrived: "
                                             "candidates to look at, not findings")

    @classmethod
    def of(cls, m: LinkedMoney) -> MoneyOut:
        return cls(accounts=list(m.accounts), total_in=m.total_in, total_out=m.total_out,
                   transactions=[TransferOut(tx_id=t.tx_id, time=_utc(t.ts), payer=t.payer, payee=t.payee,
                                             amount=t.amount, amount_text=rupees(t.amount), channel=t.channel)
                                 for t in m.transactions],
                   mules=[MuleOut(iban=c.iban, received=c.received, received_text=rupees(c.received),
                                  transfers=c.transfers, first_time=_utc(c.first_ts),
                                  from_accounts=list(c.from_accounts))
                          for c in m.mules])


class CampaignDetailOut(BaseModel):
    summary: CampaignOut
    timeline: list[Reported]
    values: dict[str, list[ValueCount]] = Field(description="kind -> the values of that kind, most named first")
    links: list[Joined] = Field(description="why complaints are joined: the values they share")
    hubs: dict[str, int] = Field(description="values named by too many complaints to join them (left out)")
    complaint_entities: list[str]
    money: MoneyOut | None

    @classmethod
    def of(cls, d: service.CampaignDetail) -> CampaignDetailOut:
        return cls(summary=CampaignOut.of(d.summary),
                   timeline=[Reported(reported_at=t, complaint=n) for t, n in d.timeline],
                   values={k: [ValueCount(kind=k, value=v, complaints=n) for v, n in vs] for k, vs in d.values.items()},
                   links=[Joined(value=v, complaints=list(cs)) for v, cs in d.links], hubs=dict(d.hubs),
                   complaint_entities=list(d.complaint_entities),
                   money=MoneyOut.of(d.money) if d.money is not None else None)


class OpenCaseIn(BaseModel):
    reference: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{2,63}$",
                           description="the new case's reference")
    basis_kind: Literal["fir", "warrant"] = Field(description="the legal basis: an FIR or a warrant")
    basis_ref: str = Field(min_length=3, max_length=200, description="the FIR number or warrant reference")
    authorising_officer: str = Field(min_length=3, max_length=200)
    purpose: str = Field(min_length=5, max_length=500)
    days: int = Field(90, ge=1, le=366, description="the case expires after this many days")


class CaseOpened(BaseModel):
    reference: str
    campaign: str


class AttachIn(BaseModel):
    case: str = Field(min_length=3, max_length=64, description="the case (you must be a member)")


class Attached(BaseModel):
    case: str
    entities: list[str] = Field(description="the entity ids attached as the case's subjects")


def _utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


# --- the gate ----------------------------------------------------------------------------------------

@contextmanager
def campaign_view(request: Request, who: Principal) -> Iterator[JobView]:
    """A view for reading campaigns (no case: a campaign is what may lead to one)."""
    with deps.gate(request).scope(who, PURPOSE, roles=READERS, system=False, refusal=REFUSAL) as view:
        yield view


def call(fn: Callable[[], T]) -> T:
    """Run `fn`; the gate's refusal is a 403 (audited), an unknown campaign or alert 404, bad input 400."""
    try:
        return fn()
    except AccessDenied as exc:
        raise deps.CaseDenied(exc.reason, exc.audit_seq) from None
    except service.CampaignNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except (GovernError, ValueError) as exc:
        status = 404 if str(exc).startswith(("no alert", "no campaign", "no case")) else 400
        raise HTTPException(status, str(exc)) from None


def campaigns_page(request: Request, who: Principal, *, offset: int, limit: int, district: str | None,
                   sort: str) -> service.CampaignPage:
    def run() -> service.CampaignPage:
        with campaign_view(request, who) as view:
            return service.list_campaigns(view, offset=offset, limit=limit, district=district or None, sort=sort)
    return call(run)


def campaign_detail(request: Request, who: Principal, campaign_id: str) -> service.CampaignDetail:
    def run() -> service.CampaignDetail:
        with campaign_view(request, who) as view:
            return service.get_campaign(view, campaign_id)
    return call(run)


def open_campaign_case(request: Request, who: Principal, campaign_id: str, body: OpenCaseIn) -> str:
    return call(lambda: service.open_case_from_campaign(
        deps.gate(request), who, campaign_id, reference=body.reference, title=body.purpose,
        basis_kind=body.basis_kind, basis_ref=body.basis_ref, authorising_officer=body.authorising_officer,
        open_case=open_new_case, days=body.days))


def network_alert(request: Request, who: Principal, alert_id: int) -> AlertView:
    """A transaction-network alert as the alert desk shows it to `who` (routed to them; audited)."""
    alert = call(lambda: routes_alerts.desk(request).get(who, alert_id))
    if not alert.rule_id.startswith(RULE_PREFIX):
        raise HTTPException(404, f"no transaction-network alert {alert_id} (it is a {alert.rule_id} alert)")
    return alert


def network_evidence(alert: AlertView) -> dict[str, Any]:
    """The hit inside a network alert's evidence (tahqiq.alerts.network_alerts writes it under "network")."""
    ev = alert.evidence or {}
    inner = ev.get("network")
    return inner if isinstance(inner, dict) else ev


def attach_alert_accounts(request: Request, who: Principal, alert_id: int, case_ref: str) -> list[str]:
    """The alert's accounts attached to `case_ref` as subjects (the gate decides membership)."""
    accounts = [str(a) for a in network_evidence(network_alert(request, who, alert_id)).get("accounts") or []]
    return call(lambda: service.attach_hit_to_case(deps.gate(request), who, accounts, case_ref,
                                                   purpose=f"alert {alert_id}: attach its accounts"))


# --- routes --------------------------------------------------------------------------------------------

@router.get("/campaigns", response_model=aware_model(CampaignPageOut), responses=BAD_INPUT)
def list_campaigns(request: Request, who: Principal = Depends(deps.principal), offset: Offset = 0,
                   limit: Annotated[int, Query(ge=1, le=200)] = 25, district: District = None,
                   sort: Annotated[CampaignSort, Query(description="complaints (most first), recent (newest "
                                                                   "complaint first) or total_lost (most PKR "
                                                                   "first)")]
                   = "complaints") -> CampaignPageOut:
    """The scam campaigns of the latest clustering: complaints that share a phone, account, wallet,
    domain or device, largest first."""
    found = campaigns_page(request, who, offset=offset, limit=limit, district=district, sort=sort)
    return CampaignPageOut(total=found.total, offset=found.offset, limit=found.limit,
                           items=[CampaignOut.of(s) for s in found.items], run_at=found.run_at)


@router.get("/campaigns/{campaign_id}", response_model=aware_model(CampaignDetailOut),
            responses={**BAD_INPUT, **NOT_FOUND})
def get_campaign(request: Request, campaign_id: CampaignId, who: Principal = Depends(deps.principal)) \
        -> CampaignDetailOut:
    """One campaign: its complaints in time order, the districts, every identifier with how many
    complaints name it, why complaints are joined, and the money through its accounts."""
    return CampaignDetailOut.of(campaign_detail(request, who, campaign_id))


@router.post("/campaigns/{campaign_id}/case", status_code=201, response_model=CaseOpened,
             responses={**BAD_INPUT, **NOT_FOUND})
def open_case(request: Request, campaign_id: CampaignId, body: OpenCaseIn,
              who: Principal = Depends(deps.principal)) -> CaseOpened:
    """Open a case from the campaign (supervisors: a case needs its legal basis); its complaints and
    bank accounts become the case's subjects."""
    ref = open_campaign_case(request, who, campaign_id, body)
    return CaseOpened(reference=ref, campaign=campaign_id)


@router.post("/alerts/{alert_id}/case", response_model=Attached, responses={**BAD_INPUT, **NOT_FOUND})
def attach_alert(request: Request, alert_id: RowId, body: AttachIn, who: Principal = Depends(deps.principal)) \
        -> Attached:
    """Attach a transaction-network alert's accounts to a case you work on, so that the case's link
    chart shows the subgraph."""
    return Attached(case=body.case, entities=attach_alert_accounts(request, who, alert_id, body.case))


__all__ = ["RULE_PREFIX", "Attached", "CampaignDetailOut", "CampaignOut", "CampaignPageOut", "MoneyOut", "OpenCaseIn",
           "attach_alert_accounts", "call", "campaign_detail", "campaign_view", "campaigns_page", "network_alert",
           "network_evidence", "open_campaign_case", "router"]
