"""Off-the-shelf Splink, for comparison: what a team gets from Splink's own comparison library
with names compared by plain Jaro-Winkler on the lower-cased text (no canonicalisation, no Urdu
script handling, no national-ID wall), clustered by Splink's connected components."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from tahqiq.resolve.spec import Field, LinkType

if TYPE_CHECKING:  # Splink exports these types only from its internals
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator


def _plain(frame: pd.DataFrame, fields: list[Field]) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": frame["unique_id"].astype(str)})
    if "source_dataset" in frame:
        out["source_dataset"] = frame["source_dataset"].astype(str)
    for f in fields:
        col = frame[f.column] if f.column in frame else pd.Series([None] * len(frame))
        s = col.astype("string").str.strip().str.lower()
        out[f.column] = s.mask(s == "", pd.NA).astype(object).where(s.notna(), None).to_numpy()
    return out


def plain_splink(frames: list[pd.DataFrame], fields: list[Field], *, link_type: LinkType = "dedupe_only",
                 threshold: float = 0.9) -> dict[str, str]:
    logging.getLogger("splink").setLevel(logging.ERROR)
    comparisons: list[ComparisonCreator | dict[str, Any]] = []
    for f in fields:
        if f.kind == "name":
            comparisons.append(cl.JaroWinklerAtThresholds(f.column, [0.92, 0.8]))
        elif f.kind == "date":
            comparisons.append(cl.LevenshteinAtThresholds(f.column, [1, 2]))
        elif f.kind in ("identifier", "national_id", "postcode"):
            comparisons.append(cl.LevenshteinAtThresholds(f.column, [1]))
        elif f.kind == "text":
            comparisons.append(cl.JaroWinklerAtThresholds(f.column, [0.9]))
        else:
            comparisons.append(cl.ExactMatch(f.column))
    names = [f.column for f in fields if f.kind == "name"]
    dates = [f.column for f in fields if f.kind == "date"]
    ids = [f.column for f in fields if f.blocks_alone]
    rules: list[BlockingRuleCreator] = [block_on(i) for i in ids]
    if names and dates:
        rules += [block_on(names[0], dates[0])] + ([block_on(names[1], dates[0])] if len(names) > 1 else [])
    if len(names) > 1:
        rules.append(block_on(names[0], names[1]))
    settings = SettingsCreator(link_type=link_type, comparisons=comparisons,
                               blocking_rules_to_generate_predictions=[*rules])
    db = DuckDBAPI()
    tables = [db.register(_plain(f, fields)) for f in frames]
    linker = Linker(tables[0] if len(tables) == 1 else tables, settings, log_level=None)
    det = [f"l.{ids[0]} = r.{ids[0]}"] if ids else [f"l.{names[0]} = r.{names[0]}"]
    linker.training.estimate_probability_two_random_records_match([*det], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2_000_000, seed=7)
    for rule in rules[:3]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    pairs = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, threshold).as_pandas_dataframe()
    return dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str), strict=True))
