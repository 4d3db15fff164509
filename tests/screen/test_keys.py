"""Key normalisation: every kind, indicators and STIX patterns, and refusals that name the field."""

from __future__ import annotations

import pytest

from tahqiq.model.types import InvalidValue
from tahqiq.screen.keys import indicator_from_stix, normalise_indicator, normalise_key


@pytest.mark.parametrize("kind, raw, canonical", [
    ("cnic", "3520212345671", "35202-1234567-1"),
    ("cnic", "۳۵۲۰۲-۱۲۳۴۵۶۷-۱", "35202-1234567-1"),
    ("phone", "0300 1234567", "+923001234567"),
    ("phone", "0092-300-1234567", "+923001234567"),
    ("plate", "lea 1234", "LEA-1234"),
    ("plate", "LEB-09-1234", "LEB-091234"),
    ("chassis", "nze141-1234567", "NZE141-1234567"),
    ("chassis", "1hgcm82633a004352", "1HGCM82633A004352"),
    ("iban", "PK36 SCBL 0000 0011 2345 6702", "PK36SCBL0000001123456702"),
    ("name", "  Mohd.   Aslam ", "Mohd. Aslam"),
    ("indicator", "EVIL-Example[.]com.", "evil-example.com"),
])
def test_keys_are_normalised(kind, raw, canonical):
    assert normalise_key(kind, raw) == canonical


@pytest.mark.parametrize("kind, raw, why", [
    ("cnic", "35202-12345", "13 digits"),
    ("phone", "12345", "phone"),
    ("plate", "1234-LEA", "letters then digits"),
    ("chassis", "ABC", "chassis"),
    ("iban", "PK00SCBL0000001123456702", "mod-97"),
    ("name", "Dr. Mr.", "nothing is left"),
    ("indicator", "not a domain", "domain"),
    ("cnic", "", "empty"),
])
def test_bad_keys_are_refused_with_a_reason_that_does_not_repeat_them(kind, raw, why):
    with pytest.raises(InvalidValue, match=why) as exc:
        normalise_key(kind, raw)
    assert kind in str(exc.value).lower()  # names the field
    if len(raw) > 4:
        assert raw not in str(exc.value)


def test_indicators_of_each_type():
    assert normalise_indicator("hxxps://Bad.Example.COM:443/Path?q=1#frag") == ("url", "https://bad.example.com/Path?q=1")
    assert normalise_indicator("2001:0db8:0000:0000:0000:0000:0000:0001") == ("ip", "2001:db8::1")
    assert normalise_indicator("203.0.113[.]7") == ("ip", "203.0.113.7")
    assert normalise_indicator("Scammer[@]Mail.PK") == ("email", "scammer@mail.pk")
    assert normalise_indicator("D41D8CD98F00B204E9800998ECF8427E") == ("hash", "d41d8cd98f00b204e9800998ecf8427e")
    assert (normalise_indicator("بینک.pk") == ("domain", "xn--mgbx4cd0a.pk")
            or normalise_indicator("بینک.pk")[1].startswith("xn--"))
    with pytest.raises(InvalidValue, match="hash"):
        normalise_indicator("abc123", "hash")
    with pytest.raises(InvalidValue, match="ip"):
        normalise_indicator("300.1.1.1", "ip")


def test_stix_patterns_give_their_indicator_or_a_clear_refusal():
    assert indicator_from_stix("[ipv4-addr:value = '198.51.100.1']") == ("ip", "198.51.100.1")
    assert indicator_from_stix("[domain-name:value = 'Evil.Example']") == ("domain", "evil.example")
    sha = "a" * 64
    assert indicator_from_stix(f"[file:hashes.'SHA-256' = '{sha.upper()}']") == ("hash", sha)
    with pytest.raises(InvalidValue, match="single"):
        indicator_from_stix("[ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '5.6.7.8']")
    with pytest.raises(InvalidValue, match="no indicator"):
        indicator_from_stix("[process:name = 'evil.exe']")
