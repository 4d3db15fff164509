"""The `field|indicator: KIND` condition: parsed and checked like the other modifiers, matched by the
engine against a real indicator matcher at the event's own time, one lookup per (field, kind), and
the matched indicator's id, source, confidence and TLP in the detection's evidence."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tahqiq.intel.matcher import IndicatorMatcher
from tahqiq.intel.model import Indicator
from tahqiq.intel.scan import MatcherLookup
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.events import Event
from tahqiq.stream.rulefile import RuleError, parse_rules
from tahqiq.stream.windows import Detector

BAD_IP = "203.0.113.66"
IND_ID = "indicator--33333333-3333-4333-8333-333333333333"
T = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp()


def _rules(*specs: dict[str, Any]) -> list:
    return parse_rules({"rules": list(specs)}, "test.yml")


def _rule(rule_id: str, detection: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": rule_id, "title": "indicator test rule", "schema": "AuthEvent", "detection": detection, **extra}


def _matcher() -> IndicatorMatcher:
    return IndicatorMatcher.build([
        Indicator(IND_ID, "cidr", "203.0.113.0/25", name="botnet range", confidence=70, tlp="amber",
                  source="pk-cert-feed", valid_until=datetime(2024, 6, 1, tzinfo=UTC)),
        Indicator("indicator--44444444-4444-4444-8444-444444444444", "domain", "evil.example", confidence=40,
                  tlp="clear", source="osint-list"),
    ])


def _event(n: int, ip: str, t: float = T, **fields: Any) -> Event:
    return Event("AuthEvent", f"ev{n}", t, None, {"src_ip": ip, "action": "login", "outcome": "failure", **fields})


class CountingLookup(MatcherLookup):
    """The real lookup, counting the questions the engine asks."""

    def __init__(self, matcher: IndicatorMatcher) -> None:
        super().__init__(matcher)
        self.asked: list[tuple[str, str, str]] = []

    def match(self, kind: str, value: str, *, at: float, field: str) -> list[Any]:
        self.asked.append((kind, value, field))
        return super().match(kind, value, at=at, field=field)


def test_the_modifier_is_validated() -> None:
    rules = _rules(_rule("t.ok", {"s": {"src_ip|indicator": "ip"}, "condition": "s"}))
    assert rules[0].selections["s"][0].op == "indicator" and rules[0].key == "src_ip"
    with pytest.raises(RuleError, match=r"test.yml: rule 't.bad': detection.s.src_ip\|indicator: indicator kind"):
        _rules(_rule("t.bad", {"s": {"src_ip|indicator": "ipv9"}, "condition": "s"}))
    with pytest.raises(RuleError, match="indicator kind"):
        _rules(_rule("t.bad2", {"s": {"src_ip|indicator": ["ip", "domain"]}, "condition": "s"}))


def test_engine_matches_at_event_time_and_puts_the_indicator_in_the_evidence() -> None:
    rules = _rules(_rule("t.listed", {"s": {"src_ip|indicator": "ip"}, "f": {"outcome": "failure"},
                                      "condition": "s and f"}))
    det = Detector(RuleEngine(rules, indicators=MatcherLookup(_matcher())))
    (d,) = det.process(_event(1, BAD_IP))
    (ind,) = d.evidence["indicators"]
    assert ind == {"indicator_id": IND_ID, "kind": "cidr", "value": BAD_IP, "field": "src_ip", "id": IND_ID,
                   "name": "botnet range", "indicator_kind": "cidr", "source": "pk-cert-feed", "confidence": 70,
                   "tlp": "amber", "labels": []}
    assert (d.key_kind, d.key_value) == ("src_ip", BAD_IP)
    assert det.process(_event(2, "203.0.113.200")) == []                    # outside the /25
    assert det.process(_event(3, BAD_IP, datetime(2024, 7, 1, tzinfo=UTC).timestamp())) == []  # expired by then
    assert det.process(_event(4, "not an address")) == []


def test_without_a_lookup_the_condition_is_false() -> None:
    rules = _rules(_rule("t.listed", {"s": {"src_ip|indicator": "ip"}, "condition": "s"}),
                   _rule("t.unlisted", {"s": {"src_ip|indicator": "ip"}, "f": {"action": "login"},
                                        "condition": "f and not s"}))
    matches = RuleEngine(rules).match(_event(1, BAD_IP))
    assert [m.rule.id for m in matches] == ["t.unlisted"]
    listed = RuleEngine(rules, indicators=MatcherLookup(_matcher())).match(_event(1, BAD_IP))
    assert [m.rule.id for m in listed] == ["t.listed"]


def test_one_lookup_per_field_and_kind_however_many_rules_ask() -> None:
    lookup = CountingLookup(_matcher())
    rules = _rules(_rule("t.a", {"s": {"src_ip|indicator": "ip"}, "condition": "s"}),
                   _rule("t.b", {"s": {"src_ip|indicator": "ip", "outcome": "failure"}, "condition": "s"}),
                   _rule("t.c", {"s": {"host|indicator": "domain"}, "condition": "s"}))
    engine = RuleEngine(rules, indicators=lookup)
    matches = engine.match(_event(1, BAD_IP, host="www.evil.example"))
    assert sorted(m.rule.id for m in matches) == ["t.a", "t.b", "t.c"]
    assert sorted(lookup.asked) == [("domain", "www.evil.example", "host"), ("ip", BAD_IP, "src_ip")]
    assert next(m for m in matches if m.rule.id == "t.c").indicators[0]["source"] == "osint-list"


def test_any_kind_and_correlated_windows_keep_the_indicators() -> None:
    rules = _rules(_rule("t.any", {"s": {"src_ip|indicator": "any"}, "condition": "s"},
                         correlation={"type": "event_count", "group_by": "src_ip", "timespan": "10m", "gte": 3}))
    det = Detector(RuleEngine(rules, indicators=MatcherLookup(_matcher())))
    assert det.process(_event(1, BAD_IP)) == [] and det.process(_event(2, BAD_IP, T + 60)) == []
    (d,) = det.process(_event(3, BAD_IP, T + 120))
    assert d.evidence["window"]["count"] == 3 and d.evidence["indicators"][0]["indicator_id"] == IND_ID
