"""Each typology detector fires on a small planted pattern and stays quiet on the look-alikes
(payroll, a shop's customers, a family passing money round, flatmates splitting rent)."""

from __future__ import annotations

import pandas as pd
import pytest

from tahqiq.networks.detectors import DetectorSettings, detect
from tahqiq.networks.hits import Hit, hits_to_frame, rupees
from tahqiq.networks.transactions import from_frame, load_dir
from tests.networks.bankfixture import write

SETTINGS = DetectorSettings()


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    directory = write(tmp_path_factory.mktemp("bank"))
    con = load_dir(directory)
    return directory, con, detect(con, SETTINGS)


def _labels(directory):
    truth = pd.read_csv(directory / "truth" / "laundering.csv")
    return dict(zip(truth["transaction_id"], truth["typology"], strict=True))


@pytest.mark.parametrize("typology", ["fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter",
                                      "bipartite", "stack", "random"])
def test_each_typology_fires_on_its_planted_pattern(bank, typology):
    directory, _, hits = bank
    labels = _labels(directory)
    planted = {t for t, k in labels.items() if k == typology}
    mine = [h for h in hits if h.typology == typology and set(h.transactions) & planted]
    assert mine, f"no {typology} hit on the planted {typology}"
    assert len(planted & set(mine[0].transactions)) * 2 >= len(planted)


def test_lookalikes_are_not_flagged(bank):
    directory, _, hits = bank
    looks = pd.read_csv(directory / "truth" / "lookalikes.csv")
    for row in looks.itertuples():
        accounts = set(row.accounts.split(";"))
        need = max(2, (len(accounts) + 1) // 2)  # the evaluation's rule (networks.evaluate)
        named = [h for h in hits if len(accounts & set(h.accounts)) >= need]
        assert not named, f"{row.kind} flagged: {[h.reason for h in named]}"


def test_rule_hits_are_mostly_illicit(bank):
    directory, _, hits = bank
    labels = _labels(directory)
    found = {t for h in hits for t in h.transactions}
    assert len(found & set(labels)) / len(found) >= 0.9


def test_hit_explains_itself(bank):
    _, _, hits = bank
    fan_in = next(h for h in hits if h.typology == "fan_in")
    assert fan_in.source == "rules" and fan_in.score == 1.0
    assert fan_in.features["counterparties"] >= 5 and fan_in.features["new_counterparty_share"] >= 0.8
    assert "accounts paid" in fan_in.reason and "PKR" in fan_in.reason
    assert len(fan_in.key) == 64 and fan_in.key == Hit(**{**fan_in.__dict__}).key
    frame = hits_to_frame(hits)
    assert len(frame) == len(hits) and set(frame["typology"]) <= {
        "fan_out", "fan_in", "cycle", "scatter_gather", "gather_scatter", "bipartite", "stack", "random"}


def _frame(rows):
    return pd.DataFrame([(f"T{i:04d}", ts, a, b, amt, "ibft") for i, (ts, a, b, amt) in enumerate(rows)],
                        columns=["tx_id", "ts", "payer", "payee", "amount", "channel"])


def test_a_small_hand_built_cycle_and_its_family_twin():
    day = 86400
    ring = [(day * i, f"A{i}", f"A{(i + 1) % 3}", 900_000 * 0.97**i) for i in range(3)]
    # the same three relatives pass money round every month: a standing relationship
    family = [(day * (30 * m + i), f"F{i}", f"F{(i + 1) % 3}", 50_000 * 0.97**i) for m in range(4) for i in range(3)]
    hits = detect(from_frame(_frame(ring + family)), SETTINGS)
    assert [h.typology for h in hits] == ["cycle"]
    assert set(hits[0].accounts) == {"A0", "A1", "A2"} and hits[0].features["cycle_length"] == 3


def test_a_chain_that_keeps_too_little_is_not_a_layering_chain():
    day = 86400
    keeps = [(day * i, f"C{i}", f"C{i + 1}", 500_000 * 0.97**i) for i in range(4)]
    loses = [(day * i, f"D{i}", f"D{i + 1}", 500_000 * 0.5**i) for i in range(4)]
    hits = detect(from_frame(_frame(keeps + loses)), SETTINGS)
    assert [(h.typology, h.accounts[0]) for h in hits] == [("random", "C0")]


def test_from_frame_accepts_the_world_column_names():
    frame = pd.DataFrame({"transaction_id": ["a", "b"], "occurred_at": ["2025-01-01T10:00:00+05:00"] * 2,
                          "payer_iban": ["P1", ""], "payee_iban": ["P2", "P1"], "amount": ["10.50", "3.00"]})
    rows = from_frame(frame).execute("SELECT tx_id, ts, payer, payee, amount FROM tx ORDER BY tx_id").fetchall()
    assert rows == [("a", 1735707600, "P1", "P2", 10.5), ("b", 1735707600, None, "P1", 3.0)]
    with pytest.raises(ValueError, match="amount"):
        from_frame(frame.drop(columns=["amount"]))


def test_rupees_uses_lakh_grouping():
    assert rupees(341000) == "3,41,000" and rupees(12500000) == "1,25,00,000" and rupees(999) == "999"


def test_gather_then_scatter_is_a_hub_but_trading_all_along_is_not():
    day = 86400
    hub = [(day * i // 4, f"G{i}", "HUB", 300_000) for i in range(4)]  # gathered within a day ...
    hub += [(day * (8 + i) // 4, "HUB", f"S{i}", 280_000) for i in range(4)]  # ... then scattered
    # a trader is paid by customers and pays suppliers on alternate days all week: no gathering first
    trade = [(day * 2 * i, f"C{i}", "TRADER", 300_000) for i in range(4)]
    trade += [(day * (2 * i + 1), "TRADER", f"V{i}", 280_000) for i in range(4)]
    hits = detect(from_frame(_frame(hub + trade)), SETTINGS)
    assert [(h.typology, h.accounts[0]) for h in hits] == [("gather_scatter", "HUB")]
    assert hits[0].features["payers_in"] == 4 and hits[0].features["payees_out"] == 4
