"""`tahqiq networks` and `tahqiq eval networks` as a person types them."""

from __future__ import annotations

from typer.testing import CliRunner

from tahqiq.cli import _register, app
from tahqiq.cli.networks_cmds import local


def test_commands_are_registered():
    _register()
    runner = CliRunner()
    result = runner.invoke(app, ["networks", "--help"])
    assert result.exit_code == 0
    for command in ("detect", "train", "campaigns", "explain"):
        assert command in result.output
    assert "networks" in runner.invoke(app, ["eval", "--help"]).output


def test_explain_needs_exactly_one_target(tahqiq_home):
    _register()
    result = CliRunner().invoke(app, ["networks", "explain"])
    assert result.exit_code != 0


def test_times_are_local_with_the_zone():
    assert local(1_700_000_000) == "2023-11-15 03:13 PKT"
    assert local(None) == ""
