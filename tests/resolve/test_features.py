"""Derived columns: the same person written in Urdu script, with titles, or with an inline father's
name must produce the same keys; settings come from the model's property types."""

from __future__ import annotations

import pandas as pd
import pytest

from tahqiq.resolve.features import prepare
from tahqiq.resolve.settings import blocking_rules, settings
from tahqiq.resolve.spec import Field, fields_for


def _prep(rows, fields=None):
    fields = fields or fields_for("Person")
    return prepare(pd.DataFrame(rows), fields).set_index("unique_id")


def test_urdu_script_roman_variants_and_titles_share_a_key():
    df = _prep([{"unique_id": "1", "name": "Ch. Muhammad Aslam"}, {"unique_id": "2", "name": "محمد اسلم"},
                {"unique_id": "3", "name": "MOHD ASLAM"}, {"unique_id": "4", "name": "Aslam Mohammad"}])
    assert df["name"].nunique() == 1
    assert df.loc["1", "name"] == "aslam muhammad"
    assert set(df.loc["2", "name_tokens"]) == {"aslam", "muhammad"}


def test_an_inline_parentage_fills_a_missing_father_name():
    df = _prep([{"unique_id": "1", "name": "Gh. Murtaza s/o Karam Din", "fatherName": None},
                {"unique_id": "2", "name": "Ghulam Murtaza", "fatherName": "Karam Din"}])
    assert df.loc["1", "fatherName"] == df.loc["2", "fatherName"]
    assert df.loc["1", "name"] == df.loc["2", "name"]


def test_dates_carry_their_day_month_swap_and_year():
    df = _prep([{"unique_id": "1", "birthDate": "1990-03-07"}, {"unique_id": "2", "birthDate": "1990-07-03"},
                {"unique_id": "3", "birthDate": "1990-03-31"}])
    assert df.loc["1", "birthDate_swapped"] == "1990-07-03"
    assert df.loc["3", "birthDate_swapped"] is None  # 31 is not a month
    assert df.loc["2", "birthDate_year"] == "1990"


def test_person_fields_come_from_the_model_types():
    kinds = {f.column: f.kind for f in fields_for("Person")}
    assert kinds["cnic"] == "national_id" and kinds["name"] == "name" and kinds["birthDate"] == "date"
    rules = [r.get_blocking_rule("duckdb").blocking_rule_sql for r in blocking_rules(fields_for("Person"))]
    assert any('"cnic"' in r and "name" not in r for r in rules)  # a CNIC blocks on its own
    assert not any("gender" in r for r in rules)  # weak categories never block
    assert settings(fields_for("Person")).link_type == "dedupe_only"


def test_unknown_schema_and_kind_are_clear_errors():
    with pytest.raises(ValueError, match="no resolution fields"):
        fields_for("Vehicle")
    with pytest.raises(ValueError, match="unknown kind"):
        Field("x", "colour")
