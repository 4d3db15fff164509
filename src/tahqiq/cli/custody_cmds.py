"""Evidence custody (files into a case, court bundles out) and retention (deleting what its
source's period allows).

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import CaseOpt, GateContext, PurposeOpt, UserOpt, add_group, gated, out, when

evidence_app = typer.Typer(help="Evidence custody: add files, export court bundles.", no_args_is_help=True)


@evidence_app.command("add")
@gated()
def evidence_add(ctx: GateContext, file: Path, case: CaseOpt, purpose: PurposeOpt,
                 description: Annotated[str | None, typer.Option(help="what the file is")] = None,
                 user: UserOpt = None) -> None:
    """Take FILE into custody for a case (content-addressed by SHA-256; logged)."""
    from tahqiq.govern.evidence import add_evidence

    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        item = add_evidence(view, file, description)
    out.print(f"evidence {item.sha256} ({item.filename}, {item.size_bytes} bytes) in custody for {case}; "
              f"custody entry {item.custody_seq}")


@evidence_app.command("list")
@gated()
def evidence_list(ctx: GateContext, case: CaseOpt, purpose: PurposeOpt, user: UserOpt = None) -> None:
    """The evidence held for a case."""
    from tahqiq.govern.evidence import list_evidence

    table = Table("sha256", "file", "bytes", "added by", "added", "description")
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        for i in list_evidence(view):
            table.add_row(i.sha256[:16] + "…", i.filename, str(i.size_bytes), i.added_by, when(i.added_at),
                          i.description or "")
    out.print(table)


@evidence_app.command("export")
@gated()
def evidence_export(ctx: GateContext, out_dir: Path, case: CaseOpt, purpose: PurposeOpt,
                    sha: Annotated[list[str] | None, typer.Option(help="only this item (repeatable)")] = None,
                    user: UserOpt = None) -> None:
    """Write a court bundle (files, custody entries, inclusion proofs, signed tree head and the
    standalone checker) to OUT_DIR."""
    from tahqiq.govern.evidence import export_bundle

    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        path = export_bundle(view, out_dir, sha)
    out.print(f"court bundle written to {path}; check it with: python3 {path / 'verify_standalone.py'} {path}")


# --- retention -----------------------------------------------------------------------------------

retention_app = typer.Typer(help="Retention: delete data whose period has ended.", no_args_is_help=True)


@retention_app.command("run")
@gated()
def retention_run(ctx: GateContext, dry_run: Annotated[bool, typer.Option(help="count, delete nothing")] = False,
                  user: UserOpt = None) -> None:
    """Delete, per source, data older than its retention period unless attached to an open case
    (admins; the server also runs this on a schedule)."""
    from tahqiq.govern.retention import run_retention

    report = run_retention(ctx.audit, ctx.login(user), dry_run=dry_run)
    table = Table("source", "days", "cut-off (UTC)", "entities", "statements", "records", "quarantine",
                  "resolution rows", "kept for cases")
    for s in report.sources:
        table.add_row(s.source, str(s.retention_days), when(s.cutoff), str(s.entities), str(s.statements),
                      str(s.records), str(s.quarantine), str(s.resolution_rows), str(s.protected))
    out.print(table)
    if report.feature_caches_removed:
        out.print(f"removed the resolution feature cache ({', '.join(report.feature_caches_removed)}): "
                  "the next `tahqiq resolve` is a full run")
    out.print(("dry run: nothing deleted" if dry_run else f"retention run {report.run_id} done") +
              ("" if report.sources else " (no source has a retention period)"))


@retention_app.command("set")
@gated()
def retention_set(ctx: GateContext, source: str,
                  days: Annotated[int | None, typer.Argument(help="days to keep; omit to keep forever")] = None,
                  user: UserOpt = None) -> None:
    """Set a source's retention period (admins)."""
    from tahqiq.govern.retention import set_retention

    set_retention(ctx.audit, ctx.login(user), source, days)
    out.print(f"{source}: " + (f"kept {days} days" if days else "kept until deleted by hand"))


def register(app: typer.Typer) -> None:
    add_group(app, evidence_app, "evidence")
    add_group(app, retention_app, "retention")
