"""Pakistani personal names and the way agencies spell them differently.

First names come from pakgender's list of ~5,200 Romanised Pakistani first names (MIT licence), sampled
by its frequency class. Its classes are coarse (Fatima is "low"), so the names in our Urdu lexicon,
which are the common ones in Punjab, get a boost. Non-Pakistani entries in that list (Chinese
surnames, placeholders such as "baby") are left out. pakgender's list of *full* names is not used.

A person's name is kept as parts (NameParts); each source renders the parts in its own style:
Muhammad / Mohammad / Muhammed / Mohd / M., clan names as prefix titles (Ch., Rana, Malik) or
suffixes, honorifics (Hafiz, Haji, Dr.), "Mst." for women in police records, s/o d/o w/o bin walad
forms, upper case, alternative romanisations (Ahmed/Ahmad, Yousaf/Yusuf) and typing errors.
Names are only names here: nothing records or infers religion, sect, caste or ethnicity.
"""

from __future__ import annotations

import json
import random
from bisect import bisect
from dataclasses import dataclass
from functools import cache
from itertools import accumulate

import numpy as np

from tahqiq.generate.urdu import URDU, to_urdu
from tahqiq.model.pkgdata import read_text

# --- name parts ----------------------------------------------------------------------------------

# Family / clan names used as surnames. Some are customarily written before the given name as a
# title ("Ch. Aslam", "Rana Tariq", "Malik Riaz"); the rest after it ("Aslam Butt").
PREFIX_CLANS = ("Chaudhry", "Rana", "Malik", "Mian", "Syed", "Raja")
SUFFIX_CLANS = (
    "Khan", "Butt", "Qureshi", "Sheikh", "Awan", "Gondal", "Bhatti", "Cheema", "Gill", "Warraich",
    "Bajwa", "Virk", "Sandhu", "Dogar", "Niazi", "Abbasi", "Mughal", "Ansari", "Tarar", "Khokhar",
    "Sial",
)
CLAN_WEIGHTS = {
    "Chaudhry": 6, "Rana": 4, "Malik": 6, "Mian": 2, "Syed": 3, "Raja": 2, "Khan": 8, "Butt": 6,
    "Qureshi": 3, "Sheikh": 4, "Awan": 4, "Gondal": 2, "Bhatti": 4, "Cheema": 3, "Gill": 2,
    "Warraich": 2, "Bajwa": 2, "Virk": 1, "Sandhu": 1, "Dogar": 2, "Niazi": 2, "Abbasi": 2,
    "Mughal": 3, "Ansari": 2, "Tarar": 1, "Khokhar": 2, "Sial": 1,
}
HONORIFICS = ("Hafiz", "Haji", "Dr.")
FEMALE_SECOND = (
    "Bibi", "Begum", "Parveen", "Akhtar", "Kausar", "Bano", "Naz", "Noreen", "Shaheen", "Sultana",
    "Batool", "Yasmin", "Rani", "Fatima", "Naseem",
)
FEMALE_SECOND_WEIGHTS = (6, 3, 5, 4, 3, 3, 2, 2, 2, 2, 1.5, 2, 1, 2.5, 1.5)
MALE_SECOND = (
    "Ali", "Ahmed", "Hussain", "Raza", "Iqbal", "Akram", "Aslam", "Khalid", "Javed", "Shahid",
    "Abbas", "Haider", "Imran", "Asif", "Nawaz", "Ashraf", "Anwar", "Akhtar", "Tariq", "Saeed",
)
GHULAM_ = ("Rasool", "Abbas", "Mustafa", "Haider", "Murtaza", "Qadir", "Nabi", "Sarwar", "Farid", "Hussain")
ABDUL_ = (
    "Rehman", "Ghafoor", "Sattar", "Jabbar", "Rasheed", "Hameed", "Majeed", "Qadir", "Razzaq",
    "Aziz", "Khaliq", "Latif", "Wahid", "Basit",
)
ALLAH_ = ("Ditta", "Rakha", "Bakhsh", "Wasaya")
DIN_ = ("Imam", "Siraj", "Karam", "Fazal", "Noor", "Sher", "Allah")

# Entries of pakgender's list that are not Pakistani first names, or that we handle as parts of a
# name (Muhammad, Abdul, Ghulam, titles, clan names).
_EXCLUDE = {
    "chen", "dai", "deng", "dong", "gan", "gao", "gou", "guo", "hao", "he", "hu", "huang", "jia",
    "jiang", "jing", "kang", "lan", "li", "lin", "liu", "lu", "ma", "pan", "peng", "qi", "ren",
    "shi", "yuanhua", "cui", "hsu", "luo", "jin", "jie", "jun", "kim", "bo", "ha", "hue", "lie",
    "lou", "zhang", "wang", "yang", "zhao", "zhou", "wu", "xu", "sun", "zhu", "gu", "xie", "song",
    "tang", "han", "feng", "cao", "yuan", "fan", "su", "ye", "lv", "wei", "xiao", "tian", "du",
    "baby", "bismillah", "umm", "ume", "umme", "omme", "lea", "angel", "twinkle", "mohd", "muham",
    "muhammad", "mohammad", "mohammed", "muhammed", "abdul", "abdur", "abu", "ghulam", "allah",
    "syed", "syeda", "sayed", "malik", "khan", "rana", "mian", "raja", "chaudhry", "sheikh",
    "hafiz", "haji", "qazi", "sardar", "mirza", "nawab", "nawabzadi", "pir", "mir", "shah", "begum",
    "bibi", "butt", "awan", "mughal", "sultan", "zadi", "dini", "mai", "mah", "sada",
    "anxu", "behrui", "fang", "guiping", "hwang", "jong", "kong", "leong", "ning", "qian",
    "qiancheng", "qingyun", "rongguang", "seng", "shao", "shijie", "saw", "hav", "jae",
}
_FREQ_WEIGHT = {"high": 8.0, "medium": 3.0, "low": 1.0}
_LEXICON_BOOST = 25.0
# Entries pakgender took from an Arabic names dictionary ("source": "arabic") are marked "high" en
# bloc; most are rare in Punjab, so they are down-weighted against its own Pakistani entries.
_ARABIC_DICTIONARY_WEIGHT = 0.08


@dataclass(frozen=True)
class NamePools:
    male: tuple[str, ...]
    male_p: np.ndarray
    female: tuple[str, ...]
    female_p: np.ndarray


@cache
def pools() -> NamePools:
    """First-name pools read from the installed pakgender package."""
    raw = json.loads(read_text("pakgender", "data/names.json"))["first_names"]
    male: list[tuple[str, float]] = []
    female: list[tuple[str, float]] = []
    for key in sorted(raw):  # sorted: never depend on the file's order
        low = key.strip().lower()
        if not low.isalpha() or not low.isascii() or len(low) < 3 or low in _EXCLUDE:
            continue
        info = raw[key]
        w = _FREQ_WEIGHT.get(info.get("frequency", "low"), 1.0)
        if info.get("source") == "arabic":
            w *= _ARABIC_DICTIONARY_WEIGHT
        if low in URDU:
            w *= _LEXICON_BOOST
        name = low.capitalize()
        g = info.get("gender", "U")
        if g in ("M", "U"):
            male.append((name, w))
        if g in ("F", "U"):
            female.append((name, w))
    male = sorted(dict(male).items())
    female = sorted(dict(female).items())
    mp = np.array([w for _, w in male], dtype=float)
    fp = np.array([w for _, w in female], dtype=float)
    return NamePools(tuple(n for n, _ in male), mp / mp.sum(), tuple(n for n, _ in female), fp / fp.sum())


# NameParts: (gender, muhammad, given tokens, second element, clan, honorific)
NameParts = tuple  # (str, bool, tuple[str, ...], str, str, str)


def canonical_tokens(p: NameParts) -> list[str]:
    gender, muh, given, second, clan, _hon = p
    toks: list[str] = []
    if clan and clan in PREFIX_CLANS:
        toks.append(clan)
    if muh:
        toks.append("Muhammad")
    toks.extend(given)
    if second:
        toks.append(second)
    if clan and clan not in PREFIX_CLANS:
        toks.append(clan)
    return toks


def canonical(p: NameParts) -> str:
    return " ".join(canonical_tokens(p))


def urdu(p: NameParts) -> str:
    return to_urdu(canonical_tokens(p))


class NameFactory:
    """Draws name parts in bulk (numpy for the categorical draws, one Python pass to assemble)."""

    def __init__(self, np_rng: np.random.Generator, rng: random.Random):
        self.np = np_rng
        self.r = rng
        self.pools = pools()
        clans = sorted(CLAN_WEIGHTS)
        self.clans = clans
        w = np.array([CLAN_WEIGHTS[c] for c in clans], dtype=float)
        self.clan_p = w / w.sum()

    def male_given(self, n: int, older: bool = False) -> list[tuple[str, ...]]:
        pool = self.pools.male
        idx = self.np.choice(len(pool), size=n, p=self.pools.male_p)
        kind = self.np.random(n)
        pick = self.np.integers(0, 1 << 30, size=n)
        out: list[tuple[str, ...]] = []
        g_cut, a_cut, al_cut, d_cut = (0.08, 0.14, 0.18, 0.22) if older else (0.06, 0.11, 0.12, 0.125)
        for i in range(n):
            k = kind[i]
            if k < g_cut:
                out.append(("Ghulam", GHULAM_[pick[i] % len(GHULAM_)]))
            elif k < a_cut:
                out.append(("Abdul", ABDUL_[pick[i] % len(ABDUL_)]))
            elif k < al_cut:
                out.append(("Allah", ALLAH_[pick[i] % len(ALLAH_)]))
            elif k < d_cut:
                out.append((DIN_[pick[i] % len(DIN_)], "Din"))
            else:
                out.append((pool[idx[i]],))
        return out

    def female_given(self, n: int) -> list[tuple[str, ...]]:
        pool = self.pools.female
        idx = self.np.choice(len(pool), size=n, p=self.pools.female_p)
        return [(pool[i],) for i in idx]

    def clan(self, n: int) -> list[str]:
        idx = self.np.choice(len(self.clans), size=n, p=self.clan_p)
        return [self.clans[i] for i in idx]

    def male_parts(self, n: int, clans: list[str] | None = None, older: bool = False) -> list[NameParts]:
        given = self.male_given(n, older)
        u = self.np.random((n, 4))
        second = self.np.integers(0, len(MALE_SECOND), size=n)
        hon = self.np.integers(0, len(HONORIFICS), size=n)
        new_clans = self.clan(n)
        out = []
        for i in range(n):
            g = given[i]
            muh = len(g) == 1 and u[i, 0] < (0.45 if older else 0.38)
            sec = MALE_SECOND[second[i]] if len(g) == 1 and u[i, 1] < 0.22 else ""
            if sec and sec == g[0]:
                sec = ""
            if clans is not None:
                clan = clans[i]
            else:
                clan = new_clans[i] if u[i, 2] < 0.55 else ""
            honor = HONORIFICS[hon[i]] if u[i, 3] < 0.05 else ""
            out.append(("M", bool(muh), g, sec, clan, honor))
        return out

    def female_parts(self, n: int, clans: list[str] | None = None) -> list[NameParts]:
        given = self.female_given(n)
        u = self.np.random((n, 3))
        w = np.array(FEMALE_SECOND_WEIGHTS)
        second = self.np.choice(len(FEMALE_SECOND), size=n, p=w / w.sum())
        out = []
        for i in range(n):
            g = given[i]
            sec = FEMALE_SECOND[second[i]] if u[i, 0] < 0.45 else ""
            if sec and sec == g[0]:
                sec = ""
            clan = ""
            # women take a family name now and then, but not the title-like clans (Rana, Malik ...)
            if clans is not None and clans[i] and clans[i] not in PREFIX_CLANS and u[i, 1] < 0.3:
                clan = clans[i]
            honor = "Dr." if u[i, 2] < 0.01 else ""
            out.append(("F", False, g, sec, clan, honor))
        return out


# --- rendering with agency-specific variation ----------------------------------------------------

MUHAMMAD_FORMS = ("Muhammad", "Mohammad", "Muhammed", "Mohammed", "Mohd", "Mohd.", "M.", "Md.")
CLAN_FORMS = {
    "Chaudhry": ("Chaudhry", "Chaudhary", "Choudhry", "Ch.", "Ch"),
    "Qureshi": ("Qureshi", "Qurashi", "Kureshi"),
    "Sheikh": ("Sheikh", "Shaikh", "Sh."),
    "Warraich": ("Warraich", "Waraich", "Warriach"),
    "Cheema": ("Cheema", "Chima"),
    "Syed": ("Syed", "Sayed", "Sayyid"),
    "Mian": ("Mian", "Miyan"),
    "Malik": ("Malik", "Malick"),
    "Gondal": ("Gondal", "Gondel"),
    "Khokhar": ("Khokhar", "Khokher"),
}
ROMANISATION = {
    "Ahmed": ("Ahmad", "Ahmid"), "Ahmad": ("Ahmed",), "Hussain": ("Husain", "Hussein", "Hosain"),
    "Hassan": ("Hasan",), "Hasan": ("Hassan",), "Rasool": ("Rasul",), "Yousaf": ("Yousuf", "Yusuf", "Yusaf"),
    "Usman": ("Osman", "Othman"), "Umar": ("Umer", "Omer", "Omar"), "Mehmood": ("Mahmood", "Mahmud"),
    "Mahmood": ("Mehmood", "Mahmud"), "Javed": ("Javaid", "Jawed"), "Naveed": ("Navid",),
    "Waseem": ("Wasim",), "Saleem": ("Salim",), "Naeem": ("Naim",), "Rafiq": ("Rafique", "Rafeeq"),
    "Shafiq": ("Shafique", "Shafeeq"), "Tariq": ("Tarique", "Tareq"), "Sadiq": ("Sadique", "Saddique"),
    "Rasheed": ("Rashid",), "Hameed": ("Hamid",), "Majeed": ("Majid",), "Saeed": ("Said", "Sayeed"),
    "Bashir": ("Basheer",), "Nazir": ("Nazeer",), "Jamil": ("Jameel",), "Ijaz": ("Ejaz", "Aijaz"),
    "Fatima": ("Fatimah", "Fatma"), "Ayesha": ("Aisha", "Aysha", "Ayisha"), "Zainab": ("Zenab", "Zaineb"),
    "Maryam": ("Mariam", "Mariyam"), "Khadija": ("Khadijah",), "Amna": ("Amina", "Aamna"),
    "Asma": ("Asmaa",), "Sana": ("Sanaa",), "Kausar": ("Kosar", "Kousar", "Kauser"),
    "Parveen": ("Perveen", "Parvin", "Parween"), "Nasreen": ("Nasrin",), "Yaqoob": ("Yaqub", "Yakub"),
    "Ayub": ("Ayyub", "Ayoob"), "Ishaq": ("Ishaque", "Ishaaq"), "Ismail": ("Ismaeel", "Ismael"),
    "Ibrahim": ("Ebrahim",), "Ghulam": ("Gulam", "Gh."), "Rehman": ("Rahman", "Rehmaan"),
    "Akhtar": ("Akhter", "Akthar"), "Shaukat": ("Shoukat",), "Liaqat": ("Liaquat", "Liaqut"),
    "Riaz": ("Riyaz",), "Fayyaz": ("Fayaz",), "Noor": ("Nur",), "Din": ("Deen", "Dien"),
    "Ditta": ("Dittah", "Data"), "Bakhsh": ("Bux", "Baksh"), "Zubair": ("Zuber",), "Iqbal": ("Iqbaal",),
    "Mustafa": ("Mustafah", "Mustufa"), "Zeeshan": ("Zishan",), "Shahzad": ("Shehzad",),
    "Shehzad": ("Shahzad",), "Mushtaq": ("Mushtak",), "Ashfaq": ("Ashfak",), "Abbas": ("Abas",),
    "Begum": ("Begam",), "Bibi": ("Bi Bi", "Bb"), "Razzaq": ("Razaq", "Razak"), "Ghafoor": ("Ghafur",),
}
_VOWEL_SWAPS = (("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("a", "e"), ("e", "a"), ("o", "u"), ("aa", "a"))


def typo(word: str, r: random.Random) -> str:
    """One realistic keying error: transposition, dropped or doubled letter, or a vowel swap."""
    if len(word) < 4 or not word.isalpha():
        return word
    op = r.random()
    if op < 0.3:
        i = r.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if op < 0.5:
        i = r.randrange(1, len(word))
        return word[:i] + word[i + 1:]
    if op < 0.7:
        i = r.randrange(1, len(word))
        return word[:i] + word[i] + word[i:]
    low = word.lower()
    for a, b in r.sample(_VOWEL_SWAPS, len(_VOWEL_SWAPS)):
        j = low.find(a, 1)
        if j > 0:
            return word[:j] + b + word[j + len(a):]
    return word[:-1]


@dataclass(frozen=True)
class Style:
    """How one agency writes names. Probabilities are per rendered name."""

    muhammad_forms: tuple[str, ...] = ("Muhammad",)
    muhammad_weights: tuple[float, ...] = (1.0,)
    drop_muhammad: float = 0.0
    romanise: float = 0.0  # alternative romanisation of a token
    typo: float = 0.0
    clan_drop: float = 0.0
    clan_move: float = 0.0  # prefix-clan to suffix or back
    clan_abbrev: float = 0.0  # Ch., Sh.
    honorific: float = 0.0
    mst: float = 0.0  # "Mst." before women's names (police)
    second_drop: float = 0.0
    upper: float = 0.0
    lower: float = 0.0

    @property
    def muhammad_cum(self) -> list[float]:
        cum = _CUM.get(self.muhammad_weights)
        if cum is None:
            cum = _CUM[self.muhammad_weights] = list(accumulate(self.muhammad_weights))
        return cum


_CUM: dict[tuple[float, ...], list[float]] = {}


NADRA = Style()


def render(p: NameParts, style: Style, r: random.Random) -> str:
    gender, muh, given, second, clan, hon = p
    rnd = r.random
    toks: list[str] = []
    if hon and rnd() < style.honorific:
        toks.append(hon)
    if gender == "F" and style.mst and rnd() < style.mst:
        toks.append("Mst.")
    clan_form = ""
    clan_prefix = clan in PREFIX_CLANS
    if clan and not (style.clan_drop and rnd() < style.clan_drop):
        forms = CLAN_FORMS.get(clan)
        clan_form = clan
        if forms and style.clan_abbrev and rnd() < style.clan_abbrev:
            clan_form = forms[r.randrange(len(forms))]
        if style.clan_move and rnd() < style.clan_move:
            clan_prefix = not clan_prefix
    if clan_form and clan_prefix:
        toks.append(clan_form)
    if muh and not (style.drop_muhammad and rnd() < style.drop_muhammad):
        forms = style.muhammad_forms
        if len(forms) == 1:
            toks.append(forms[0])
        else:
            cum = style.muhammad_cum
            toks.append(forms[bisect(cum, rnd() * cum[-1])])
    start = len(toks)
    toks.extend(given)
    if second and not (style.second_drop and rnd() < style.second_drop):
        toks.append(second)
    if clan_form and not clan_prefix:
        toks.append(clan_form)
    if style.romanise:
        for i in range(start, len(toks)):
            alts = ROMANISATION.get(toks[i])
            if alts and rnd() < style.romanise:
                toks[i] = alts[r.randrange(len(alts))]
    if style.typo and rnd() < style.typo:
        i = r.randrange(start, len(toks)) if len(toks) > start else 0
        toks[i] = typo(toks[i], r)
    name = " ".join(toks)
    if style.upper and rnd() < style.upper:
        return name.upper()
    if style.lower and rnd() < style.lower:
        return name.lower()
    return name


def render_urdu(p: NameParts, r: random.Random, honorific: float = 0.0, mst: float = 0.0) -> str:
    gender, muh, given, second, clan, hon = p
    toks: list[str] = []
    if hon and r.random() < honorific:
        toks.append(hon)
    if gender == "F" and mst and r.random() < mst:
        toks.append("Mst.")
    toks.extend(canonical_tokens(p))
    return to_urdu(toks)


def with_relation(name: str, relation: str, other: str) -> str:
    """'Aslam s/o Ghulam Rasool' and friends."""
    return f"{name} {relation} {other}"
