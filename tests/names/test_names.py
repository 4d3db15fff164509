"""The Pakistani-name canonicaliser: concrete cases (Roman and Urdu script). Similarity is in
test_similarity.py."""

from __future__ import annotations

import dataclasses

import pytest

from tahqiq.names import ParsedName, canonical_tokens, name_key, name_similarity, parse_name, skeleton_key
from tahqiq.names.lexicon import LEXICON, fold, lookup_roman, roman_skeleton
from tahqiq.names.urdu import transliterate, urdu_skeleton

# --- spelling-variant families -------------------------------------------------------------

FAMILIES = {
    "muhammad": ["Muhammad", "Mohammad", "Muhammed", "Mohammed", "Mohamed", "Mohd", "Mohd.", "Md", "Md.", "M.", "M",
                 "MUHAMMAD", "Muḥammad", "محمد", "محمّد", "مُحَمَّد", "محـمد"],
    "ali": ["Ali", "Aly", "Alee", "علی", "علي"],
    "hussain": ["Hussain", "Husain", "Hussein", "Husein", "Hossain", "حسین", "حسين"],
    "ahmad": ["Ahmad", "Ahmed", "احمد"],
    "aslam": ["Aslam", "Aslaam", "اسلم"],
    "fatima": ["Fatima", "Fatimah", "Fatma", "Fatema", "فاطمہ", "فاطمة", "فاطمه"],
    "ghulam": ["Ghulam", "Gulam", "Gholam", "غلام"],
    "rasool": ["Rasool", "Rasul", "رسول"],
    "yousaf": ["Yousaf", "Yusuf", "Yousuf", "Yousef", "یوسف", "يوسف"],
    "rafiq": ["Rafiq", "Rafique", "Rafeeq", "Rafik", "Rafeeque", "رفیق"],
    "farooq": ["Farooq", "Faruq", "Farooque", "Faruk", "فاروق"],
    "aisha": ["Aisha", "Ayesha", "Aysha", "Ayeshah", "عائشہ", "عايشه"],
    "zainab": ["Zainab", "Zaynab", "Zenab", "زینب"],
    "umar": ["Umar", "Omar", "Umer", "Omer", "عمر"],
    "usman": ["Usman", "Osman", "Uthman", "عثمان"],
    "chaudhry": ["Chaudhry", "Chaudhary", "Choudhry", "Chowdhury", "چوہدری", "چودھری"],
    "mahmood": ["Mahmood", "Mehmood", "Mahmud", "محمود"],
    "rahman": ["Rahman", "Rehman", "رحمان", "رحمن"],
    "kalsoom": ["Kalsoom", "Kulsoom", "Kulsum", "کلثوم", "كلثوم"],
    "khan": ["Khan", "خان"],
    "bhatti": ["Bhatti", "بھٹی", "بهٹی"],
}


@pytest.mark.parametrize(("canonical", "spelling"), [(c, s) for c, ss in FAMILIES.items() for s in ss])
def test_variant_family_resolves_to_one_token(canonical, spelling):
    p = parse_name(spelling)
    assert (p.given or p.titles[:1]) == (canonical,), (spelling, p)


def test_abdul_compounds_are_one_token():
    forms = ["Abdul Rehman", "Abdur Rahman", "Abd-ur-Rehman", "Abdurrehman", "Abdulrahman", "Abd al Rahman",
             "ABDUL REHMAN", "عبدالرحمان", "عبد الرحمن", "عبدالرحمٰن"]
    assert {canonical_tokens(f) for f in forms} == {("abdulrahman",)}
    assert canonical_tokens("Abdul Ghafoor") == canonical_tokens("Abdulghafoor") == ("abdulghafoor",)
    assert canonical_tokens("Abdul Malik") == ("abdulmalik",)  # Malik after Abdul is a name, not a title
    assert canonical_tokens("Abdullah") == canonical_tokens("Abdulla") == canonical_tokens("عبداللہ") == ("abdullah",)
    assert canonical_tokens("Abdul") == ("abdul",)


@pytest.mark.parametrize(
    ("forms", "tokens"),
    [
        (["Zia-ul-Haq", "Zia ul Haq", "Ziaul Haq", "Ziaulhaq", "ضیاء الحق", "ضیاءالحق"], ("zia", "haq")),
        (["Noor-ud-Din", "Nooruddin", "Noor ud Deen", "Noor Din", "نور الدین"], ("noor", "din")),
        (["Saifullah", "Saif Ullah", "Saif-ul-lah", "سیف اللہ"], ("saif", "allah")),
        (["Attaullah", "Ata Ullah", "Atta-ul-lah", "عطاء اللہ"], ("ata", "allah")),
        (["Hafizullah", "Hafeezullah", "Hafiz Ullah", "حفیظ اللہ"], ("hafeez", "allah")),
        (["Fazal-ur-Rehman", "Fazlur Rehman", "Fazlurrehman"], ("fazal", "rahman")),
        (["Zebunnisa", "Zeb-un-Nisa"], ("zaib", "nisa")),
        (["Mehr-un-Nisa", "Mehrunnisa", "مہرالنساء"], ("mehr", "nisa")),
        (["Qurat ul Ain", "Qurratulain"], ("qurrat", "ain")),
        (["Zain ul Abideen", "Zainul Abidin", "Zainulabideen"], ("zain", "abidin")),
        (["Allah Ditta", "اللہ دتہ", "ﷲ دتہ"], ("allah", "ditta")),
        (["Fatima Bibi", "Fatima Bi Bi", "فاطمہ بی بی", "فاطمہ بیبی"], ("fatima", "bibi")),
    ],
)
def test_compound_names(forms, tokens):
    for f in forms:
        assert canonical_tokens(f) == tokens, f


# --- titles ---------------------------------------------------------------------------------


def test_titles_removed_and_reported():
    p = parse_name("Ch. Muhammad Akram")
    assert p.given == ("muhammad", "akram") and p.titles == ("chaudhry",)
    assert name_key("Ch. Muhammad Akram") == name_key("Chaudhry Mohd Akram") == name_key("Muhammad Akram")
    assert skeleton_key("Ch. Muhammad Akram") == skeleton_key("چوہدری محمد اکرم")
    p = parse_name("Dr. Haji Syed Ali Raza Shah")
    assert p.given == ("ali", "raza", "shah")
    assert set(p.titles) == {"dr", "haji", "syed"}
    for title, canonical in [("Rana", "rana"), ("Malik", "malik"), ("Mian", "mian"), ("Hafiz", "hafiz"),
                             ("Haji", "haji"), ("Dr.", "dr"), ("Syed", "syed"), ("Sheikh", "sheikh"),
                             ("Mirza", "mirza"), ("Khawaja", "khawaja"), ("Mst.", "mst"), ("Maulana", "maulana"),
                             ("ملک", "malik"), ("رانا", "rana"), ("حافظ", "hafiz"), ("ڈاکٹر", "dr")]:
        p = parse_name(f"{title} Muhammad Aslam")
        assert p.given == ("muhammad", "aslam"), title
        assert p.titles == (canonical,), title


def test_titles_anywhere_and_kept_when_alone():
    assert parse_name("Muhammad Akram Chaudhry").given == ("muhammad", "akram")
    assert name_key("Riaz Malik") == name_key("Malik Riaz") == "riaz"
    assert parse_name("Malik").given == ("malik",)  # nothing else: the title is the name
    assert parse_name("Rana Malik").given == ("rana", "malik")
    assert parse_name("Dr.").given == () and parse_name("Dr.").titles == ("dr",)
    assert parse_name("Hafiz Muhammad Saeed").titles == ("hafiz",)
    assert parse_name("Hafiz Hasan").given == ("hasan",)  # only Hafiz + Ullah is the name Hafeezullah
    # police ranks and "late" are not names
    assert canonical_tokens("ASI Muhammad Aslam (Late)") == ("muhammad", "aslam")
    assert canonical_tokens("Marhoom Ghulam Rasool") == ("ghulam", "rasool")


def test_only_m_initial_expands():
    assert canonical_tokens("M. Aslam") == ("muhammad", "aslam")
    assert canonical_tokens("M Aslam") == ("muhammad", "aslam")
    assert canonical_tokens("A. Rehman") == ("a", "rahman")  # other initials stay initials
    assert canonical_tokens("S. M. Ali") == ("s", "muhammad", "ali")


# --- parentage and aliases ------------------------------------------------------------------


def test_son_of():
    p = parse_name("Muhammad Aslam s/o Ghulam Rasool")
    assert p.given == ("muhammad", "aslam")
    assert p.relation == "s/o"
    assert p.relative == ("ghulam", "rasool")
    assert p.titles == ()


@pytest.mark.parametrize(
    ("text", "given", "relation", "relative"),
    [
        ("MUHAMMAD ASLAM S/O GHULAM RASOOL", ("muhammad", "aslam"), "s/o", ("ghulam", "rasool")),
        ("Muhammad Aslam S.O Ghulam Rasool", ("muhammad", "aslam"), "s/o", ("ghulam", "rasool")),
        ("Muhammad Aslam son of Ghulam Rasool", ("muhammad", "aslam"), "s/o", ("ghulam", "rasool")),
        ("Aslam (s/o Rasool)", ("aslam",), "s/o", ("rasool",)),
        ("Ahmad bin Hanbal", ("ahmad",), "s/o", ("hanbal",)),
        ("Aslam walad Rasool", ("aslam",), "s/o", ("rasool",)),
        ("Aslam Ibn-e-Rasool", ("aslam",), "s/o", ("rasool",)),
        ("Fatima d/o Ghulam Rasool", ("fatima",), "d/o", ("ghulam", "rasool")),
        ("Fatima daughter of Rasool", ("fatima",), "d/o", ("rasool",)),
        ("Fatima bint Rasool", ("fatima",), "d/o", ("rasool",)),
        ("Mst. Nasreen Bibi w/o Muhammad Younas", ("nasreen", "bibi"), "w/o", ("muhammad", "younis")),
        ("Nasreen widow of Younas (Late)", ("nasreen",), "w/o", ("younis",)),
        ("محمد اسلم ولد غلام رسول", ("muhammad", "aslam"), "s/o", ("ghulam", "rasool")),
        ("فاطمہ بنت غلام رسول", ("fatima",), "d/o", ("ghulam", "rasool")),
        ("مسماۃ نسرین زوجہ محمد یونس", ("nasreen",), "w/o", ("muhammad", "younis")),
        ("Muhammad Aslam s/o Ch. Ghulam Rasool", ("muhammad", "aslam"), "s/o", ("ghulam", "rasool")),
        ("Aslam s/o Rasool s/o Karim", ("aslam",), "s/o", ("rasool",)),  # grandfather ignored
        ("s/o Ghulam Rasool", (), "s/o", ("ghulam", "rasool")),
        ("Aslam s/o", ("aslam",), "s/o", ()),
    ],
)
def test_parentage_forms(text, given, relation, relative):
    p = parse_name(text)
    assert (p.given, p.relation, p.relative) == (given, relation, relative)


def test_alias_address_and_caste_words():
    p = parse_name("Muhammad Aslam alias Papu s/o Ghulam Rasool qaum Jat r/o Chak 45 Sargodha")
    assert p.given == ("muhammad", "aslam")
    assert p.alias == ("papu",)
    assert p.relative == ("ghulam", "rasool")
    text = " ".join(str(v) for v in dataclasses.astuple(p)[1:])
    for word in ("jat", "jutt", "chak", "sargodha"):
        assert word not in text
    p = parse_name("محمد اسلم عرف پپو ولد غلام رسول قوم جٹ سکنہ چک نمبر 45")
    assert p.given == ("muhammad", "aslam") and p.relative == ("ghulam", "rasool") and p.relation == "s/o"
    assert "jutt" not in " ".join(str(v) for v in dataclasses.astuple(p)[1:])
    assert parse_name("Aslam @ Papu").alias == ("papu",)
    assert name_similarity("Aslam alias Papu", "Papu") == 1.0


def test_parsed_name_has_no_inferred_attributes():
    fields = {f.name for f in dataclasses.fields(ParsedName)}
    assert fields == {"original", "script", "given", "relation", "relative", "titles", "alias", "known", "patronym"}
    kinds = {e.kind for e in LEXICON.values()}
    assert kinds == {"name", "title", "honorific"}


# --- word order and keys --------------------------------------------------------------------


def test_skeleton_key_identical_across_forms():
    forms = ["Muhammad Aslam", "Mohd. Aslam", "محمد اسلم", "Aslam Muhammad", "M. Aslam", "MOHAMMED ASLAM",
             "Aslam, Muhammad", "اسلم محمد"]
    assert {skeleton_key(f) for f in forms} == {"mhmd slm"}
    assert {name_key(f) for f in forms} == {"aslam muhammad"}


def test_word_order():
    assert name_key("Ali Raza Khan") == name_key("Khan Ali Raza") == name_key("Raza, Ali Khan")
    assert name_similarity("Ali Raza Khan", "Khan Ali Raza") == 1.0
    assert canonical_tokens("Aslam Muhammad") == ("aslam", "muhammad")  # canonical_tokens keeps written order


@pytest.mark.parametrize(
    ("urdu", "roman"),
    [
        ("محمد اسلم", "Muhammad Aslam"),
        ("غلام رسول", "Ghulam Rasool"),
        ("فاطمہ بی بی", "Fatima Bibi"),
        ("طارق محمود", "Tariq Mehmood"),
        ("ذوالفقار علی بھٹو", "Zulfiqar Ali Bhutto"),
        ("بینظیر بھٹو", "Benazir Bhutto"),
        ("عمران خان", "Imran Khan"),
        ("شاہد آفریدی", "Shahid Afridi"),
        ("پروین اختر", "Parveen Akhtar"),
        ("کلثوم", "Kulsoom"),
        ("بشریٰ", "Bushra"),
        ("عائشہ صدیقہ", "Ayesha Siddiqa"),
        ("اللہ بخش", "Allah Bux"),
        ("عبد الغفور", "Abdul Ghafoor"),
    ],
)
def test_urdu_equals_roman(urdu, roman):
    assert parse_name(urdu).script == "Arab"
    assert skeleton_key(urdu) == skeleton_key(roman)
    assert name_similarity(urdu, roman) >= 0.9


def test_known_urdu_resolves_to_full_roman_token():
    for urdu, roman in [("محمد", "muhammad"), ("اسلم", "aslam"), ("فاطمہ", "fatima"), ("غلام", "ghulam"),
                        ("رسول", "rasool"), ("حسین", "hussain"), ("علی", "ali"), ("خدیجہ", "khadija")]:
        assert canonical_tokens(urdu) == (roman,)


@pytest.mark.parametrize(
    ("urdu", "roman"),
    [("مزمل", "Muzammil"), ("نزاکت", "Nazakat"), ("رفاقت", "Rafaqat"), ("شجاعت", "Shujaat"), ("تابندہ", "Tabinda"),
     ("عنبر", "Ambar"), ("صنوبر", "Sanober"), ("چراغ", "Chiragh"), ("فرخندہ", "Farkhanda"), ("زرتاج", "Zartaj"),
     ("حماد", "Hammad"), ("بہرام", "Behram"), ("ریاست", "Riasat"), ("منشا", "Mansha")],
)
def test_unknown_urdu_falls_back_to_the_skeleton(urdu, roman):
    assert lookup_roman(roman.lower()) is None  # really outside the lexicon
    assert skeleton_key(urdu) == skeleton_key(roman)
    assert name_similarity(urdu, roman) >= 0.85


def test_script_detection():
    assert parse_name("Muhammad Aslam").script == "Latn"
    assert parse_name("محمد اسلم").script == "Arab"
    assert parse_name("محمد Aslam").script == "mixed"
    assert parse_name("").script == "Latn"


# --- Urdu letters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "skeleton"),
    [
        ("محمد", "mhmd"),
        ("اسلم", "slm"),
        ("فاطمہ", "ftm"),  # final ہ is a vowel
        ("شاہ", "sh"),  # final ہ after a long vowel dropped too (Roman "Shah" drops its final h)
        ("شاہد", "shd"),  # medial ہ is h
        ("بھٹی", "bht"),  # ھ aspirate, ٹ retroflex t
        ("ڈار", "dr"),  # ڈ
        ("تارڑ", "trr".replace("rr", "r")),  # ڑ
        ("افشاں", "fshn"),  # ں
        ("خان", "khn"),  # خ as kh
        ("غلام", "ghlm"),  # غ as gh
        ("چیمہ", "chm"),  # چ as ch
        ("کھوکھر", "khkhr"),  # کھ written like خ
        ("وسیم", "wsm"),  # initial و is a consonant
        ("نوید", "nd"),  # medial و ی are vowels in the skeleton
        ("یاسر", "ysr"),  # initial ی is a consonant
        ("قاسم", "ksm"),  # ق and ک share k
        ("ضیاء", "z"),  # ض and hamza
        ("ثاقب", "skb"),  # ث is s
        ("طاہر", "thr"),  # ط is t
        ("زوجۂ", "zj"),  # ۂ
        ("سلیمان", "slmn"),
        ("ذکریا", "zkr"),
        ("قنبر", "kmbr"),  # نب said mb
    ],
)
def test_urdu_skeleton_letters(word, skeleton):
    assert urdu_skeleton(fold(word)) == skeleton


def test_urdu_folding():
    # Arabic yeh/kaf/heh and teh marbuta, diacritics, tatweel, zero-width non-joiner
    assert fold("علي") == fold("علی")
    assert fold("كامران") == fold("کامران")
    assert fold("فاطمة") == fold("فاطمه") == fold("فاطمہ")
    assert fold("مُحَمَّد") == fold("محـــمد") == fold("مح\u200cمد") == "محمد"
    assert fold("آصف") == "اصف"
    assert canonical_tokens("ۓ") == canonical_tokens("ے")


def test_roman_skeleton_rules():
    assert roman_skeleton("muhammad") == "mhmd"
    assert roman_skeleton("aslam") == "slm"
    assert roman_skeleton("fatimah") == roman_skeleton("fatima") == "ftm"
    assert roman_skeleton("sheikh") == "shkh"  # final h of a digraph stays
    assert roman_skeleton("tariq") == roman_skeleton("tarik") == "trk"
    assert roman_skeleton("waseem") == "wsm" and roman_skeleton("anwar") == "nr"
    assert roman_skeleton("yasir") == "ysr" and roman_skeleton("ilyas") == "ls"
    assert roman_skeleton("hassan") == "hsn"
    assert roman_skeleton("") == ""


def test_lexicon_urdu_spellings_agree_with_roman_skeletons():
    from tahqiq.names.data.check_lexicon import KNOWN_SKELETON_EXCEPTIONS, rows

    bad = []
    n = 0
    for canonical, _kind, _roman, urdu in rows():
        for u in urdu:
            n += 1
            if urdu_skeleton(fold(u)) != roman_skeleton(canonical) and u not in KNOWN_SKELETON_EXCEPTIONS:
                bad.append((canonical, u))
    assert n > 750
    assert bad == []


def test_lexicon_size_and_transliteration_consistency():
    assert sum(1 for e in LEXICON.values() if e.kind == "name") >= 700
    for word in ["مزمل", "شہروز", "کھوکھر", "چوہدری", "بھٹی", "فاطمہ", "عبداللہ"]:
        w = fold(word)
        assert roman_skeleton(transliterate(w)) == urdu_skeleton(w)

