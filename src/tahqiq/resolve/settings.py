"""Splink settings built from the fields' kinds: comparisons, blocking rules and training plan.

Nothing here names a dataset's columns: give it `[Field("name", "name"), Field("cnic",
"national_id"), ...]` and it decides how to compare and block. The rules of thumb:

- every strong identifier blocks on its own (same CNIC, same phone);
- every name blocks together with every other name or date (name + date of birth, name + father's
  name), on the canonical key and on the core key too, so a dropped "Muhammad" or a spelling
  variant still meets its twin; a name alone, or a name within a district, would make blocks of
  tens of thousands for "Muhammad Ali" at province scale; a date pairs with a place;
- comparisons go from the most specific level to the least, and each level's label says what it
  means, because those labels are what the analyst reads in an explanation.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from tahqiq.resolve.spec import Field, LinkType

if TYPE_CHECKING:  # Splink exports these types only from its internals
    from splink.internals.blocking_rule_creator import BlockingRuleCreator
    from splink.internals.comparison_creator import ComparisonCreator
    from splink.internals.comparison_level_creator import ComparisonLevelCreator


def comparison(f: Field) -> ComparisonCreator:
    c = f.column
    levels: list[ComparisonLevelCreator | dict[str, Any]]
    if f.kind == "name":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c).configure(tf_adjustment_column=c, label_for_charts="same canonical name"),
            cll.ExactMatchLevel(f"{c}_core").configure(label_for_charts="same name apart from common tokens"),
            cll.ExactMatchLevel(f"{c}_skel").configure(label_for_charts="same consonant skeleton (spelling/script)"),
            cll.ArraySubsetLevel(f"{c}_tokens").configure(label_for_charts="one name is part of the other"),
            cll.JaroWinklerLevel(c, 0.92).configure(label_for_charts="very similar spelling (JW>=0.92)"),
            cll.ArraySubsetLevel(f"{c}_skels").configure(
                label_for_charts="one name is part of the other by consonant skeleton"),
            cll.JaroWinklerLevel(f"{c}_core", 0.88).configure(label_for_charts="similar core name (JW>=0.88)"),
            cll.JaroWinklerLevel(c, 0.75).configure(label_for_charts="somewhat similar (JW>=0.75)"),
            cll.ElseLevel().configure(label_for_charts="different names"),
        ]
    elif f.kind == "date":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c).configure(label_for_charts="same date"),
            cll.CustomLevel(f"{c}_l = {c}_swapped_r", label_for_charts="day and month swapped"),
            cll.DamerauLevenshteinLevel(c, 1).configure(label_for_charts="one digit differs"),
            cll.ExactMatchLevel(f"{c}_year").configure(label_for_charts="same year"),
            cll.ElseLevel().configure(label_for_charts="different dates"),
        ]
    elif f.kind in ("national_id", "identifier", "postcode"):
        levels = [
            cll.NullLevel(c),
            # Term frequencies: a phone or CNIC shared by many records (a family's number, a
            # clerk's placeholder) is weaker evidence; u from the data's own value counts also
            # stays accurate at millions of records, where random sampling sees few agreeing pairs.
            cll.ExactMatchLevel(c).configure(tf_adjustment_column=c, label_for_charts=f"same {c}"),
            cll.DamerauLevenshteinLevel(c, 1).configure(label_for_charts=f"{c} one typo apart"),
            cll.ElseLevel().configure(label_for_charts=f"different {c}"),
        ]
    elif f.kind == "text":
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c).configure(label_for_charts=f"same {c}"),
            cll.JaroWinklerLevel(c, 0.9).configure(label_for_charts=f"similar {c}"),
            cll.ElseLevel().configure(label_for_charts=f"different {c}"),
        ]
    else:  # category
        levels = [
            cll.NullLevel(c),
            cll.ExactMatchLevel(c).configure(label_for_charts=f"same {c}"),
            cll.ElseLevel().configure(label_for_charts=f"different {c}"),
        ]
    return cl.CustomComparison(levels, output_column_name=c, comparison_description=f"{c} ({f.kind})")


def _discriminating(fields: list[Field]) -> list[Field]:
    """Fields that narrow a block usefully when paired with a name (not gender-like categories)."""
    return [f for f in fields if f.kind in ("name", "date", "postcode", "text")
            or (f.kind == "category" and f.column not in ("gender", "state"))]


def blocking_rules(fields: list[Field]) -> list[BlockingRuleCreator]:
    rules: list[BlockingRuleCreator] = [block_on(f.column) for f in fields if f.blocks_alone]
    names = [f for f in fields if f.kind == "name"]
    others = _discriminating(fields)
    seen: set[tuple[str, ...]] = set()
    for a, b in combinations(others, 2):
        if a.kind != "name" and b.kind != "name" and not (a.kind == "date" or b.kind == "date"):
            continue  # two weak fields (district + address) would make huge blocks
        if {a.kind, b.kind} == {"name", "category"}:
            continue  # a common name within a district: tens of thousands of pairs at province scale
        for ca in _variants(a):
            for cb in _variants(b):
                key = tuple(sorted((ca, cb)))
                if key not in seen:
                    seen.add(key)
                    rules.append(block_on(ca, cb))
    if not rules and names:
        rules.append(block_on(names[0].column))
    return rules


def _variants(f: Field) -> list[str]:
    if f.kind == "name":
        return [f.column, f"{f.column}_core"]
    return [f.column]


def training_rules(fields: list[Field]) -> list[BlockingRuleCreator]:
    """Blocking rules for EM sessions: each session fixes some fields and learns the others' m."""
    rules: list[BlockingRuleCreator] = []
    names = [f for f in fields if f.kind == "name"]
    dates = [f for f in fields if f.kind == "date"]
    ids = [f for f in fields if f.blocks_alone]
    if names and dates:
        rules.append(block_on(names[0].column, dates[0].column))  # learns ids, places, other names
    for f in ids[:2]:
        rules.append(block_on(f.column))  # learns names and dates
    if len(names) > 1:
        rules.append(block_on(names[0].column, names[1].column))
    elif dates and len(fields) > 2:
        others = [f for f in _discriminating(fields) if f.kind not in ("name", "date")]
        if others:
            rules.append(block_on(dates[0].column, others[0].column))
    return rules


def deterministic_rules(fields: list[Field]) -> list[str]:
    """Rules that almost only ever pair true matches, to estimate the prior (lambda)."""
    names = [f.column for f in fields if f.kind == "name"]
    dates = [f.column for f in fields if f.kind == "date"]
    ids = [f.column for f in fields if f.blocks_alone]
    out: list[str] = []
    for i in ids[:1]:
        out.append(f"l.{i} = r.{i}" + (f" and l.{names[0]} = r.{names[0]}" if names else ""))
    if len(names) >= 1 and dates:
        clause = " and ".join(f"l.{n} = r.{n}" for n in names[:2])
        out.append(f"{clause} and l.{dates[0]} = r.{dates[0]}")
    return out


def settings(fields: list[Field], link_type: LinkType = "dedupe_only") -> SettingsCreator:
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=[comparison(f) for f in fields],
        blocking_rules_to_generate_predictions=[*blocking_rules(fields)],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,  # explanations need only the gamma and weight columns
        additional_columns_to_retain=[],
    )
