"""The bias audit: district shares on a hand-computed case, and Ensign et al.'s feedback loop run
without and with Tahqiq's correction."""

from __future__ import annotations

import numpy as np
import pytest

from tahqiq.forecast.audit import audit_record, district_shares, feedback_loop, punjab_population

CLOSE = [40.0, 42.0, 44.0, 46.0]  # four districts with close true rates (incidents per round)


def test_district_shares_hand_computed():
    cells = ["A", "A", "B", "B", "C", ""]
    rows = district_shares([0, 1, 2, 4], cells, {"A": 10, "B": 30, "C": 0}, {"A": 100.0, "B": 300.0, "C": 600.0})
    by = {r.district: r for r in rows}
    assert set(by) == {"A", "B", "C"}
    assert by["A"].flagged_share == pytest.approx(0.5) and by["A"].reported_share == pytest.approx(0.25)
    assert by["A"].ratio == pytest.approx(2.0)  # flagged twice its share of reports
    assert by["B"].ratio == pytest.approx(0.25 / 0.75)
    assert by["C"].ratio is None and by["C"].flagged_cells == 1
    assert by["C"].population_share == pytest.approx(0.6)
    assert [r.district for r in rows] == ["A", "B", "C"]  # most flagged first


def test_punjab_population_is_the_census_table():
    pop = punjab_population()
    assert len(pop) == 36 and pop["Lahore"] == pytest.approx(11.13e6)
    rows = district_shares([0], {0: "Lahore"}, {"Lahore": 5, "Multan": 5})
    by = {r.district: r for r in rows}
    assert by["Lahore"].population_share == pytest.approx(11.13 / (11.13 + 4.75))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_uncorrected_model_runs_away(seed):
    run = feedback_loop(CLOSE, rounds=1000, correction=False, seed=seed)
    assert run.patrol_shares.shape == (1000, 4)
    assert run.top_patrol_share > 0.9  # one district takes the patrols
    assert run.estimate_error > 0.5  # and the model believes it has most of the incidents


@pytest.mark.parametrize(("seed", "method"), [(0, "weighted"), (1, "weighted"), (2, "weighted"), (0, "reported")])
def test_corrected_model_stays_at_the_true_shares(seed, method):
    run = feedback_loop(CLOSE, rounds=1000, correction=True, seed=seed, method=method)
    assert run.estimate_error < 0.10  # estimated shares within 10% of the true shares
    assert run.patrol_error < 0.10  # patrols within 10% of what the true rates call for
    assert run.top_patrol_share < 0.5
    np.testing.assert_allclose(run.true_shares, np.array(CLOSE) / sum(CLOSE))


def test_feedback_loop_is_deterministic_and_checks_input():
    a = feedback_loop(CLOSE, rounds=50, correction=False, seed=7)
    b = feedback_loop(CLOSE, rounds=50, correction=False, seed=7)
    np.testing.assert_array_equal(a.patrol_shares, b.patrol_shares)
    with pytest.raises(ValueError):
        feedback_loop([1.0], correction=True)
    with pytest.raises(ValueError):
        feedback_loop(CLOSE, correction=True, report=0)


def test_audit_record_is_json_ready():
    import json

    rows = district_shares([0, 1], ["Lahore", "Kasur", "Multan"], {"Lahore": 20, "Kasur": 19, "Multan": 18})
    record = audit_record(rows, rounds=100, every=10)
    json.dumps(record)
    loop = record["feedback"]
    assert loop["districts"] == ["Lahore", "Kasur", "Multan"]
    assert len(loop["uncorrected"]["trajectory"]) == 11 and loop["corrected"]["corrected"] is True
    assert audit_record(rows[:1])["feedback"] is None  # one district: no loop to run
