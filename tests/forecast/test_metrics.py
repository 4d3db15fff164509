"""Hit rate, PAI and PEI* on hand-computed cases, with ties at the cut-off."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tahqiq.forecast.metrics import SHARES, rank_cells, score_window

# 12 cells; 10 and 11 lie outside the study area (and have the highest forecast: they must not count).
STUDY = np.array([True] * 10 + [False] * 2)
FORECAST = np.array([5, 3, 3, 3, 1, 0, 0, 0, 0, 0, 9, 9], dtype=float)
SECONDARY = np.array([0, 1, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0], dtype=float)
OBSERVED = np.array([1, 2, 0, 1, 0, 3, 0, 0, 1, 0, 5, 5], dtype=float)  # 8 in the study area


def test_ranking_breaks_ties_by_the_secondary_value_then_the_cell_number():
    assert rank_cells(FORECAST, STUDY, SECONDARY).tolist() == [0, 2, 3, 1, 4, 5, 6, 7, 8, 9]
    assert rank_cells(FORECAST, STUDY).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_hand_computed_metrics_with_ties_at_the_cut_off():
    s = score_window(FORECAST, STUDY, OBSERVED, secondary=SECONDARY, shares=(0.1, 0.2, 0.3))
    assert s.study_cells == 10 and s.observed == 8
    assert s.k == {0.1: 1, 0.2: 2, 0.3: 3}
    # k=1: cell 0 (1 of 8); k=2: cells 0, 2 (tie at 3 broken by secondary: 2 has 4) -> 1 of 8; k=3: 0, 2, 3 -> 2
    assert s.hit_rate == pytest.approx({0.1: 1 / 8, 0.2: 1 / 8, 0.3: 2 / 8})
    assert s.pai == pytest.approx({0.1: 1.25, 0.2: 0.625, 0.3: (2 / 8) / 0.3})
    # the best k cells observed: 3; 3+2; 3+2+1
    assert s.pei == pytest.approx({0.1: 1 / 3, 0.2: 1 / 5, 0.3: 2 / 6})


def test_without_a_secondary_value_the_lower_cell_number_wins_the_tie():
    s = score_window(FORECAST, STUDY, OBSERVED, shares=(0.2,))
    assert s.hits[0.2] == 3  # cells 0 and 1
    assert (s.hit_rate[0.2], s.pai[0.2], s.pei[0.2]) == pytest.approx((3 / 8, 1.875, 3 / 5))


def test_k_is_the_ceiling_of_the_share_of_study_cells():
    n = 150
    s = score_window(np.arange(n, dtype=float), np.ones(n, bool), np.ones(n))
    assert SHARES == (0.01, 0.02, 0.05, 0.10)
    assert s.k == {0.01: 2, 0.02: 3, 0.05: 8, 0.10: 15}
    # uniform incidents: every ranking scores PAI 1 and PEI* 1
    assert all(v == pytest.approx(1.0) for v in [*s.pai.values(), *s.pei.values()])
    assert score_window(np.zeros(100), np.ones(100, bool), np.ones(100), shares=(0.07,)).k == {0.07: 7}


def test_a_perfect_forecast_scores_pei_one_and_a_window_without_incidents_nan():
    obs = np.array([0, 0, 4, 0, 1, 0, 0, 0, 0, 0], dtype=float)
    s = score_window(obs, np.ones(10, bool), obs, shares=(0.1,))
    assert s.pei[0.1] == 1.0 and s.hit_rate[0.1] == 0.8 and s.pai[0.1] == pytest.approx(8.0)
    empty = score_window(obs, np.ones(10, bool), np.zeros(10), shares=(0.1,))
    assert math.isnan(empty.pai[0.1]) and empty.observed == 0


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="empty"):
        score_window(np.ones(3), np.zeros(3, bool), np.ones(3))
    with pytest.raises(ValueError, match="one value per cell"):
        score_window(np.ones(3), np.ones(2, bool), np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        score_window(np.array([1.0, np.nan]), np.ones(2, bool), np.ones(2))
