"""`tahqiq eval resolve`: scores against ground truth, ending with `F1 <value>`."""

from __future__ import annotations

import re

import pandas as pd
import typer
from typer.testing import CliRunner

from tahqiq.resolve.evaluate import load
from tahqiq.resolve.metrics import score


def test_scores_count_pairs_and_b_cubed():
    truth = pd.Series(["p1", "p1", "p1", "p2", "p2"], index=["a", "b", "c", "d", "e"])
    s = score({"a": "x", "b": "x", "c": "y", "d": "z", "e": "z"}, truth)
    assert (s.true_pairs, s.predicted_pairs, s.correct_pairs) == (4, 2, 2)
    assert s.precision == 1.0 and s.recall == 0.5
    assert round(s.b3_recall, 4) == round((2 / 3 * 2 + 1 / 3 + 1 + 1) / 5, 4)


def test_febrl_truth_comes_from_record_ids():
    frames, truth, fields, link_type = load("febrl4")
    assert link_type == "link_only" and [len(f) for f in frames] == [5000, 5000]
    assert truth.nunique() == 5000 and {f.column for f in fields} >= {"given_name", "soc_sec_id"}


def test_eval_cli_on_a_generated_directory(small_world):
    from tahqiq.cli import resolve_cmds

    app = typer.Typer()
    resolve_cmds.register(app)
    result = CliRunner().invoke(app, ["eval", "resolve", str(small_world)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"F1 0\.\d{4}", last)
    assert float(last.split()[1]) > 0.85
    assert "cluster   precision" in result.output


def test_eval_cli_rejects_an_unknown_dataset(tmp_path):
    from tahqiq.cli import resolve_cmds

    app = typer.Typer()
    resolve_cmds.register(app)
    result = CliRunner().invoke(app, ["eval", "resolve", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "not febrl3/febrl4" in result.output
