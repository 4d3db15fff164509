"""Urdu script -> Roman key.

Urdu script writes consonants and long vowels (ا و ی ے) but leaves short vowels out, so no
spelling rule can recover "Aslam" from اسلم. Two things are done instead:

* ``lookup_urdu`` (``lexicon.py``) maps a known Urdu spelling to its full canonical Roman token
  (محمد -> muhammad, فاطمہ -> fatima).
* For an unknown word, ``transliterate`` writes a rough Roman form (long vowels as a/o/i/e, an
  ``a`` between two consonants, aspirates ھ as ``h``) whose consonant skeleton, computed by the
  same ``roman_skeleton`` as for Roman-script names, is the word's key. ``urdu_skeleton`` is
  defined as exactly that, so an Urdu word and its Roman spelling share a skeleton whenever the
  Roman spelling follows the usual Pakistani conventions (see ``docs/resolve-names.md``).

Letter rules (after ``fold``: ي/ى -> ی, ك -> ک, ه/ة -> ہ, diacritics, tatweel and joiners gone):

====================  ======================================================================
letters               Roman
====================  ======================================================================
ب پ ت ٹ ج د ڈ ر ڑ       b p t t j d d r r
ث س ص / ذ ز ض ظ        s / z (ژ -> zh)
ط / ح ہ / ق ک / گ       t / h / q k / g
خ غ ش چ                kh gh sh ch (two letters, like the Roman digraphs)
ھ                      h joined to the consonant before it (بھ bh, کھ kh, پھ ph, ٹھ th)
ں / ن                  n (ن between a consonant and ب: m, as said: قنبر qambar)
ا آ ع                   a (vowels: dropped from the skeleton)
و                      w at the start of a word or next to ا, otherwise o
ی                      y at the start of a word (and after ا), otherwise i
ے                      e
ہ at the end           a after a consonant (فاطمہ fatima), h after a vowel (شاہ shah)
ء                      dropped
====================  ======================================================================
"""

from __future__ import annotations

from functools import lru_cache

from tahqiq.names.lexicon import roman_skeleton

__all__ = ["ARABIC_LETTERS", "is_arabic", "transliterate", "urdu_skeleton"]

ARABIC_LETTERS = "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"

_CONSONANTS = {
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ٹ": "t",
    "ث": "s",
    "ج": "j",
    "چ": "ch",
    "ح": "h",
    "خ": "kh",
    "د": "d",
    "ڈ": "d",
    "ذ": "z",
    "ر": "r",
    "ڑ": "r",
    "ز": "z",
    "ژ": "zh",
    "س": "s",
    "ش": "sh",
    "ص": "s",
    "ض": "z",
    "ط": "t",
    "ظ": "z",
    "غ": "gh",
    "ف": "f",
    "ق": "q",
    "ک": "k",
    "گ": "g",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
}
_ALIF = frozenset("اآ")


def is_arabic(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


@lru_cache(maxsize=100_000)
def transliterate(word: str) -> str:
    """Rough Roman form of one folded Urdu word (see the module docstring for the rules)."""
    out: list[str] = []
    prev_cons = False  # was the last piece a consonant?
    n = len(word)
    for i, ch in enumerate(word):
        piece: str
        cons: bool
        if ch in _CONSONANTS:
            piece, cons = _CONSONANTS[ch], True
            if ch == "ن" and 0 < i < n - 1 and word[i + 1] == "ب" and word[i - 1] not in "اوی":
                piece = "m"  # نب is said and Romanised mb: Qambar, Ambreen, Sumbal
        elif ch in _ALIF or ch == "ع":
            piece, cons = "a", False
        elif ch == "و":
            if i == 0:
                piece, cons = "w", True
            elif word[i - 1] in _ALIF or (i + 1 < n and word[i + 1] in _ALIF):
                piece, cons = "w", True
            else:
                piece, cons = "o", False
        elif ch == "ی":
            if i == 0:
                piece, cons = "y", True
            elif i == n - 1:
                piece, cons = "i", False
            elif word[i - 1] in _ALIF or word[i + 1] in _ALIF:
                piece, cons = "y", True
            else:
                piece, cons = "i", False
        elif ch == "ے":
            piece, cons = "e", False
        elif ch == "ہ":
            if i == n - 1 and i > 0:
                piece, cons = ("a", False) if prev_cons else ("h", True)
            else:
                piece, cons = "h", True
        elif ch == "ھ":
            if prev_cons and out:
                out[-1] += "h"  # aspirate: بھ -> bh
                continue
            piece, cons = "h", True
        else:  # hamza and anything else
            continue
        if cons and prev_cons:
            out.append("a")
        out.append(piece)
        prev_cons = cons
    return "".join(out)


@lru_cache(maxsize=100_000)
def urdu_skeleton(word: str) -> str:
    """Consonant skeleton of one folded Urdu word; equals ``roman_skeleton`` of its usual Roman
    spelling (محمد and muhammad -> ``mhmd``, اسلم and aslam -> ``slm``)."""
    return roman_skeleton(transliterate(word))
