"""Observed values normalised for matching: every kind, total on odd input, and the URL fast path held
to url-normalize's answer."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from url_normalize import url_normalize

from tahqiq.intel.observables import (
    _URL_FAST,
    guess_kinds,
    hash_values,
    normalise,
    normalise_cidr,
    normalise_domain,
    normalise_email,
    normalise_hash,
    normalise_iban,
    normalise_ip,
    normalise_phone,
    normalise_url,
    normalise_wallet,
    url_and_host,
    url_host,
)


def test_ip_canonical_text_and_integer():
    assert normalise_ip("1.2.3.4") == ("1.2.3.4", 4, 0x01020304)
    assert normalise_ip(" 10.0.0.1 ") == ("10.0.0.1", 4, 0x0A000001)
    assert normalise_ip("2001:DB8:0:0:0:0:0:1") == ("2001:db8::1", 6, 0x20010DB8 << 96 | 1)
    assert normalise_ip("[2001:db8::1]") == ("2001:db8::1", 6, 0x20010DB8 << 96 | 1)
    assert normalise_ip("fe80::1%eth0") == ("fe80::1", 6, 0xFE80 << 112 | 1)


def test_ipv4_mapped_ipv6_is_ipv4():
    assert normalise_ip("::ffff:1.2.3.4") == ("1.2.3.4", 4, 0x01020304)
    assert normalise_ip("::FFFF:0102:0304") == ("1.2.3.4", 4, 0x01020304)
    assert normalise_cidr("::ffff:10.0.0.0/104") == ("10.0.0.0/8", 4, 0x0A000000, 0x0AFFFFFF)


@pytest.mark.parametrize("bad", ["01.2.3.4", "1.2.3", "256.1.1.1", "evil.com", "", "1.2.3.4.5", "::g", None, 7])
def test_ip_rejects_what_is_not_an_address(bad):
    assert normalise_ip(bad) is None


def test_cidr_clears_host_bits_and_spans_its_addresses():
    assert normalise_cidr("10.1.2.3/8") == ("10.0.0.0/8", 4, 0x0A000000, 0x0AFFFFFF)
    assert normalise_cidr("0.0.0.0/0") == ("0.0.0.0/0", 4, 0, 2**32 - 1)
    assert normalise_cidr("1.2.3.4") == ("1.2.3.4/32", 4, 0x01020304, 0x01020304)
    assert normalise_cidr("::/0") == ("::/0", 6, 0, 2**128 - 1)
    one = 0x20010DB8 << 96 | 1
    assert normalise_cidr("2001:db8::1/128") == ("2001:db8::1/128", 6, one, one)
    assert normalise_cidr("10.0.0.0/33") is None
    assert normalise_cidr("nonsense/8") is None


def test_domain_lower_idna_trailing_dot_and_www_kept():
    assert normalise_domain("WWW.Example.COM.") == "www.example.com"
    assert normalise_domain("bücher.de") == "xn--bcher-kva.de"
    assert normalise_domain("_dmarc.example.com") == "_dmarc.example.com"
    for bad in ("1.2.3.4", "a..b", "-", "exa mple.com", "", "a" * 64 + ".com", None):
        assert normalise_domain(bad) is None, bad


@pytest.mark.parametrize(("raw", "normal"), [
    ("HTTP://Example.COM", "http://example.com/"),
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("http://example.com/a/./b/../c", "http://example.com/a/c"),
    ("http://example.com/%7Euser/%41", "http://example.com/~user/A"),
    ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
    ("http://example.com/a#fragment", "http://example.com/a"),
    ("http://example.com?q=1", "http://example.com/?q=1"),
    ("http://www.example.com/", "http://www.example.com/"),
    ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
])
def test_url_normal_form_rfc3986(raw, normal):
    assert normalise_url(raw) == normal


def test_url_equivalent_forms_compare_equal():
    forms = ["http://EXAMPLE.com/a/b?x=1", "http://example.com:80/a/./b?x=1", "HTTP://example.com/a/c/../b?x=1",
             "http://example.com/%61/b?x=1#top"]
    assert len({normalise_url(f) for f in forms}) == 1


@pytest.mark.parametrize("bad", ["example.com/a", "/a/b", "", "not a url", None, 3])
def test_url_needs_a_scheme_and_host(bad):
    assert normalise_url(bad) is None


def test_url_host():
    assert url_host("http://user:pw@Example.com:8080/x") == "Example.com"
    assert url_host("http://[2001:db8::1]:80/x") == "2001:db8::1"
    assert url_and_host("HTTP://A.COM/x") == ("http://a.com/x", "a.com")


_CHARS = "abcXYZ019-._~!$&'()*+,;=:@/"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["http", "https", "HTTP", "Https"]),
       st.from_regex(r"[a-zA-Z0-9-]{1,5}(\.[a-zA-Z0-9-]{1,5}){0,2}", fullmatch=True),
       st.one_of(st.none(), st.sampled_from(["80", "443", "8080", "1"])),
       st.text(alphabet=_CHARS, max_size=12), st.one_of(st.none(), st.text(alphabet=_CHARS + "?", max_size=10)))
def test_url_fast_path_agrees_with_url_normalize(scheme, host, port, path, query):
    url = f"{scheme}://{host}" + (f":{port}" if port else "") + ("/" + path if path else "") + (
        "?" + query if query is not None else "")
    if _URL_FAST.fullmatch(url):
        assert normalise_url(url) == url_normalize(url)


def test_hash_kind_from_length():
    assert normalise_hash("D41D8CD98F00B204E9800998ECF8427E") == ("md5", "d41d8cd98f00b204e9800998ecf8427e")
    assert normalise_hash("a" * 40) == ("sha1", "a" * 40)
    assert normalise_hash("b" * 64) == ("sha256", "b" * 64)
    assert normalise_hash("c" * 128) == ("sha512", "c" * 128)
    assert normalise_hash("g" * 32) is None and normalise_hash("a" * 33) is None


def test_hash_values_from_sysmon_and_mappings():
    md5, sha = "A" * 32, "B" * 64
    assert hash_values(f"MD5={md5},SHA256={sha},IMPHASH={'C' * 32}") == [("md5", "a" * 32), ("sha256", "b" * 64)]
    assert hash_values({"SHA-256": sha, "imphash": "c" * 32}) == [("sha256", "b" * 64)]
    assert hash_values(12) == []


def test_email_phone_iban_wallet():
    assert normalise_email(" Alice@Example.COM ") == "alice@example.com"
    assert normalise_email("no-at-sign") is None and normalise_email("a@b") is None
    assert normalise_phone("0300-1234567") == "+923001234567"
    assert normalise_phone("hello") is None
    assert normalise_iban("GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432"
    assert normalise_iban("GB00 WEST 1234 5698 7654 32") is None
    wallet = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    assert normalise_wallet(f" {wallet} ") == wallet
    assert normalise_wallet("short") is None


def test_normalise_by_kind():
    assert normalise("ipv4", "1.2.3.4") == "1.2.3.4" and normalise("ipv6", "1.2.3.4") is None
    assert normalise("sha256", "A" * 64) == "a" * 64 and normalise("md5", "a" * 64) is None
    assert normalise("cidr", "10.9.9.9/8") == "10.0.0.0/8"
    assert normalise("unknown", "x") is None


@given(st.text(max_size=40))
def test_normalisers_are_total(text):
    for kind in ("ip", "cidr", "domain", "url", "hash", "email", "phone", "iban", "wallet"):
        normalise(kind, text)
    guess_kinds("field", text)
    hash_values(text)


def test_guess_kinds_by_field_name():
    assert guess_kinds("src_ip", "1.2.3.4") == ("ip",)
    assert guess_kinds("IpAddress", "::1") == ("ip",)
    assert guess_kinds("source.ip", "1.2.3.4") == ("ip",)
    assert guess_kinds("dns_query", "evil.com") == ("domain",)
    assert guess_kinds("host", "10.0.0.1") == ("ip",)          # an address in a host field
    assert guess_kinds("request_url", "http://a.com/") == ("url",)
    assert guess_kinds("Hashes", "MD5=abc") == ("hash",)
    assert guess_kinds("Hashes", {"SHA-256": "b" * 64}) == ("hash",)
    assert guess_kinds("sender", "a@b.com") == ("email",)
    assert guess_kinds("msisdn", 923001234567) == ("phone",)
    assert guess_kinds("payee_iban", "GB82WEST12345698765432") == ("iban",)
    assert guess_kinds("wallet", "bc1q…") == ("wallet",)


def test_guess_kinds_by_shape_when_the_name_says_nothing():
    assert guess_kinds("x", "1.2.3.4") == ("ip",)
    assert guess_kinds("x", "https://a.com/x") == ("url",)
    assert guess_kinds("x", "a" * 64) == ("hash",)
    assert guess_kinds("x", "a@b.com") == ("email",)
    assert guess_kinds("x", "GB82WEST12345698765432") == ("iban",)
    assert guess_kinds("x", "evil.example.com") == ("domain",)
    assert guess_kinds("message", "failed login") == ()
    assert guess_kinds("count", 3) == ()
