"""Reading store data out under a case: followthemoney export and quarantined rows' contents.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tahqiq.cli.gated import CaseOpt, GateContext, PurposeOpt, UsageError, UserOpt, add_group, gated, out


@gated()
def export_cmd(
    ctx: GateContext, out_file: Path, case: CaseOpt, purpose: PurposeOpt,
    all_: Annotated[bool, typer.Option("--all", help="every entity in the store (supervisors), "
                                                     "not just the subjects")] = False,
    schema: Annotated[str | None, typer.Option(help="with --all: only this schema")] = None,
    source: Annotated[str | None, typer.Option(help="with --all: only this source")] = None,
    user: UserOpt = None,
) -> None:
    """Export entities readable under a case as FollowTheMoney JSON lines: the case's subjects, or
    with --all (supervisors) the whole store. Audited with the count."""
    from tahqiq.model.ftm import to_ftm

    n = 0
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        entities = view.iter_entities(schema=schema, source=source) if all_ else view.subjects()
        with open(out_file, "w", encoding="utf-8") as f:
            for ent in entities:
                f.write(json.dumps(to_ftm(ent), ensure_ascii=False, sort_keys=True) + "\n")
                n += 1
    out.print(f"exported {n} entities to {out_file}")


quarantine_app = typer.Typer(help="Quarantined rows.", no_args_is_help=True)


@quarantine_app.command("show")
@gated()
def quarantine_show(ctx: GateContext, row: int, case: CaseOpt, purpose: PurposeOpt, user: UserOpt = None) -> None:
    """Show a quarantined row's data (personal data: through the gate, for a case)."""
    with ctx.gate.session(ctx.login(user), case, purpose) as view:
        q = view.quarantined_row(row)
    if q is None:
        raise UsageError(f"no quarantined row {row}")
    out.print(f"[bold]row {q.id}[/] source {q.source}, batch {q.batch_id}, line {q.row_number}, status {q.status}")
    out.print(f"field: {q.field or '-'}   reason: {q.reason}")
    out.print_json(json.dumps(q.data, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    add_group(app, quarantine_app, "quarantine")
    app.command("export")(export_cmd)
