"""Users and API tokens (admins manage users; each user their own tokens). The very first
`tahqiq user add --role admin` needs no authentication.

Authentication: `--user NAME` with the password from TAHQIQ_PASSWORD or a prompt, or an API token
in TAHQIQ_TOKEN. Exit status: 0 done, 2 bad request, 3 denied (the denial is in the audit log).
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from tahqiq.cli.gated import GateContext, UserOpt, add_group, err, gated, out, when


def _new_password(username: str) -> str:
    pw = os.environ.get("TAHQIQ_NEW_PASSWORD")
    if pw is None:
        pw = typer.prompt(f"new password for {username}", hide_input=True, confirmation_prompt=True, err=True)
    return pw


# --- user ----------------------------------------------------------------------------------------

user_app = typer.Typer(help="Users: add, list, disable, unlock (admins).", no_args_is_help=True)


@user_app.command("add")
@gated()
def user_add(
    ctx: GateContext,
    username: str,
    role: Annotated[str, typer.Option(help="analyst | supervisor | auditor | admin")],
    agency: Annotated[str, typer.Option(help="agency code, e.g. PUNJAB-POLICE (created if new)")],
    full_name: Annotated[str | None, typer.Option(help="the person's name")] = None,
    agency_name: Annotated[str | None, typer.Option(help="the agency's full name, if new")] = None,
    user: UserOpt = None,
) -> None:
    """Add a user; the new password comes from TAHQIQ_NEW_PASSWORD or a prompt. On an empty
    installation the first user (an admin) needs no authentication."""
    from tahqiq.govern import identity

    actor = None if identity.count_users(ctx.engine) == 0 else ctx.login(user)
    identity.add_user(ctx.audit, actor, username, _new_password(username), role, agency,
                      full_name=full_name, agency_name=agency_name)
    out.print(f"added {role} [bold]{username}[/] ({agency})" + (" — bootstrap admin" if actor is None else ""))


@user_app.command("list")
@gated()
def user_list(ctx: GateContext, user: UserOpt = None) -> None:
    """List users (admins, supervisors and auditors)."""
    from tahqiq.govern import ADMIN, AUDITOR, SUPERVISOR, identity

    me = ctx.login(user)
    ctx.gate.require_role(me, "user.list", (ADMIN, SUPERVISOR, AUDITOR))
    table = Table("username", "name", "role", "agency", "status", "created")
    for u in identity.list_users(ctx.engine):
        table.add_row(u["username"], u["full_name"] or "", u["role"], u["agency"],
                      "[red]disabled[/]" if u["disabled"] else "active", when(u["created_at"]))
    out.print(table)


@user_app.command("disable")
@gated()
def user_disable(ctx: GateContext, username: str, user: UserOpt = None) -> None:
    """Disable a user: their password and tokens stop working at once."""
    from tahqiq.govern import identity

    identity.disable_user(ctx.audit, ctx.login(user), username)
    out.print(f"disabled {username}")


@user_app.command("unlock")
@gated()
def user_unlock(
    ctx: GateContext,
    username: Annotated[str | None, typer.Argument(help="the account whose sign-in lock to lift")] = None,
    address: Annotated[str | None, typer.Option(help="lift the lock of this client address")] = None,
    user: UserOpt = None,
) -> None:
    """Lift a sign-in lock (after too many wrong passwords) before it expires (admins; audited)."""
    from tahqiq.govern.throttle import unlock

    if not username and not address:
        err.print("name an account, an --address, or both")
        raise typer.Exit(2)
    cleared = unlock(ctx.audit, ctx.login(user), username, address)
    out.print(f"lifted {cleared} lock(s)" if cleared else "nothing was locked")


# --- token ---------------------------------------------------------------------------------------

token_app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)


@token_app.command("create")
@gated()
def token_create(
    ctx: GateContext,
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    days: Annotated[int, typer.Option(help="expires after this many days (max 366)")] = 30,
    for_user: Annotated[str | None, typer.Option("--for", help="(admins) create it for this user")] = None,
    user: UserOpt = None,
) -> None:
    """Create an API token. It is printed once and never stored; keep it secret."""
    from tahqiq.govern import identity

    token, tid = identity.create_token(ctx.audit, ctx.login(user), name, username=for_user, days=days)
    err.print(f"token {tid} created, expires in {days} days; it will not be shown again:")
    print(token)


@token_app.command("list")
@gated()
def token_list(ctx: GateContext, user: UserOpt = None) -> None:
    """Your tokens (admins: everyone's)."""
    from tahqiq.govern import identity

    table = Table("id", "user", "name", "expires", "status")
    for t in identity.list_tokens(ctx.engine, ctx.login(user)):
        table.add_row(str(t["id"]), t["user"], t["name"], when(t["expires_at"]),
                      "[red]revoked[/]" if t["revoked"] else "active")
    out.print(table)


@token_app.command("revoke")
@gated()
def token_revoke(ctx: GateContext, token_id: int, user: UserOpt = None) -> None:
    """Revoke a token (your own; admins: anyone's)."""
    from tahqiq.govern import identity

    identity.revoke_token(ctx.audit, ctx.login(user), token_id)
    out.print(f"revoked token {token_id}")


def register(app: typer.Typer) -> None:
    add_group(app, user_app, "user")
    add_group(app, token_app, "token")
