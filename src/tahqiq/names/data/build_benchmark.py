"""Build the labelled name-pair benchmark ``benchmark_pairs.csv`` (run:
``python -m tahqiq.names.data.build_benchmark``; deterministic, seed 18).

Every pair is ``name1,name2,is_match,schema,class,script``. Names come from ``name_sources.csv``
(Faker's locale name lists and pakgender's Pakistani first names), ``nicknames.csv`` and the short
hand-written lists below; the Latin side of a cross-script pair is written by the reference
standards in ``romanise.py`` (never by the matcher's own transliterator), by Faker's own romaji, or
for Han by ICU's Han-Latin (pinyin). Each class has pairs that must match and pairs that must not
(mostly names that differ in one part only). Sources and licences: ``data/README.md``.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from importlib import resources
from pathlib import Path

import icu

from tahqiq.names.data import romanise

__all__ = ["build", "main"]

# Common family names written in Latin script (public knowledge; Pakistani, Arab, European, Asian).
FAMILY = ("Khan Qureshi Siddiqui Butt Cheema Gondal Awan Niazi Abbasi Hashmi Baloch Bhatti Chaudhry Akhtar Iqbal "
          "Mirza Shaikh Ansari Rizvi Jafri Kazmi Naqvi Durrani Yousafzai Afridi Khattak Turner Baker Smith Miller "
          "Fischer Weber Garcia Martinez Rossi Ferrari Kowalski Nowak Novak Horvat Dubois Laurent Silva Santos "
          "Costa Nguyen Tran Haddad Nasser Saleh Mansour Hamdan Osman Yilmaz Demir Kaya Petrovic Jovanovic "
          "Hoffmann Schneider Bauer Moreau").split()

# Arabic-script given and family names with a usual Latin spelling (hand-written; lang: ar, fa, ps).
ARABIC_SCRIPT = [
    ("محمد", "Mohammed", "ar"), ("أحمد", "Ahmed", "ar"), ("علي", "Ali", "ar"), ("حسن", "Hassan", "ar"),
    ("حسين", "Hussein", "ar"), ("عمر", "Omar", "ar"), ("خالد", "Khalid", "ar"), ("يوسف", "Youssef", "ar"),
    ("إبراهيم", "Ibrahim", "ar"), ("عبدالله", "Abdullah", "ar"), ("عبد الرحمن", "Abdulrahman", "ar"),
    ("سعيد", "Saeed", "ar"), ("محمود", "Mahmoud", "ar"), ("مصطفى", "Mustafa", "ar"), ("طارق", "Tariq", "ar"),
    ("فيصل", "Faisal", "ar"), ("سلمان", "Salman", "ar"), ("ناصر", "Nasser", "ar"), ("جمال", "Jamal", "ar"),
    ("كريم", "Karim", "ar"), ("هشام", "Hisham", "ar"), ("وليد", "Walid", "ar"), ("زياد", "Ziad", "ar"),
    ("فاطمة", "Fatima", "ar"), ("عائشة", "Aisha", "ar"), ("مريم", "Maryam", "ar"), ("خديجة", "Khadija", "ar"),
    ("زينب", "Zainab", "ar"), ("نور", "Nour", "ar"), ("ليلى", "Layla", "ar"), ("سارة", "Sara", "ar"),
    ("حمدان", "Hamdan", "ar"), ("منصور", "Mansour", "ar"), ("صالح", "Saleh", "ar"), ("عثمان", "Othman", "ar"),
    ("حداد", "Haddad", "ar"), ("الراشد", "Al-Rashid", "ar"), ("الشمري", "Al-Shammari", "ar"),
    ("القحطاني", "Al-Qahtani", "ar"), ("العتيبي", "Al-Otaibi", "ar"), ("الحربي", "Al-Harbi", "ar"),
    ("رضا", "Reza", "fa"), ("مهدی", "Mahdi", "fa"), ("حمید", "Hamid", "fa"), ("علیرضا", "Alireza", "fa"),
    ("محمدرضا", "Mohammadreza", "fa"), ("امیر", "Amir", "fa"), ("مریم", "Maryam", "fa"), ("زهرا", "Zahra", "fa"),
    ("پریسا", "Parisa", "fa"), ("فرهاد", "Farhad", "fa"), ("بهرام", "Bahram", "fa"), ("کاظمی", "Kazemi", "fa"),
    ("حسینی", "Hosseini", "fa"), ("رضایی", "Rezaei", "fa"), ("احمدی", "Ahmadi", "fa"), ("کریمی", "Karimi", "fa"),
    ("موسوی", "Mousavi", "fa"), ("جعفری", "Jafari", "fa"), ("نوری", "Nouri", "fa"), ("صادقی", "Sadeghi", "fa"),
    ("گل", "Gul", "ps"), ("خان", "Khan", "ps"), ("ګل", "Gul", "ps"), ("زلمی", "Zalmai", "ps"),
    ("یوسفزی", "Yousafzai", "ps"), ("وزیر", "Wazir", "ps"), ("درانی", "Durrani", "ps"), ("اچکزی", "Achakzai", "ps"),
    ("ملالۍ", "Malalai", "ps"), ("ښکلې", "Shkule", "ps"), ("ډاکټر", "", "ps"),
]
# Titles and honorifics in other languages (removed: never part of a name).
TITLES = ("Dr. Mr. Mrs. Ms. Miss Prof. Herr Frau Monsieur Mme. Señor Sra. Sig. Don Sheikh Haji Hajji Maulana "
          "Shri Smt. Sri Kumari Mullah Engr. Col. Capt. Sir").split()
NATIVE_TITLES = {"Cyrl": ["г-н", "господин"], "Grek": ["κ."], "Arab": ["السيد", "الدكتور", "آقای"],
                 "Deva": ["श्री", "श्रीमती"]}
DIGITS = {"o": "0", "i": "1", "l": "1", "e": "3", "a": "4", "g": "9", "s": "5"}
BIN = ("bin", "ibn", "binti", "bint")

_HAN = icu.Transliterator.createInstance("Han-Latin; Latin-ASCII")
_KANA = icu.Transliterator.createInstance("Katakana-Latin; Latin-ASCII")


def _sources() -> dict[tuple[str, str], list[tuple[str, str]]]:
    text = resources.files("tahqiq.names").joinpath("data/name_sources.csv").read_text("utf-8")
    out: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for row in csv.DictReader(text.splitlines()):
        out[(row["locale"], row["part"])].append((row["name"], row["latin"]))
    return out


def _nicknames() -> list[tuple[str, str]]:
    text = resources.files("tahqiq.names").joinpath("data/nicknames.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return [(r["name"].title(), r["nickname"].title()) for r in rows]


def _latin(locale: str, word: str, part: str, rng: random.Random) -> str:
    script = _SCRIPT[locale]
    if script == "Cyrl":
        return romanise.cyrillic(word, locale)
    if script == "Grek":
        return romanise.greek(word)
    if script == "Armn":
        return romanise.armenian(word)
    if script == "Geor":
        return romanise.georgian(word)
    if script == "Deva":
        return romanise.devanagari(word)
    if script == "Hang":
        passport = rng.random() < 0.5
        if part == "family":
            return romanise.hangul(word, surname=True)
        syllables = [romanise.hangul(ch, passport=passport).lower() for ch in word]
        sep = rng.choice(["", "-", " "])
        return sep.join(syllables).title() if sep != "-" else "-".join(syllables).capitalize()
    if script == "Hani":
        syl = _HAN.transliterate(word).split()
        return "".join(syl).title() if rng.random() < 0.7 else "-".join(syl).capitalize()
    raise ValueError(locale)


_SCRIPT = {"ru_RU": "Cyrl", "uk_UA": "Cyrl", "bg_BG": "Cyrl", "el_GR": "Grek", "hy_AM": "Armn", "ka_GE": "Geor",
           "hi_IN": "Deva", "ko_KR": "Hang", "zh_CN": "Hani", "zh_TW": "Hani"}
_FAMILY_FIRST = {"ko_KR", "zh_CN", "zh_TW"}


def _cross_script(rng: random.Random, src: dict[tuple[str, str], list[tuple[str, str]]], out: list[list[str]]) -> None:
    for locale, script in _SCRIPT.items():
        given, family = src[(locale, "given")], src[(locale, "family")]
        for _ in range(60):
            g, f = rng.choice(given)[0], rng.choice(family)[0]
            if locale in _FAMILY_FIRST:
                native = f"{f}{g}" if locale in ("zh_CN", "zh_TW") else f"{f} {g}"
            else:
                native = f"{g} {f}"
            lg, lf = _latin(locale, g, "given", rng), _latin(locale, f, "family", rng)
            order = rng.random()
            latin = f"{lf.upper()}, {lg}" if order < 0.2 else (f"{lf} {lg}" if order < 0.5 else f"{lg} {lf}")
            out.append([native, latin, "1", "Person", "script", script])
            # the same given name and another family name, or the reverse: a different person
            if rng.random() < 0.5:
                f2 = rng.choice([x for x, _ in family if x != f])
                other = f"{lg} {_latin(locale, f2, 'family', rng)}"
            else:
                g2 = rng.choice([x for x, _ in given if x != g])
                other = f"{_latin(locale, g2, 'given', rng)} {lf}"
            out.append([native, other, "0", "Person", "script", script])
        native_titles = NATIVE_TITLES.get(script)
        if native_titles:
            for _ in range(6):
                g, f = rng.choice(given)[0], rng.choice(family)[0]
                lg, lf = _latin(locale, g, "given", rng), _latin(locale, f, "family", rng)
                out.append([f"{rng.choice(native_titles)} {g} {f}", f"{lg} {lf}", "1", "Person", "honorific", script])
    # Japanese: kana as written on a form, romaji as Faker gives it (long vowels unmarked)
    given, family = src[("ja_JP", "given")], src[("ja_JP", "family")]
    for _ in range(60):
        (g, rg), (f, rf) = rng.choice(given), rng.choice(family)
        latin = f"{rg} {rf}" if rng.random() < 0.5 else f"{rf.upper()} {rg}"
        out.append([f"{f} {g}", latin, "1", "Person", "script", "Kana"])
        if rng.random() < 0.5:
            (g2, rg2) = rng.choice([x for x in given if x[0] != g])
            out.append([f"{f} {g}", f"{rg2} {rf}", "0", "Person", "script", "Kana"])
        else:
            (f2, rf2) = rng.choice([x for x in family if x[0] != f])
            out.append([f"{f} {g}", f"{rg} {rf2}", "0", "Person", "script", "Kana"])
    # Arabic script (Arabic, Persian, Pashto)
    by_lang: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for native, latin, lang in ARABIC_SCRIPT:
        if latin:
            by_lang[lang].append((native, latin))
    for lang, items in by_lang.items():
        for _ in range(50):
            (a, la), (b, lb) = rng.sample(items, 2)
            out.append([f"{a} {b}", f"{la} {lb}", "1", "Person", "script", f"Arab-{lang}"])
            c, lc = rng.choice([x for x in items if x[0] not in (a, b)])
            out.append([f"{a} {b}", f"{la} {lc}", "0", "Person", "script", f"Arab-{lang}"])


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word))
    op = rng.choice(["swap", "drop", "double", "sub"])
    if op == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == "drop":
        return word[:i] + word[i + 1 :]
    if op == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeioun") + word[i + 1 :]


def _digits(word: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(word.lower()) if ch in DIGITS]
    for i in rng.sample(spots, min(len(spots), rng.choice([1, 1, 2]))):
        word = word[:i] + DIGITS[word[i].lower()] + word[i + 1 :]
    return word


def _latin_classes(rng: random.Random, src: dict[tuple[str, str], list[tuple[str, str]]], out: list[list[str]]) -> None:
    pk = [n for n, _ in src[("ur_PK", "given")]]
    nick = _nicknames()
    western = sorted({a for a, _ in nick})

    def person(pool: list[str]) -> tuple[str, str, str]:
        return rng.choice(pool), rng.choice(pool), rng.choice(FAMILY)

    def other(x: str, pool: list[str]) -> str:
        return rng.choice([p for p in pool if p != x and p[:3] != x[:3]])

    def add(cls: str, a: str, b: str, match: bool) -> None:
        out.append([a, b, "1" if match else "0", "Person", cls, "Latn"])

    for _ in range(60):
        pool = pk if rng.random() < 0.6 else western
        g, m, f = person(pool)
        # particles: bin/ibn/binti, al-, ul-/ud-, "SURNAME, Given"
        p = rng.choice(BIN)
        add("particles", f"{g} {p} {m}", f"{g} {m}", True)
        add("particles", f"{g} {p} {m}", f"{g} {p} {other(m, pool)}", False)
        add("particles", f"{g} Al-{f}", f"{g} al {f}" if rng.random() < 0.5 else f"{g} {f}", True)
        add("particles", f"{g} Al-{f}", f"{g} Al-{other(f, FAMILY)}", False)
        add("order", f"{f.upper()}, {g} {m}", f"{g} {m} {f}", True)
        add("order", f"{f.upper()}, {g}", f"{g} {other(f, FAMILY)}", False)
        # honorifics and titles
        add("honorific", f"{rng.choice(TITLES)} {g} {f}", f"{g} {f}", True)
        add("honorific", f"{rng.choice(TITLES)} {g} {f}", f"{rng.choice(TITLES)} {g} {other(f, FAMILY)}", False)
        # initials
        add("initials", f"{g[0]}. {f}", f"{g} {f}", True)
        add("initials", f"{g[0]}. {m[0]}. {f}", f"{g} {m} {f}", True)
        add("initials", f"{g[0]}. {f}", f"{other(g, [x for x in pool if x[0] != g[0]])} {f}", False)
        # extra or missing middle names
        add("middle", f"{g} {m} {f}", f"{g} {f}", True)
        add("middle", f"{g} {m} {f}", f"{g} {other(m, pool)} {f}", False)
        # digits for letters
        add("digits", f"{_digits(g, rng)} {_digits(f, rng)}", f"{g} {f}", True)
        add("digits", f"{_digits(g, rng)} {f}", f"{other(g, pool)} {f}", False)
        # split or joined tokens
        add("split", f"{g}{m.lower()} {f}", f"{g} {m} {f}", True)
        add("split", f"{g} {m}", f"{g}{other(m, pool).lower()}", False)
        # differ only in the family or tribal name
        add("family", f"{g} {m} {f}", f"{g} {m} {other(f, FAMILY)}", False)
        add("family", f"{g} {f}", f"{g} {other(f, FAMILY)}", False)
        add("family", f"{g} {m} {f}", f"{f}, {g} {m}", True)
        # typing slips
        add("typo", f"{_typo(g, rng)} {f}", f"{g} {f}", True)
        add("typo", f"{g} {_typo(f, rng)}", f"{g} {f}", True)
    for _ in range(120):
        full, short = rng.choice(nick)
        f = rng.choice(FAMILY)
        add("nickname", f"{short} {f}", f"{full} {f}", True)
        add("nickname", f"{short} {f}", f"{full} {other(f, FAMILY)}", False)
        add("nickname", f"{short} {f}", f"{other(full, western)} {f}", False)


def build(seed: int = 18) -> list[list[str]]:
    rng = random.Random(seed)
    src = _sources()
    out: list[list[str]] = []
    _cross_script(rng, src, out)
    _latin_classes(rng, src, out)
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in out:
        key = (row[0], row[1])
        if key not in seen and row[0] != row[1]:
            seen.add(key)
            unique.append(row)
    return unique


def main() -> None:
    rows = build()
    path = Path(__file__).with_name("benchmark_pairs.csv")
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name1", "name2", "is_match", "schema", "class", "script"])
        w.writerows(rows)
    print(f"{len(rows)} pairs -> {path}")


if __name__ == "__main__":
    main()
