"""The evaluation's counting rules on a hand-made truth, and the whole run on the fixture."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from tahqiq.networks.evaluate import evaluate, render, score_hits
from tahqiq.networks.hits import Hit
from tests.networks.bankfixture import write


def _hit(accounts, txs, first=0, last=10):
    return Hit("fan_in", tuple(accounts), tuple(txs), first, last, 1.0, 1.0)


def test_counting_rules_on_a_hand_made_truth():
    illicit = pd.DataFrame({"transaction_id": ["t1", "t2", "t3", "t4", "u1", "u2"],
                            "typology": ["fan_in"] * 4 + ["cycle"] * 2, "pattern_id": ["P1"] * 4 + ["P2"] * 2})
    patterns = pd.DataFrame({"pattern_id": ["P1", "P2"], "typology": ["fan_in", "cycle"],
                             "accounts": ["A;B;C;D;E", "X;Y"], "first_ts": [0, 0], "last_ts": [10, 10], "n_tx": [4, 2]})
    looks = pd.DataFrame({"pattern_id": ["L1", "L2"], "kind": ["payroll", "rent_split"], "accounts": ["M;N;O", "R;S"],
                          "first_ts": [0, 100], "last_ts": [10, 110], "n_tx": [3, 2]})
    hits = [_hit("AB", ["t1", "t2", "n1", "n2"]),  # half of P1's payments: found; 2 of 4 tx right
            _hit("MN", ["n3"]),                      # names 2 of payroll's 3 accounts while it ran: a false flag
            _hit("RS", ["n4"], 0, 10)]               # rent's accounts but before it happened: not a flag
    test_tx = {"t1", "t2", "t3", "t4", "u1", "u2", "n1", "n2", "n3", "n4"}
    s = score_hits("x", hits, illicit, patterns, looks, test_tx, active_accounts=100)
    assert s.recall == {"fan_in": 1.0, "cycle": 0.0}
    assert s.precision == 1 / 3
    assert (s.tx_precision, s.tx_recall) == (2 / 6, 2 / 6) and abs(s.tx_f1 - 1 / 3) < 1e-12
    assert s.alert_rate == 6 / 100
    assert s.lookalike_fp == {"payroll": (1, 1), "rent_split": (0, 1)}


def test_three_systems_side_by_side_end_with_f1(tmp_path):
    directory = write(tmp_path / "bank", seed=3)
    result = evaluate(directory)
    assert [s.name for s in result.systems] == ["rules (static)", "typology detectors", "detectors + scorer"]
    assert result.test_transactions < result.transactions and result.periods["test"][0] > result.periods["train"][1]
    out = io.StringIO()
    render(result, Console(file=out, width=160))
    text = out.getvalue()
    assert "recall per typology" in text and "look-alikes flagged" in text
    assert text.strip().splitlines()[-1] == f"F1 {result.f1:.4f}"
