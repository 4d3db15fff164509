"""Accuracy of the canonicaliser on the hand-labelled pairs (run: ``python -m tahqiq.names.data.accuracy``).

For each group of ``labelled_pairs.csv`` it reports how often the two names get the same
``name_key``, the same ``skeleton_key`` and a ``name_similarity`` of at least 0.85, next to two
baselines without the lexicon: exact lower-case comparison and the raw consonant skeleton of the
written words. It also compares every pair of different canonical names in the lexicon (how often
different names collide). Prints a Markdown table.
"""

from __future__ import annotations

import csv
import itertools
import re
from importlib import resources

from tahqiq.names import lexicon, name_key, name_similarity, skeleton_key
from tahqiq.names.urdu import urdu_skeleton

THRESHOLD = 0.85
_WORD = re.compile(r"[^\W\d_]+")


def raw_skeleton(text: str) -> str:
    """Baseline: consonant skeleton of the written words, no lexicon, no title/parentage rules."""
    out = []
    for w in _WORD.findall(lexicon.fold(text)):
        out.append(lexicon.roman_skeleton(w) if w.isascii() else urdu_skeleton(w))
    return " ".join(sorted(s for s in out if s))


def load_pairs() -> list[tuple[str, str, str, str]]:
    text = resources.files("tahqiq.names").joinpath("data/labelled_pairs.csv").read_text("utf-8")
    reader = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    next(reader)
    return [tuple(r) for r in reader]  # type: ignore[misc]


def pct(k: int, n: int) -> str:
    return f"{100 * k / n:.0f}%" if n else "-"


def main() -> None:
    pairs = load_pairs()
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a, b, label, group in pairs:
        groups.setdefault((label, group), []).append((a, b))
    print("| pairs | n | exact (lower-case) | raw skeleton, no lexicon | same name_key | same skeleton_key "
          f"| similarity >= {THRESHOLD} | mean similarity |")
    print("|---|---|---|---|---|---|---|---|")
    def listed(text: str) -> bool:
        words = _WORD.findall(lexicon.fold(text))
        return all(w in lexicon.ROMAN or lexicon.lookup_urdu(w) or len(w) < 3 for w in words)

    variants = groups.pop(("same", "variant"))
    split = {
        ("same", "variant"): variants,
        ("same", "variant, every spelling listed in the lexicon"): [
            p for p in variants if listed(p[0]) and listed(p[1])
        ],
        ("same", "variant, a spelling not listed"): [p for p in variants if not (listed(p[0]) and listed(p[1]))],
    }
    groups = {**split, **groups}
    for (label, group), items in groups.items():
        n = len(items)
        exact = sum(a.lower() == b.lower() for a, b in items)
        raw = sum(raw_skeleton(a) == raw_skeleton(b) for a, b in items)
        nk = sum(name_key(a) == name_key(b) for a, b in items)
        sk = sum(skeleton_key(a) == skeleton_key(b) for a, b in items)
        sims = [name_similarity(a, b) for a, b in items]
        hi = sum(s >= THRESHOLD for s in sims)
        print(f"| {label}: {group} | {n} | {pct(exact, n)} | {pct(raw, n)} | {pct(nk, n)} | {pct(sk, n)} "
              f"| {pct(hi, n)} | {sum(sims) / n:.2f} |")
    names = sorted(e.canonical for e in lexicon.LEXICON.values() if e.kind == "name")
    n = sk = hi = 0
    for a, b in itertools.combinations(names, 2):
        n += 1
        sk += skeleton_key(a) == skeleton_key(b)
        hi += name_similarity(a, b) >= THRESHOLD
    print(f"| diff: every pair of different lexicon names | {n:,} | 0% | - | 0% | {100 * sk / n:.2f}% "
          f"| {100 * hi / n:.2f}% | - |")
    print()
    print("Misses (same pairs below the threshold, different pairs at or above it):")
    for a, b, label, group in pairs:
        s = name_similarity(a, b)
        if (label == "same") != (s >= THRESHOLD):
            print(f"  {group:9} {a!r} / {b!r}: {s:.2f}  keys {name_key(a)!r} / {name_key(b)!r}")


if __name__ == "__main__":
    main()
