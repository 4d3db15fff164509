"""Reference romanisations for building the name-pair benchmark (``build_benchmark.py``).

These are the published national and passport standards, written out as letter tables so that the
Latin side of a benchmark pair does not come from the transliterator the matcher uses
(``tahqiq.names.scripts``): ICAO Doc 9303 (machine-readable passports, 2015) for Russian, Ukrainian
and Bulgarian Cyrillic; ELOT 743 for Greek; BGN/PCGN for Armenian; the Georgian national system
(2002); Hunterian with the Hindi dropped final vowel for Devanagari; Revised Romanisation with the
surname spellings Koreans use in passports for Hangul. Only what a name needs is covered.
"""

from __future__ import annotations

import unicodedata

__all__ = ["armenian", "cyrillic", "devanagari", "georgian", "greek", "hangul"]

_ICAO_RU = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch ie y _ e iu ia".split(), strict=True,
))
_ICAO_UK = {**_ICAO_RU, "г": "h", "ґ": "g", "є": "ie", "і": "i", "ї": "i", "и": "y", "й": "i", "е": "e"}
_ICAO_BG = {**_ICAO_RU, "ъ": "a", "щ": "sht", "ю": "yu", "я": "ya", "й": "y", "ь": "y"}


def _cased(latin: str, original: str) -> str:
    return latin.title() if original[:1].isupper() else latin


def cyrillic(word: str, locale: str = "ru_RU") -> str:
    """ICAO 9303 Cyrillic to Latin (Ukrainian and Bulgarian tables for those locales)."""
    table = {"uk_UA": _ICAO_UK, "bg_BG": _ICAO_BG}.get(locale, _ICAO_RU)
    out = "".join(table.get(ch, ch) for ch in word.lower()).replace("_", "")
    return _cased(out, word)


_ELOT = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψω",
    "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split(), strict=True,
))
_ELOT_PAIRS = {"ου": "ou", "αι": "ai", "ει": "ei", "οι": "oi", "μπ": "b", "ντ": "nt", "γκ": "gk", "γγ": "ng",
               "αυ": "av", "ευ": "ev"}


def greek(word: str) -> str:
    """ELOT 743 Greek to Latin (accents removed first)."""
    w = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))
    out, i = [], 0
    while i < len(w):
        pair = w[i : i + 2]
        if pair in _ELOT_PAIRS:
            out.append("mp" if pair == "μπ" and i else _ELOT_PAIRS[pair])
            i += 2
            continue
        out.append(_ELOT.get(w[i], w[i]))
        i += 1
    return _cased("".join(out), word)


_ARMN = dict(zip(
    "աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
    "a b g d e z e y t zh i l kh ts k h dz gh ch m y n sh o ch p j r s v t r ts v p k o f".split(), strict=True,
))


def armenian(word: str) -> str:
    """BGN/PCGN Armenian to Latin: ու is u, և is ev, word-initial ե is ye and ո is vo."""
    w = word.lower().replace("ու", "u").replace("և", "ev")
    out = []
    for i, ch in enumerate(w):
        if i == 0 and ch == "ե":
            out.append("ye")
        elif i == 0 and ch == "ո":
            out.append("vo")
        else:
            out.append(_ARMN.get(ch, ch))
    return _cased("".join(out), word)


_GEOR = dict(zip(
    "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ",
    "a b g d e v z t i k l m n o p zh r s t u p k gh q sh ch ts dz ts ch kh j h".split(), strict=True,
))


def georgian(word: str) -> str:
    """Georgian national romanisation (2002) without apostrophes, as passports write it."""
    return "".join(_GEOR.get(ch, ch) for ch in word).title()


_DEVA_CONS = dict(zip(
    "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहळ",
    "k kh g gh n ch chh j jh n t th d dh n t th d dh n p ph b bh m y r l v sh sh s h l".split(), strict=True,
))
_DEVA_VOWEL = {"अ": "a", "आ": "a", "इ": "i", "ई": "i", "उ": "u", "ऊ": "u", "ए": "e", "ऐ": "ai", "ओ": "o", "औ": "au",
               "ऋ": "ri"}
_DEVA_SIGN = {"ा": "a", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "े": "e", "ै": "ai", "ो": "o", "ौ": "au", "ृ": "ri"}


def devanagari(word: str) -> str:
    """Hunterian Devanagari to Latin as Hindi names are written: the inherent vowel of the last
    consonant is not said and not written (राहुल Rahul), long ई ऊ as ee oo, nukta ignored."""
    w = word.replace("\u093c", "")
    out: list[str] = []
    pending = False  # a consonant whose inherent vowel is not yet decided
    for ch in w:
        if ch in _DEVA_CONS:
            if pending:
                out.append("a")
            out.append(_DEVA_CONS[ch])
            pending = True
        elif ch in _DEVA_SIGN:
            out.append(_DEVA_SIGN[ch])
            pending = False
        elif ch == "\u094d":  # virama: no vowel
            pending = False
        elif ch in _DEVA_VOWEL:
            out.append(_DEVA_VOWEL[ch])
            pending = False
        elif ch in "ंँ":
            if pending:
                out.append("a")
            out.append("n")
            pending = False
        elif ch == "ः":
            out.append("h")
    return "".join(out).title()


_L = "g kk n d tt r m b pp s ss _ j jj ch k t p h".split()
_V = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_T = ["", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng",
      "t", "t", "k", "t", "p", "t"]
# The spellings most Korean passports and papers use for the commonest surnames.
_SURNAMES = {"김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang", "조": "Cho",
             "윤": "Yoon",
             "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang",
             "안": "Ahn", "송": "Song", "류": "Ryu", "유": "Yoo", "홍": "Hong", "전": "Jeon", "고": "Ko", "문": "Moon",
             "양": "Yang", "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "노": "Roh", "심": "Shim", "하": "Ha",
             "곽": "Kwak", "성": "Sung", "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min", "진": "Jin",
             "나": "Na", "지": "Ji", "엄": "Eom", "채": "Chae", "원": "Won", "천": "Cheon", "방": "Bang", "공": "Kong"}


def _rr_syllable(ch: str) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ch
    lead, vowel, tail = code // 588, (code % 588) // 28, code % 28
    return _L[lead].replace("_", "") + _V[vowel] + _T[tail]


def hangul(word: str, surname: bool = False, passport: bool = False) -> str:
    """Revised Romanisation syllable by syllable; a surname takes its usual passport spelling.
    ``passport``: the older forms many passports keep (eo as o, eu as u)."""
    if surname and word in _SURNAMES:
        return _SURNAMES[word]
    out = "".join(_rr_syllable(ch) for ch in word)
    if passport:
        out = out.replace("eo", "o").replace("eu", "u")
    return out.title()
