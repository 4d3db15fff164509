"""What every command that acts as a signed-in user shares: sign-in, the gate, exit codes, consoles.

    @gated()                                  # opens the store and the gate, maps errors to exit codes
    def my_cmd(ctx: GateContext, ..., user: UserOpt = None) -> None:
        me = ctx.login(user)                  # --user NAME + TAHQIQ_PASSWORD or a prompt, or TAHQIQ_TOKEN
        ...

Exit status: 0 done, 2 bad request (GovernError, UsageError, LookupError, ValueError), 3 denied (the
denial is in the audit log). After a writing command its audit entries are covered by a signed tree
head; a reading command (`@gated(sign=False)`) signs nothing, so that reading a tampered log cannot
make the log's key vouch for it.
"""

from __future__ import annotations

import functools
import inspect
import os
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from tahqiq.model.types import parse_expiry

UserOpt = Annotated[str | None, typer.Option("--user", "-u", help="your username (or set TAHQIQ_TOKEN)")]
CaseOpt = Annotated[str, typer.Option("--case", "-c", help="the case this serves, e.g. CASE-2026-0001")]
PurposeOpt = Annotated[str, typer.Option("--purpose", "-p", help="why, in a few words "
                                                                "(e.g. 'investigate FIR 123/2026')")]


class LiveConsole:
    """A Rich console made afresh for each use, so that the terminal width (COLUMNS) and the streams
    in effect *now* apply: a test runner swaps them between invocations of the same process. For a
    live display (a progress bar), take one console with `.now()` and keep it."""

    def __init__(self, *, stderr: bool = False) -> None:
        self._stderr = stderr

    def now(self) -> Console:
        return Console(stderr=self._stderr, soft_wrap=True)

    def __getattr__(self, name: str):
        return getattr(self.now(), name)


out = LiveConsole()
err = LiveConsole(stderr=True)


class UsageError(Exception):
    """The command was asked for something it cannot do as given (exit status 2)."""


def when(ts: datetime | None) -> str:
    """A stored time as the tables print it: UTC to the minute."""
    return ts.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if ts else ""


def expiry_option(expires: str | None) -> datetime | None:
    """--expires as typed (a date: through the end of that day, UTC), or None."""
    if not expires:
        return None
    try:
        return parse_expiry(expires)
    except ValueError:
        raise UsageError(f"--expires: use a date like 2026-12-31, not {expires!r}") from None


class GateContext:
    """The store, the gate and its audit log, open for one command."""

    def __init__(self) -> None:
        from tahqiq.govern import Gate
        from tahqiq.store import open_store

        self.engine = open_store()
        self.gate = Gate(self.engine)
        self.audit = self.gate.audit

    def login(self, user: str | None):
        token = os.environ.get("TAHQIQ_TOKEN")
        user = user or os.environ.get("TAHQIQ_USER")
        if token and not user:
            return self.gate.authenticate_token(token)
        if not user:
            raise UsageError("give --user NAME (password from TAHQIQ_PASSWORD or a prompt), or set TAHQIQ_TOKEN")
        password = os.environ.get("TAHQIQ_PASSWORD")
        if password is None:
            password = typer.prompt(f"password for {user}", hide_input=True, err=True)
        return self.gate.authenticate_password(user, password)

    def close(self, sign: bool) -> None:
        try:
            if sign:
                self.audit.sign_head()  # cover this command's entries with a signed tree head now
        finally:
            self.audit.dispose()
            self.engine.dispose()


def gated(sign: bool = True):
    """Run a command with a GateContext as its first argument; turn refusals and errors into messages
    and exit codes."""

    def wrap(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            from tahqiq.govern import AccessDenied, GovernError

            ctx = None
            try:
                ctx = GateContext()
                return fn(ctx, *args, **kwargs)
            except AccessDenied as exc:
                where = f" (audit entry {exc.audit_seq})" if exc.audit_seq is not None else ""
                err.print(f"[bold red]denied:[/] {exc.reason}{where}")
                raise typer.Exit(3) from None
            except (GovernError, UsageError, LookupError, ValueError) as exc:
                err.print(f"[bold red]error:[/] {exc}")
                raise typer.Exit(2) from None
            finally:
                if ctx is not None:
                    ctx.close(sign)

        # Typer reads the signature: hide the injected context parameter.
        sig = inspect.signature(fn, eval_str=True)
        params = list(sig.parameters.values())[1:]
        run.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]  # read by Typer
        run.__annotations__ = {p.name: p.annotation for p in params}
        del run.__wrapped__
        return run

    return wrap


def add_group(app: typer.Typer, sub: typer.Typer, name: str) -> None:
    """Add `sub` as `name`, merging into a group of that name if another module made one."""
    for group in app.registered_groups:
        if group.name == name and group.typer_instance is not None:
            group.typer_instance.registered_commands.extend(sub.registered_commands)
            group.typer_instance.registered_groups.extend(sub.registered_groups)
            return
    app.add_typer(sub, name=name)


__all__ = ["UserOpt", "CaseOpt", "PurposeOpt", "LiveConsole", "out", "err", "UsageError", "GateContext",
           "gated", "add_group", "expiry_option", "when"]
