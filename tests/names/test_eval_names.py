"""`tahqiq eval names FILE.csv`: precision, recall and F1 at the default and best threshold."""

from importlib import resources

import typer
from typer.testing import CliRunner

from tahqiq.cli import resolve_cmds
from tahqiq.names.evaluate import evaluate_names, read_pairs


def _app() -> typer.Typer:
    app = typer.Typer()
    resolve_cmds.register(app)
    return app


def test_eval_names_prints_f1_last(tmp_path):
    f = tmp_path / "pairs.csv"
    f.write_text("name1,name2,is_match,schema\nMuhammad Aslam,Mohd Aslam,1,Person\n"
                 "Muhammad Aslam,Muhammad Akram,0,Person\nВладимир Путин,Vladimir Putin,1,Person\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["eval", "names", str(f)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "F1 1.0000"


def test_eval_names_rejects_a_bad_file(tmp_path):
    f = tmp_path / "pairs.csv"
    f.write_text("a,b\nx,y\n", encoding="utf-8")
    result = CliRunner().invoke(_app(), ["eval", "names", str(f)])
    assert result.exit_code == 2 and "name1,name2,is_match" in result.output


def test_committed_benchmark_reaches_the_target():
    path = resources.files("tahqiq.names").joinpath("data/benchmark_pairs.csv")
    result = evaluate_names(read_pairs(str(path)))
    assert result.pairs > 3000 and result.f1 >= 0.85
    assert set(result.by_group["class"]) >= {"script", "particles", "order", "honorific", "nickname", "initials",
                                            "middle", "digits", "split", "family"}
