"""Account features come from transaction behaviour alone: the names are fixed, and the account
file's demographics are never read."""

from __future__ import annotations

import duckdb
import pytest

from tahqiq.networks.features import FEATURES, TX_COLUMNS_READ, account_features
from tahqiq.networks.transactions import load_dir
from tests.networks.bankfixture import write

SENSITIVE = ("age", "gender", "district", "name", "religion", "ethnic", "birth", "kind")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    return write(tmp_path_factory.mktemp("bank"))


def test_feature_names_are_behaviour_only():
    assert len(FEATURES) == len(set(FEATURES)) == 33
    assert not [f for f in FEATURES if any(word in f for word in SENSITIVE)]


def test_only_tx_columns_are_read_and_demographics_change_nothing(bank):
    con = load_dir(bank)
    # accounts.parquet (with ages, genders and districts) sits in the same directory; load_dir never
    # reads it, and the features read only these tx columns:
    assert set(TX_COLUMNS_READ) <= {"tx_id", "ts", "payer", "payee", "amount", "channel"}
    assert [r[0] for r in con.execute("SHOW TABLES").fetchall()] == ["tx"]
    before = account_features(con)
    # join the demographics in under the same connection: nothing that the features compute changes
    con.execute(f"CREATE TABLE accounts AS SELECT * FROM read_parquet('{bank / 'accounts.parquet'}')")
    con.execute("UPDATE accounts SET holder_age = 99, holder_gender = 'F', district = 'X'")
    after = account_features(con)
    assert after.equals(before)
    # the only columns of tx the features need: dropping channel and tx_id changes nothing either
    slim = duckdb.connect()
    slim.register("src", con.execute("SELECT ts, payer, payee, amount FROM tx").df())
    slim.execute("CREATE TABLE tx AS SELECT * FROM src")
    assert account_features(slim).equals(before)


def test_features_describe_a_pass_through_account(bank):
    frame = account_features(load_dir(bank))
    assert list(frame.columns) == list(FEATURES)
    # a mule of the planted cycle: money in and out within days, keeping most of it, on a 4-cycle
    mules = frame[frame["on_cycle_4"] == 1]
    assert len(mules) >= 4
    assert frame["night_share"].between(0, 1).all() and frame["round_share"].between(0, 1).all()
    assert (frame["in_count_max_1d"] <= frame["in_count_max_7d"]).all()
    assert (frame["in_count_max_7d"] <= frame["in_count_max_30d"] + frame["in_count_max_7d"]).all()
