"""The compiled indicator matcher: every kind, CIDR edge cases, label boundaries, URL equivalences, the
validity window at its boundary instants, revocation and false positives, and match_many against a
brute-force scan."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tahqiq.intel.matcher import IndicatorMatcher
from tahqiq.intel.model import Indicator

T0 = datetime(2025, 1, 1, tzinfo=UTC)
WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def ind(id_: str, kind: str, value: str = "", **kw) -> Indicator:
    return Indicator(id=id_, kind=kind, value=value, **kw)


def ids(hits) -> set[str]:
    return {h.indicator_id for h in hits}


@pytest.fixture(scope="module")
def every_kind() -> IndicatorMatcher:
    return IndicatorMatcher.build([
        ind("v4", "ipv4", "198.51.100.7"), ind("v6", "ipv6", "2001:db8::7"), ind("net", "cidr", "203.0.113.0/24"),
        ind("dom", "domain", "evil.example"), ind("url", "url", "http://bad.test/x?id=1"),
        ind("md5", "md5", "d41d8cd98f00b204e9800998ecf8427e"), ind("sha1", "sha1", "a" * 40),
        ind("sha256", "sha256", "b" * 64), ind("sha512", "sha512", "c" * 128),
        ind("mail", "email", "boss@evil.example"), ind("tel", "phone", "+923001234567"),
        ind("iban", "iban", "GB82WEST12345698765432"), ind("btc", "wallet", WALLET),
        ind("pat", "pattern", pattern="[ipv4-addr:value = '192.0.2.1']"),
        ind("pat2", "pattern", pattern="[file:name = 'invoice.exe' AND file:size > 1000]"),
    ])


@pytest.mark.parametrize(("kind", "value", "expected"), [
    ("ip", "198.51.100.7", {"v4"}), ("ipv4", "198.51.100.7", {"v4"}), ("ip", "2001:DB8::7", {"v6"}),
    ("ip", "203.0.113.99", {"net"}), ("domain", "EVIL.example.", {"dom"}),
    ("url", "HTTP://bad.test:80/x?id=1", {"url"}),
    ("hash", "D41D8CD98F00B204E9800998ECF8427E", {"md5"}), ("md5", "d41d8cd98f00b204e9800998ecf8427e", {"md5"}),
    ("hash", "a" * 40, {"sha1"}), ("sha256", "B" * 64, {"sha256"}), ("hash", "c" * 128, {"sha512"}),
    ("email", "Boss@Evil.Example", {"mail"}), ("phone", "0300 1234567", {"tel"}),
    ("iban", "gb82 west 1234 5698 7654 32", {"iban"}), ("wallet", f" {WALLET}", {"btc"}),
    ("ip", "192.0.2.1", {"pat"}), ("ip", "192.0.2.2", set()), ("domain", "example", set()), ("md5", "b" * 64, set()),
])
def test_every_kind_matches_single_and_batch(every_kind, kind, value, expected):
    assert ids(every_kind.match(kind, value)) == expected
    assert set(every_kind.match_many(kind, [value])[0]) == expected


def test_hits_carry_field_kind_and_normalised_value(every_kind):
    (hit,) = every_kind.match("ip", "::ffff:203.0.113.5", field="src_ip")
    assert (hit.indicator_id, hit.kind, hit.value, hit.field) == ("net", "cidr", "203.0.113.5", "src_ip")
    assert every_kind.get("net").value == "203.0.113.0/24" and every_kind.get("nope") is None
    assert len(every_kind) == 15 and every_kind.stats()["compiled_patterns"] == 1


def test_unknown_kind_is_a_programming_error(every_kind):
    with pytest.raises(ValueError):
        every_kind.match("colour", "red")


# --- CIDR ------------------------------------------------------------------------------------------------

def test_cidr_edges_network_broadcast_and_just_outside():
    m = IndicatorMatcher.build([ind("n", "cidr", "10.1.2.0/24")])
    assert m.match_many("ip", ["10.1.2.0", "10.1.2.255", "10.1.1.255", "10.1.3.0", "10.1.2.128"]) == [
        ["n"], ["n"], [], [], ["n"]]


def test_slash_zero_and_host_routes():
    m = IndicatorMatcher.build([ind("all4", "cidr", "0.0.0.0/0"), ind("h32", "cidr", "255.255.255.255/32"),
                                ind("all6", "cidr", "::/0"), ind("h128", "cidr", "2001:db8::1/128"),
                                ind("zero", "cidr", "0.0.0.0/32")])
    # ::/0 holds the IPv4-mapped addresses too, and an IPv4 address is looked up as one
    assert [set(f) for f in m.match_many("ip", ["0.0.0.0", "255.255.255.255", "1.2.3.4", "::ffff:1.2.3.4"])] == [
        {"zero", "all4", "all6"}, {"h32", "all4", "all6"}, {"all4", "all6"}, {"all4", "all6"}]
    assert m.match_many("ip", ["2001:db8::1", "2001:db8::2", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]) == [
        ["h128", "all6"], ["all6"], ["all6"]]


def test_nested_overlapping_and_duplicate_networks_all_reported():
    m = IndicatorMatcher.build([ind("a8", "cidr", "10.0.0.0/8"), ind("b16", "cidr", "10.1.0.0/16"),
                                ind("c24", "cidr", "10.1.2.0/24"), ind("c24bis", "cidr", "10.1.2.9/24"),
                                ind("host", "ipv4", "10.1.2.3"), ind("other", "cidr", "10.2.0.0/16")])
    assert set(m.match_many("ip", ["10.1.2.3"])[0]) == {"a8", "b16", "c24", "c24bis", "host"}
    assert set(m.match_many("ip", ["10.1.3.1"])[0]) == {"a8", "b16"}
    assert set(m.match_many("ip", ["10.2.255.255"])[0]) == {"a8", "other"}
    assert m.match_many("ip", ["11.0.0.0"]) == [[]]
    assert ids(m.match("ip", "10.1.2.3")) == {"a8", "b16", "c24", "c24bis", "host"}


def test_adjacent_networks_do_not_bleed():
    m = IndicatorMatcher.build([ind("lo", "cidr", "192.168.0.0/25"), ind("hi", "cidr", "192.168.0.128/25")])
    assert m.match_many("ip", ["192.168.0.127", "192.168.0.128", "192.168.1.0"]) == [["lo"], ["hi"], []]


def test_ipv6_networks_and_ipv4_mapped():
    m = IndicatorMatcher.build([ind("p48", "cidr", "2001:db8:1::/48"), ind("p64", "cidr", "2001:db8:1:2::/64"),
                                ind("mapped", "cidr", "::ffff:192.0.2.0/120"), ind("v4", "ipv4", "192.0.2.9")])
    assert set(m.match_many("ip", ["2001:db8:1:2::5"])[0]) == {"p48", "p64"}
    assert m.match_many("ip", ["2001:db8:1:3::5", "2001:db8:2::1"]) == [["p48"], []]
    assert set(m.match_many("ip", ["::ffff:192.0.2.9"])[0]) == {"mapped", "v4"}
    assert set(m.match_many("ip", ["192.0.2.9"])[0]) == {"mapped", "v4"}
    assert m.stats()["ipv4_blocks"] == 2


def test_batch_with_mixed_versions_and_junk():
    m = IndicatorMatcher.build([ind("n", "cidr", "10.0.0.0/8"), ind("s", "ipv6", "2001:db8::1")])
    values: list = ["10.0.0.1", "2001:db8::1", "junk", "", " 10.9.9.9 ", "[2001:db8::1]", "01.0.0.1", None, 5]
    assert m.match_many("ip", values) == [["n"], ["s"], [], [], ["n"], ["s"], [], [], []]


# --- domains and URLs ------------------------------------------------------------------------------------

def test_domain_suffix_only_at_a_label_boundary():
    m = IndicatorMatcher.build([ind("d", "domain", "evil.com"), ind("sub", "domain", "cdn.evil.com")])
    got = m.match_many("domain", ["evil.com", "a.evil.com", "x.cdn.evil.com", "notevil.com", "evil.com.au",
                                  "EVIL.COM.", "evil", "com", " a.evil.com "])
    assert [set(g) for g in got] == [{"d"}, {"d"}, {"d", "sub"}, set(), set(), {"d"}, set(), set(), {"d"}]
    assert ids(m.match("domain", "bad host.evil.com")) == set()          # not a DNS name


def test_idn_and_single_label_indicators():
    m = IndicatorMatcher.build([ind("idn", "domain", "bücher.example"), ind("tld", "domain", "zip")])
    assert m.match_many("domain", ["www.BÜCHER.example", "xn--bcher-kva.example", "file.zip", "zip.com"]) == [
        ["idn"], ["idn"], ["tld"], []]


def test_url_equivalences_and_its_host():
    m = IndicatorMatcher.build([ind("u", "url", "http://evil.example/a/b?x=1"), ind("d", "domain", "evil.example"),
                                ind("ip", "ipv4", "192.0.2.5")])
    for same in ("HTTP://EVIL.example:80/a/./c/../b?x=1#frag", "http://evil.example/%61/b?x=1"):
        assert set(m.match_many("url", [same])[0]) == {"u", "d"}
    assert m.match_many("url", ["http://evil.example/other"]) == [["d"]]
    assert m.match_many("url", ["https://192.0.2.5/x", "https://notevil.example/", "not a url"]) == [["ip"], [], []]
    assert {(h.indicator_id, h.value) for h in m.match("url", "http://a.evil.example/z")} == {("d", "a.evil.example")}


# --- validity, revocation, false positives -------------------------------------------------------------

def test_expiry_and_start_at_the_boundary_instant():
    start, end = T0, T0 + timedelta(days=30)
    m = IndicatorMatcher.build([ind("w", "ipv4", "192.0.2.1", valid_from=start, valid_until=end)])
    assert m.match_many("ip", ["192.0.2.1"], at=start - timedelta(microseconds=1)) == [[]]
    assert m.match_many("ip", ["192.0.2.1"], at=start) == [["w"]]
    assert m.match_many("ip", ["192.0.2.1"], at=end - timedelta(microseconds=1)) == [["w"]]
    assert m.match_many("ip", ["192.0.2.1"], at=end) == [[]]
    assert m.match("ip", "192.0.2.1", at=end.timestamp()) == []
    assert ids(m.match("ip", "192.0.2.1", at=start.timestamp())) == {"w"}
    # a naive time is UTC
    assert m.match_many("ip", ["192.0.2.1"], at=start.replace(tzinfo=None)) == [["w"]]


def test_expired_indicator_stops_matching_now_without_rebuild():
    now = datetime.now(UTC)
    m = IndicatorMatcher.build([ind("old", "domain", "evil.com", valid_until=now - timedelta(seconds=1)),
                                ind("new", "domain", "evil.com", valid_from=now - timedelta(days=1))])
    assert m.match_many("domain", ["evil.com"]) == [["new"]]
    assert set(m.match_many("domain", ["evil.com"], at=now - timedelta(days=2))[0]) == {"old"}


def test_revoked_and_false_positive_ids_never_match():
    m = IndicatorMatcher.build([ind("rev", "ipv4", "192.0.2.1", revoked=True), ind("fp", "ipv4", "192.0.2.1"),
                                ind("ok", "ipv4", "192.0.2.1"), ind("fpnet", "cidr", "192.0.2.0/24")],
                               exclude={"fp", "fpnet"})
    assert m.match_many("ip", ["192.0.2.1"]) == [["ok"]]
    assert m.stats()["dropped"] == {"revoked": 1, "excluded": 2, "superseded": 0, "rejected": 0}


def test_latest_version_wins_so_a_revocation_sticks():
    v1 = ind("x", "ipv4", "192.0.2.1", modified=T0)
    v2 = ind("x", "ipv4", "192.0.2.1", modified=T0 + timedelta(hours=1), revoked=True)
    assert IndicatorMatcher.build([v1, v2]).match_many("ip", ["192.0.2.1"]) == [[]]
    assert IndicatorMatcher.build([v2, v1]).match_many("ip", ["192.0.2.1"]) == [[]]


def test_bad_values_are_rejected_not_fatal():
    m = IndicatorMatcher.build([ind("a", "ipv4", "not-an-ip"),
                                ind("b", "pattern", pattern="[a:b = 'c'] WITHIN 5 SECONDS"),
                                ind("c", "domain", "ok.example")])
    assert len(m) == 1 and m.stats()["dropped"] == {"revoked": 0, "excluded": 0, "superseded": 0, "rejected": 2}


# --- events and observations -----------------------------------------------------------------------------

def test_match_fields_guesses_kinds(every_kind):
    event = {"src_ip": "198.51.100.7", "dns_query": "www.evil.example",
             "Hashes": "MD5=D41D8CD98F00B204E9800998ECF8427E", "request_url": "http://bad.test/x?id=1",
             "message": "198.51.100.7 again", "port": 443,
             "recipients": ["boss@evil.example"], "x_forwarded_for": "10.0.0.1, 203.0.113.4"}
    hits = every_kind.match_fields(event)
    assert {(h.indicator_id, h.field) for h in hits} == {
        ("v4", "src_ip"), ("dom", "dns_query"), ("md5", "Hashes"), ("url", "request_url"),
        ("mail", "recipients"), ("net", "x_forwarded_for")}


def test_match_observation_patterns_and_values(every_kind):
    assert set(every_kind.match_observation({"file:name": "invoice.exe", "file:size": 5000})) == {"pat2"}
    assert every_kind.match_observation({"file:name": "invoice.exe", "file:size": 10}) == []
    assert set(every_kind.match_observation({"ipv4-addr:value": "192.0.2.1"})) == {"pat"}
    assert set(every_kind.match_observation({"file:hashes.'SHA-256'": "B" * 64, "file:name": "x"})) == {"sha256"}


def test_simple_pattern_with_several_values_reports_once():
    m = IndicatorMatcher.build([ind("p", "pattern", pattern="[ipv4-addr:value = '10.0.0.1' OR "
                                                              "ipv4-addr:value ISSUBSET '10.0.0.0/8']")])
    assert m.match_many("ip", ["10.0.0.1", "10.0.0.2", "11.0.0.1"]) == [["p"], ["p"], []]


# --- batch equals brute force ---------------------------------------------------------------------------

_v4_net = st.builds(lambda a, p: str(ipaddress.ip_network((a, p), strict=False)),
                    st.integers(0, 2**32 - 1), st.integers(0, 32))
_v6_net = st.builds(lambda a, p: str(ipaddress.ip_network((a, p), strict=False)),
                    st.integers(0, 2**128 - 1), st.sampled_from([0, 1, 64, 96, 120, 127, 128]))
_labels = st.lists(st.sampled_from(["a", "b", "evil", "com"]), min_size=1, max_size=3).map(".".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_v4_net, _v6_net), max_size=12), st.lists(st.integers(0, 2**32 - 1), max_size=20),
       st.lists(st.integers(0, 2**128 - 1), max_size=8), st.lists(st.integers(0, 2**32 - 1), max_size=20))
def test_ip_batch_equals_brute_force(nets, extra4, probes6, probes4):
    indicators = [ind(f"n{i}", "cidr", n) for i, n in enumerate(nets)]
    m = IndicatorMatcher.build(indicators)
    networks = [(f"n{i}", ipaddress.ip_network(n)) for i, n in enumerate(nets)]
    # probe the networks' own edges as well as random addresses
    edges = [str(a) for _, net in networks for a in (net.network_address, net.broadcast_address)]
    queries = [str(ipaddress.IPv4Address(a)) for a in probes4 + extra4] + [
        str(ipaddress.IPv6Address(a)) for a in probes6] + edges
    got = m.match_many("ip", queries)
    for q, found in zip(queries, got, strict=True):
        expected = {i for i, net in networks if _covers(net, ipaddress.ip_address(q))}
        assert set(found) == expected, (q, nets)


def _covers(net, addr) -> bool:
    """Brute force: an IPv4-mapped IPv6 address is its IPv4 address, and an IPv6 network holds the IPv4
    addresses whose mapped form it holds."""
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.version == net.version:
        return addr in net
    return addr.version == 4 and ipaddress.IPv6Address((0xFFFF << 32) | int(addr)) in net


@settings(max_examples=60, deadline=None)
@given(st.lists(_labels, max_size=8), st.lists(_labels, max_size=15))
def test_domain_batch_equals_brute_force(names, queries):
    m = IndicatorMatcher.build([ind(f"d{i}", "domain", n) for i, n in enumerate(names)])
    for q, found in zip(queries, m.match_many("domain", queries), strict=True):
        expected = {f"d{i}" for i, n in enumerate(names) if q == n or q.endswith("." + n)}
        assert set(found) == expected
