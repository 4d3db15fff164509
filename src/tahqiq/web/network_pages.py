"""Pages for financial-crime networks: scam campaigns (complaints joined by the phones, accounts,
wallets, domains and devices they share) and the subgraph of a transaction-network alert.

    GET  /networks                                the campaigns (district filter, sort, pages)
    GET  /networks/campaigns/{id}                 one campaign: weeks, districts, values, money, joins
    POST /networks/campaigns/{id}/case            htmx: open a case from it (a supervisor; legal basis)
    GET  /networks/alerts/{alert_id}              a network alert's accounts and transactions as a graph
    POST /networks/alerts/{alert_id}/case         htmx: attach the alert's accounts to a case

Each page calls the same functions as /api/networks (tahqiq.api.routes_networks), so a page and its
API twin are decided and audited alike. Times are shown in the reader's zone with its name.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from tahqiq.alerts import AlertView
from tahqiq.api import deps, routes_networks
from tahqiq.api.models import RowId, refuse_nul
from tahqiq.api.routes_networks import OpenCaseIn
from tahqiq.config import local_zone
from tahqiq.govern import SUPERVISOR, Principal, list_cases
from tahqiq.networks.hits import rupees
from tahqiq.networks.service import SORTS
from tahqiq.web import alert_text, local_time
from tahqiq.web.i18n import N_
from tahqiq.web.i18n import gettext as _
from tahqiq.web.render import MAX_PAGE, denial, error, page, speak

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul)])
PER_PAGE = 20
KIND_LABELS = {"phone": N_("Phones"), "iban": N_("Bank accounts"), "wallet": N_("Mobile wallets"),
               "domain": N_("Web domains"), "device": N_("Devices")}
KIND_SINGULAR = {"phone": N_("Phone"), "iban": N_("Bank account"), "wallet": N_("Mobile wallet"),
                 "domain": N_("Web domain"), "device": N_("Device")}
SORT_LABELS = {"complaints": N_("Most complaints"), "recent": N_("Most recent"), "total_lost": N_("Most money lost")}
# The facts a typology hit carries (networks.detectors), named as an analyst reads them; a scorer's
# behaviour features fall back to their words.
FEATURE_LABELS = {
    "accounts": N_("accounts"), "transactions": N_("transfers"), "total_pkr": N_("total (PKR)"),
    "span_hours": N_("hours from first to last transfer"), "counterparties": N_("counterparties"),
    "new_counterparty_share": N_("share of counterparties never paid before"),
    "burst_share": N_("share of the account's traffic in this burst"), "payers_in": N_("accounts paying in"),
    "payees_out": N_("accounts paid out"), "pass_through_ratio": N_("share passed on"),
    "intermediaries": N_("intermediary accounts"), "cycle_length": N_("accounts in the cycle"),
    "amount_retention": N_("share of the amount kept moving"), "common_payees": N_("payees in common"),
    "onward_share": N_("share sent on"), "size_vs_usual": N_("payments against the account's usual size"),
    "counterparty_size_vs_usual": N_("payments against the payers' usual size"), "hops": N_("hops"),
}
TYPOLOGY_LABELS = {"fan_out": N_("Fan-out"), "fan_in": N_("Fan-in"), "cycle": N_("Cycle"),
                   "scatter_gather": N_("Scatter-gather"), "gather_scatter": N_("Gather-scatter"),
                   "bipartite": N_("Bipartite"), "stack": N_("Stack"), "random": N_("Chain of hops"),
                   "account_behaviour": N_("Account behaviour")}


def zone_note() -> str:
    """The reader's zone with its offset ("PKT, Asia/Karachi, UTC+05:00"), for headings."""
    now = datetime.now(local_zone())
    offset = now.strftime("%z")
    return f"{now.tzname()}, {local_zone()}, UTC{offset[:3]}:{offset[3:]}"


def iso_local(value: datetime | None) -> str:
    """A time in the reader's zone with its offset, for a tooltip (2026-03-01T15:00:00+05:00)."""
    return "" if value is None else local_time(value).isoformat(timespec="seconds")


def short_account(iban: str | None) -> str:
    """An IBAN as a chart label: its country and bank, then its last four digits (PK36SCBL…1234)."""
    if not iban:
        return _("cash")
    return iban if len(iban) <= 14 else f"{iban[:8]}…{iban[-4:]}"


def weeks(timeline: list[tuple[datetime, str]]) -> list[dict[str, Any]]:
    """Complaints per local week (Monday first), every week between the first and last shown, so
    that a quiet week is a gap in the chart, not a missing bar."""
    if not timeline:
        return []
    starts = [(local_time(t) - timedelta(days=local_time(t).weekday())).date() for t, _n in timeline]
    counts = Counter(starts)
    first, last = min(starts), max(starts)
    spans = (last - first).days // 7 + 1
    if spans > 104:  # past two years, a list by week would be a wall: show only the weeks with complaints
        days = sorted(counts)
    else:
        days = [first + timedelta(weeks=i) for i in range(spans)]
    top = max(counts.values())
    return [{"week": d.isoformat(), "count": counts.get(d, 0), "share": counts.get(d, 0) / top} for d in days]


def _query(district: str | None, sort: str, per_page: int) -> str:
    pairs = [(k, v) for k, v in (("district", district), ("sort", sort)) if v]
    return urlencode(pairs + ([("per_page", str(per_page))] if per_page != PER_PAGE else []))


def _refused(request: Request, who: Principal, exc: HTTPException, back: str) -> Response:
    if isinstance(exc, deps.CaseDenied):
        return denial(request, who, exc.reason, audit_seq=exc.audit_seq)
    speak(request)
    return error(request, who, str(exc.detail), status_code=exc.status_code, back=back,
                 title=_("Not found") if exc.status_code == 404 else None)


@router.get("/networks")
def campaigns(request: Request, who: Principal = Depends(deps.page_principal)) -> Response:
    q = request.query_params
    district = (q.get("district") or "").strip()[:100] or None
    sort = str(q.get("sort")) if q.get("sort") in SORTS else "complaints"
    try:
        number = min(MAX_PAGE, max(1, int(q.get("page") or 1)))
        per_page = min(100, max(1, int(q.get("per_page") or PER_PAGE)))
    except ValueError:
        number, per_page = 1, PER_PAGE
    try:
        found = routes_networks.campaigns_page(request, who, offset=(number - 1) * per_page, limit=per_page,
                                               district=district, sort=sort)
    except HTTPException as exc:
        return _refused(request, who, exc, "/")
    pages = max(1, -(-found.total // per_page))
    seen = sorted({d for c in found.items for d in c.districts} | ({district} if district else set()))
    return page(request, "campaigns.html", who, nav="networks", found=found, number=number, pages=pages,
                district=district, sort=sort, sorts=SORT_LABELS, districts=seen, query=_query(district, sort, per_page),
                rupees=rupees, zone_note=zone_note(), iso_local=iso_local, kind_labels=KIND_LABELS)


@router.get("/networks/campaigns/{campaign_id}")
def campaign(request: Request, campaign_id: str, who: Principal = Depends(deps.page_principal)) -> Response:
    if len(campaign_id) > 32:
        return error(request, who, _("No such campaign."), status_code=404, back="/networks")
    try:
        detail = routes_networks.campaign_detail(request, who, campaign_id)
    except HTTPException as exc:
        return _refused(request, who, exc, "/networks")
    money = detail.money
    return page(request, "campaign.html", who, nav="networks", c=detail.summary, d=detail,
                weeks=weeks(detail.timeline), money=money, rupees=rupees, zone_note=zone_note(),
                iso_local=iso_local, kind_labels=KIND_LABELS, kind_singular=KIND_SINGULAR,
                may_open=who.role == SUPERVISOR, at=_at,
                kind_of={v: k for k, vs in detail.values.items() for v, _n in vs})


def _problem_of(exc: ValidationError) -> str:
    fields = {"reference": _("the case reference (3-64 letters, digits, '.', '_', '/' or '-')"),
              "basis_kind": _("the kind of legal basis (FIR or warrant)"),
              "basis_ref": _("the FIR number or warrant reference"),
              "authorising_officer": _("the authorising officer"), "purpose": _("the purpose (5 characters or more)"),
              "days": _("how many days the case runs (1 to 366)")}
    wrong = [fields.get(str(e["loc"][0]), str(e["loc"][0])) for e in exc.errors() if e.get("loc")]
    return _("Please give %(fields)s.") % {"fields": ", ".join(dict.fromkeys(wrong))}


@router.post("/networks/campaigns/{campaign_id}/case", dependencies=[Depends(deps.csrf_check)])
def open_case(request: Request, campaign_id: str, reference: str = Form(""), basis_kind: str = Form(""),
              basis_ref: str = Form(""), authorising_officer: str = Form(""), purpose: str = Form(""),
              days: str = Form("90"), who: Principal = Depends(deps.page_principal)) -> Response:
    """htmx: open a case from the campaign; the answer says what happened (the case's link, or why not)."""
    speak(request)
    outcome: dict[str, Any] = {"campaign_id": campaign_id}
    try:
        body = OpenCaseIn(reference=reference.strip(), basis_kind=basis_kind, basis_ref=basis_ref.strip(),  # type: ignore[arg-type]
                          authorising_officer=authorising_officer.strip(), purpose=purpose.strip(),
                          days=int(days) if days.strip().isdigit() else 0)
        outcome["opened"] = routes_networks.open_campaign_case(request, who, campaign_id, body)
    except ValidationError as exc:
        outcome["problem"] = _problem_of(exc)
    except HTTPException as exc:
        # A refusal (403) or an unknown campaign (404) keeps its status: the page shows it as an alert.
        outcome["problem"] = exc.reason if isinstance(exc, deps.CaseDenied) else str(exc.detail)
        outcome["audit_seq"] = getattr(exc, "audit_seq", None)
        outcome["status"] = exc.status_code
    status = outcome.pop("status", 422) if "problem" in outcome else 201
    return page(request, "partials/network_case_result.html", who, status_code=status, **outcome)


def subgraph(alert: AlertView) -> dict[str, Any]:
    """A network alert's evidence as the page draws it: accounts, transfers with local times and
    amounts in PKR, the named facts, and cytoscape elements (accounts as nodes, transfers as edges)."""
    ev = routes_networks.network_evidence(alert)
    accounts = [str(a.get("iban") if isinstance(a, dict) else a) for a in ev.get("accounts") or []]
    transfers: list[dict[str, Any]] = []
    for t in ev.get("transactions") or []:
        if not isinstance(t, dict):
            continue
        when_ = t.get("ts", t.get("time", t.get("occurred_at")))
        at = datetime.fromtimestamp(int(when_), local_zone()) if isinstance(when_, int | float) else (
            datetime.fromisoformat(str(when_).replace("Z", "+00:00")) if when_ else None)
        amount = float(t.get("amount") or 0.0)
        transfers.append({"tx_id": str(t.get("tx_id") or t.get("id") or ""), "at": at, "payer": t.get("payer"),
                          "payee": t.get("payee"), "amount": amount, "amount_text": rupees(amount),
                          "channel": t.get("channel") or ""})
    centre = accounts[0] if accounts else None
    nodes = {a: {"id": a, "label": short_account(a), "centre": a == centre} for a in accounts}
    edges = []
    for i, t in enumerate(transfers):
        for end in ("payer", "payee"):
            key = t[end] or f"cash-{end}-{i}"
            nodes.setdefault(key, {"id": key, "label": short_account(t[end]), "centre": False})
        edges.append({"id": f"e{i}", "source": t["payer"] or f"cash-payer-{i}",
                      "target": t["payee"] or f"cash-payee-{i}", "label": f"{t['amount_text']} PKR"})
    elements = [{"data": n} for n in nodes.values()] + [{"data": e} for e in edges]
    features = ev.get("features") or {}
    typology = alert.rule_id.removeprefix(routes_networks.RULE_PREFIX)
    return {"accounts": accounts, "transfers": transfers, "elements": elements,
            "features": [(_(FEATURE_LABELS[k]) if k in FEATURE_LABELS else str(k).replace("_", " "), v)
                         for k, v in features.items()],
            "reason": ev.get("reason") or "", "source": ev.get("source") or "",
            "typology": _(TYPOLOGY_LABELS[typology]) if typology in TYPOLOGY_LABELS else typology.replace("_", " "),
            "total": rupees(float(ev.get("total") or sum(t["amount"] for t in transfers))),
            "count": int(ev.get("n_transactions") or len(transfers)),
            "first": _at(ev.get("first_ts")), "last": _at(ev.get("last_ts"))}


def _at(epoch: object) -> datetime | None:
    return datetime.fromtimestamp(epoch, local_zone()) if isinstance(epoch, int | float) else None


def _member_cases(request: Request, who: Principal) -> list[str]:
    return [c.reference for c in list_cases(deps.gate(request).engine, who)
            if who.username in c.members and c.is_active()]


@router.get("/networks/alerts/{alert_id}")
def alert_subgraph(request: Request, alert_id: RowId, who: Principal = Depends(deps.page_principal)) -> Response:
    speak(request)  # the subgraph's labels are translated before the template renders
    try:
        alert = routes_networks.network_alert(request, who, alert_id)
    except HTTPException as exc:
        return _refused(request, who, exc, "/control-room")
    return page(request, "network_alert.html", who, nav="control", alert=alert, net=subgraph(alert),
                cases=_member_cases(request, who), zone_note=zone_note(), iso_local=iso_local, text=alert_text)


@router.post("/networks/alerts/{alert_id}/case", dependencies=[Depends(deps.csrf_check)])
def attach_to_case(request: Request, alert_id: RowId, case: str = Form(""),
                   who: Principal = Depends(deps.page_principal)) -> Response:
    """htmx: the alert's accounts become subjects of the chosen case; the answer says how many."""
    speak(request)
    outcome: dict[str, Any] = {"case": case.strip()}
    if not outcome["case"]:
        outcome["problem"] = _("Choose a case.")
    else:
        try:
            outcome["attached"] = routes_networks.attach_alert_accounts(request, who, alert_id, outcome["case"])
        except HTTPException as exc:
            outcome["problem"] = exc.reason if isinstance(exc, deps.CaseDenied) else str(exc.detail)
            outcome["status"] = exc.status_code
    status = outcome.pop("status", 422) if "problem" in outcome else 200
    return page(request, "partials/network_attach_result.html", who, status_code=status, **outcome)


__all__ = ["router", "subgraph", "weeks", "zone_note"]
