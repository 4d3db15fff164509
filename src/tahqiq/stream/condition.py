"""The `condition:` of a rule: selection names combined with and / or / not and parentheses, plus
Sigma's `1 of PATTERN*` / `all of PATTERN*` / `1 of them` / `all of them`.

A condition parses to a small tree of tuples — ("sel", name), ("not", x), ("and", [..]),
("or", [..]) — which the rule engine turns into Python code over selection ids (see `to_python`).
"""

from __future__ import annotations

import fnmatch
import re

_TOKEN = re.compile(r"\s*(\(|\)|[A-Za-z_][A-Za-z0-9_.*-]*|\S)")
_KEYWORDS = {"and", "or", "not", "of", "them", "1", "all"}


class ConditionError(ValueError):
    pass


def parse(text: str, selections: list[str]) -> tuple:
    """Parse `text` against the rule's selection names; raises ConditionError naming the problem."""
    tokens = [t for t in _TOKEN.findall(text or "")]
    if not tokens:
        raise ConditionError("empty condition")
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise ConditionError(f"condition ends early{f' (expected {expected!r})' if expected else ''}")
        if expected is not None and tok != expected:
            raise ConditionError(f"expected {expected!r} but found {tok!r}")
        pos += 1
        return tok

    def quantified(how: str) -> tuple:
        take("of")
        pattern = take()
        names = selections if pattern == "them" else [s for s in selections if fnmatch.fnmatchcase(s, pattern)]
        if not names:
            raise ConditionError(f"'{how} of {pattern}' matches no selection")
        items = [("sel", n) for n in names]
        return items[0] if len(items) == 1 else ("or" if how == "1" else "and", items)

    def atom() -> tuple:
        tok = take()
        if tok == "(":
            inner = disjunction()
            take(")")
            return inner
        if tok == "not":
            return ("not", atom())
        if tok in ("1", "all") and peek() == "of":
            return quantified(tok)
        if tok in _KEYWORDS or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", tok):
            raise ConditionError(f"unexpected {tok!r}")
        if tok not in selections:
            raise ConditionError(f"unknown selection {tok!r} (selections: {', '.join(selections) or 'none'})")
        return ("sel", tok)

    def conjunction() -> tuple:
        items = [atom()]
        while peek() == "and":
            take()
            items.append(atom())
        return items[0] if len(items) == 1 else ("and", items)

    def disjunction() -> tuple:
        items = [conjunction()]
        while peek() == "or":
            take()
            items.append(conjunction())
        return items[0] if len(items) == 1 else ("or", items)

    tree = disjunction()
    if peek() is not None:
        raise ConditionError(f"unexpected {peek()!r}")
    return tree


def names(tree: tuple) -> set[str]:
    if tree[0] == "sel":
        return {tree[1]}
    if tree[0] == "not":
        return names(tree[1])
    return set().union(*(names(t) for t in tree[1]))


def evaluate(tree: tuple, true: set[str]) -> bool:
    kind = tree[0]
    if kind == "sel":
        return tree[1] in true
    if kind == "not":
        return not evaluate(tree[1], true)
    if kind == "and":
        return all(evaluate(t, true) for t in tree[1])
    return any(evaluate(t, true) for t in tree[1])


def to_python(tree: tuple, ids: dict[str, int]) -> str:
    """A Python expression over a set `t` of true selection ids, e.g. "((3 in t) and not (4 in t))"."""
    kind = tree[0]
    if kind == "sel":
        return f"({ids[tree[1]]} in t)"
    if kind == "not":
        return f"(not {to_python(tree[1], ids)})"
    joiner = " and " if kind == "and" else " or "
    return "(" + joiner.join(to_python(t, ids) for t in tree[1]) + ")"
