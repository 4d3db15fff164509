"""Throughput of the name canonicaliser (run: ``python -m tahqiq.names.data.bench_names``).

Builds distinct synthetic names from the lexicon (Roman variants and Urdu spellings, titles,
"s/o" parentage) and times the public functions on one core, first with empty caches (every
name new) and then warm (names seen before, as in repeated screening of the same list).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from tahqiq import names
from tahqiq.names import canonical, lexicon, similarity, tokens

T = TypeVar("T")


def synthetic_names(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    roman_names = [v for v, e in lexicon.ROMAN.items() if e.kind == "name" and len(v) > 2]
    urdu_names = [u for u, e in lexicon.URDU.items() if e.kind == "name"]
    titles = ["Ch.", "Malik", "Rana", "Mst.", "Dr.", "Hafiz", "Syed", "Mian"]
    out: set[str] = set()
    while len(out) < n:
        r = rng.random()
        if r < 0.2:
            s = " ".join(rng.choice(urdu_names) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.3:
                s += " ولد " + " ".join(rng.choice(urdu_names) for _ in range(2))
        else:
            words = [rng.choice(roman_names).title() for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.2:
                words.insert(0, rng.choice(titles))
            s = " ".join(words)
            if rng.random() < 0.3:
                s += " s/o " + " ".join(rng.choice(roman_names).title() for _ in range(2))
        out.add(s)
    return sorted(out)


def clear() -> None:
    canonical.clear_caches()
    similarity.clear_caches()
    tokens.clear_caches()
    for f in (lexicon.roman_skeleton, lexicon.spelling_key):
        f.cache_clear()


def rate(fn: Callable[[T], object], items: Sequence[T]) -> float:
    t = time.perf_counter()
    for x in items:
        fn(x)
    return len(items) / (time.perf_counter() - t)


def main(n: int = 50_000) -> None:
    data = synthetic_names(n)
    print(f"{len(data)} distinct names")
    for label, fn in (("canonical_tokens", names.canonical_tokens), ("name_key", names.name_key),
                      ("skeleton_key", names.skeleton_key)):
        clear()
        cold = rate(fn, data)
        warm = rate(fn, data)
        print(f"{label:18} cold {cold:>10,.0f}/s   warm {warm:>10,.0f}/s")
    rng = random.Random(3)
    pairs = [(rng.choice(data), rng.choice(data)) for _ in range(n)]
    clear()
    cold = rate(lambda p: names.name_similarity(*p), pairs)
    warm = rate(lambda p: names.name_similarity(*p), pairs)
    print(f"{'name_similarity':18} cold {cold:>10,.0f}/s   warm {warm:>10,.0f}/s  (pairs)")
    # Screening: each new query name against 50 candidate list entries (already seen).
    listed, queries = data[: n // 2], data[n // 2 :][:2000]
    for x in listed:
        names.name_similarity(x, x)
    work = [(q, rng.choice(listed)) for q in queries for _ in range(50)]
    screening = rate(lambda p: names.name_similarity(*p), work)
    print(f"{'screening':18} {screening:>10,.0f} pairs/s (a new query name vs 50 cached list names)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
