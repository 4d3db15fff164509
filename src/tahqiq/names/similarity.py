"""How alike two written names are: ``name_similarity``, 0..1, on the canonical tokens that
``tahqiq.names.canonical`` parses a name into (order-insensitive, forgiving spelling variants, typos
and script)."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from tahqiq.names.canonical import parse_name
from tahqiq.names.lexicon import lookup_roman, spelling_key
from tahqiq.names.tokens import token_skeleton

__all__ = ["clear_caches", "name_similarity"]

# Names shared by so many people that they say little about who someone is.
_LOW_WEIGHT = {
    "muhammad": 0.4, "bibi": 0.5, "begum": 0.5, "mai": 0.5, "mst": 0.5, "khatoon": 0.6, "bano": 0.6, "khan": 0.7,
}

# A prepared token: (canonical, skeleton, known, weight)
_PTok = tuple[str, str, bool, float]


@lru_cache(maxsize=200_000)
def _ptok(token: str, known: bool) -> _PTok:
    return (token, token_skeleton(token), known, _LOW_WEIGHT.get(token, 1.0))


@lru_cache(maxsize=100_000)
def _prepared(text: str) -> tuple[tuple[_PTok, ...], frozenset[str], tuple[_PTok, ...], tuple[str, ...]]:
    p = parse_name(text)
    given = tuple(map(_ptok, p.given, p.known))
    alias = tuple(_ptok(t, lookup_roman(t) is not None) for t in p.alias)
    return given, frozenset(p.titles), alias, tuple(sorted(p.given))


@lru_cache(maxsize=500_000)
def _token_sim(a: _PTok, b: _PTok) -> float:
    ca, cb = a[0], b[0]
    if ca == cb:
        return 1.0
    if len(ca) == 1 or len(cb) == 1:  # an initial
        return 0.75 if ca[0] == cb[0] else 0.0
    if (ca.startswith("abdul") and ca[5:] == cb) or (cb.startswith("abdul") and cb[5:] == ca):
        return 0.7  # Abdul Rehman / Rehman: often the same person, written short
    both_known = a[2] and b[2]
    if both_known:
        if spelling_key(ca) == spelling_key(cb):
            return 0.8  # distinct names often confused in Roman script: Hamid/Hameed, Rashid/Rasheed
    elif a[1] and a[1] == b[1]:
        return 0.9  # an unknown spelling with the same consonant skeleton
    s = OSA.normalized_similarity(ca, cb)  # edit distance counting a transposition as one edit
    if both_known:
        return s * s  # two different names the lexicon knows: Hussain/Husnain, Aslam/Akram
    if a[1] and b[1]:
        # an unknown spelling: also compare skeletons (vowel typos, unknown Urdu words)
        s = max(s, 0.85 * OSA.normalized_similarity(a[1], b[1]))
    return s if s >= 0.75 else s * s


def _align(xs: tuple[_PTok, ...], ys: tuple[_PTok, ...], xt: frozenset[str], yt: frozenset[str]) -> float:
    if not xs or not ys:
        return 0.0
    sim = _token_sim
    pairs = [(sim(x, y), i, j) for i, x in enumerate(xs) for j, y in enumerate(ys)]
    pairs.sort(reverse=True)
    used_x: set[int] = set()
    used_y: set[int] = set()
    num = 0.0
    for s, i, j in pairs:
        if s <= 0.0 or len(used_x) == len(xs) or len(used_y) == len(ys):
            break
        if i in used_x or j in used_y:
            continue
        used_x.add(i)
        used_y.add(j)
        num += s * (xs[i][3] + ys[j][3])
    den = 0.0
    for i, x in enumerate(xs):
        if i in used_x or x[0] not in yt:  # a title on the other side is not a missing name
            den += x[3]
    for j, y in enumerate(ys):
        if j in used_y or y[0] not in xt:
            den += y[3]
    score = num / den if den else 0.0
    if len(xs) != len(ys):
        # split or joined names: "Shah Zaib" / "Shahzaib"
        joined = Levenshtein.normalized_similarity("".join(x[0] for x in xs), "".join(y[0] for y in ys))
        if joined >= 0.85:
            score = max(score, 0.95 * joined)
    return min(score, 1.0)


def name_similarity(a: str, b: str) -> float:
    """Similarity of two persons' own names, 0..1.

    Order-insensitive; spelling variants the lexicon knows score 1.0 per token, unknown
    spellings with the same consonant skeleton 0.9, other tokens by normalised Levenshtein
    similarity (squared below 0.75, so different names such as Aslam/Akram fall well apart).
    Tokens are aligned greedily and combined as a weighted Dice score; "Muhammad" and words like
    "Bibi" weigh less because they are shared by so many people. A title on one side (Malik,
    Rana) does not count as missing from the other. Aliases are tried too.
    """
    if a > b:  # symmetric by construction: the alignment breaks ties by position
        a, b = b, a
    ga, ta, aa, ka = _prepared(a)
    gb, tb, ab, kb = _prepared(b)
    if ka == kb and ka:
        return 1.0
    score = _align(ga, gb, ta, tb)
    if (aa or ab) and score < 1.0:
        for x in (ga, aa):
            for y in (gb, ab):
                if x is not ga or y is not gb:
                    score = max(score, _align(x, y, ta, tb))
    return round(score, 6)


def clear_caches() -> None:
    """Empty this module's caches (for benchmarks that time cold runs)."""
    for f in (_prepared, _token_sim, _ptok):
        f.cache_clear()
