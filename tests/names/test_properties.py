"""Property tests: keys are order-insensitive and idempotent, nothing crashes on any text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tahqiq.names import ParsedName, canonical_tokens, name_key, name_similarity, parse_name, skeleton_key
from tahqiq.names.lexicon import LEXICON, ROMAN, URDU, fold
from tahqiq.names.urdu import urdu_skeleton

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NAME_WORDS = sorted(
    {v for v, e in ROMAN.items() if e.kind == "name"} | {u for u, e in URDU.items() if e.kind == "name"}
)
_OTHER_WORDS = [
    "s/o", "S/O", "d/o", "w/o", "r/o", "c/o", "son of", "bin", "walad", "ولد", "بنت", "زوجہ", "alias", "@", "urf",
    "عرف", "qaum", "قوم", "سکنہ", "Ch.", "Dr.", "Malik", "Rana", "Hafiz", "Syed", "Mst.", "ملک", "ul", "ur", "ud",
    "-ul-", "ال", "Abdul", "Abdur", "عبد", "Abd", "Bi", "بی", "(Late)", "M.", "Md", "X", "'", ",", ".", "(", ")",
    "Ullah", "اللہ", "din", "Haq", "Fazlur", "Ziaul", "Иван", "李", "😀", "١٢٣", "42", "\u200c", "ـ", "ً",
    "ملکالدین", "حافظاللہ", "نورالدین", "عبدالملک", "سیفاللہ", "الحق", "عبد", "بهٹی", "Hafizullah", "Abdulla",
    "Abdus", "Zebunnisa", "Noor-ud-Din", "Mst", "Bibi", "Khan",
]
name_words = st.sampled_from(_NAME_WORDS)
any_word = st.one_of(name_words, st.sampled_from(_OTHER_WORDS), st.text(min_size=1, max_size=8))
name_like = st.lists(any_word, max_size=7).map(" ".join)
texts = st.one_of(st.text(max_size=40), name_like)

_SKELETON_CHARS = re.compile(r"^[bcdfghjklmnprstwyz ]*$")


@SETTINGS
@given(texts)
def test_never_crashes_and_types(text):
    p = parse_name(text)
    assert isinstance(p, ParsedName)
    assert p.script in ("Latn", "Arab", "mixed")
    assert p.relation in (None, "s/o", "d/o", "w/o")
    for part in (p.given, p.relative, p.titles, p.alias):
        assert isinstance(part, tuple) and all(isinstance(t, str) and t and " " not in t for t in part)
    assert len(p.known) == len(p.given)
    assert canonical_tokens(text) == p.given
    assert isinstance(name_key(text), str) and isinstance(skeleton_key(text), str)
    s = name_similarity(text, text)
    assert s == (1.0 if (p.given or p.alias) else 0.0)


@SETTINGS
@given(texts, texts)
def test_similarity_bounded_and_symmetric(a, b):
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == name_similarity(b, a)


@SETTINGS
@given(texts)
@example("\U00020000\u0345")  # a Han character with a combining Greek letter: once read as "he ι"
def test_keys_are_idempotent(text):
    key = name_key(text)
    assert name_key(key) == key
    assert skeleton_key(key) == skeleton_key(text)
    tokens = canonical_tokens(text)
    assert canonical_tokens(" ".join(tokens)) == tokens


@SETTINGS
@given(st.lists(name_words, min_size=1, max_size=5), st.randoms(use_true_random=False))
def test_keys_are_order_insensitive(words, rnd):
    shuffled = list(words)
    rnd.shuffle(shuffled)
    a, b = " ".join(words), " ".join(shuffled)
    assert name_key(a) == name_key(b)
    assert skeleton_key(a) == skeleton_key(b)
    assert name_similarity(a, b) == 1.0


@SETTINGS
@given(st.text(alphabet="ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیےآۂۓئؤيكهةىً ٌ ٍ َ ُ ِ ّ ْ ٰـ\u200c", max_size=12))
def test_urdu_gives_roman_consonant_keys(text):
    assert _SKELETON_CHARS.match(skeleton_key(text))
    assert all(t.isascii() for t in canonical_tokens(text))
    for word in fold(text).split():
        assert _SKELETON_CHARS.match(urdu_skeleton(word))


def test_lexicon_canonical_tokens_are_fixed_points():
    for canonical, entry in LEXICON.items():
        if entry.kind == "name":
            assert canonical_tokens(canonical) == (canonical,), canonical
