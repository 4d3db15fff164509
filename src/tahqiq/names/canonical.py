"""Pakistani-name canonicaliser for entity resolution and watchlist screening.

``parse_name`` turns a name as written in a police record (Roman or Urdu script, with titles,
"s/o" parentage, spelling variants, any word order) into canonical Roman tokens. The keys and the
similarity built on it:

* ``canonical_tokens``: the person's own name, one canonical token per name word
  (``Mohd. Aslam`` and ``محمد اسلم`` -> ``("muhammad", "aslam")``);
* ``name_key``: the canonical tokens sorted and joined, for exact-match blocking;
* ``skeleton_key``: the sorted consonant skeletons of the canonical tokens (``mhmd slm``): coarser,
  so it also joins spellings the lexicon does not know and typos that only touch vowels;
* ``name_similarity``: 0..1, order-insensitive token alignment that forgives spelling variants,
  typos and script.

Names identify people and nothing else: no function here infers, outputs or stores religion,
ethnicity, caste, tribe, sect or gender from a name. Words that announce caste in records
("qaum Jat", "ذات") are dropped with everything up to the next parentage marker and are never
reported. Removed titles are returned only so a caller can show what was removed.

Conventions (see ``docs/resolve-names.md``): a lone initial ``M``/``M.`` is read as Muhammad (the
Pakistani convention; other initials stay initials); ``Abdul``/``Abdur``/``Abd-ur-`` plus the next
name make one token (``abdulrahman``); the article in ``Zia-ul-Haq``, ``Noor-ud-Din``,
``Saifullah`` is dropped and the two names kept (``zia haq``, ``noor din``, ``saif allah``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from tahqiq.names.lexicon import fold, lookup_roman, lookup_urdu, roman_skeleton, spelling_key
from tahqiq.names.urdu import ARABIC_LETTERS, transliterate

__all__ = [
    "ParsedName",
    "canonical_tokens",
    "name_key",
    "name_similarity",
    "parse_name",
    "skeleton_key",
    "token_skeleton",
]

# --------------------------------------------------------------------------------------------
# Fixed word lists (markers and articles are grammar, not names: kept in code)
# --------------------------------------------------------------------------------------------

_ARTICLES = frozenset(
    "al el ul ur us ud un uz ut ush uth ar as ad an az at ash e".split()
    + ["ال"]
)
_ABD = frozenset("abd abdu abdul abdur abdus abduz abdush abdud abdun abdut abdel abdal abdar abdas".split()) | {"عبد"}
_TAILS = frozenset("allah din haq rahman rahim zaman nisa islam abidin hasan huda amin ain nabi arifin".split())

_REL_WORDS = {
    "bin": "s/o",
    "ibn": "s/o",
    "ibne": "s/o",
    "ibni": "s/o",
    "walad": "s/o",
    "wald": "s/o",
    "valad": "s/o",
    "waled": "s/o",
    "pisar": "s/o",
    "pesar": "s/o",
    "bint": "d/o",
    "binte": "d/o",
    "binti": "d/o",
    "dukhtar": "d/o",
    "zoja": "w/o",
    "zauja": "w/o",
    "zouja": "w/o",
    "zaujah": "w/o",
    "zojah": "w/o",
    "ولد": "s/o",
    "بن": "s/o",
    "ابن": "s/o",
    "پسر": "s/o",
    "ولدیت": "s/o",
    "بنت": "d/o",
    "دختر": "d/o",
    "زوجہ": "w/o",
    "زوجا": "w/o",
    "بیوہ": "w/o",
    "\x01so": "s/o",
    "\x01do": "d/o",
    "\x01wo": "w/o",
}
_ALIAS_WORDS = frozenset(["alias", "urf", "aka", "\x01alias", "عرف", "المعروف"])
# Caste/tribe announcements: the words up to the next marker are dropped, never reported.
_DROP_WORDS = frozenset(["qaum", "qoum", "qom", "quom", "caste", "zaat", "zat", "قوم", "ذات", "برادری", "biradari", "baradari"])
# Address / care-of: everything after is dropped.
_END_WORDS = frozenset(
    ["\x01ro", "\x01co", "\x01ho", "\x01fo", "resident", "sakin", "saakin", "sakna", "ساکن", "سکنہ", "ساکنہ"]
)

_SLASH_REL = re.compile(r"(?<![^\W\d_])([sdwrchf])\s*[/\\.]\s*[o0](?![^\W\d_])\.?")
_OF_REL = re.compile(r"\b(son|daughter|wife|widow|husband|resident|care)\s+of\b")
_OF_CODE = {"son": "so", "daughter": "do", "wife": "wo", "widow": "wo", "husband": "ho", "resident": "ro", "care": "co"}
_AKA = re.compile(r"@|\ba\.\s*k\.\s*a\b\.?|\ba/k/a\b")  # "aka" as a word is in _ALIAS_WORDS
_APOS = re.compile(r"['\u2019\u2018\u02bc\u02bb`\u00b4\u02bf\u02be]")
_TOKEN = re.compile(rf"\x01[a-z]+|[a-z]+|[{ARABIC_LETTERS}]+|[^\W\d_a-z{ARABIC_LETTERS}]+")
_ARABIC_RE = re.compile(rf"[{ARABIC_LETTERS}]")
_LATIN_RE = re.compile(r"[a-z]")
_OTHER_RE = re.compile(rf"[^\W\d_a-z{ARABIC_LETTERS}]")

# Joined compounds: Saifullah, Nooruddin, Ziaulhaq, Fazlurrehman, Zebunnisa, Abdulrehman.
_TAIL_FORMS = {
    "allah": "llah lla ullah ulla ullha ulah allah alla",
    "din": "din deen dinn",
    "haq": "haq haque haqq huq",
    "rahman": "rahman rehman rahmaan rehmaan rahaman",
    "rahim": "rahim raheem",
    "zaman": "zaman zamaan",
    "nisa": "nisa nissa nisaa nesa",
    "islam": "islam",
    "abidin": "abidin abideen abdin abedin abdeen",
    "hasan": "hasan hassan",
    "huda": "huda",
    "amin": "amin ameen",
    "ain": "ain",
    "arifin": "arifin arifeen",
}


_TAIL_LIST = sorted(
    ((form, canon) for canon, forms in _TAIL_FORMS.items() for form in forms.split()),
    key=lambda x: -len(x[0]),
)
_ARTICLE_END = re.compile(r"(?:[uae](?:sh|l|r|s|d|n|z|t)?)$")


def _split_tail(word: str) -> tuple[str, str] | None:
    """``saifullah`` -> (``saif``, ``allah``); ``nooruddin`` -> (``noor``, ``din``)."""
    for form, canon in _TAIL_LIST:
        if word.endswith(form) and len(word) - len(form) >= 2:
            stem = word[: -len(form)]
            cands = [stem]
            m = _ARTICLE_END.search(stem)
            if m:
                cands.extend(stem[: m.start()] + stem[m.start() : m.start() + k] for k in (1, 0))
            for pre in cands:
                if len(pre) >= 2:
                    entry = lookup_roman(pre)
                    if entry is not None:
                        return pre, canon
    return None


# Abd + article written as one word: abdul abdur abdus abdush abduz ... (longest first)
_ABD_PREFIXES = sorted(
    {"abd", "abdu", "abde", "abda"} | {f"abd{v}{c}" for v in "uea" for c in ("l", "r", "s", "sh", "z", "d", "n", "t")},
    key=len,
    reverse=True,
)


def _split_abd(word: str) -> str | None:
    """The name after Abd in a joined form: abdulghafoor -> ghafoor, abdushshakoor -> shakoor."""
    if not word.startswith("abd"):
        return None
    if word.startswith("abdul"):
        return word[5:] if len(word) >= 8 else None  # the canonical form
    fallback = None
    for prefix in _ABD_PREFIXES:
        rest = word[len(prefix) :]
        if len(rest) >= 3 and word.startswith(prefix):
            if lookup_roman(rest) is not None:
                return rest
            fallback = fallback or rest
    return fallback


# A title that is also the first half of a compound name: Hafiz Ullah / Hafizullah is حفیظ اللہ.
_NAME_TWIN = {"hafiz": "hafeez"}
_TRAILING_ARTICLE = re.compile(r"^(?P<pre>[a-z]{2,}?)(?:ul|ur|us|ud|un|uz|ush)$")

_LOW_WEIGHT = {"muhammad": 0.4, "bibi": 0.5, "begum": 0.5, "mai": 0.5, "mst": 0.5, "khatoon": 0.6, "bano": 0.6, "khan": 0.7}

# A token: (canonical, kind, known). kind: name | title | honorific | article | abd | rel (the
# canonical is then "s/o", "d/o" or "w/o") | alias | drop (caste words) | end (address follows)
Tok = tuple[str, str, bool]


# --------------------------------------------------------------------------------------------
# Token canonicalisation
# --------------------------------------------------------------------------------------------


def _abd_join(tok: Tok) -> str:
    """Abd + name: one token. Abdul Allah is Abdullah; Abdul Hafiz is Abdul Hafeez."""
    canon = tok[0]
    if canon == "allah":
        return "abdullah"
    if tok[1] == "title":
        canon = _NAME_TWIN.get(canon, canon)
    joined = f"abdul{canon}"
    entry = lookup_roman(joined)  # a listed name ("abdul" + "la" is Abdullah)
    return entry.canonical if entry is not None and entry.kind == "name" else joined


def _roman_name(word: str) -> tuple[Tok, ...]:
    entry = lookup_roman(word)
    if entry is not None:
        return ((entry.canonical, entry.kind, True),)
    after_abd = _split_abd(word)
    if after_abd:
        rest = _roman_name(after_abd)
        if len(rest) == 1 and rest[0][1] != "honorific":
            return ((_abd_join(rest[0]), "name", rest[0][2]),)
    split = _split_tail(word)
    if split:
        tail = split[1]
        pre = _roman_name(split[0])
        if len(pre) == 1 and pre[0][2]:  # only split when the first part is a known name
            first = pre[0][0] if pre[0][1] == "name" else _NAME_TWIN.get(pre[0][0])
            if first:
                return ((first, "name", True), (tail, "name", True))
    return ((word, "name", False),)


def _marker_token(word: str) -> tuple[Tok, ...] | None:
    """Parentage, alias, dropped and end-of-name words: the same in both scripts' word lists."""
    if word in _REL_WORDS:
        return ((_REL_WORDS[word], "rel", True),)
    if word in _ALIAS_WORDS:
        return (("", "alias", True),)
    if word in _DROP_WORDS:
        return (("", "drop", True),)
    if word in _END_WORDS:
        return (("", "end", True),)
    return None


@lru_cache(maxsize=200_000)
def _roman_token(word: str) -> tuple[Tok, ...]:
    marker = _marker_token(word)
    if marker:
        return marker
    if word in _ARTICLES:
        return ((word, "article", True),)
    if word in _ABD:
        return (("abdul", "abd", True),)
    return _roman_name(word)


def _urdu_name(word: str, split: bool = True) -> tuple[Tok, ...]:
    entry = lookup_urdu(word)
    if entry is not None:
        return ((entry.canonical, entry.kind, True),)
    if split and len(word) > 3:
        if word.startswith("عبد"):
            rest = word[3:]
            if rest.startswith("ال") and len(rest) > 3:
                rest = rest[2:]
            r = _urdu_name(rest, split=False)
            if len(r) == 1 and r[0][1] != "honorific":
                return ((_abd_join(r[0]), "name", r[0][2]),)
        if word.endswith("اللہ") and len(word) > 5:
            pre = _urdu_name(word[:-4], split=False)
            if len(pre) == 1:
                first = pre[0]
                if first[1] == "title" and first[0] in _NAME_TWIN:  # حافظ اللہ: Hafeezullah
                    first = (_NAME_TWIN[first[0]], "name", True)
                return (first, ("allah", "name", True))
        if word.startswith("ال"):
            r = _urdu_name(word[2:], split=False)
            return (("al", "article", True), *r)
        i = word.find("ال", 2)
        while i != -1:
            head, tail = lookup_urdu(word[:i]), lookup_urdu(word[i + 2 :])
            if head is not None and tail is not None:
                return ((head.canonical, head.kind, True), (tail.canonical, tail.kind, True))
            i = word.find("ال", i + 1)
    roman = transliterate(word)
    if not roman:
        return ()
    # Read the rough Roman form exactly as a Roman-script word would be read, so that parsing a
    # canonical key again gives the same tokens.
    return _roman_token(roman)


@lru_cache(maxsize=200_000)
def _urdu_token(word: str) -> tuple[Tok, ...]:
    marker = _marker_token(word)
    if marker:
        return marker
    if word == "ال":
        return (("al", "article", True),)
    if word == "عبد":
        return (("abdul", "abd", True),)
    return _urdu_name(word)


@lru_cache(maxsize=200_000)
def token_skeleton(token: str) -> str:
    """Consonant skeleton of one canonical token (non-Roman tokens are kept as they are)."""
    return roman_skeleton(token) if token.isascii() else token


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedName:
    """One name as written, taken apart. All token tuples hold canonical Roman tokens."""

    original: str
    script: str  # "Latn" | "Arab" | "mixed"
    given: tuple[str, ...]  # the person's own name, titles removed, in written order
    relation: str | None  # "s/o" | "d/o" | "w/o" | None
    relative: tuple[str, ...]  # father's / husband's name when given in the same string
    titles: tuple[str, ...]  # removed honorifics and titles, canonical
    alias: tuple[str, ...] = ()  # the name after "alias"/"urf"/"@", if any
    known: tuple[bool, ...] = ()  # per given token: was it found in the lexicon?


def _tokens(s: str) -> list[Tok]:
    """Tokens of an already folded string."""
    if "/" in s or "\\" in s or "." in s:
        s = _SLASH_REL.sub(lambda m: f" \x01{m.group(1)}o ", s)
    if " of" in s:
        s = _OF_REL.sub(lambda m: f" \x01{_OF_CODE[m.group(1)]} ", s)
    if "@" in s or "k" in s:
        s = _AKA.sub(" \x01alias ", s)
    if "'" in s or "`" in s or not s.isascii():
        s = _APOS.sub("", s)
    out: list[Tok] = []
    for word in _TOKEN.findall(s):
        if word.isascii():
            out.extend(_roman_token(word))
        elif _ARABIC_RE.match(word):
            out.extend(_urdu_token(word))
        else:
            out.append((word, "name", False))
    return out


def _compose(tokens: list[Tok]) -> list[Tok]:
    """Join Abd + name, keep one Bibi (Bi Bi), Hafiz Ullah -> Hafeez Ullah, drop articles."""
    out: list[Tok] = []
    lone_abd = False
    i, n = 0, len(tokens)
    while i < n:
        canon, kind, known = tokens[i]
        if kind == "abd":
            j = i + 1
            while j < n and tokens[j][1] == "article":
                j += 1
            if j < n and _joinable(tokens[j]):
                out.append((_abd_join(tokens[j]), "name", tokens[j][2]))
                i = j + 1
            elif out and _joinable(out[-1]):  # "Rehman, Abdul": Abdul last, join the name before
                prev = out.pop()
                out.append((_abd_join(prev), "name", prev[2]))
                i = j
            else:  # nothing to join: kept below only if it is the whole name
                lone_abd = True
                i = j
            continue
        if kind == "article":
            i += 1
            continue
        if canon == "bibi" and any(t[0] == "bibi" for t in out):  # بی بی / Bi Bi: one Bibi
            i += 1
            continue
        if kind == "title" and canon in _NAME_TWIN:
            j = i + 1
            while j < n and tokens[j][1] == "article":
                j += 1
            if j < n and tokens[j][0] == "allah":  # Hafiz Ullah is Hafeezullah
                out.append((_NAME_TWIN[canon], "name", True))
                i += 1
                continue
        out.append(tokens[i])
        i += 1
    if lone_abd and not out:
        out.append(("abdul", "name", True))
    return out


def _trailing_articles(names: list[Tok]) -> list[Tok]:
    """Fazlur Rehman, Ziaul Haq: an article written onto the first name of a compound."""
    if not any(t[0] in _TAILS for t in names):  # only in a compound (any order: keys are sorted)
        return names
    out = list(names)
    for i in range(len(out)):
        canon, kind, known = out[i]
        if not known and canon.isascii():
            m = _TRAILING_ARTICLE.match(canon)
            entry = lookup_roman(m.group("pre")) if m else None
            if entry is not None and entry.kind == "name":
                out[i] = (entry.canonical, "name", True)
    return out


def _joinable(tok: Tok) -> bool:
    return (tok[1] == "name" or tok[1] == "title") and tok[0].isascii() and not tok[0].startswith("abd")


def _strip_titles(tokens: list[Tok]) -> tuple[list[Tok], list[str]]:
    names: list[Tok] = []
    titles: list[str] = []
    held: list[Tok] = []
    for tok in tokens:
        kind = tok[1]
        if kind == "name":
            names.append(tok)
        elif kind == "honorific":
            titles.append(tok[0])
        else:
            held.append(tok)
    if held:
        if names:
            titles.extend(t[0] for t in held)
        else:  # nothing but titles: they are the name ("Malik", "Rana")
            names = [(t[0], "name", True) for t in held]
    return names, titles


def _script(folded: str) -> str:
    if folded.isascii():
        return "Latn"
    arab = _ARABIC_RE.search(folded) is not None
    latin = _LATIN_RE.search(folded) is not None
    if arab and not latin:
        other = _OTHER_RE.search(folded) is not None
        return "mixed" if other else "Arab"
    if arab:
        return "mixed"
    return "mixed" if _OTHER_RE.search(folded) else "Latn"


_EMPTY: tuple[str, ...] = ()


@lru_cache(maxsize=100_000)
def parse_name(text: str) -> ParsedName:
    """Parse one written name. Never raises on text input; empty input gives empty tuples."""
    if not isinstance(text, str):
        raise TypeError("parse_name expects a str")
    folded = fold(text)
    own: list[Tok] = []
    rel: list[Tok] = []
    alias: list[Tok] = []
    relation: str | None = None
    target: list[Tok] | None = own
    for tok in _tokens(folded):
        kind = tok[1]
        if kind == "name" or kind == "title" or kind == "honorific" or kind == "article" or kind == "abd":
            if target is not None:
                target.append(tok)
        elif kind == "rel":
            if relation is None and (target is not rel or not rel):
                relation = tok[0]  # also with nothing before it: "s/o Ghulam Rasool"
                target = rel
            else:
                target = None  # grandfather and beyond
        elif kind == "alias":
            target = alias if (own and not alias and target is not rel) else None
        elif kind == "drop":
            target = None  # caste words: dropped up to the next marker
        else:  # "end": address, care-of
            break
    given, titles = _strip_titles(_compose(own)) if own else ([], [])
    given = _trailing_articles(given)
    relative = tuple(t[0] for t in _trailing_articles(_strip_titles(_compose(rel))[0])) if rel else _EMPTY
    alias_t = tuple(t[0] for t in _trailing_articles(_strip_titles(_compose(alias))[0])) if alias else _EMPTY
    return ParsedName(
        original=text,
        script=_script(folded),
        given=tuple(t[0] for t in given),
        relation=relation,
        relative=relative,
        titles=tuple(titles),
        alias=alias_t,
        known=tuple(t[2] for t in given),
    )


def canonical_tokens(text: str) -> tuple[str, ...]:
    """Canonical Roman tokens of the person's own name (titles and parentage removed)."""
    return parse_name(text).given


@lru_cache(maxsize=100_000)
def name_key(text: str) -> str:
    """Order-insensitive canonical key: sorted canonical tokens joined by a space."""
    return " ".join(sorted(parse_name(text).given))


@lru_cache(maxsize=100_000)
def skeleton_key(text: str) -> str:
    """Order-insensitive consonant-skeleton key of the canonical tokens (``mhmd slm``)."""
    return " ".join(sorted(s for s in map(token_skeleton, parse_name(text).given) if s))


# --------------------------------------------------------------------------------------------
# Similarity
# --------------------------------------------------------------------------------------------

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
