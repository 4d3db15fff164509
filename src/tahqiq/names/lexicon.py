"""Roman-script rules and the checked-in variant lexicon for Pakistani names.

Two pieces live here:

* ``roman_skeleton`` / ``spelling_key``: deterministic string rules for Roman-script (Latin) name
  tokens. The skeleton is the consonant skeleton that Urdu script also yields (see ``urdu.py``);
  the spelling key is a finer, vowel-keeping normalisation used only to look up spellings the
  lexicon does not list verbatim (``Rafeeque`` -> ``rafiq``).
* ``LEXICON``: loaded once from ``data/name_lexicon.csv``. Each row is one canonical token with
  its Roman spelling variants and its Urdu-script spellings, and a kind:

  - ``name``: an ordinary name token (given names and family names are not told apart, and
    nothing here says anything about a person beyond the spelling of a name);
  - ``title``: an honorific or form of address that is also used inside names (``malik``,
    ``syed``, ``mian``, ``hafiz``...): removed from a name into ``titles`` unless nothing else
    would be left;
  - ``honorific``: a word that is never part of a name (``dr``, ``mst``, ``marhoom``, police
    ranks): always removed.

The file is hand-curated; ``data/check_lexicon.py`` checks it (skeleton agreement between each
Urdu form and its Roman canonical form, duplicate spellings, spelling-key collisions).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "Entry",
    "LEXICON",
    "fold",
    "lookup_roman",
    "lookup_urdu",
    "normalize_urdu",
    "roman_skeleton",
    "spelling_key",
]

# --------------------------------------------------------------------------------------------
# Roman skeleton
# --------------------------------------------------------------------------------------------

_VOWELS = frozenset("aeiou")
_DIGRAPH_FIRST = frozenset("kgcsz")  # kh gh ch sh zh: a final "h" after these is a consonant


@lru_cache(maxsize=200_000)
def roman_skeleton(token: str) -> str:
    """Consonant skeleton of one lower-case Roman token.

    Rules (the Urdu side in ``urdu.py`` is built to give the same string):
    vowels a e i o u are dropped; ``w``/``v`` and ``y`` are kept only as the first letter
    (Urdu writes medial و ی for vowels and consonants alike); ``q`` -> ``k``; a ``c`` not
    followed by ``h`` -> ``k``; ``x`` -> ``ks``; a final ``h`` is dropped unless it ends one of
    the digraphs kh gh ch sh zh (Urdu's final ہ is usually a vowel: Fatimah/فاطمہ, Shah/شاہ);
    digraphs kh gh sh ch th ph dh bh stay as two letters, matching Urdu خ غ ش چ (written as
    the same two letters) and the aspirates کھ گھ تھ پھ دھ بھ; finally doubled letters collapse.
    """
    if not token:
        return ""
    t = token
    n = len(t)
    if n > 1 and t[-1] == "h" and t[-2] not in _DIGRAPH_FIRST:
        t = t[:-1]
        n -= 1
    out: list[str] = []
    prev = ""
    for i in range(n):
        ch = t[i]
        if ch in _VOWELS:
            continue
        if ch == "w" or ch == "v":
            if i:
                continue
            ch = "w"
        elif ch == "y":
            if i:
                continue
        elif ch == "q":
            ch = "k"
        elif ch == "c":
            ch = "c" if i + 1 < n and t[i + 1] == "h" else "k"
        elif ch == "x":
            if prev != "k":
                out.append("k")
            ch = "s"
            prev = "k"
        if ch != prev:
            out.append(ch)
            prev = ch
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Spelling key: vowel-keeping normalisation for unseen Roman spellings
# --------------------------------------------------------------------------------------------

_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"que$", "q"),
        (r"ck", "k"),
        (r"q", "k"),
        (r"ph", "f"),
        (r"w", "v"),
        (r"ee|ea|ie", "i"),
        (r"oo|ou|o", "u"),
        (r"([^aeiu])\1+", r"\1"),  # doubled consonants
        (r"([aeiu])\1+", r"\1"),  # aa -> a, uu -> u
        (r"ey|ei|ay", "ai"),
        (r"y$", "i"),
        (r"(?<=[aeiu])h$", ""),
    )
)


@lru_cache(maxsize=200_000)
def spelling_key(token: str) -> str:
    """A coarse Roman spelling key: ``Rafeeque``, ``Rafiq`` and ``Rafique`` share ``rafik``.

    Only used to find a lexicon entry for a spelling the lexicon does not list; entries whose
    keys collide with another canonical token (``hamid``/``hameed``) are left out of the key
    table so the key never merges two different names the lexicon knows.
    """
    s = token
    for pattern, repl in _SPELLING_RULES:
        s = pattern.sub(repl, s)
    return s


# --------------------------------------------------------------------------------------------
# Urdu normalisation (shared by the lexicon loader and urdu.py)
# --------------------------------------------------------------------------------------------

# Letter variants folded to the Urdu (Farsi-derived) forms; Sindhi/Pashto letters to the nearest
# Urdu letter so that text typed with other keyboards still resolves.
_URDU_FOLD = {
    "\u064a": "\u06cc",  # ي Arabic yeh -> ی
    "\u0649": "\u06cc",  # ى alef maksura -> ی
    "\u06d0": "\u06cc",  # ې Pashto -> ی
    "\u06cd": "\u06cc",  # ۍ Pashto -> ی
    "\u0643": "\u06a9",  # ك Arabic kaf -> ک
    "\u06aa": "\u06a9",  # ڪ swash kaf -> ک
    "\u0647": "\u06c1",  # ه Arabic heh -> ہ
    "\u06d5": "\u06c1",  # ە ae -> ہ
    "\u0629": "\u06c1",  # ة teh marbuta -> ہ
    "\u06c3": "\u06c1",  # ۃ teh marbuta goal -> ہ
    "\u06c0": "\u06c1",  # ۀ heh with yeh above -> ہ
    "\u06c2": "\u06c1",  # ۂ heh goal with hamza -> ہ
    "\u06d3": "\u06d2",  # ۓ -> ے
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0671": "\u0627",  # ٱ wasla -> ا
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u0621",  # ئ -> ء (a vowel seat, dropped like hamza)
    "\u067b": "\u0628",  # ٻ -> ب
    "\u0684": "\u062c",  # ڄ -> ج
    "\u0683": "\u062c",
    "\u0687": "\u0686",  # ڇ -> چ
    "\u068a": "\u0688",  # ڊ -> ڈ
    "\u068f": "\u0688",
    "\u068d": "\u0688",
    "\u0689": "\u0688",  # ډ -> ڈ
    "\u067a": "\u0679",  # ٺ -> ٹ
    "\u067d": "\u0679",
    "\u067c": "\u0679",  # ټ -> ٹ
    "\u06ab": "\u06af",  # ګ Pashto gaf -> گ
    "\u0699": "\u0691",  # ڙ -> ڑ
    "\u0693": "\u0691",  # ړ -> ڑ
    "\u0696": "\u0698",  # ږ -> ژ
    "\u069a": "\u0634",  # ښ -> ش
    "\u0681": "\u0632",  # ځ -> ز
    "\u0685": "\u0633",  # څ -> س
    "\u06bb": "\u0646",  # ڻ -> ن
    "\u06bc": "\u0646",  # ڼ -> ن
    "\u06b1": "\u06af",  # ڱ -> گ
    "\u06b3": "\u06af",
    "\u06a6": "\u067e",  # ڦ -> پ
    "\u06c6": "\u0648",  # ۆ -> و
    "\u06c7": "\u0648",
    "\u06c8": "\u0648",
    "\u06cb": "\u0648",
}

# Everything that is not a base letter: Arabic harakat, Quranic marks, superscript alef,
# tatweel, zero-width joiners and direction marks.
_URDU_DROP = (
    [chr(c) for c in range(0x0610, 0x061B)]
    + [chr(c) for c in range(0x064B, 0x0660)]
    + ["\u0670", "\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c", "\u06e5", "\u06e6"]
    + [chr(c) for c in range(0x06D6, 0x06DD)]
    + [chr(c) for c in range(0x06DF, 0x06E5)]
    + [chr(c) for c in range(0x06E7, 0x06EE)]
)


_EXTRA_LATIN = {"ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
_FOLD_TABLE = str.maketrans({**_URDU_FOLD, **_EXTRA_LATIN, **{c: None for c in _URDU_DROP}})


# Combining marks of Latin (accents) and Arabic (harakat, Quranic marks) and the generic blocks.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc"
    "\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08ff\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f]+"
)


def fold(text: str) -> str:
    """Lower-case, strip diacritics of Latin and Arabic script, fold Arabic/Farsi/Sindhi/Pashto
    letter variants to Urdu letters, and drop tatweel and zero-width characters. Used for whole
    names and for the lexicon's Urdu forms alike, so both sides are folded the same way."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return _MARKS.sub("", text).translate(_FOLD_TABLE)


def normalize_urdu(token: str) -> str:
    """Fold Arabic/Farsi letter variants and strip diacritics, tatweel and joiners."""
    return fold(token)


# --------------------------------------------------------------------------------------------
# The lexicon
# --------------------------------------------------------------------------------------------


def _urdu_key(token: str) -> str:
    return token.replace("\u06be", "\u06c1")  # ھ -> ہ


@dataclass(frozen=True, slots=True)
class Entry:
    canonical: str
    kind: str  # "name" | "title" | "honorific"


def _load() -> tuple[dict[str, Entry], dict[str, Entry], dict[str, Entry], dict[str, Entry]]:
    roman: dict[str, Entry] = {}
    urdu: dict[str, Entry] = {}
    canon: dict[str, Entry] = {}
    text = resources.files("tahqiq.names").joinpath("data/name_lexicon.csv").read_text("utf-8")
    rows = csv.reader(line for line in text.splitlines() if line and not line.startswith("#"))
    header = next(rows)
    if header != ["canonical", "kind", "roman", "urdu"]:
        raise ValueError(f"unexpected lexicon header {header!r}")
    for row in rows:
        canonical, kind, variants, urdu_forms = (c.strip() for c in row)
        if kind not in ("name", "title", "honorific"):
            raise ValueError(f"bad kind {kind!r} for {canonical!r}")
        entry = canon.get(canonical) or Entry(canonical, kind)
        canon[canonical] = entry
        roman.setdefault(canonical, entry)
        for v in variants.split():
            roman.setdefault(v, entry)
        for u in urdu_forms.split():
            urdu.setdefault(_urdu_key(normalize_urdu(u)), entry)
    # Spelling keys of names: only keys that point at a single canonical token.
    by_key: dict[str, set[str]] = {}
    for variant, entry in roman.items():
        if entry.kind == "name" and len(variant) > 2:
            by_key.setdefault(spelling_key(variant), set()).add(entry.canonical)
    keys = {k: canon[next(iter(v))] for k, v in by_key.items() if len(v) == 1}
    return roman, urdu, keys, canon


ROMAN, URDU, SPELLING, LEXICON = _load()


def lookup_roman(token: str) -> Entry | None:
    """Lexicon entry for a lower-case ASCII token: exact spelling first, then the spelling key."""
    entry = ROMAN.get(token)
    if entry is None and len(token) > 2:
        entry = SPELLING.get(spelling_key(token))
    return entry


def lookup_urdu(token: str) -> Entry | None:
    """Lexicon entry for a folded Urdu-script token (ہ and ھ are not told apart: Arabic keyboards
    type both as ه, so بهٹی and بھٹی are the same word)."""
    return URDU.get(_urdu_key(token))
