"""The learned scorer: deterministic, honest about time (nothing from validation or test in
training), and it explains each account it flags by its top contributing features."""

from __future__ import annotations

import pandas as pd
import pytest

from tahqiq.networks.features import FEATURES
from tahqiq.networks.scorer import SCORER_TYPOLOGY, Scorer, account_labels, time_split, train
from tahqiq.networks.transactions import load_dir
from tests.networks.bankfixture import write


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    directory = write(tmp_path_factory.mktemp("bank"), seed=11)
    truth = pd.read_csv(directory / "truth" / "laundering.csv", dtype={"transaction_id": str})
    return load_dir(directory), truth


def test_same_seed_same_model(bank):
    con, truth = bank
    a, b = train(con, truth, seed=5, rounds=30), train(con, truth, seed=5, rounds=30)
    assert a.model_text == b.model_text and a.threshold == b.threshold


def test_training_sees_only_the_first_sixty_percent(bank):
    con, truth = bank
    start, train_end, val_end, end = time_split(con)
    assert start < train_end < val_end < end
    assert abs((train_end - start) / (end - start) - 0.6) < 1e-6
    scorer = train(con, truth, rounds=30)
    assert scorer.facts["periods"]["train"] == [start, train_end]
    # the labels of training are those of training-period transactions only
    later = truth[truth["transaction_id"].isin(
        [r[0] for r in con.execute("SELECT tx_id FROM tx WHERE ts >= ?", [train_end]).fetchall()])]
    early_only = account_labels(con, truth["transaction_id"], start, train_end)
    late_only = account_labels(con, later["transaction_id"], start, train_end)
    assert late_only == set() and scorer.facts["train_positive"] == len(early_only & set(
        r[0] for r in con.execute("SELECT payer FROM tx WHERE ts < ? UNION SELECT payee FROM tx WHERE ts < ?",
                                  [train_end, train_end]).fetchall()))


def test_save_load_and_explained_hits(bank, tmp_path):
    con, truth = bank
    scorer = train(con, truth, rounds=30)
    scorer.threshold = 0.5  # score the whole period at an even threshold to see explanations
    path = tmp_path / "scorer.json"
    scorer.save(path)
    again = Scorer.load(path)
    assert again.features == list(FEATURES) and again.threshold == 0.5
    hits = again.score(con)
    assert hits, "the planted mules of the training period should score over 0.5"
    for h in hits:
        assert h.source == "scorer" and h.typology == SCORER_TYPOLOGY and len(h.accounts) == 1
        assert 0.5 <= h.score <= 1 and set(h.features) <= set(FEATURES) and all(v > 0 for v in h.features.values())
        assert "PKR" in h.reason


def test_training_without_laundering_says_so(bank):
    con, truth = bank
    with pytest.raises(ValueError, match="no laundering"):
        train(con, truth.iloc[0:0])


def test_threshold_spends_only_what_the_rules_left_and_respects_a_precision_floor():
    import numpy as np

    from tahqiq.networks.scorer import NO_ALERTS, _best_threshold

    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5] + [0.1] * 195)
    y = np.array([1, 1, 0, 1, 0] + [0] * 195)
    # 2% of 200 accounts = 4 alerts; without rules the best F1 takes the top four
    threshold, at = _best_threshold(p, y, 0.02)
    assert threshold == 0.6 and at["flagged"] == 4
    # the rules already name two accounts (one of them the top one): two alerts are left
    taken = np.zeros(200, dtype=bool)
    taken[[0, 10]] = True
    threshold, at = _best_threshold(p, y, 0.02, taken)
    assert at["flagged"] == 1 and threshold == 0.8 and at["taken"] == 2
    # where the scorer's own precision cannot reach the floor, it adds nothing
    threshold, at = _best_threshold(p, np.roll(y, 2), 0.02, min_precision=0.9)
    assert threshold == NO_ALERTS and at["flagged"] == 0
