"""Screening fixtures: the governance world (users, cases, entities) from tests/govern, and a CLI
with the watchlist and screen commands. `world.other_case` rests on a warrant (members: sana,
omar); `world.case` on an FIR (members: sana, ayesha)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from tests.govern.conftest import PASSWORD, World, add_entity, cheap_argon2, gate, world  # noqa: F401


@pytest.fixture
def screen_cli():
    from tahqiq.cli import audit_cmds, case_cmds, screen_cmds, user_cmds

    app = typer.Typer()
    for module in (user_cmds, case_cmds, audit_cmds):
        module.register(app)
    screen_cmds.register(app)
    runner = CliRunner()

    def run(*args: str, user: str | None = None, env: dict | None = None):
        e = {"TAHQIQ_PASSWORD": PASSWORD, "TAHQIQ_TOKEN": None, "COLUMNS": "250", **(env or {})}
        argv = [str(a) for a in args] + (["--user", user] if user else [])
        return runner.invoke(app, argv, env=e, catch_exceptions=False)

    return run
