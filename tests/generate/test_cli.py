"""`tahqiq generate` on the command line."""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from tahqiq.cli import generate_cmds


def _app() -> typer.Typer:
    app = typer.Typer()
    generate_cmds.register(app)

    @app.command("noop", hidden=True)
    def noop() -> None:  # a second command keeps `generate` a subcommand
        pass

    return app


def test_generate_command_writes_a_dataset(tmp_path):
    out = tmp_path / "data"
    result = CliRunner().invoke(_app(), ["generate", "--persons", "300", "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["persons"] == 300 and manifest["seed"] == 2
    assert "nadra_id_registry" in result.output and "transactions" in result.output


def test_generate_quiet_and_validation(tmp_path):
    runner = CliRunner()
    result = runner.invoke(_app(), ["generate", "--persons", "100", "--out", str(tmp_path / "q"), "--quiet"])
    assert result.exit_code == 0 and result.output.strip() == ""
    result = runner.invoke(_app(), ["generate", "--persons", "10", "--out", str(tmp_path / "x")])
    assert result.exit_code != 0


def test_help_explains_the_command():
    result = CliRunner().invoke(_app(), ["generate", "--help"])
    assert result.exit_code == 0
    for word in ("--persons", "--seed", "--out", "synthetic", "truth"):
        assert word in result.output
