"""Property tests for the building blocks: identifiers, name variation, Urdu and cp1256."""

from __future__ import annotations

import random
import string

import numpy as np
import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from tahqiq.generate import identifiers as ids
from tahqiq.generate import names as nm
from tahqiq.generate.urdu import URDU, cp1256_safe, to_urdu
from tahqiq.model.geography import geography

BANK_CODES = [b[0] for b in ids.BANKS]
PREFIXES = [p for _op, prefixes, _s in ids.OPERATORS for p in prefixes]


@given(st.sampled_from(BANK_CODES), st.text(string.digits, min_size=16, max_size=16))
def test_iban_check_digits(code, digits):
    value = ids.iban(code, digits)
    assert len(value) == 24 and value.startswith("PK") and value[4:8] == code
    assert ids.iban_valid(value)
    assert ids.iban_valid(ids.iban_spaced(value))
    # a changed digit breaks the check
    j = 8 + int(digits[0])
    wrong = value[:j] + str((int(value[j]) + 1) % 10) + value[j + 1:]
    assert not ids.iban_valid(wrong)


@given(st.sampled_from(PREFIXES), st.integers(0, 9_999_999), st.sampled_from(ids.PHONE_FORMATS))
def test_every_phone_format_is_the_same_valid_number(prefix, sub, style):
    national = ids.phone_national(prefix, sub)
    written = ids.phone_format(national, style)
    number = phonenumbers.parse(written, "PK")
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == "+92" + national[1:]


@given(st.sampled_from(PREFIXES), st.integers(0, 9_999_999), st.integers(0, 2**32))
def test_bad_phones_are_invalid(prefix, sub, seed):
    national = ids.phone_national(prefix, sub)
    bad = ids.bad_phone(national, random.Random(seed))
    try:
        assert not phonenumbers.is_valid_number(phonenumbers.parse(bad, "PK"))
    except phonenumbers.NumberParseException:
        pass


@given(st.integers(10000, 99999), st.integers(0, 9_999_999), st.booleans(), st.integers(0, 4))
def test_cnic_shape_and_gender_digit(prefix, body, male, pick):
    c = ids.cnic(str(prefix), body, male, pick)
    assert len(c) == 15 and c[5] == "-" and c[13] == "-"
    assert int(c[-1]) % 2 == (1 if male else 0)
    assert len(ids.bad_cnic(c).replace("-", "")) == 12


@given(st.integers(0, 2**32))
def test_vins_have_no_i_o_q(seed):
    r = random.Random(seed)
    v = ids.vin("Suzuki", 2015, r)
    assert len(v) == 17 and not set(v) & set("IOQ")


@given(st.text(string.ascii_letters, min_size=4, max_size=12), st.integers(0, 2**32))
def test_typo_changes_a_word_but_keeps_it_a_word(word, seed):
    out = nm.typo(word, random.Random(seed))
    assert out and out.isalpha()
    assert abs(len(out) - len(word)) <= 1


@settings(max_examples=200)
@given(st.integers(0, 2**32))
def test_rendered_names_are_never_empty_and_urdu_is_cp1256_safe(seed):
    factory = nm.NameFactory(np.random.default_rng(seed), random.Random(seed))
    parts = factory.male_parts(3) + factory.female_parts(3, ["Butt", "", "Rana"])
    style = nm.Style(nm.MUHAMMAD_FORMS, (1,) * 8, drop_muhammad=0.5, romanise=0.5, typo=0.5, clan_drop=0.5,
                     clan_move=0.5, clan_abbrev=0.5, honorific=0.5, mst=0.5, second_drop=0.5, upper=0.3, lower=0.3)
    r = random.Random(seed)
    for p in parts:
        assert nm.render(p, style, r).strip()
        cp1256_safe(nm.render_urdu(p, r, honorific=0.5, mst=0.5)).encode("cp1256")
    # women never get the title-like clan names
    assert all(p[4] not in nm.PREFIX_CLANS for p in parts if p[0] == "F")


def test_lexicon_is_cp1256_safe_and_abdul_joins():
    for urdu in URDU.values():
        cp1256_safe(urdu).encode("cp1256")
    assert to_urdu(["Abdul", "Rehman"]) == "عبدالرحمان"
    assert to_urdu(["Muhammad", "Aslam"]) == "محمد اسلم"
    assert to_urdu(["Zorawar"]) == "Zorawar"  # no Urdu form: stays Latin


def test_first_names_come_from_pakgender_without_chinese_entries():
    pools = nm.pools()
    assert len(pools.male) > 1500 and len(pools.female) > 1500
    assert not {"Chen", "Li", "Liu", "Baby", "Muhammad"} & set(pools.male + pools.female)
    assert abs(pools.male_p.sum() - 1) < 1e-9


def test_geography_covers_punjab():
    geo = geography()
    assert len(geo.districts) == 36
    assert sum(len(d.tehsils) for d in geo.districts) > 130
    for d in geo.districts:
        assert 27.5 < d.lat < 34.5 and 69.5 < d.lon < 75.7, d.name
        assert d.cnic_code.startswith("3") and len(d.cnic_code) == 3
        assert d.places
    lahore = geo.by_name("Lahore")
    assert {"Gulberg III", "Model Town"} <= {p.name for p in lahore.places}
