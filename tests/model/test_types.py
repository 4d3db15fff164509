"""Normalisers on good and bad values; hypothesis generates the formats."""

import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tahqiq.model import types as t
from tahqiq.model.types import InvalidValue

seps = st.sampled_from(["", "-", " ", ".", " - "])


def cnic_digits():
    return st.from_regex(r"[1-9][0-9]{12}", fullmatch=True).filter(lambda d: len(set(d)) > 1)


@given(cnic_digits(), seps, seps)
def test_cnic_accepts_any_separators(digits, a, b):
    value = f"{digits[:5]}{a}{digits[5:12]}{b}{digits[12]}"
    out = t.cnic(value)
    assert out == f"{digits[:5]}-{digits[5:12]}-{digits[12]}"
    assert t.cnic(out) == out  # idempotent


@given(st.from_regex(r"[1-9][0-9]{0,11}|[1-9][0-9]{13,16}", fullmatch=True))
def test_cnic_rejects_wrong_length(digits):
    with pytest.raises(InvalidValue, match="13 digits"):
        t.cnic(digits)


@pytest.mark.parametrize("bad,why", [("0520212345671", "cannot start with 0"), ("1111111111111", "placeholder"),
                                     ("35202-123456A-1", "only digits")])
def test_cnic_rejects(bad, why):
    with pytest.raises(InvalidValue, match=why):
        t.cnic(bad)


def test_cnic_urdu_digits():
    assert t.cnic("۳۵۲۰۲-۱۲۳۴۵۶۷-۱") == "35202-1234567-1"


mobile_prefix = st.sampled_from(["300", "301", "311", "321", "333", "345", "346"])


@given(mobile_prefix, st.from_regex(r"[0-9]{7}", fullmatch=True),
       st.sampled_from(["0{p}-{n}", "0{p}{n}", "+92 {p} {n}", "92{p}{n}", "0092{p}{n}", "+92-{p}-{n}"]))
def test_phone_formats_agree(prefix, rest, template):
    assert t.phone(template.format(p=prefix, n=rest)) == f"+92{prefix}{rest}"


@pytest.mark.parametrize("bad", ["12345", "0300-12345", "not a phone", "+92 999 1234567"])
def test_phone_rejects(bad):
    with pytest.raises(InvalidValue):
        t.phone(bad)


def test_landline_with_area_code():
    assert t.phone("042-35761234") == "+924235761234"


@given(st.from_regex(r"[A-Z]{2,3}", fullmatch=True), st.from_regex(r"[0-9]{1,4}", fullmatch=True), seps,
       st.booleans())
def test_plate_is_separator_and_case_insensitive(letters, digits, sep, lower):
    value = f"{letters}{sep}{digits}"
    out = t.plate(value.lower() if lower else value)
    assert out == f"{letters}-{digits}"
    assert t.plate(out) == out


def test_plate_with_year_group_matches_anpr_read():
    assert t.plate("LEB-09-1234") == t.plate("LEB091234") == "LEB-091234"


@pytest.mark.parametrize("bad", ["1234-LEA", "LEA", "12345", "LE A-12B", "ليا-١٢٣"])
def test_plate_rejects(bad):
    with pytest.raises(InvalidValue):
        t.plate(bad)


def make_iban(bank: str, digits: str) -> str:
    body = bank + digits + "PK00"
    check = 98 - int("".join(str(int(c, 36)) for c in body)) % 97
    return f"PK{check:02d}{bank}{digits}"


@given(st.sampled_from(["HABB", "MUCB", "UNIL", "MEZN"]), st.from_regex(r"[0-9]{16}", fullmatch=True))
def test_iban_valid_and_single_digit_error_caught(bank, digits):
    iban = make_iban(bank, digits)
    spaced = " ".join(iban[i:i + 4] for i in range(0, 24, 4))
    assert t.iban(spaced) == iban
    wrong = iban[:-1] + str((int(iban[-1]) + 1) % 10)
    with pytest.raises(InvalidValue, match="mod-97"):
        t.iban(wrong)


def test_chassis():
    assert t.chassis("jt2ae92e8j3012345") == "JT2AE92E8J3012345"
    assert t.chassis("NZE141 - 1234567".replace(" ", "")) == "NZE141-1234567"
    with pytest.raises(InvalidValue, match="I, O or Q"):
        t.chassis("JT2AE92E8J30123O5")
    with pytest.raises(InvalidValue):
        t.chassis("abc")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
       st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%b-%Y"]))
def test_dates_round_trip(d, fmt):
    assert t.date_(d.strftime(fmt), [fmt]) == d.isoformat()


@pytest.mark.parametrize("bad", ["31/02/1990", "1990", "12/13/1990", "01/01/1850"])
def test_dates_reject(bad):
    with pytest.raises(InvalidValue):
        t.date_(bad, ["%d/%m/%Y"])


def test_datetime_naive_is_pakistan_time():
    assert t.datetime_("2026-03-01T22:15:00") == "2026-03-01T22:15:00+05:00"
    assert t.datetime_("2026-03-01T17:15:00Z") == "2026-03-01T17:15:00+00:00"
    with pytest.raises(InvalidValue):
        t.datetime_("yesterday")


def test_names_keep_script_and_are_nfc():
    decomposed = unicodedata.normalize("NFD", "فاطمۂ")
    assert t.name(decomposed) == unicodedata.normalize("NFC", "فاطمۂ")
    assert t.name("  Muhammad   Aslam ") == "Muhammad Aslam"
    assert t.script_of("محمد اسلم") == "Arab"
    assert t.script_of("Muhammad Aslam") == "Latn"
    with pytest.raises(InvalidValue):
        t.name("1234")


def test_districts_and_aliases():
    assert t.district("D.G. Khan") == "Dera Ghazi Khan"
    assert t.district("LAHORE") == "Lahore"
    assert t.district("District Faisalabad") == "Faisalabad"
    with pytest.raises(InvalidValue, match="unknown district"):
        t.district("Atlantis")


def test_small_types():
    assert t.gender("F") == "female" and t.gender("مرد") == "male"
    assert t.amount("Rs. 1,250.50") == "1250.5"
    assert t.latitude("31.5204") == "31.5204"
    with pytest.raises(InvalidValue):
        t.latitude("91")
    assert t.enum("Under Investigation", ("registered", "under_investigation")) == "under_investigation"
    with pytest.raises(InvalidValue, match="not one of"):
        t.enum("lost", ("registered",))


@given(st.sampled_from(sorted(t.NORMALISERS)), st.text(max_size=40))
def test_any_text_is_normalised_or_rejected_cleanly(kind, value):
    """No normaliser may crash on junk: it returns a string or raises InvalidValue."""
    try:
        out = t.normalise(kind, value)
    except InvalidValue as exc:
        assert str(exc)
    else:
        assert isinstance(out, str)


def test_reasons_do_not_repeat_personal_values():
    with pytest.raises(InvalidValue) as info:
        t.cnic("35202-12345")
    assert "35202" not in str(info.value)
