"""Financial-crime networks: `tahqiq networks detect|train|campaigns|explain` and `tahqiq eval networks`.

`detect` and `campaigns` read the store in bulk through the gate as the scheduled job (SYSTEM), or
as `--user` (a supervisor) when given; each bulk read is one audit entry. Hits become alerts on the
desk (rule ids `networks.<typology>`), where a person acknowledges and verifies them before any action.
Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UsageError, UserOpt, err, gated, out

if TYPE_CHECKING:
    from tahqiq.govern import Principal
    from tahqiq.networks import CampaignSummary, Hit

LOCAL = ZoneInfo("Asia/Karachi")
networks_app = typer.Typer(help="Laundering typologies, mule rings and scam campaigns (evidence for review).",
                           no_args_is_help=True)


def local(ts: int | datetime | None) -> str:
    """A time as analysts read it: Pakistan time, with the zone."""
    if ts is None:
        return ""
    at = datetime.fromtimestamp(ts, UTC) if isinstance(ts, int) else ts
    return at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M %Z")


def _period(first: int, last: int) -> str:
    return f"{local(first)} → {local(last)}"


def _who(ctx: GateContext, user: str | None) -> Principal:
    import os

    from tahqiq.govern import SYSTEM

    return ctx.login(user) if (user or os.environ.get("TAHQIQ_TOKEN")) else SYSTEM


def hits_table(hits: list[Hit], limit: int = 50) -> Table:
    from tahqiq.networks import rupees

    table = Table("typology", "accounts", "total PKR", "period", "reason", title=f"{len(hits):,} hits")
    for h in hits[:limit]:
        table.add_row(h.typology, f"{len(h.accounts)}", rupees(h.total), _period(h.first_ts, h.last_ts), h.reason)
    if len(hits) > limit:
        table.caption = f"first {limit} shown"
    return table


@networks_app.command("detect")
@gated()
def detect_cmd(ctx: GateContext,
               alert: Annotated[bool, typer.Option("--alert/--no-alert", help="write the hits as desk alerts")] = True,
               scorer: Annotated[Path | None, typer.Option(help="a scorer saved by `tahqiq networks train`")] = None,
               user: UserOpt = None) -> None:
    """Find laundering typologies in the store's transactions (one audited bulk read)."""
    from tahqiq.alerts import write_hit_alerts
    from tahqiq.networks import Scorer, detect_in_store

    if scorer is not None and not scorer.exists():
        raise UsageError(f"{scorer}: no such scorer file")
    model = Scorer.load(scorer) if scorer is not None else None
    with ctx.gate.scope(_who(ctx, user), "transaction-network detection job") as job:
        run = detect_in_store(job, scorer=model, progress=True)
        new = write_hit_alerts(job, run.hits, run.hit_transactions) if alert else 0
    out.print(hits_table(run.hits))
    out.print(f"{run.transactions:,} transactions, {run.accounts:,} accounts, {len(run.hits):,} hits in "
              f"{run.seconds:.1f} s" + (f"; {new:,} new alerts" if alert else "") +
              (f"; {run.scorer}" if run.scorer else ""), highlight=False)


@networks_app.command("train")
def train_cmd(directory: Annotated[Path, typer.Argument(help="a bank directory from `tahqiq generate bank`")],
              out_path: Annotated[Path, typer.Option("--out", help="where to save the scorer (JSON)")],
              seed: Annotated[int, typer.Option(help="LightGBM seed")] = 13) -> None:
    """Train the behaviour scorer on a generated bank directory (its truth/laundering.csv)."""
    import pandas as pd

    from tahqiq.networks import load_dir, train

    truth = directory / "truth" / "laundering.csv"
    if not truth.exists():
        err.print(f"[bold red]error:[/] {truth}: no ground truth to train on")
        raise typer.Exit(2)
    with err.now().status("training the scorer"):
        scorer = train(load_dir(directory), pd.read_csv(truth, dtype=str), seed=seed)
    scorer.save(out_path)
    out.print(f"saved {out_path}: {len(scorer.features)} behaviour features, threshold {scorer.threshold:.3f}, "
              f"validation {scorer.facts.get('validation')}", highlight=False)


def campaigns_table(items: list[CampaignSummary], total: int, offset: int) -> Table:
    from tahqiq.networks import rupees

    table = Table("campaign", "complaints", "lost PKR", "first", "last", "districts", "joined by",
                  title=f"campaigns {offset + 1}-{offset + len(items)} of {total:,}")
    for c in items:
        districts = ", ".join(f"{d} {n}" for d, n in sorted(c.districts.items(), key=lambda kv: -kv[1])[:3])
        joined = "; ".join(f"{kind} {value} ({n})" for kind, value, n in c.top_values[:2])
        table.add_row(c.id, f"{c.complaints:,}", rupees(c.total_lost), local(c.first_time), local(c.last_time),
                      districts, joined)
    return table


@networks_app.command("campaigns")
@gated()
def campaigns_cmd(ctx: GateContext, offset: Annotated[int, typer.Option(min=0)] = 0,
                  limit: Annotated[int, typer.Option(min=1, max=200)] = 25,
                  recluster: Annotated[bool, typer.Option("--cluster/--no-cluster",
                                                          help="cluster the complaints again first")] = True,
                  user: UserOpt = None) -> None:
    """Cluster complaints into scam campaigns (stored) and list them, largest first."""
    from tahqiq.networks import cluster_in_store, list_campaigns

    with ctx.gate.scope(_who(ctx, user), "scam campaign clustering") as job:
        if recluster:
            run = cluster_in_store(job, progress=True)
            err.print(f"{run.complaints:,} complaints → {run.campaigns:,} campaigns ({run.linked:,} complaints) "
                      f"in {run.seconds:.1f} s", highlight=False)
        page = list_campaigns(job, offset=offset, limit=limit)
    out.print(campaigns_table(page.items, page.total, offset))


def _print_network(evidence: dict[str, Any]) -> None:
    from tahqiq.networks import rupees

    net = evidence.get("network") or {}
    out.print(f"[bold]{net.get('typology')}[/] ({net.get('source')}, score {net.get('score')}): {net.get('reason')}")
    out.print(f"period {_period(int(net.get('first_ts', 0)), int(net.get('last_ts', 0)))}; total "
              f"{rupees(float(net.get('total', 0)))} PKR; accounts: {', '.join(net.get('accounts', []))}",
              highlight=False)
    facts = Table("fact", "value", title="what made it")
    for k, v in (net.get("features") or {}).items():
        facts.add_row(k.replace("_", " "), f"{v:g}" if isinstance(v, int | float) else str(v))
    out.print(facts)
    moves = Table("transaction", "time", "from", "to", "PKR", "channel",
                  title=f"{net.get('n_transactions', 0)} transactions")
    for t in net.get("transactions", []):
        moves.add_row(t.get("tx_id", ""), local(t.get("ts")), t.get("payer") or "(cash)", t.get("payee") or "(cash)",
                      rupees(float(t.get("amount", 0))), t.get("channel") or "")
    out.print(moves)


@networks_app.command("explain")
@gated(sign=False)
def explain_cmd(ctx: GateContext, alert_id: Annotated[int | None, typer.Argument(help="a networks alert id")] = None,
                campaign: Annotated[str | None, typer.Option("--campaign", help="a campaign id (CMP-...)")] = None,
                user: UserOpt = None) -> None:
    """The subgraph and facts of one hit (by alert id) or one campaign."""
    from tahqiq.alerts import AlertDesk, is_network_rule
    from tahqiq.networks import get_campaign, rupees

    if (alert_id is None) == (campaign is None):
        raise UsageError("give an alert id or --campaign ID (one of them)")
    me = ctx.login(user)
    if alert_id is not None:
        view = AlertDesk(ctx.gate).get(me, alert_id)
        if not is_network_rule(view.rule_id):
            raise UsageError(f"alert {alert_id} is a {view.rule_id} alert; see `tahqiq alerts show {alert_id}`")
        out.print(f"alert {view.id} [{view.severity}] {view.title} — {view.status}")
        _print_network(view.evidence)
        return
    assert campaign is not None
    with ctx.gate.scope(me, "review a scam campaign") as job:
        d = get_campaign(job, campaign)
    out.print(campaigns_table([d.summary], 1, 0))
    for value, complaints in d.links[:10]:
        out.print(f"  {value} joins {len(complaints)} complaints: {', '.join(complaints[:8])}", highlight=False)
    if d.hubs:
        out.print(f"  hubs named (not joining): {', '.join(d.hubs)}", highlight=False)
    if d.money is not None:
        out.print(f"  money: {rupees(d.money.total_in)} PKR in, {rupees(d.money.total_out)} PKR out over "
                  f"{len(d.money.transactions)} transactions; candidate mules: "
                  f"{', '.join(m.iban for m in d.money.mules[:5]) or 'none'}", highlight=False)


def eval_networks(directory: Annotated[Path, typer.Argument(help="a bank or world directory with truth/")]) -> None:
    """Detection against the generator's ground truth on the held-out last 20% of the period; the last
    line is `F1 <value>`: transaction F1 of the shipped system (typology detectors + scorer)."""
    from tahqiq.networks import evaluate, render

    try:
        result = evaluate(directory, progress=True)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    render(result, out.now())
    out.print(f"F1 {result.systems[-1].tx_f1:.4f}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(networks_app, name="networks")


__all__ = ["register", "eval_networks", "hits_table", "campaigns_table", "local"]
