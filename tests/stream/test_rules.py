"""Rule files: every condition kind through the compiled engine, conditions, and clear errors."""

from __future__ import annotations

import pytest
import yaml

from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import RuleError, load_rules, parse_rules
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup


def rules(text: str, lookup=None) -> RuleEngine:
    return RuleEngine(parse_rules(yaml.safe_load(text), "t.yml"), lookup)


def one(detection: str, schema: str = "PlateRead") -> RuleEngine:
    return rules(f"""
rules:
  - id: r.one
    title: test rule
    schema: {schema}
    detection:
{detection}
""")


def fired(engine: RuleEngine, event) -> list[str]:
    return [m.rule.id for m in engine.match(event)]


def test_equals_and_in_list_are_case_insensitive():
    e = one("      s: {camera_id: [PSCA-FD-0031, psca-fd-0029]}\n      condition: s")
    assert fired(e, ev(camera_id="psca-fd-0031")) == ["r.one"]
    assert fired(e, ev(camera_id="PSCA-FD-0029")) == ["r.one"]
    assert fired(e, ev(camera_id="PSCA-FD-0030")) == []
    assert fired(e, ev(plate="LEA1234")) == []  # the field is absent
    explicit = one("      s: {camera_id|in: [A1, B2]}\n      condition: s")
    assert fired(explicit, ev(camera_id="b2")) == ["r.one"]


def test_contains_and_prefix():
    e = one("      s: {camera|contains: [canal road, mall]}\n      condition: s")
    assert fired(e, ev(camera="Gulistan Colony / Canal Road")) == ["r.one"]
    assert fired(e, ev(camera="Gulistan Colony / Jail Road")) == []
    p = one("      s: {camera_id|startswith: psca-fd}\n      condition: s")
    assert fired(p, ev(camera_id="PSCA-FD-0031")) == ["r.one"]
    assert fired(p, ev(camera_id="X-PSCA-FD-0031")) == []  # inside, not at the start


def test_regex_is_case_sensitive_and_searches():
    e = one("      s: {plate|re: '^LE[A-Z]-\\d{4}$'}\n      condition: s")
    assert fired(e, ev(plate="lea 1234")) == ["r.one"]  # normalised to LEA-1234 first
    assert fired(e, ev(plate="LEA-123")) == []


@pytest.mark.parametrize("op,bound,yes,no", [("gt", 0.9, 0.95, 0.9), ("gte", 0.9, 0.9, 0.89),
                                             ("lt", 0.5, 0.49, 0.5), ("lte", 0.5, 0.5, 0.51)])
def test_numeric_ranges(op, bound, yes, no):
    e = one(f"      s: {{confidence|{op}: {bound}}}\n      condition: s")
    assert fired(e, ev(confidence=yes)) == ["r.one"]
    assert fired(e, ev(confidence=no)) == []


def test_between_on_text_amounts():
    e = one("      s: {amount|between: [1000, 2000]}\n      condition: s", schema="Transaction")
    assert fired(e, ev("Transaction", amount="1000.00")) == ["r.one"]
    assert fired(e, ev("Transaction", amount="2000.01")) == []
    assert fired(e, ev("Transaction", amount="not a number")) == []


def test_watchlist_matches_the_normalised_key_and_carries_the_hit():
    lookup = DictLookup()
    hit = lookup.add("cnic", "35202-1234567-1", case="CASE-2026-0002")
    e = rules("""
rules:
  - id: cp.wanted
    title: wanted at checkpoint
    schema: CheckpointCheck
    detection:
      w: {cnic|watchlist: cnic}
      condition: w
""", lookup)
    matches = e.match(ev("CheckpointCheck", cnic="3520212345671"))
    assert [m.rule.id for m in matches] == ["cp.wanted"] and matches[0].hits == [hit]
    assert e.match(ev("CheckpointCheck", cnic="35202-7654321-3")) == []


def test_conditions_and_or_not_and_quantifiers():
    e = one("""      a: {camera_id: C1}
      b: {confidence|gte: 0.8}
      c: {plate|startswith: LE}
      condition: (a or c) and not b""")
    assert fired(e, ev(camera_id="C1", confidence=0.5)) == ["r.one"]
    assert fired(e, ev(camera_id="C1", confidence=0.9)) == []
    assert fired(e, ev(plate="LEA-1")) == ["r.one"]  # `not b` holds when b's field is absent
    q = one("""      sel_a: {camera_id: C1}
      sel_b: {camera_id: C2}
      other: {confidence|gte: 0.8}
      condition: 1 of sel_* and all of them""")
    assert fired(q, ev(camera_id="C1", confidence=0.9)) == []  # sel_b cannot also hold
    q2 = one("      sel_a: {camera_id: C1}\n      sel_b: {confidence|gte: 0.8}\n      condition: all of sel_*")
    assert fired(q2, ev(camera_id="C1", confidence=0.9)) == ["r.one"]


def test_rule_that_holds_with_no_selection_is_always_evaluated():
    e = one("      known: {camera_id|startswith: PSCA}\n      condition: not known")
    assert e.stats()["always_evaluated"]["PlateRead"] == 1
    assert fired(e, ev(camera_id="ROGUE-1")) == ["r.one"]
    assert fired(e, ev(camera_id="PSCA-1")) == []


def test_schema_restriction():
    e = one("      s: {camera_id: C1}\n      condition: s", schema="PlateRead")
    assert fired(e, ev("CheckpointCheck", camera_id="C1")) == []


@pytest.mark.parametrize("body,message", [
    ("      s: {camera_id: C1}\n      condition: s and t", "rule 'r.one': detection.condition: unknown selection 't'"),
    ("      s: {camera_id|resembles: C1}\n      condition: s", "detection.s.camera_id|resembles: unknown modifier"),
    ("      s: {plate|re: '([A-Z'}\n      condition: s", "invalid regular expression"),
    ("      s: {amount|between: [5, 1]}\n      condition: s", "between needs [low, high]"),
    ("      s: {amount|gt: lots}\n      condition: s", "needs one number"),
    ("      s: {cnic|watchlist: religion}\n      condition: s", "watchlist kind must be one of"),
    ("      s: {message|contains: attack}\n      condition: s", "does not classify speech"),
    ("      s: {camera_id: C1}", "detection.condition: missing"),
    ("      s: {camera_id: C1}\n      condition: s or", "condition ends early"),
])
def test_errors_name_file_rule_and_field(body, message):
    with pytest.raises(RuleError) as info:
        one(body)
    assert "t.yml" in str(info.value) and message in str(info.value)


def test_model_errors_and_duplicates(tmp_path):
    with pytest.raises(RuleError, match=r"t.yml: rule 'r.x': severity: Input should be"):
        parse_rules({"rules": [{"id": "r.x", "title": "bad", "severity": "urgent",
                                "detection": {"s": {"a": 1}, "condition": "s"}}]}, "t.yml")
    with pytest.raises(RuleError, match=r"correlation: Value error, value_count needs field"):
        parse_rules({"rules": [{"id": "r.x", "title": "bad", "detection": {"s": {"a": 1}, "condition": "s"},
                                "correlation": {"type": "value_count", "group_by": "plate", "timespan": "5m",
                                                "gte": 2}}]}, "t.yml")
    with pytest.raises(RuleError, match="timespan must look like"):
        parse_rules({"rules": [{"id": "r.x", "title": "bad", "detection": {"s": {"a": 1}, "condition": "s"},
                                "correlation": {"type": "event_count", "group_by": "a", "timespan": "soon",
                                                "gte": 2}}]}, "t.yml")
    rule = "rules:\n  - id: r.same\n    title: same\n    detection: {s: {a: 1}, condition: s}\n"
    (tmp_path / "a.yml").write_text(rule)
    (tmp_path / "b.yml").write_text(rule)
    with pytest.raises(RuleError, match="id already used in"):
        load_rules(tmp_path)
    (tmp_path / "b.yml").write_text("rules: [unclosed")
    with pytest.raises(RuleError, match="not valid YAML"):
        load_rules(tmp_path / "b.yml")
    with pytest.raises(RuleError, match="no such file"):
        load_rules(tmp_path / "missing.yml")


def test_shipped_rules_load_and_compile():
    loaded = load_rules()
    ids = {r.id for r in loaded}
    assert {"checkpoint.wanted-cnic", "anpr.wanted-plate", "anpr.plate-three-cameras",
            "transactions.fan-out", "transactions.pass-through"} <= ids
    assert RuleEngine(loaded).stats()["rules"] == len(loaded)
