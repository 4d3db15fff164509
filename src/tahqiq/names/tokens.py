"""One word of a name, as written in either script, to canonical Roman tokens: the word lists and
the lexicon lookups ``tahqiq.names.canonical`` parses a whole name with.

A word gives one token or a few (``Saifullah`` -> ``saif``, ``allah``), each a ``Tok``: the canonical
form, its kind and whether the lexicon knew it. Marker words (parentage, alias, caste, address) are
read here too; what they mean for the name around them is decided in ``canonical``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tahqiq.names.lexicon import lookup_roman, lookup_urdu, roman_skeleton
from tahqiq.names.urdu import transliterate

__all__ = [
    "NAME_TWIN", "PATRONYM_WORDS", "Tok", "abd_join", "clear_caches", "roman_token", "token_skeleton", "urdu_token",
]

# --------------------------------------------------------------------------------------------
# Fixed word lists (markers and articles are grammar, not names: kept in code)
# --------------------------------------------------------------------------------------------

_ARTICLES = frozenset(
    "al el ul ur us ud un uz ut ush uth ar as ad an az at ash e".split()
    + ["ال"]
)
_ABD = frozenset("abd abdu abdul abdur abdus abduz abdush abdud abdun abdut abdel abdal abdar abdas".split()) | {"عبد"}

# Particles that write the father's name into the person's own name (Arab and Malay usage):
# parsed as parentage, but part of the name when two names are compared.
PATRONYM_WORDS = frozenset(["bin", "ibn", "ibne", "ibni", "bint", "binte", "binti", "بن", "ابن", "بنت"])
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
_DROP_WORDS = frozenset(
    ["qaum", "qoum", "qom", "quom", "caste", "zaat", "zat", "قوم", "ذات", "برادری", "biradari", "baradari"]
)
# Address / care-of: everything after is dropped.
_END_WORDS = frozenset(
    ["\x01ro", "\x01co", "\x01ho", "\x01fo", "resident", "sakin", "saakin", "sakna", "ساکن", "سکنہ", "ساکنہ"]
)

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
NAME_TWIN = {"hafiz": "hafeez"}

# A token: (canonical, kind, known). kind: name | title | honorific | article | abd | rel or
# patronym (the canonical is then "s/o", "d/o" or "w/o"; patronym: bin, ibn, bint)
# | alias | drop (caste words) | end (address follows)
Tok = tuple[str, str, bool]


# --------------------------------------------------------------------------------------------
# Token canonicalisation
# --------------------------------------------------------------------------------------------


def abd_join(tok: Tok) -> str:
    """Abd + name: one token. Abdul Allah is Abdullah; Abdul Hafiz is Abdul Hafeez."""
    canon = tok[0]
    if canon == "allah":
        return "abdullah"
    if tok[1] == "title":
        canon = NAME_TWIN.get(canon, canon)
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
            return ((abd_join(rest[0]), "name", rest[0][2]),)
    split = _split_tail(word)
    if split:
        tail = split[1]
        pre = _roman_name(split[0])
        if len(pre) == 1 and pre[0][2]:  # only split when the first part is a known name
            first = pre[0][0] if pre[0][1] == "name" else NAME_TWIN.get(pre[0][0])
            if first:
                return ((first, "name", True), (tail, "name", True))
    return ((word, "name", False),)


def _marker_token(word: str) -> tuple[Tok, ...] | None:
    """Parentage, alias, dropped and end-of-name words: the same in both scripts' word lists."""
    if word in _REL_WORDS:
        return ((_REL_WORDS[word], "patronym" if word in PATRONYM_WORDS else "rel", True),)
    if word in _ALIAS_WORDS:
        return (("", "alias", True),)
    if word in _DROP_WORDS:
        return (("", "drop", True),)
    if word in _END_WORDS:
        return (("", "end", True),)
    return None


@lru_cache(maxsize=200_000)
def roman_token(word: str) -> tuple[Tok, ...]:
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
                return ((abd_join(r[0]), "name", r[0][2]),)
        if word.endswith("اللہ") and len(word) > 5:
            pre = _urdu_name(word[:-4], split=False)
            if len(pre) == 1:
                first = pre[0]
                if first[1] == "title" and first[0] in NAME_TWIN:  # حافظ اللہ: Hafeezullah
                    first = (NAME_TWIN[first[0]], "name", True)
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
    return roman_token(roman)


@lru_cache(maxsize=200_000)
def urdu_token(word: str) -> tuple[Tok, ...]:
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


def clear_caches() -> None:
    """Empty this module's caches (for benchmarks that time cold runs)."""
    for f in (roman_token, urdu_token, token_skeleton):
        f.cache_clear()
