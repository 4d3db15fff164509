"""Cases: the legal basis (an FIR or a warrant) under which personal data may be read.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, PurposeOpt, UsageError, UserOpt, add_group, expiry_option, gated, out, when

case_app = typer.Typer(help="Cases: the legal basis for reading personal data.", no_args_is_help=True)


@case_app.command("open")
@gated()
def case_open(
    ctx: GateContext,
    reference: str,
    officer: Annotated[str, typer.Option(help="the officer who authorised the case")],
    purpose: Annotated[str, typer.Option(help="what the case is for")],
    fir: Annotated[str | None, typer.Option(help="FIR number, e.g. '123/2026 PS Model Town'")] = None,
    warrant: Annotated[str | None, typer.Option(help="warrant reference (needed for watchlists)")] = None,
    days: Annotated[int | None, typer.Option(help="expires after this many days")] = None,
    expires: Annotated[str | None, typer.Option(help="or: expires at the end of this date (YYYY-MM-DD)")] = None,
    member: Annotated[list[str] | None, typer.Option(help="a member (repeatable)")] = None,
    user: UserOpt = None,
) -> None:
    """Open a case (supervisors). Needs an FIR or a warrant, the authorising officer, a purpose
    and an expiry."""
    from tahqiq.govern import cases

    if bool(fir) == bool(warrant):
        raise UsageError("give exactly one of --fir or --warrant")
    info = cases.open_case(
        ctx.audit, ctx.login(user), reference, basis_kind="fir" if fir else "warrant", basis_ref=fir or warrant or "",
        authorising_officer=officer, purpose=purpose, expires_at=expiry_option(expires),
        days=days if days is not None or expires else 90, members=member or [],
    )
    out.print(f"opened case [bold]{info.reference}[/] ({info.basis_kind.upper()} {info.basis_ref}), "
              f"expires {when(info.expires_at)} UTC, members: {', '.join(info.members)}")


@case_app.command("add-member")
@gated()
def case_add_member(
    ctx: GateContext, reference: str, username: str,
    cross_agency: Annotated[bool, typer.Option(help="the user is from another agency (joint investigation)")] = False,
    user: UserOpt = None,
) -> None:
    """Add a member to a case (supervisors of the case's agency)."""
    from tahqiq.govern import cases

    cases.add_member(ctx.audit, ctx.login(user), reference, username, cross_agency=cross_agency)
    out.print(f"{username} is now a member of {reference}")


@case_app.command("remove-member")
@gated()
def case_remove_member(ctx: GateContext, reference: str, username: str, user: UserOpt = None) -> None:
    """Remove a member from a case."""
    from tahqiq.govern import cases

    cases.remove_member(ctx.audit, ctx.login(user), reference, username)
    out.print(f"{username} is no longer a member of {reference}")


@case_app.command("attach")
@gated()
def case_attach(ctx: GateContext, reference: str, entity_id: str, purpose: PurposeOpt,
                note: Annotated[str | None, typer.Option(help="why this entity")] = None,
                user: UserOpt = None) -> None:
    """Attach an entity to a case as a subject (retention spares it while the case is open)."""
    with ctx.gate.session(ctx.login(user), reference, purpose) as view:
        view.attach_subject(entity_id, note)
    out.print(f"{entity_id} is a subject of {reference}")


@case_app.command("list")
@gated()
def case_list(ctx: GateContext, all_: Annotated[bool, typer.Option("--all", help="include closed cases")] = False,
              user: UserOpt = None) -> None:
    """Cases you can see (auditors and admins: all)."""
    from tahqiq.govern import cases

    now = datetime.now(UTC)
    table = Table("case", "agency", "basis", "officer", "status", "expires", "members", "subjects")
    for c in cases.list_cases(ctx.engine, ctx.login(user), include_closed=all_):
        status = c.status if c.status != "open" else ("[red]expired[/]" if not c.is_active(now) else "[green]open[/]")
        table.add_row(c.reference, c.agency, f"{c.basis_kind.upper()} {c.basis_ref}", c.authorising_officer, status,
                      when(c.expires_at), ", ".join(c.members), str(c.subjects))
    out.print(table)


@case_app.command("close")
@gated()
def case_close(ctx: GateContext, reference: str, reason: Annotated[str, typer.Option(help="why")] = "",
               user: UserOpt = None) -> None:
    """Close a case: from now on it grants nothing."""
    from tahqiq.govern import cases

    cases.close_case(ctx.audit, ctx.login(user), reference, reason)
    out.print(f"closed {reference}")


@case_app.command("extend")
@gated()
def case_extend(ctx: GateContext, reference: str,
                days: Annotated[int | None, typer.Option(help="new expiry: this many days from now")] = None,
                expires: Annotated[str | None, typer.Option(help="or: the end of this date")] = None,
                officer: Annotated[str | None, typer.Option(help="the officer authorising the extension")] = None,
                user: UserOpt = None) -> None:
    """Extend an open case's expiry (supervisors)."""
    from tahqiq.govern import cases

    cases.extend_case(ctx.audit, ctx.login(user), reference, expires_at=expiry_option(expires), days=days,
                      authorising_officer=officer)
    out.print(f"extended {reference}")


def register(app: typer.Typer) -> None:
    add_group(app, case_app, "case")
