"""How alike two written names are: ``name_similarity``, 0..1, on the canonical tokens that
``tahqiq.names.canonical`` parses a name into (order-insensitive, forgiving spelling variants, typos
and script)."""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from tahqiq.names.canonical import parse_name
from tahqiq.names.lexicon import lookup_roman, spelling_key
from tahqiq.names.nicknames import are_nicknames
from tahqiq.names.tokens import token_skeleton

__all__ = ["clear_caches", "name_similarity"]

# Names shared by so many people that they say little about who someone is.
_LOW_WEIGHT = {
    "muhammad": 0.4, "bibi": 0.5, "begum": 0.5, "mai": 0.5, "mst": 0.5, "khatoon": 0.6, "bano": 0.6, "khan": 0.7,
}

# A prepared token: (canonical, skeleton, known, weight, loose key)
_PTok = tuple[str, str, bool, float, str]

# Spelling conventions that differ between transliteration systems and languages (Yuliya/Iuliia,
# Khachatryan/Xachatryan, Jeong/Jong, Tsvetkov/Cvetkov): folded to one form for the loose key.
_LOOSE = [(re.compile(a), b) for a, b in (
    ("shch|sch", "sh"), ("tch", "ch"), ("dzh|zh|dj", "j"), ("kh", "h"), ("x", "ks"), ("ph", "f"), ("tz", "ts"),
    ("y(?=[aeiou])", "i"), ("eo", "o"), ("eu", "u"), ("ou|oo", "u"), ("ee", "i"), ("y", "i"), ("w", "v"),
    ("q|ck|c(?!h)", "k"), (r"(.)\1+", r"\1"),
)]


def _loose(token: str) -> str:
    for pattern, repl in _LOOSE:
        token = pattern.sub(repl, token)
    return token


@lru_cache(maxsize=200_000)
def _ptok(token: str, known: bool) -> _PTok:
    return (token, token_skeleton(token), known, _LOW_WEIGHT.get(token, 1.0), _loose(token))


def _known(token: str) -> bool:
    return lookup_roman(token) is not None


@lru_cache(maxsize=100_000)
def _prepared(text: str) -> tuple[tuple[_PTok, ...], frozenset[str], tuple[_PTok, ...], tuple[str, ...]]:
    p = parse_name(text)
    given = tuple(map(_ptok, p.given, p.known))
    if p.patronym:  # "Ahmad bin Ali": the father's name is part of the name compared
        given += tuple(_ptok(t, _known(t)) for t in p.relative)
    alias = tuple(_ptok(t, _known(t)) for t in p.alias)
    return given, frozenset(p.titles), alias, tuple(sorted(t[0] for t in given))


@lru_cache(maxsize=500_000)
def _token_sim(a: _PTok, b: _PTok) -> float:
    ca, cb = a[0], b[0]
    if ca == cb:
        return 1.0
    if len(ca) == 1 or len(cb) == 1:  # an initial
        return 0.8 if ca[0] == cb[0] else 0.0
    if (ca == "muhammad" and not b[2] and cb[0] == "m") or (cb == "muhammad" and not a[2] and ca[0] == "m"):
        return 0.8  # a lone M. is read as Muhammad; beside a name the lexicon does not know, it is an initial
    if (ca.startswith("abdul") and ca[5:] == cb) or (cb.startswith("abdul") and cb[5:] == ca):
        return 0.7  # Abdul Rehman / Rehman: often the same person, written short
    if are_nicknames(ca, cb):
        return 0.9  # Bill / William, Sasha / Aleksandr
    both_known = a[2] and b[2]
    if both_known:
        if spelling_key(ca) == spelling_key(cb):
            return 0.8  # distinct names often confused in Roman script: Hamid/Hameed, Rashid/Rasheed
    elif (a[1] and a[1] == b[1]) or a[4] == b[4]:
        return 0.9  # an unknown spelling with the same consonant skeleton or transliteration key
    s = OSA.normalized_similarity(ca, cb)  # edit distance counting a transposition as one edit
    if both_known:
        return s * s  # two different names the lexicon knows: Hussain/Husnain, Aslam/Akram
    if a[1] and b[1]:
        # an unknown spelling: also compare skeletons (vowel typos, unknown Urdu words) and
        # transliteration keys (another language's conventions)
        s = max(s, 0.85 * OSA.normalized_similarity(a[1], b[1]), 0.95 * OSA.normalized_similarity(a[4], b[4]))
    if s >= 0.75 and (OSA.distance(ca, cb) < 2 or len(ca) >= 10 or s >= 0.85):
        return s  # one slip, or a long name
    return s * s  # Xiaoming / Xiaohong: two letters apart in a short name is another name


def _merge_adjacent(xs: tuple[_PTok, ...], ys: tuple[_PTok, ...]) -> tuple[_PTok, ...]:
    """Join two neighbouring tokens of ``xs`` that together are one token of ``ys`` (Shah Zaib /
    Shahzaib, Jong Un / Jeongeun, Xiao Ming / Xiaoming), in either order of the pair."""
    out = list(xs)
    # Only a joined token about as long as one of ys can score 0.9 with it (the same spelling, one
    # slip, or a transliteration key of near length): most pairs end here, before any lexicon
    # look-up or key of the joined token is computed (this runs on screening's hot path).
    lengths = [len(y[0]) for y in ys]
    i = 0
    while i < len(out) - 1:
        a, b = out[i], out[i + 1]
        merged = None
        n = len(a[0]) + len(b[0])
        if not any(abs(n - m) <= max(2, m // 4) for m in lengths):
            i += 1
            continue
        for joined in (a[0] + b[0], b[0] + a[0]):
            tok = _ptok(joined, _known(joined))
            if any(_token_sim(tok, y) >= 0.9 and not any(x[0] == y[0] for x in out) for y in ys):
                merged = tok
                break
        if merged is not None:
            out[i : i + 2] = [merged]
        else:
            i += 1
    return tuple(out)


def _align(xs: tuple[_PTok, ...], ys: tuple[_PTok, ...], xt: frozenset[str], yt: frozenset[str],
           merge: bool = True) -> float:
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
    # A middle name written on one side only: when every name of the shorter side found its
    # partner, the longer side's extra names count half ("Muhammad Ali Jinnah" / "Muhammad Jinnah").
    shorter_done = min(len(xs), len(ys)) >= 2 and len(used_x) == min(len(xs), len(ys)) and num >= 0.8 * sum(
        xs[i][3] + ys[j][3] for i, j in zip(sorted(used_x), sorted(used_y), strict=True))
    extra = 0.5 if shorter_done else 1.0
    den = 0.0
    for i, x in enumerate(xs):
        if i in used_x:
            den += x[3]
        elif x[0] not in yt:  # a title on the other side is not a missing name
            den += x[3] * extra
    for j, y in enumerate(ys):
        if j in used_y:
            den += y[3]
        elif y[0] not in xt:
            den += y[3] * extra
    score = num / den if den else 0.0
    if len(xs) != len(ys) and score < 1.0 and merge:
        longer, shorter = (xs, ys) if len(xs) > len(ys) else (ys, xs)
        merged = _merge_adjacent(longer, shorter)
        if len(merged) < len(longer):
            score = max(score, _align(merged, shorter, xt, yt, merge=False))
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
