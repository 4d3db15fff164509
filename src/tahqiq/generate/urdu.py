"""Urdu script for common Romanised Pakistani names, and a Windows-1256 (cp1256) safe form.

The lexicon covers the names the generator uses most (it also boosts them when sampling, see
names.py). A token without an entry stays in Latin script: agencies do mix scripts in one field.

This table is deliberately independent of the resolver's lexicon (tahqiq/names/data/
name_lexicon.csv): if the generator spelled Urdu names from the lexicon that resolution uses to read
them, resolution would be evaluated on data made with its own answer key.

Windows-1256 (the Arabic code page many older Pakistani police systems still export) lacks a few
Urdu letters. `cp1256_safe` replaces them with the Arabic letters that clerks type instead
(Farsi/Urdu yeh ی -> Arabic yeh ي, heh goal forms -> heh ه, superscript alef dropped).
"""

from __future__ import annotations

URDU: dict[str, str] = {
    # male given names and name elements
    "muhammad": "محمد", "ahmed": "احمد", "ahmad": "احمد", "ali": "علی", "aslam": "اسلم",
    "akram": "اکرم", "asif": "آصف", "arshad": "ارشد", "abbas": "عباس", "ghulam": "غلام",
    "rasool": "رسول", "hussain": "حسین", "hassan": "حسن", "hasan": "حسن", "iqbal": "اقبال",
    "imran": "عمران", "irfan": "عرفان", "javed": "جاوید", "khalid": "خالد", "usman": "عثمان",
    "umar": "عمر", "bilal": "بلال", "hamza": "حمزہ", "haider": "حیدر", "raza": "رضا",
    "tariq": "طارق", "shahid": "شاہد", "sajid": "ساجد", "zahid": "زاہد", "majid": "ماجد",
    "naveed": "نوید", "nadeem": "ندیم", "waseem": "وسیم", "saleem": "سلیم", "naeem": "نعیم",
    "rafiq": "رفیق", "shafiq": "شفیق", "yousaf": "یوسف", "ibrahim": "ابراہیم", "ismail": "اسماعیل",
    "ishaq": "اسحاق", "yaqoob": "یعقوب", "ayub": "ایوب", "zubair": "زبیر", "zeeshan": "ذیشان",
    "faisal": "فیصل", "kamran": "کامران", "adnan": "عدنان", "farhan": "فرحان", "rizwan": "رضوان",
    "imtiaz": "امتیاز", "ijaz": "اعجاز", "mumtaz": "ممتاز", "riaz": "ریاض", "fayyaz": "فیاض",
    "nawaz": "نواز", "shahbaz": "شہباز", "shehzad": "شہزاد", "asad": "اسد", "saad": "سعد",
    "fahad": "فہد", "junaid": "جنید", "waqas": "وقاص", "awais": "اویس", "anwar": "انور",
    "sarwar": "سرور", "akbar": "اکبر", "asghar": "اصغر", "sadiq": "صادق", "rasheed": "رشید",
    "hameed": "حمید", "majeed": "مجید", "saeed": "سعید", "bashir": "بشیر", "nazir": "نذیر",
    "zafar": "ظفر", "mansoor": "منصور", "maqsood": "مقصود", "mehmood": "محمود", "mahmood": "محمود",
    "masood": "مسعود", "manzoor": "منظور", "liaqat": "لیاقت", "shaukat": "شوکت",
    "iftikhar": "افتخار", "ashfaq": "اشفاق", "mushtaq": "مشتاق", "altaf": "الطاف", "afzal": "افضل",
    "fazal": "فضل", "jamil": "جمیل", "jameel": "جمیل", "kashif": "کاشف", "atif": "عاطف",
    "arif": "عارف", "aamir": "عامر", "amir": "امیر", "nasir": "ناصر", "yasir": "یاسر",
    "danish": "دانش", "noman": "نعمان", "sohail": "سہیل", "wajid": "واجد", "abid": "عابد",
    "sultan": "سلطان", "sher": "شیر", "noor": "نور", "nazar": "نذر", "allah": "اللہ",
    "ditta": "دتہ", "rakha": "رکھا", "bakhsh": "بخش", "wasaya": "وسایا", "din": "دین",
    "rehman": "رحمان", "ghafoor": "غفور", "sattar": "ستار", "jabbar": "جبار", "razzaq": "رزاق",
    "aziz": "عزیز", "khaliq": "خالق", "latif": "لطیف", "wahid": "واحد", "basit": "باسط",
    "qadir": "قادر", "mustafa": "مصطفیٰ", "murtaza": "مرتضیٰ", "nabi": "نبی", "farid": "فرید",
    "imam": "امام", "siraj": "سراج", "karam": "کرم", "mohiuddin": "محی الدین", "ahsan": "احسن",
    "hasnain": "حسنین", "talha": "طلحہ", "umair": "عمیر", "usama": "اسامہ", "ammar": "عمار",
    "hamid": "حامد", "gul": "گل", "muneer": "منیر", "naseer": "نصیر", "tanveer": "تنویر",
    "khurram": "خرم", "babar": "بابر", "shakeel": "شکیل", "aqeel": "عقیل", "jahangir": "جہانگیر",
    "amjad": "امجد", "sajjad": "سجاد", "irshad": "ارشاد", "dilshad": "دلشاد", "nisar": "نثار",
    "safdar": "صفدر", "qasim": "قاسم", "ehsan": "احسان", "shoaib": "شعیب", "mudassar": "مدثر",
    "sarfraz": "سرفراز", "pervaiz": "پرویز", "tahir": "طاہر", "zahoor": "ظہور", "rashid": "راشد",
    # female given names and name elements
    "fatima": "فاطمہ", "bibi": "بی بی", "begum": "بیگم", "parveen": "پروین", "akhtar": "اختر",
    "kausar": "کوثر", "shazia": "شازیہ", "nasreen": "نسرین", "rukhsana": "رخسانہ", "sadia": "سعدیہ",
    "ayesha": "عائشہ", "zainab": "زینب", "maryam": "مریم", "khadija": "خدیجہ", "amna": "آمنہ",
    "asma": "اسماء", "sana": "ثناء", "hina": "حنا", "saima": "صائمہ", "nazia": "نازیہ",
    "samina": "ثمینہ", "shahida": "شاہدہ", "naseem": "نسیم", "noreen": "نورین", "shabana": "شبانہ",
    "tahira": "طاہرہ", "zahida": "زاہدہ", "naila": "نائلہ", "kiran": "کرن", "iqra": "اقراء",
    "hira": "حرا", "mehwish": "مہوش", "sidra": "سدرہ", "sobia": "صوبیہ", "uzma": "عظمیٰ",
    "bushra": "بشریٰ", "rabia": "رابعہ", "sumaira": "سمیرا", "tayyaba": "طیبہ", "saba": "صبا",
    "farah": "فرح", "rehana": "ریحانہ", "shamim": "شمیم", "nusrat": "نصرت", "shaheen": "شاہین",
    "yasmin": "یاسمین", "sultana": "سلطانہ", "batool": "بتول", "bano": "بانو", "naz": "ناز",
    "rani": "رانی", "kulsoom": "کلثوم", "razia": "رضیہ", "safia": "صفیہ", "salma": "سلمیٰ",
    "nabila": "نبیلہ", "humaira": "حمیرا", "fouzia": "فوزیہ", "sajida": "ساجدہ", "khalida": "خالدہ",
    "abida": "عابدہ", "irum": "ارم", "aqsa": "اقصیٰ", "laiba": "لائبہ", "kainat": "کائنات",
    "mahnoor": "ماہ نور", "anam": "انعم", "nimra": "نمرہ", "mussarat": "مسرت", "jamila": "جمیلہ",
    "amina": "امینہ", "zubaida": "زبیدہ", "sughran": "صغراں", "rashida": "رشیدہ",
    "hameeda": "حمیدہ", "nargis": "نرگس", "shagufta": "شگفتہ", "nighat": "نگہت", "riffat": "رفعت",
    "ismat": "عصمت",
    # family names, clan names and titles
    "khan": "خان", "butt": "بٹ", "chaudhry": "چوہدری", "ch.": "چوہدری", "malik": "ملک",
    "rana": "رانا", "qureshi": "قریشی", "sheikh": "شیخ", "awan": "اعوان", "gondal": "گوندل",
    "bhatti": "بھٹی", "cheema": "چیمہ", "gill": "گل", "warraich": "وڑائچ", "bajwa": "باجوہ",
    "virk": "ورک", "sandhu": "سندھو", "dogar": "ڈوگر", "niazi": "نیازی", "abbasi": "عباسی",
    "mughal": "مغل", "ansari": "انصاری", "tarar": "تارڑ", "khokhar": "کھوکھر", "sial": "سیال",
    "syed": "سید", "mian": "میاں", "raja": "راجہ", "hafiz": "حافظ", "haji": "حاجی",
    "dr.": "ڈاکٹر", "mst.": "مسماۃ",
    # relation words used inline (s/o, d/o, w/o, bin, walad, alias)
    "s/o": "ولد", "d/o": "دختر", "w/o": "زوجہ", "bin": "بن", "walad": "ولد", "alias": "عرف",
}

# "Abdul" is written joined to the next element in Urdu: عبدالرحمان, not عبد ال رحمان.
ABDUL_PREFIX = "عبدال"

_CP1256_FIX = str.maketrans(
    {
        "ی": "ي",  # Farsi/Urdu yeh -> Arabic yeh
        "ۓ": "ئ",  # yeh barree with hamza -> yeh with hamza
        "ۃ": "ة",  # teh marbuta goal -> teh marbuta
        "ۂ": "ه",  # heh goal with hamza -> heh
        "ٰ": None,  # superscript alef: dropped
        "ٗ": None,  # inverted damma: dropped
    }
)


def to_urdu(tokens: list[str]) -> str:
    """Urdu script for a list of Latin name tokens; tokens without an entry stay Latin."""
    out: list[str] = []
    join_next = False
    for tok in tokens:
        low = tok.lower()
        if low == "abdul":
            out.append(ABDUL_PREFIX)
            join_next = True
            continue
        ur = URDU.get(low)
        if join_next:
            if ur is not None:
                out[-1] = out[-1] + ur
            else:  # keep the Latin form of the whole pair
                out[-1] = "Abdul " + tok
            join_next = False
            continue
        out.append(ur if ur is not None else tok)
    if join_next:
        out[-1] = "Abdul"
    return " ".join(out)


def cp1256_safe(text: str) -> str:
    """`text` with the Urdu letters that Windows-1256 lacks replaced by their Arabic equivalents."""
    return text.translate(_CP1256_FIX)


def has_urdu(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)
