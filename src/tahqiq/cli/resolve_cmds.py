"""Resolution commands: run it, read why records were linked, review uncertain pairs, decide, evaluate.

    tahqiq resolve -u supervisor                       # link everything ingested
    tahqiq resolve --incremental -u supervisor         # only records no run has placed yet
    tahqiq resolve explain ENTITY -c CASE -p PURPOSE   # the cluster and each link's per-field weights
    tahqiq resolve review -c CASE -p PURPOSE           # uncertain pairs, most likely first
    tahqiq resolve decide A B merge|split --reason ... -c CASE -p PURPOSE
    tahqiq eval resolve febrl3|febrl4|DIR              # accuracy against ground truth
    tahqiq eval names FILE.csv                         # name_similarity on labelled name pairs
"""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import CaseOpt, GateContext, PurposeOpt, UserOpt, err, gated, out

resolve_app = typer.Typer(help="Entity resolution: link records of the same person across sources.",
                          invoke_without_command=True, no_args_is_help=False)
eval_app = typer.Typer(help="Evaluate against ground truth.", no_args_is_help=True)


@resolve_app.callback()
def resolve_main(
    ctx: typer.Context,
    incremental: Annotated[bool, typer.Option(help="link only records no earlier run has placed")] = False,
    backend: Annotated[str, typer.Option(help="duckdb (embedded) or spark (local mode unless configured)")] = "duckdb",
    threshold: Annotated[float, typer.Option(help="match probability at which a pair joins a cluster")] = 0.9,
    user: UserOpt = None,
) -> None:
    """Link every person record in the store (train, score, cluster), obeying analysts' decisions."""
    if ctx.invoked_subcommand is None:
        _run(incremental=incremental, backend=backend, threshold=threshold, user=user)


@gated()
def _run(ctx: GateContext, incremental: bool, backend: str, threshold: float, user: str | None) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from tahqiq.resolve.store_run import NothingToResolve, run_resolution

    me = ctx.login(user)
    steps = ["read", "prepare", "train", "predict", "cluster"]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err.now()) as bar:
        task = bar.add_task("reading records through the gate", total=None)

        def step(name: str) -> None:
            nxt = steps[steps.index(name) + 1] if name in steps[:-1] else "saving"
            bar.update(task, description=f"{name} done; {nxt}…")

        try:
            report = run_resolution(ctx.engine, ctx.gate, me, incremental=incremental, backend=backend,
                                    threshold=threshold, step=step)
        except NothingToResolve as exc:
            err.print(f"[yellow]nothing to do:[/] {exc}")
            raise typer.Exit(0) from None
    t = Table(title=f"Resolution run {report.run_id} ({report.kind})", show_header=False)
    t.add_row("records", f"{report.records:,}" + (f" ({report.new_records:,} new)" if report.kind != "full" else ""))
    t.add_row("clusters", f"{report.clusters:,}")
    t.add_row("links kept", f"{report.links:,} ({report.review:,} for review)")
    t.add_row("merges refused by a wall", f"{report.walls_enforced:,} (different CNICs or an analyst's split)")
    t.add_row("cluster sizes", ", ".join(f"{k}: {v:,}" for k, v in report.sizes.items()))
    t.add_row("timings (s)", ", ".join(f"{k} {v}" for k, v in report.timings.items()))
    out.print(t)
    if report.large:
        out.print(f"[yellow]{len(report.large)} clusters are unusually large[/] (more records than one person "
                    f"plausibly has); review them: " + ", ".join(f"{c} ({n})" for c, n in report.large[:10]))


def _log2(log2_bayes_factor: float | None, bayes_factor: float | None) -> float:
    """A field's log2 Bayes factor; a stored None (JSON has no infinity) is +inf for an infinite
    factor (bayes_factor None too) and -inf for a factor of 0 (the field ruled the pair out)."""
    if log2_bayes_factor is not None:
        return log2_bayes_factor
    return math.inf if bayes_factor is None else -math.inf


def _bar(log2: float, scale: int = 3) -> str:
    if math.isinf(log2):
        return "∞"
    n = min(int(abs(log2) / scale * 4), 24)
    return ("[green]" + "█" * n + "[/]") if log2 >= 0 else ("[red]" + "█" * n + "[/]")


@resolve_app.command("explain")
@gated()
def explain_cmd(ctx: GateContext, entity: str, case: CaseOpt, purpose: PurposeOpt, user: UserOpt = None) -> None:
    """Which records ENTITY was resolved with, and the weight of evidence behind each link."""
    from tahqiq.resolve import resolved

    me = ctx.login(user)
    with ctx.gate.session(me, case, purpose) as view:
        res = resolved(view, entity)
    if res is None:
        raise LookupError(f"no entity {entity}")
    out.print(f"[bold]cluster {res.cluster_id}[/]: {len(res.members)} records")
    for m in res.members:
        facts = "  ".join(v for v in (m.first("name"), m.first("cnic"), m.first("birthDate")) if v)
        out.print(f"  {m.id}  {m.source:<22} {facts}")
    for link in res.links:
        # An analyst's decision is certain by fiat: it has no model weight to print.
        weight = "decided by an analyst" if link.match_weight is None else f"weight {link.match_weight:+.2f}"
        out.print(f"\n[bold]{link.left_id} ↔ {link.right_id}[/]  {weight}  "
                  f"probability {link.probability:.4f}  ({link.source}, {link.status})")
        for f in link.fields:
            log2 = _log2(f.log2_bayes_factor, f.bayes_factor)
            out.print(f"    {f.field:<12} {f.level:<52} {log2:+7.2f} {_bar(log2)}")


@resolve_app.command("review")
@gated()
def review_cmd(ctx: GateContext, case: CaseOpt, purpose: PurposeOpt,
               limit: Annotated[int, typer.Option(help="how many pairs")] = 20, user: UserOpt = None) -> None:
    """Uncertain pairs waiting for an analyst's decision, most likely match first."""
    from tahqiq.resolve import review_queue

    me = ctx.login(user)
    with ctx.gate.session(me, case, purpose) as view:
        pairs = review_queue(view, limit)
    if not pairs:
        out.print("the review queue is empty")
        return
    t = Table("left", "right", "probability", "evidence for / against")
    for p in pairs:
        pro = ", ".join(f.field for f in p.fields if _log2(f.log2_bayes_factor, f.bayes_factor) > 1)
        con = ", ".join(f.field for f in p.fields if _log2(f.log2_bayes_factor, f.bayes_factor) < -1)
        t.add_row(p.left_id, p.right_id, f"{p.probability:.3f}", f"+[{pro}] −[{con}]")
    out.print(t)


@resolve_app.command("decide")
@gated()
def decide_cmd(ctx: GateContext, left: str, right: str, decision: str, case: CaseOpt, purpose: PurposeOpt,
               reason: Annotated[str, typer.Option(help="why; kept with your name")] = "",
               user: UserOpt = None) -> None:
    """Merge or split two records; every later run obeys the newest decision on the pair."""
    from tahqiq.resolve import decide

    me = ctx.login(user)
    with ctx.gate.session(me, case, purpose) as view:
        did = decide(view, left, right, decision, reason)
    out.print(f"decision {did} recorded: {decision} {left} {right}; run `tahqiq resolve` to apply it")


@eval_app.command("resolve")
def eval_resolve(
    dataset: Annotated[str, typer.Argument(help="febrl3, febrl4, or a directory made by `tahqiq generate`")],
    baseline: Annotated[bool, typer.Option(help="also run off-the-shelf Splink (plain Jaro-Winkler names)")] = False,
    threshold: Annotated[float, typer.Option(help="match probability at which a pair links")] = 0.9,
    backend: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
) -> None:
    """Pairwise and cluster precision, recall and F1 against ground truth; the last line is `F1 <value>`."""
    from tahqiq.resolve.evaluate import evaluate

    try:
        result = evaluate(dataset, threshold=threshold, backend=backend, baseline=baseline, echo=out.print)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    out.print(f"F1 {result.f1:.4f}", highlight=False)


@eval_app.command("names")
def eval_names(
    path: Annotated[str, typer.Argument(help="CSV with name1,name2,is_match (optional schema, class, script)")],
    threshold: Annotated[float, typer.Option(help="score at which two names match (screening's default)")] = 0.8,
    errors: Annotated[int, typer.Option(help="how many of the worst-scored pairs to list")] = 10,
) -> None:
    """Precision, recall and F1 of name similarity at the default and the best threshold; the last
    line is `F1 <value>` at the default threshold."""
    from tahqiq.names.evaluate import evaluate_names, read_pairs

    try:
        result = evaluate_names(read_pairs(path), threshold=threshold)
    except (FileNotFoundError, ValueError) as exc:
        err.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(2) from None
    table = Table("threshold", "precision", "recall", "F1", "TP", "FP", "FN", "TN", title=f"{result.pairs} pairs")
    rows = (("default", result.threshold, result.at_default), ("best", result.best_threshold, result.at_best))
    for label, t, c in rows:
        table.add_row(f"{label} {t:.3f}", f"{c.precision:.4f}", f"{c.recall:.4f}", f"{c.f1:.4f}",
                      str(c.tp), str(c.fp), str(c.fn), str(c.tn))
    out.print(table)
    for column, values in result.by_group.items():
        groups = Table(column, "pairs", "precision", "recall", "F1", "errors")
        for value, c in values.items():
            groups.add_row(value, str(c.tp + c.fp + c.fn + c.tn), f"{c.precision:.3f}", f"{c.recall:.3f}",
                           f"{c.f1:.3f}", str(c.fp + c.fn))
        out.print(groups)
    for a, b, match, score in result.worst[:errors]:
        out.print(f"{'missed' if match else 'false match'} {score:.3f}: {a!r} / {b!r}", highlight=False)
    out.print(f"F1 {result.f1:.4f}", highlight=False)


def _eval_networks_command() -> None:
    from tahqiq.cli.networks_cmds import eval_networks

    eval_app.command("networks")(eval_networks)


_eval_networks_command()


def register(app: typer.Typer) -> None:
    app.add_typer(resolve_app, name="resolve")
    app.add_typer(eval_app, name="eval")
