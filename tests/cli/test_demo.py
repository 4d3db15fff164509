"""`tahqiq demo` and `make demo`: the port reaches the command, and the long steps (ingest,
resolution) print progress with counts. The full demo runs on a tiny province (no server)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tahqiq.cli import demo_cmds

ROOT = Path(__file__).resolve().parents[2]


def demo(*args: str):
    """`tahqiq demo ARGS` through typer, as the installed command runs it."""
    app = typer.Typer()
    demo_cmds.register(app)  # the only command: typer runs it without naming it
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_passes_the_port():
    def demo_line(*args: str) -> str:
        out = subprocess.run(["make", "-n", "demo", *args], cwd=ROOT, capture_output=True, text=True, check=True)
        return next(line for line in out.stdout.splitlines() if "tahqiq demo" in line)

    assert demo_line("PORT=8080").endswith("tahqiq demo --persons 20000 --out demo-data --port 8080")
    assert "--port" not in demo_line()  # the command's own default (8000) applies
    assert "--persons 500 " in demo_line("DEMO_PERSONS=500", "PORT=9001")


def test_demo_rejects_a_port_that_cannot_be():
    result = demo("--port", "70000", "--no-serve")
    assert result.exit_code == 2 and "65535" in result.output  # refused before anything runs


def test_demo_reports_progress_and_the_chosen_port(tmp_path, monkeypatch):
    monkeypatch.setenv("TAHQIQ_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TAHQIQ_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("TAHQIQ_DEMO_PASSWORD", "a demo password for the test")
    monkeypatch.delenv("TAHQIQ_DATABASE_SCHEMA", raising=False)
    result = demo("--persons", "150", "--out", str(tmp_path / "data"), "--no-serve", "--port", "8123")
    out = result.output
    assert result.exit_code == 0, out
    # Ingest: one bar per source with its rows, under one for all sources, all complete.
    sources = sorted(p.stem for p in (tmp_path / "data" / "mappings").glob("*.yml"))
    bars = {line.split()[1]: line for line in out.splitlines() if re.match(r"\s*✓ \S+ .*100%.* rows", line)}
    assert set(sources) <= set(bars), out
    nadra = bars["nadra_id_registry"]
    assert int(re.search(r"([\d,]+) rows", nadra).group(1).replace(",", "")) >= 150
    assert re.search(rf"✓ {len(sources)} sources .*100%", out)
    # Resolution: every step of the run counted.
    assert re.search(r"✓ person records resolved .*6/6 steps", out), out
    assert "http://127.0.0.1:8123/" in out
