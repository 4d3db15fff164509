"""Precision, recall and F1 of ``name_similarity`` on labelled name pairs (``tahqiq eval names FILE``).

The file is CSV with a header naming at least ``name1,name2,is_match`` (``is_match``: 1/0,
true/false, yes/no, same/diff); an optional ``schema`` column is reported per value, and any other
column named ``class`` or ``script`` too. Scores are compared with the default threshold of
screening and with the threshold that gives the best F1 on the file (which says how far the
default is from the best cut, not a threshold to adopt from one file).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tahqiq.names.similarity import name_similarity

__all__ = ["DEFAULT_THRESHOLD", "Counts", "LabelledPair", "NamesEvaluation", "evaluate_names", "read_pairs"]

# The name score at which screening reports a hit (``tahqiq.screen``'s default).
DEFAULT_THRESHOLD = 0.8

_TRUE = {"1", "true", "yes", "y", "t", "same", "match"}
_FALSE = {"0", "false", "no", "n", "f", "diff", "different", "nonmatch", "no_match"}
_GROUPS = ("schema", "class", "script")


@dataclass(frozen=True)
class LabelledPair:
    name1: str
    name2: str
    is_match: bool
    groups: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Counts:
    """Pairs at one threshold: true and false positives, false negatives, true negatives."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class NamesEvaluation:
    pairs: int
    threshold: float
    at_default: Counts
    best_threshold: float
    at_best: Counts
    by_group: dict[str, dict[str, Counts]]  # column -> value -> counts at the default threshold
    worst: list[tuple[str, str, bool, float]]  # the pairs furthest on the wrong side of the default

    @property
    def f1(self) -> float:
        return self.at_default.f1


def read_pairs(path: str | Path) -> list[LabelledPair]:
    """Read ``name1,name2,is_match`` rows; raises ``ValueError`` naming the line of a bad row."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}")
    with p.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(line for line in f if not line.startswith("#"))
        missing = {"name1", "name2", "is_match"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{p}: the header lacks {', '.join(sorted(missing))} (need name1,name2,is_match)")
        out = []
        for row in reader:
            label = (row["is_match"] or "").strip().lower()
            if label not in _TRUE and label not in _FALSE:
                raise ValueError(f"{p}, line {reader.line_num}: is_match must be 1/0 or true/false, not {label!r}")
            groups = {g: row[g] for g in _GROUPS if row.get(g)}
            out.append(LabelledPair(row["name1"] or "", row["name2"] or "", label in _TRUE, groups))
    if not out:
        raise ValueError(f"{p}: no pairs")
    return out


def _counts(scored: Iterable[tuple[float, bool]], threshold: float) -> Counts:
    tp = fp = fn = tn = 0
    for s, m in scored:
        hit = s >= threshold
        tp += hit and m
        fp += hit and not m
        fn += (not hit) and m
        tn += (not hit) and not m
    return Counts(tp, fp, fn, tn)


def _best(scored: Sequence[tuple[float, bool]]) -> tuple[float, Counts]:
    best_t, best = DEFAULT_THRESHOLD, _counts(scored, DEFAULT_THRESHOLD)
    for t in sorted({round(s, 3) for s, _ in scored if s > 0}):
        c = _counts(scored, t)
        if c.f1 > best.f1:
            best_t, best = t, c
    return best_t, best


def evaluate_names(pairs: Sequence[LabelledPair], threshold: float = DEFAULT_THRESHOLD) -> NamesEvaluation:
    scores = [name_similarity(p.name1, p.name2) for p in pairs]
    scored = [(s, p.is_match) for s, p in zip(scores, pairs, strict=True)]
    by_group: dict[str, dict[str, Counts]] = {}
    for g in _GROUPS:
        values = sorted({p.groups[g] for p in pairs if g in p.groups})
        if values:
            by_group[g] = {
                v: _counts([x for x, p in zip(scored, pairs, strict=True) if p.groups.get(g) == v], threshold)
                for v in values
            }
    wrong = [(p.name1, p.name2, p.is_match, s) for s, p in zip(scores, pairs, strict=True)
             if (s >= threshold) != p.is_match]
    wrong.sort(key=lambda w: -abs(w[3] - threshold))
    best_t, best = _best(scored)
    return NamesEvaluation(len(pairs), threshold, _counts(scored, threshold), best_t, best, by_group, wrong[:20])
