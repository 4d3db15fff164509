"""`field|cidr: [networks]`: the value is an IP address inside one of the networks (IPv4, IPv6, an
IPv4-mapped IPv6 address as its IPv4 one); a value that is not an address never matches, and a
network that does not parse is a rule error naming it."""

from __future__ import annotations

import pytest

from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.events import Event
from tahqiq.stream.rulefile import RuleError, parse_rules


def _engine(networks: list[str], negate: bool = False) -> RuleEngine:
    detection = {"login": {"action": "login"}, "inside": {"src_ip|cidr": networks},
                 "condition": "login and not inside" if negate else "login and inside"}
    rules = parse_rules({"rules": [{"id": "t.cidr", "title": "cidr", "schema": "AuthEvent",
                                    "detection": detection}]}, "test.yml")
    return RuleEngine(rules)


def _fires(engine: RuleEngine, ip: object) -> bool:
    event = Event("AuthEvent", f"e-{ip}", 0.0, None, {"action": "login", "src_ip": ip})
    return bool(engine.match(event))


@pytest.mark.parametrize(("ip", "inside"), [
    ("10.0.0.0", True), ("10.255.255.255", True), ("11.0.0.0", False), ("9.255.255.255", False),
    ("192.168.1.7", True), ("192.169.0.1", False), (" 10.1.2.3 ", True),
    ("2001:db8::1", True), ("2001:db9::1", False), ("::ffff:10.9.8.7", True), ("::ffff:8.8.8.8", False),
    ("not an address", False), ("10.0.0.0/8", False), ("", False), (1234, False),
])
def test_addresses_inside_and_outside(ip, inside):
    engine = _engine(["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"])
    assert _fires(engine, ip) is inside


def test_negated_filter_keeps_only_outside_addresses():
    engine = _engine(["127.0.0.0/8", "::1/128"], negate=True)
    assert _fires(engine, "203.0.113.5") and _fires(engine, "2001:db8::5")
    assert not _fires(engine, "127.0.0.1") and not _fires(engine, "::1")


def test_a_bad_network_is_a_rule_error():
    with pytest.raises(RuleError, match="not an IP network"):
        _engine(["10.0.0.0/33"])
