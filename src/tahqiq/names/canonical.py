"""Pakistani-name canonicaliser for entity resolution and watchlist screening.

``parse_name`` turns a name as written in a police record (Roman or Urdu script, with titles,
"s/o" parentage, spelling variants, any word order) into canonical Roman tokens. The keys built on
it here, and the similarity built on it in ``tahqiq.names.similarity``:

* ``canonical_tokens``: the person's own name, one canonical token per name word
  (``Mohd. Aslam`` and ``محمد اسلم`` -> ``("muhammad", "aslam")``);
* ``name_key``: the canonical tokens sorted and joined, for exact-match blocking;
* ``skeleton_key``: the sorted consonant skeletons of the canonical tokens (``mhmd slm``): coarser,
  so it also joins spellings the lexicon does not know and typos that only touch vowels;
* ``name_similarity`` (``similarity``): 0..1, order-insensitive token alignment that forgives
  spelling variants, typos and script.

One word becomes canonical tokens in ``tahqiq.names.tokens``; this module reads the markers
between words (parentage, alias, caste, address) and composes the name.

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

from tahqiq.names.lexicon import fold, lookup_roman
from tahqiq.names.scripts import latin_words, strip_native_titles
from tahqiq.names.tokens import NAME_TWIN, Tok, abd_join, roman_token, token_skeleton, urdu_token
from tahqiq.names.urdu import ARABIC_LETTERS

__all__ = [
    "ParsedName",
    "canonical_tokens",
    "clear_caches",
    "name_key",
    "parse_name",
    "skeleton_key",
]

_TAILS = frozenset("allah din haq rahman rahim zaman nisa islam abidin hasan huda amin ain nabi arifin".split())

_SLASH_REL = re.compile(r"(?<![^\W\d_])([sdwrchf])\s*[/\\.]\s*[o0](?![^\W\d_])\.?")
_OF_REL = re.compile(r"\b(son|daughter|wife|widow|husband|resident|care)\s+of\b")
_OF_CODE = {
    "son": "so", "daughter": "do", "wife": "wo", "widow": "wo", "husband": "ho", "resident": "ro", "care": "co",
}
_AKA = re.compile(r"@|\ba\.\s*k\.\s*a\b\.?|\ba/k/a\b")  # "aka" as a word: see names.tokens
_APOS = re.compile(r"['\u2019\u2018\u02bc\u02bb`\u00b4\u02bf\u02be]")
_TOKEN = re.compile(
    rf"\x01[a-z]+|[a-z]+|[{ARABIC_LETTERS}]+|(?:[^\W\d_a-z{ARABIC_LETTERS}]|[\u0900-\u0dff\u3099\u309a])+"
)  # Indic vowel signs and kana voicing marks are not word characters: kept inside the word
_ARABIC_RE = re.compile(rf"[{ARABIC_LETTERS}]")
_LATIN_RE = re.compile(r"[a-z]")
_OTHER_RE = re.compile(rf"[^\W\d_a-z{ARABIC_LETTERS}]")
# A digit typed or read for a letter inside a word: M0hammad, 4hmed, 9hulam, Al1, Ju1ia.
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[013459]|[013459](?=[a-z])")
_DIGIT_LETTER = {"0": "o", "3": "e", "4": "a", "5": "s", "9": "g"}
_VOWEL = frozenset("aeiou")
_TRAILING_ARTICLE = re.compile(r"^(?P<pre>[a-z]{2,}?)(?:ul|ur|us|ud|un|uz|ush)$")


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
    patronym: bool = False  # the relative was written into the name with bin, ibn or bint


def _digit_letter(m: re.Match[str]) -> str:
    d = m.group(0)
    if d != "1":
        return _DIGIT_LETTER[d]
    s, i = m.string, m.start()
    inside = 0 < i < len(s) - 1 and s[i - 1].isalpha() and s[i + 1].isalpha()
    by_vowel = inside and (s[i - 1] in _VOWEL or s[i + 1] in _VOWEL)
    return "l" if by_vowel else "i"  # Ju1ia, Ku1soom take an l; Al1, 1mran, B1lal an i


def _tokens(s: str) -> list[Tok]:
    """Tokens of an already folded string."""
    if not s.isascii():
        s = strip_native_titles(s)
    if any(c in s for c in "013459"):
        s = _DIGIT_IN_WORD.sub(_digit_letter, s)
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
            out.extend(roman_token(word))
        elif _ARABIC_RE.match(word):
            out.extend(urdu_token(word))
        else:
            for latin in latin_words(word):
                out.extend(roman_token(latin))
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
                out.append((abd_join(tokens[j]), "name", tokens[j][2]))
                i = j + 1
            elif out and _joinable(out[-1]):  # "Rehman, Abdul": Abdul last, join the name before
                prev = out.pop()
                out.append((abd_join(prev), "name", prev[2]))
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
        if kind == "title" and canon in NAME_TWIN:
            j = i + 1
            while j < n and tokens[j][1] == "article":
                j += 1
            if j < n and tokens[j][0] == "allah":  # Hafiz Ullah is Hafeezullah
                out.append((NAME_TWIN[canon], "name", True))
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
    patronym = False
    target: list[Tok] | None = own
    for tok in _tokens(folded):
        kind = tok[1]
        if kind == "name" or kind == "title" or kind == "honorific" or kind == "article" or kind == "abd":
            if target is not None:
                target.append(tok)
        elif kind == "rel" or kind == "patronym":
            if relation is None and (target is not rel or not rel):
                relation = tok[0]  # also with nothing before it: "s/o Ghulam Rasool"
                patronym = kind == "patronym" and bool(own)
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
        patronym=patronym,
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


def clear_caches() -> None:
    """Empty this module's caches (for benchmarks that time cold runs)."""
    for f in (parse_name, name_key, skeleton_key):
        f.cache_clear()
