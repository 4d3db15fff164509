"""STIX patterns compiled into predicates over one observation, and the simple ones recognised as values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tahqiq.intel.patterns import PatternError, compile_pattern, normalise_observation, simple_atom, simple_atoms


def holds(pattern: str, observation: dict) -> bool:
    return compile_pattern(pattern)(normalise_observation(observation))


def test_equality_and_inequality():
    assert holds("[ipv4-addr:value = '198.51.100.7']", {"ipv4-addr:value": "198.51.100.7"})
    assert not holds("[ipv4-addr:value = '198.51.100.7']", {"ipv4-addr:value": "198.51.100.8"})
    assert holds("[ipv4-addr:value != '198.51.100.7']", {"ipv4-addr:value": "198.51.100.8"})
    assert not holds("[ipv4-addr:value != '198.51.100.7']", {"domain-name:value": "x.com"})   # absent: false


def test_ordering_operators_on_numbers_strings_and_times():
    obs = {"network-traffic:dst_port": 443, "file:name": "m", "file:created": "2024-05-01T00:00:00Z"}
    assert holds("[network-traffic:dst_port > 442]", obs)
    assert holds("[network-traffic:dst_port >= 443]", obs)
    assert not holds("[network-traffic:dst_port < 443]", obs)
    assert holds("[network-traffic:dst_port <= 443]", obs)
    assert holds("[file:name > 'a']", obs)
    assert holds("[file:created > t'2024-01-01T00:00:00Z']", obs)
    assert holds("[file:created < t'2024-06-01T00:00:00Z']",
                 {"file:created": datetime(2024, 5, 1, tzinfo=UTC)})
    assert not holds("[network-traffic:dst_port > 1]", {"network-traffic:dst_port": "443"})  # types differ


def test_in_like_matches():
    assert holds("[network-traffic:dst_port IN (80, 443)]", {"network-traffic:dst_port": 80})
    assert not holds("[network-traffic:dst_port IN (80, 443)]", {"network-traffic:dst_port": 22})
    assert holds("[domain-name:value LIKE '%.evil.com']", {"domain-name:value": "a.evil.com"})
    assert not holds("[domain-name:value LIKE '%.evil.com']", {"domain-name:value": "notevil.com"})
    assert holds("[domain-name:value LIKE 'ev_l.com']", {"domain-name:value": "evil.com"})
    assert holds("[file:name MATCHES '^inv[0-9]+\\\\.exe$']", {"file:name": "inv42.exe"})
    assert not holds("[file:name MATCHES '^inv[0-9]+\\\\.exe$']", {"file:name": "inv.exe"})


def test_issubset_and_issuperset_on_networks():
    assert holds("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", {"ipv4-addr:value": "10.2.3.4"})
    assert not holds("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", {"ipv4-addr:value": "11.2.3.4"})
    assert holds("[ipv4-addr:value ISSUPERSET '10.1.0.0/16']", {"ipv4-addr:value": "10.0.0.0/8"})
    assert not holds("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", {"ipv4-addr:value": "2001:db8::1"})


def test_not_and_or_inside_an_observation():
    pattern = ("[file:hashes.'SHA-256' = 'AB' AND file:size > 10 AND file:name NOT = 'ok.exe']")
    assert holds(pattern, {"file:hashes.'SHA-256'": "ab", "file:size": 11, "file:name": "bad.exe"})
    assert holds(pattern, {"file:hashes.SHA-256": "AB", "file:size": 11, "file:name": "bad.exe"})  # quotes optional
    assert not holds(pattern, {"file:hashes.'SHA-256'": "ab", "file:size": 11, "file:name": "ok.exe"})
    assert not holds(pattern, {"file:hashes.'SHA-256'": "ab", "file:size": 9, "file:name": "bad.exe"})
    assert holds("[file:name = 'a' OR file:size = 1]", {"file:size": 1})


def test_and_or_between_observation_expressions_on_one_observation():
    pattern = "[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'evil.com']"
    assert holds(pattern, {"ipv4-addr:value": "1.2.3.4", "domain-name:value": "evil.com"})
    assert not holds(pattern, {"ipv4-addr:value": "1.2.3.4"})
    assert holds("[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'evil.com']", {"domain-name:value": "evil.com"})


def test_lists_and_escapes():
    assert holds("[process:args[*] = '-enc']", {"process:args": ["-nop", "-enc"]})
    assert holds("[file:name = 'it\\'s']", {"file:name": "it's"})
    assert compile_pattern("[a:b = 'c' AND a:d > 1]").paths == {"a:b", "a:d"}


@pytest.mark.parametrize(("pattern", "named"), [
    ("[a:b = 'c'] WITHIN 5 SECONDS", "WITHIN"),
    ("[a:b = 'c'] REPEATS 2 TIMES", "REPEATS"),
    ("[a:b = 'c'] START t'2020-01-01T00:00:00Z' STOP t'2021-01-01T00:00:00Z'", "START/STOP"),
    ("[a:b = 'c'] FOLLOWEDBY [a:b = 'd']", "FOLLOWEDBY"),
])
def test_temporal_constructs_are_refused_by_name(pattern, named):
    with pytest.raises(PatternError, match=named):
        compile_pattern(pattern)


@pytest.mark.parametrize("bad", ["[a:b = ", "ipv4-addr:value = '1.2.3.4'", "[file:name MATCHES '(']"])
def test_bad_patterns_raise_pattern_error(bad):
    with pytest.raises(PatternError):
        compile_pattern(bad)


def test_simple_atoms():
    assert simple_atom("[ipv4-addr:value = '1.2.3.4']") == ("ipv4", "1.2.3.4")
    assert simple_atom("[ipv4-addr:value = '10.0.0.0/8']") == ("cidr", "10.0.0.0/8")
    assert simple_atom("[ipv4-addr:value ISSUBSET '10.0.0.0/8']") == ("cidr", "10.0.0.0/8")
    assert simple_atom("[file:hashes.'SHA-256' = 'ab']") == ("sha256", "ab")
    assert simple_atom("[file:hashes.MD5 = 'ab']") == ("md5", "ab")
    assert simple_atom("[domain-name:value = 'evil.com']") == ("domain", "evil.com")
    assert simple_atom("[url:value = 'http://a.com/']") == ("url", "http://a.com/")
    assert simple_atom("[email-addr:value = 'a@b.com']") == ("email", "a@b.com")
    several = "[domain-name:value = 'a.com' OR domain-name:value = 'b.com'] OR [url:value IN ('http://c/')]"
    assert simple_atoms(several) == (("domain", "a.com"), ("domain", "b.com"), ("url", "http://c/"))
    for not_simple in ("[file:name = 'x']", "[domain-name:value != 'a.com']", "[ipv4-addr:value = '1.2.3.4' AND "
                       "ipv4-addr:value = '1.2.3.5']", "[domain-name:value = 'a.com'] AND [url:value = 'http://b/']",
                       "[domain-name:value LIKE '%.com']", "not a pattern"):
        assert simple_atoms(not_simple) is None, not_simple
