"""Derived columns that the comparisons and blocking rules use, computed once per distinct value.

Splink compares columns in SQL (DuckDB or Spark), so everything Pakistani-name-specific happens
here, before linkage: each name becomes its canonical key (Mohd/Muhammad/محمد all read
"muhammad"; titles and s/o parts removed; tokens sorted so word order does not matter), a *core*
key without the very common tokens that clerks drop or add ("Muhammad", "Bibi"), and a consonant
skeleton (Urdu script writes no short vowels). Values repeat a lot in a population, so each
distinct string is parsed once and the result mapped back (a million records hold far fewer
distinct names).
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pandas as pd

from tahqiq.names import parse_name, token_skeleton
from tahqiq.resolve.spec import Field

# A token carried by more than this share of names says little about who someone is; the core
# key drops it so that "Muhammad Aslam" and "Aslam" agree on their core.
COMMON_TOKEN_SHARE = 0.04

# key, core, skel, tokens, skels of one distinct name (all None when it has no name tokens)
_NameRow = tuple[str | None, str | None, str | None, list[str] | None, list[str] | None]


def _name_parts(values: pd.Series) -> pd.DataFrame:
    uniques = values.dropna().unique()
    parsed = {v: parse_name(v).given for v in uniques}
    counts = Counter(t for toks in parsed.values() for t in set(toks))
    common = {t for t, c in counts.items() if c > COMMON_TOKEN_SHARE * max(len(parsed), 1)}
    rows: dict[object, _NameRow] = {}
    for v, toks in parsed.items():
        if not toks:
            rows[v] = (None, None, None, None, None)
            continue
        tokens = sorted(set(toks))
        skels = sorted({s for s in map(token_skeleton, toks) if s})
        key = " ".join(sorted(toks))
        core = " ".join(sorted(t for t in toks if t not in common)) or key
        rows[v] = (key, core, " ".join(skels) or None, tokens, skels or None)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=["key", "core", "skel", "tokens", "skels"])
    return table.reindex(values.to_numpy()).reset_index(drop=True)


def _parentage(values: pd.Series) -> pd.Series:
    """The father's/husband's name written inside a name ("Aslam s/o Akram" -> "akram")."""
    uniques = values.dropna().unique()
    rel = {}
    for v in uniques:
        p = parse_name(str(v))
        rel[v] = " ".join(p.relative) if p.relation and p.relative else None
    return values.map(rel)


def _iso(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    s = str(value).strip()
    if len(s) == 8 and s.isdigit():  # FEBRL's YYYYMMDD
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    return s[:10] if len(s) >= 10 else (s or None)


def _swapped(iso: str | None) -> str | None:
    """The same date with day and month exchanged, when that is a real date (03-07 <-> 07-03)."""
    if not iso or len(iso) != 10:
        return None
    y, m, d = iso[:4], iso[5:7], iso[8:10]
    if m == d:
        return None
    try:
        date(int(y), int(d), int(m))
    except ValueError:
        return None
    return f"{y}-{d}-{m}"


def _clean(values: pd.Series) -> pd.Series:
    s = values.astype("string").str.strip().str.lower()
    return s.mask(s == "", pd.NA)


def prepare(df: pd.DataFrame, fields: list[Field]) -> pd.DataFrame:
    """A copy of `df` (which must hold `unique_id` and the fields' columns) with derived columns."""
    out = pd.DataFrame({"unique_id": df["unique_id"].astype(str)})
    if "source_dataset" in df.columns:
        out["source_dataset"] = df["source_dataset"].astype(str)
    for f in fields:
        col = df[f.column] if f.column in df.columns else pd.Series([None] * len(df), index=df.index)
        col = col.reset_index(drop=True)
        if f.parentage_of and f.parentage_of in df.columns:
            col = col.where(col.notna() & (col.astype("string").str.strip() != ""),
                            _parentage(df[f.parentage_of].reset_index(drop=True)))
        if f.kind == "name":
            col = col.astype("string").str.strip()
            col = col.mask(col == "", pd.NA)
            parts = _name_parts(col.astype(object).where(col.notna(), None))
            out[f.column] = parts["key"].to_numpy()
            out[f"{f.column}_core"] = parts["core"].to_numpy()
            out[f"{f.column}_skel"] = parts["skel"].to_numpy()
            out[f"{f.column}_tokens"] = parts["tokens"].to_numpy()
            out[f"{f.column}_skels"] = parts["skels"].to_numpy()
        elif f.kind == "date":
            iso = col.map(_iso)
            out[f.column] = iso.to_numpy()
            out[f"{f.column}_swapped"] = iso.map(_swapped).to_numpy()
            out[f"{f.column}_year"] = iso.map(lambda s: s[:4] if s else None).to_numpy()
        elif f.kind in ("national_id", "identifier", "postcode"):
            s = col.astype("string").str.strip().str.replace(r"[\s-]", "", regex=True)
            out[f.column] = s.mask(s == "", pd.NA).astype(object).to_numpy()
        else:  # category, text
            out[f.column] = _clean(col).astype(object).to_numpy()
    return out.astype(object).where(out.notna(), None)
