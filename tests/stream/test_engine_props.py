"""The compiled engine agrees with a naive evaluator (every rule, every condition, one by one) on
random rules and random events (hypothesis)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tahqiq.stream import condition as cond
from tahqiq.stream import engine as engine_mod
from tahqiq.stream.engine import RuleEngine, as_number
from tahqiq.stream.rulefile import parse_rules
from tests.stream.conftest import ev
from tests.stream.lookup import DictLookup

WORDS = ["ab", "abc", "b", "ca", "cab", "x1", "X1", "zz"]
FIELDS = ["camera_id", "camera", "plate_text"]
NUMS = [0, 0.5, 1, 2, 3]


def naive_atom(field: str, op: str, values: tuple, fields: dict, lookup) -> bool:
    v = fields.get(field)
    if v is None:
        return False
    s = v if isinstance(v, str) else str(v)
    if op == "eq":
        return s.lower() in values
    if op == "contains":
        return any(x in s.lower() for x in values)
    if op == "prefix":
        return any(s.lower().startswith(x) for x in values)
    if op == "regex":
        return any(re.search(x, s) for x in values)
    if op == "watchlist":
        return bool(lookup.hits(values[0], s))
    x = as_number(v)
    if x is None:
        return False
    if op == "between":
        return values[0] <= x <= values[1]
    b = values[0]
    return {"gt": x > b, "gte": x >= b, "lt": x < b, "lte": x <= b}[op]


def naive(rules, event, lookup) -> list[str]:
    out = []
    for r in rules:
        if r.schemas and event.schema not in r.schemas:
            continue
        true = {name for name, atoms in r.selections.items()
                if all(naive_atom(a.field, a.op, a.values, event.fields, lookup) for a in atoms)}
        if cond.evaluate(r.condition, true):
            out.append(r.id)
    return out


field_cond = st.one_of(
    st.tuples(st.sampled_from(FIELDS), st.just(""), st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)),
    st.tuples(st.sampled_from(FIELDS), st.sampled_from(["contains", "startswith"]),
              st.lists(st.sampled_from(WORDS), min_size=1, max_size=2)),
    st.tuples(st.sampled_from(FIELDS), st.just("re"),
              st.sampled_from(["^a", "b$", "[xX]1", "c.b", "^ab", "^ab?c", "^x1|b", "^c\\-?a", "(?i)^X"])),
    st.tuples(st.just("score"), st.sampled_from(["gt", "gte", "lt", "lte"]), st.sampled_from(NUMS)),
    st.tuples(st.just("score"), st.just("between"), st.sampled_from([[0, 1], [1, 2], [0.5, 3], [2, 2], [0.5, 1.5]])),
    st.tuples(st.sampled_from(FIELDS), st.just("watchlist"), st.just("indicator")),
)
selection = st.lists(field_cond, min_size=1, max_size=3)


@st.composite
def rule_sets(draw):
    rules = []
    for i in range(draw(st.integers(1, 12))):
        sels = {f"s{k}": {f"{f}|{m}" if m else f: v for f, m, v in draw(selection)}
                for k in range(draw(st.integers(1, 3)))}
        names = list(sels)
        expr = names[0]
        for n in names[1:]:
            expr = f"({expr} {draw(st.sampled_from(['and', 'or']))} {'not ' if draw(st.booleans()) else ''}{n})"
        if draw(st.booleans()):
            expr = f"not {expr}"
        schema = draw(st.sampled_from([None, "PlateRead", "Transaction"]))
        rule = {"id": f"r.{i:03d}", "title": f"rule {i}", "detection": {**sels, "condition": expr}}
        if schema:
            rule["schema"] = schema
        rules.append(rule)
    return parse_rules({"rules": rules}, "hyp.yml")


events = st.builds(
    lambda schema, cam, camera, text, score: ev(schema, **{k: v for k, v in (
        ("camera_id", cam), ("camera", camera), ("plate_text", text), ("score", score)) if v is not None}),
    st.sampled_from(["PlateRead", "Transaction", "CheckpointCheck"]),
    st.one_of(st.none(), st.sampled_from(WORDS), st.text("abcxX1", max_size=5)),
    st.one_of(st.none(), st.text("abcxz1", max_size=6)),
    st.one_of(st.none(), st.sampled_from(WORDS)),
    st.one_of(st.none(), st.sampled_from(NUMS + [1.5, "2.0", "n/a"])),
)


@settings(max_examples=120, deadline=None)
@given(rule_sets(), st.lists(events, min_size=1, max_size=8))
def test_compiled_engine_equals_naive_evaluation(rules, evs):
    lookup = DictLookup()
    lookup.add("indicator", "cab")
    lookup.add("indicator", "X1")
    engine = RuleEngine(rules, lookup)
    warmup, engine_mod.WARMUP = engine_mod.WARMUP, 3  # re-anchor mid-sequence, results must not change
    try:
        for e in evs:
            assert sorted(m.rule.id for m in engine.match(e)) == sorted(naive(rules, e, lookup))
    finally:
        engine_mod.WARMUP = warmup
