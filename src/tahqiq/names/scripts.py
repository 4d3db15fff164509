"""Names in scripts other than Latin and Urdu/Arabic: one word to the Latin words of a shared key.

A foreign national's papers (FIA, immigration, Interpol notices) may write a name in Cyrillic,
Greek, Armenian, Georgian, Chinese, Japanese kana, Korean or Devanagari, and another record the same
name in Latin letters. Each word is transliterated here to lower-case ASCII words that are then
read exactly like a Roman-script name (``tahqiq.names.tokens``); the original text stays in
``ParsedName.original`` for display. Which tool per script, and why:

* Cyrillic, Greek, Armenian, Georgian: rigour's ``maybe_ascii`` (the spellings English-language
  papers use: Юлия -> yuliya, Խաչատրյան -> khachatryan; ICU's scholarly tables give xac'atryan).
* Chinese: ICU ``Han-Latin`` (pinyin without tones). A name is written surname first and the given
  name joined, as passports do: 王小明 -> wang, xiaoming (two-character surnames are listed).
* Japanese kana: ICU, with the long vowels passports leave out (さとう satou -> sato). Kanji names
  are read as Chinese (no dictionary of Japanese readings is used): a known limit.
* Korean: Revised Romanisation from the Hangul syllable's parts, the surname as Korean passports
  usually spell it (김 Kim, 이 Lee, 박 Park).
* Devanagari: ICU, dropping the last inherent vowel that Hindi does not say (राहुल Rahul).
* Anything else (Hebrew, Thai, ...): ICU ``Any-Latin``.

Titles and polite forms written in these scripts (господин, κ., श्री, 先生, 씨, さん) are removed
before transliteration by ``strip_native_titles``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import icu  # type: ignore[import-untyped, unused-ignore]
from rigour.text.translit import maybe_ascii

from tahqiq.names.lexicon import fold, lookup_urdu

__all__ = ["clear_caches", "latin_words", "strip_native_titles"]

_ANY = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
_HAN = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII; Lower")

# Polite forms and titles, as whole words (after ``fold``: lower case, accents removed) or, for
# Chinese, Japanese and Korean, as a suffix written onto the name.
_TITLE_WORDS = (
    "господин госпожа гражданин гражданка пан пани г-н г-жа г-ца κ κα κος κυριος κυρια δρ "
    "श्री श्रीमती सुश्री कुमारी डॉ डा पंडित मोहतरम "
    "الدكتور دكتور الاستاذ استاذ السیدة السیده آقای آقا خانم جناب محترم ډاکټر"
).split()
# The lexicon's own titles (ڈاکٹر, جناب) are left to it, so that parse_name reports them.
_TITLES = {fold(w) for w in _TITLE_WORDS if lookup_urdu(fold(w)) is None}
_SUFFIXES = "先生 女士 小姐 太太 博士 さん 様 さま 氏 君 くん ちゃん 씨 님 선생님 여사"
_TITLE_RE = re.compile(
    r"(?<![^\W\d_])(?:" + "|".join(map(re.escape, sorted(_TITLES, key=len, reverse=True)))
    + r")\.?(?![^\W\d_])"
)
_SUFFIX_RE = re.compile("(?:" + "|".join(sorted(_SUFFIXES.split(), key=len, reverse=True)) + r")(?=\s|$)")

_HAN_SURNAMES2 = frozenset(
    "欧阳 歐陽 司马 司馬 诸葛 諸葛 上官 司徒 东方 東方 皇甫 夏侯 慕容 令狐 "
    "公孙 公孫 尉迟 尉遲 长孙 長孫 轩辕 軒轅 端木 独孤 獨孤".split()
)

_KO_LEAD = "g kk n d tt r m b pp s ss _ j jj ch k t p h".split()
_KO_VOWEL = "a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu ui i".split()
_KO_TAIL = ("", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
            "ng", "t", "t", "k", "t", "p", "t")
# Korean surnames as passports and papers usually write them (Revised Romanisation would give
# gim, i, bak); two-syllable surnames first.
_KO_SURNAMES = {
    "남궁": "namgung", "황보": "hwangbo", "제갈": "jegal", "선우": "sunwoo", "독고": "dokgo",
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho", "윤": "yoon",
    "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin", "권": "kwon", "황": "hwang",
    "안": "ahn", "송": "song", "류": "ryu", "유": "yoo", "홍": "hong", "전": "jeon", "고": "ko", "문": "moon",
    "양": "yang", "손": "son", "배": "bae", "백": "baek", "허": "heo", "노": "roh", "심": "shim", "하": "ha",
    "곽": "kwak", "성": "sung", "차": "cha", "주": "joo", "우": "woo", "구": "koo", "민": "min", "진": "jin",
    "나": "na", "지": "ji", "엄": "eom", "채": "chae", "원": "won", "천": "cheon", "방": "bang", "공": "kong",
    "현": "hyun", "함": "ham", "변": "byun", "염": "yeom", "여": "yeo", "추": "choo", "도": "do", "소": "so",
    "석": "seok", "선": "sun", "설": "seol", "마": "ma", "길": "gil", "연": "yeon", "위": "wi", "표": "pyo",
    "명": "myung", "기": "ki", "반": "ban", "왕": "wang", "금": "keum", "옥": "ok", "육": "yook", "인": "in",
    "맹": "maeng", "제": "je", "모": "mo", "탁": "tak", "국": "kook", "어": "eo", "은": "eun", "편": "pyeon",
    "용": "yong", "예": "ye", "경": "kyung", "봉": "bong", "사": "sa", "부": "boo", "가": "ka", "복": "bok",
    "태": "tae", "목": "mok", "형": "hyung", "계": "kye", "피": "pi", "두": "doo", "감": "kam", "음": "eum",
    "빈": "bin", "동": "dong", "온": "on", "호": "ho", "범": "bum", "좌": "jwa", "팽": "paeng", "승": "seung",
    "간": "kan", "상": "sang", "갈": "kal", "서문": "seomun", "시": "si", "야": "ya", "곡": "gok", "란": "ran",
}


def _script(ch: str) -> str:
    o = ord(ch)
    if 0x0400 <= o <= 0x052F:
        return "Cyrl"
    if 0x0370 <= o <= 0x03FF or 0x1F00 <= o <= 0x1FFF:
        return "Grek"
    if 0x0530 <= o <= 0x058F:
        return "Armn"
    if 0x10A0 <= o <= 0x10FF or 0x1C90 <= o <= 0x1CBF:
        return "Geor"
    if 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
        return "Hang"
    if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9F:
        return "Kana"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
        return "Hani"
    if 0x0900 <= o <= 0x097F:
        return "Deva"
    return "other"


def _hangul_syllable(ch: str) -> str:
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return ""
    return _KO_LEAD[code // 588].replace("_", "") + _KO_VOWEL[(code % 588) // 28] + _KO_TAIL[code % 28]


def _korean(word: str) -> tuple[str, ...]:
    """A Korean name: surname (usual spelling) and the given name's syllables joined."""
    if len(word) >= 3 and word[:2] in _KO_SURNAMES:
        head, rest = _KO_SURNAMES[word[:2]], word[2:]
    elif len(word) >= 2 and word[0] in _KO_SURNAMES:
        head, rest = _KO_SURNAMES[word[0]], word[1:]
    elif word in _KO_SURNAMES:
        return (_KO_SURNAMES[word],)
    else:
        head, rest = "", word
    given = "".join(_hangul_syllable(ch) for ch in rest)
    return tuple(w for w in (head, given) if w)


def _chinese(word: str) -> tuple[str, ...]:
    """A Chinese name: surname and given name joined (王小明 -> wang, xiaoming)."""
    cut = 2 if word[:2] in _HAN_SURNAMES2 else 1
    if len(word) <= cut:
        return ("".join(_HAN.transliterate(word).split()),)
    surname = "".join(_HAN.transliterate(word[:cut]).split())
    given = "".join(_HAN.transliterate(word[cut:]).split())
    return tuple(w for w in (surname, given) if w)


_KANA_LONG = re.compile(r"ou|oo|uu")


def _kana(word: str) -> tuple[str, ...]:
    latin = re.sub(r"[^a-z]", "", _ANY.transliterate(word))
    return (_KANA_LONG.sub(lambda m: m.group(0)[0], latin),) if latin else ()


_DEVA_CONSONANT = re.compile("[\u0915-\u0939\u0958-\u095f]\u093c?$")


def _devanagari(word: str) -> tuple[str, ...]:
    latin = re.sub(r"[^a-z]", "", _ANY.transliterate(word))
    if latin.endswith("a") and len(latin) > 2 and _DEVA_CONSONANT.search(word) and word[-2:-1] != "\u094d":
        latin = latin[:-1]  # the inherent vowel of a final consonant is not said (not after a cluster)
    return (latin,) if latin else ()


def _ascii_words(latin: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[a-z]+", latin.lower()))


@lru_cache(maxsize=100_000)
def latin_words(word: str) -> tuple[str, ...]:
    """Lower-case ASCII words for one folded word in a script other than Latin and Arabic."""
    word = unicodedata.normalize("NFC", word)  # ``fold`` decomposes Hangul and kana voicing
    if not word:
        return ()
    script = _script(word[0])
    native = {"Hang": _korean, "Kana": _kana, "Deva": _devanagari,
              "Hani": _kana if any(_script(ch) == "Kana" for ch in word) else _chinese}.get(script)
    if native is not None:
        # Only ASCII letters leave: a mark of another script riding on the word (a combining Greek
        # letter after a Han character) would otherwise become a token that a second reading
        # transliterates again, and a key would not be its own key.
        words = tuple(w for part in native(word) for w in _ascii_words(part))
        return words or (word,)
    latin = maybe_ascii(word) if script in ("Cyrl", "Grek", "Armn", "Geor") else _ANY.transliterate(word)
    if not latin.isascii() or not _ascii_words(latin):
        return (word,)  # nothing to read it by: the word is kept as written, a token of its own
    return _ascii_words(latin)


def strip_native_titles(folded: str) -> str:
    """Remove polite forms and titles written in other scripts from a folded name."""
    if _SUFFIX_RE.search(folded):
        folded = _SUFFIX_RE.sub(" ", folded)
    return _TITLE_RE.sub(" ", folded)


def clear_caches() -> None:
    """Empty this module's caches (for benchmarks that time cold runs)."""
    latin_words.cache_clear()
