"""The rule engine: rules compiled into indexes, so the cost of an event does not grow with the
number of rules.

Every field condition of every rule is an *atom*; identical atoms in different rules are one atom.
Per event schema the engine keeps, for each field that any rule looks at:

  equals / in-list    a hash map  value -> atoms                      (one dict lookup)
  contains / prefix   one Aho-Corasick automaton over all the needles  (one pass over the value)
  gt / gte / lt / lte sorted thresholds -> atoms                      (one bisection each)
  between             interval stabbing: sorted end points, each point and each gap between two
                      points listing the intervals that cover it      (one bisection)
  regex               the compiled patterns of the rules that use them (only those); a pattern
                      that starts with ^ and literal text runs only on values with that prefix
  watchlist           one `lookup.hits(kind, value)` per (field, kind), however many rules ask;
                      `watchlist_exact` keeps only its exact hits (score 1.0), `watchlist` all
  indicator           one `indicators.match(kind, value, at=, field=)` per (field, kind); the
                      matched indicators (id, source, confidence, TLP) go into the match
  cidr                the value parsed once as an IP address, tried against the field's networks

Each selection is *anchored* on one atom: the one shared by the fewest selections (a condition
that many rules repeat, like `channel: ibft` or a district, is usually broad), then the most
selective kind (equality, watchlist, interval, text, regex before one-sided ranges). After the
first WARMUP events of a schema the anchors are chosen again from how often each atom was actually
true. Only when the anchor is true are the selection's other atoms checked. Only rules with a true
selection get their `condition` evaluated (compiled to Python), plus the few rules whose condition
could be true with no selection true (`not x`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import Any, NamedTuple, Protocol

import ahocorasick

from tahqiq.screen.hits import KeyLookup, WatchHit
from tahqiq.stream import condition as cond
from tahqiq.stream.events import Event
from tahqiq.stream.rulefile import WATCH_OPS, Atom, Rule


@dataclass(slots=True)
class Match:
    rule: Rule
    event: Event
    hits: list[WatchHit]
    steps: tuple[int, ...] = ()  # temporal_ordered: which steps this event satisfies
    indicators: list[dict[str, Any]] = field(default_factory=list)  # `|indicator` hits, evidence-ready


class _NoWatchlist:
    def hits(self, kind: str, value: str) -> Sequence[WatchHit]:
        return ()


class IndicatorLookup(Protocol):
    """What `field|indicator: KIND` asks (tahqiq.intel's IndicatorMatcher answers it). A hit has
    `indicator_id`, `kind`, `value` and `field`; `indicator_info(id)` gives its id, source,
    confidence and TLP for the evidence."""

    def match(self, kind: str, value: str, *, at: float, field: str) -> Sequence[Any]: ...

    def indicator_info(self, indicator_id: str) -> dict[str, Any]: ...


# Regular expressions of one field as (atom id, pattern) pairs: those to try on every value, and
# [(prefix length, {literal prefix: pairs})] for those that can only match values with that prefix.
_Regexes = list[tuple[int, re.Pattern[str]]]
_GroupedRegexes = tuple[_Regexes, list[tuple[int, dict[str, _Regexes]]]]
_Condition = Callable[[set[int]], bool]  # a compiled `condition:` over the true selection ids


@dataclass
class _FieldPlan:
    """A field's atoms while an index is compiled."""

    name: str
    eq: dict[str, list[int]] | None = None
    automaton: Any = None  # ahocorasick.Automaton: needle -> (length, [(atom, prefix only)])
    regexes: _Regexes | None = None
    ranges: dict[str, tuple[list[float], list[int]]] | None = None  # op -> (sorted thresholds, atoms)
    intervals: list[tuple[float, float, int]] | None = None
    watch: list[tuple[int, str, bool]] | None = None
    indicator: list[tuple[int, str]] | None = None
    cidr: list[tuple[int, IPNetwork]] | None = None


class _FieldIndex(NamedTuple):
    """What `match` consults for one field (None: no atom of that kind on the field)."""

    name: str
    eq: dict[str, list[int]] | None
    automaton: Any  # a finished ahocorasick.Automaton, or None
    regexes: _GroupedRegexes | None
    ranges: dict[str, tuple[list[float], list[int]]] | None  # gt/gte/lt/lte -> (sorted thresholds, atoms)
    between: tuple[list[float], list[list[int]]] | None  # interval stabbing: (end points, covers)
    watch: list[tuple[int, str, bool]] | None  # (atom, watchlist kind, exact hits only)
    indicator: list[tuple[int, str]] | None  # (atom, indicator kind)
    cidr: list[tuple[int, IPNetwork]] | None  # (atom, network): a rule's few networks, tried in turn


WARMUP = 2000  # events per schema observed before anchors are re-chosen from real frequencies


@dataclass
class _Index:
    plan: list[_FieldIndex] = field(default_factory=list)
    anchored: dict[int, list[int]] = field(default_factory=dict)  # anchor atom -> its selections
    always: list[int] = field(default_factory=list)
    sels: list[int] = field(default_factory=list)
    seen: int = 0
    true_counts: dict[int, int] | None = field(default_factory=dict)  # None once re-anchored


# How selective an atom usually is (lower: fewer events satisfy it), for choosing anchors.
_SELECTIVITY = {"eq": 0, "watchlist": 0, "watchlist_exact": 0, "indicator": 0, "between": 1, "regex": 1, "prefix": 1,
                "cidr": 1, "contains": 2, "gt": 3, "gte": 3, "lt": 3, "lte": 3}


IPNetwork = IPv4Network | IPv6Network


@lru_cache(maxsize=65_536)
def _address(text: str) -> IPv4Address | IPv6Address | None:
    """The IP address a field holds (an IPv4-mapped IPv6 address as its IPv4 one), or None. Cached:
    the same source addresses recur through a log."""
    try:
        ip = ip_address(text.strip())
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped if mapped is not None else ip


def as_number(v: object) -> float | None:
    """A field value as a number for range conditions (numbers, and text that parses as one), or None."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    return None


_LITERAL = re.compile(r"\^((?:[A-Za-z0-9 _\-:/@,]|\\[.\-/])+)")


def _group_regexes(regexes: _Regexes) -> _GroupedRegexes:
    """(patterns to try on every value, [(prefix length, {literal prefix: patterns})]). A pattern
    like ^LE[A-Z]-[0-9]+ can only match values starting with "LE", so it is tried on those alone."""
    anywhere: _Regexes = []
    by_len: dict[int, dict[str, _Regexes]] = {}
    for aid, rx in regexes:
        m = _LITERAL.match(rx.pattern)
        # An alternation (^ab|cd) or ignore-case pattern promises no prefix: try those everywhere.
        plain = m is not None and "|" not in rx.pattern and not (rx.flags & re.IGNORECASE)
        lit = m.group(1).replace("\\", "") if m is not None and plain else ""
        # A quantifier right after the literal (^ab?c) makes its last character optional.
        rest = rx.pattern[m.end():] if m else ""
        if lit and rest[:1] in ("?", "*", "{"):
            lit = lit[:-1]
        if lit:
            by_len.setdefault(len(lit), {}).setdefault(lit, []).append((aid, rx))
        else:
            anywhere.append((aid, rx))
    return anywhere, sorted(by_len.items())


def _stabbing(intervals: list[tuple[float, float, int]]) -> tuple[list[float], list[list[int]]]:
    """Sorted end points p0 < p1 < ... and, interleaved, the atoms covering each point and each
    open gap: covers[2k] for x == pk, covers[2k+1] for pk < x < pk+1. Narrow intervals (the
    usual `between`) make these lists short; nested wide ones make them long (quadratic memory
    at worst, fine for thousands of rules)."""
    points = sorted({v for lo, hi, _ in intervals for v in (lo, hi)})
    covers: list[list[int]] = []
    for k, p in enumerate(points):
        covers.append([aid for lo, hi, aid in intervals if lo <= p <= hi])
        if k + 1 < len(points):
            q = points[k + 1]
            covers.append([aid for lo, hi, aid in intervals if lo <= p and q <= hi])
    return points, covers


class RuleEngine:
    def __init__(self, rules: list[Rule], lookup: KeyLookup | None = None,
                 indicators: IndicatorLookup | None = None) -> None:
        self.rules = list(rules)
        self.lookup = lookup or _NoWatchlist()
        self.indicators = indicators  # None: `|indicator` conditions are never true
        self._indicator_info: dict[str, dict[str, Any]] = {}
        self._atoms: dict[Atom, int] = {}
        self._sel_atoms: list[tuple[int, ...]] = []
        self._sel_anchor: list[int] = []
        self._sel_rule: list[int] = []
        self._fns: list[_Condition] = []
        self._step_fns: list[list[_Condition]] = []
        self._rule_watch: list[list[int]] = []
        self._rule_indicator: list[list[int]] = []
        for ri, rule in enumerate(self.rules):
            ids: dict[str, int] = {}
            watch: list[int] = []
            indicator: list[int] = []
            for name, atoms in rule.selections.items():
                sid = len(self._sel_atoms)
                ids[name] = sid
                aids = sorted({self._atoms.setdefault(a, len(self._atoms)) for a in atoms})
                self._sel_atoms.append(tuple(aids))
                self._sel_rule.append(ri)
                watch += [self._atoms[a] for a in atoms if a.op in WATCH_OPS]
                indicator += [self._atoms[a] for a in atoms if a.op == "indicator"]
            self._fns.append(eval(f"lambda t: {cond.to_python(rule.condition, ids)}"))  # noqa: S307 - built from parsed names
            self._step_fns.append([eval(f"lambda t: {cond.to_python(t, ids)}") for t in rule.step_trees])  # noqa: S307
            self._rule_watch.append(sorted(set(watch)))
            self._rule_indicator.append(sorted(set(indicator)))
        self._regex = {a: [re.compile(v) for v in a.values] for a in self._atoms if a.op == "regex"}
        self._by_id = by_id = {aid: a for a, aid in self._atoms.items()}
        sharing: dict[int, int] = {}
        for sel in self._sel_atoms:
            for aid in sel:
                sharing[aid] = sharing.get(aid, 0) + 1
        self._sel_anchor = [min(aids, key=lambda x: (sharing[x], _SELECTIVITY[by_id[x].op], len(by_id[x].values)))
                            for aids in self._sel_atoms]
        schemas = sorted({s for r in self.rules for s in (r.schemas or ())})
        self._indexes = {s: self._compile(s) for s in schemas}
        self._generic = self._compile(None)

    # --- compiling ----------------------------------------------------------------------------

    def _compile(self, schema: str | None) -> _Index:
        idx = _Index()
        plans: dict[str, _FieldPlan] = {}
        seen_atoms: set[int] = set()
        for sid, ri in enumerate(self._sel_rule):
            rule = self.rules[ri]
            if rule.schemas is not None and schema not in rule.schemas:
                continue
            idx.anchored.setdefault(self._sel_anchor[sid], []).append(sid)
            idx.sels.append(sid)
            seen_atoms.update(self._sel_atoms[sid])
        for aid in sorted(seen_atoms):
            a = self._by_id[aid]
            p = plans.setdefault(a.field, _FieldPlan(a.field))
            if a.op == "eq":
                p.eq = p.eq or {}
                for v in a.values:
                    p.eq.setdefault(v, []).append(aid)
            elif a.op in ("contains", "prefix"):
                if p.automaton is None:
                    p.automaton = ahocorasick.Automaton()
                for v in a.values:
                    entry = p.automaton.get(v) if v in p.automaton else (len(v), [])
                    entry[1].append((aid, a.op == "prefix"))
                    p.automaton.add_word(v, entry)
            elif a.op == "regex":
                p.regexes = (p.regexes or []) + [(aid, rx) for rx in self._regex[a]]
            elif a.op in WATCH_OPS:
                p.watch = (p.watch or []) + [(aid, a.values[0], a.op == "watchlist_exact")]
            elif a.op == "indicator":
                p.indicator = (p.indicator or []) + [(aid, a.values[0])]
            elif a.op == "cidr":
                p.cidr = (p.cidr or []) + [(aid, ip_network(v)) for v in a.values]
            elif a.op == "between":
                p.intervals = (p.intervals or []) + [(a.values[0], a.values[1], aid)]
            else:
                p.ranges = p.ranges or {}
                ths, aids = p.ranges.setdefault(a.op, ([], []))
                k = bisect_right(ths, a.values[0])
                ths.insert(k, a.values[0])
                aids.insert(k, aid)
        for p in plans.values():
            if p.automaton is not None:
                p.automaton.make_automaton()
            idx.plan.append(_FieldIndex(p.name, p.eq, p.automaton, _group_regexes(p.regexes) if p.regexes else None,
                                        p.ranges, _stabbing(p.intervals) if p.intervals else None, p.watch,
                                        p.indicator, p.cidr))
        # Rules whose condition holds with no selection true must be looked at for every event.
        for ri, rule in enumerate(self.rules):
            if (rule.schemas is None or schema in rule.schemas) and self._fns[ri](set()):
                idx.always.append(ri)
        return idx

    # --- matching -----------------------------------------------------------------------------

    def match(self, event: Event) -> list[Match]:
        idx = self._indexes.get(event.schema, self._generic)
        fields = event.fields
        true: set[int] = set()
        hits: dict[int, list[WatchHit]] = {}
        found_indicators: dict[int, Sequence[Any]] = {}
        for name, eq, automaton, regexes, ranges, between, watch, indicator, cidr in idx.plan:
            v = fields.get(name)
            if v is None:
                continue
            s = v if isinstance(v, str) else ("true" if v is True else "false" if v is False else str(v))
            if eq is not None or automaton is not None:
                low = s.lower()
                if eq is not None:
                    found = eq.get(low)
                    if found:
                        true.update(found)
                if automaton is not None:
                    for end, (length, entries) in automaton.iter(low):
                        for aid, prefix_only in entries:
                            if not prefix_only or end + 1 == length:
                                true.add(aid)
            if regexes is not None:
                anywhere, by_prefix = regexes
                for aid, rx in anywhere:
                    if rx.search(s):
                        true.add(aid)
                for length, table in by_prefix:
                    for aid, rx in table.get(s[:length], ()):
                        if rx.search(s):
                            true.add(aid)
            if ranges is not None or between is not None:
                x = as_number(v)
                if x is not None:
                    for op, (ths, aids) in (ranges or {}).items():
                        if op == "gt":
                            true.update(aids[:bisect_left(ths, x)])
                        elif op == "gte":
                            true.update(aids[:bisect_right(ths, x)])
                        elif op == "lt":
                            true.update(aids[bisect_right(ths, x):])
                        else:  # lte
                            true.update(aids[bisect_left(ths, x):])
                    if between is not None:  # the end points, and the covers of points and gaps
                        points, covers = between
                        k = bisect_left(points, x)
                        if k < len(points) and points[k] == x:
                            true.update(covers[2 * k])
                        elif 0 < k < len(points):
                            true.update(covers[2 * k - 1])
            if watch is not None:
                asked: dict[str, Sequence[WatchHit]] = {}  # one lookup per kind, whichever atoms ask
                for aid, kind, exact_only in watch:
                    listed = asked.get(kind)
                    if listed is None:
                        listed = asked[kind] = self.lookup.hits(kind, s)
                    if exact_only:
                        listed = [h for h in listed if h.score >= 1.0]
                    if listed:
                        true.add(aid)
                        hits[aid] = list(listed)
            if cidr is not None:
                ip = _address(s)
                if ip is not None:
                    for aid, net in cidr:
                        if ip.version == net.version and ip in net:
                            true.add(aid)
            if indicator is not None and self.indicators is not None:
                matched: dict[str, Sequence[Any]] = {}  # one lookup per kind
                for aid, kind in indicator:
                    got = matched.get(kind)
                    if got is None:
                        got = matched[kind] = self.indicators.match(kind, s, at=event.time, field=name)
                    if got:
                        true.add(aid)
                        found_indicators[aid] = got
        counts = idx.true_counts
        if counts is not None:
            for aid in true:
                counts[aid] = counts.get(aid, 0) + 1
            idx.seen += 1
            if idx.seen >= WARMUP:
                self._reanchor(idx)
        if not true and not idx.always:
            return []
        anchored, sel_atoms = idx.anchored, self._sel_atoms
        tsel: set[int] = set()
        for aid in true:
            for sid in anchored.get(aid, ()):
                if all(x in true for x in sel_atoms[sid]):
                    tsel.add(sid)
        candidates = {self._sel_rule[sid] for sid in tsel}
        candidates.update(idx.always)
        out: list[Match] = []
        for ri in sorted(candidates):
            if not self._fns[ri](tsel):
                continue
            rule_hits = [h for aid in self._rule_watch[ri] if aid in hits for h in hits[aid]]
            steps = tuple(k for k, fn in enumerate(self._step_fns[ri]) if fn(tsel))
            matched_ind = [self._indicator_evidence(h) for aid in self._rule_indicator[ri] if aid in found_indicators
                           for h in found_indicators[aid]]
            out.append(Match(self.rules[ri], event, rule_hits, steps, matched_ind))
        return out

    def _indicator_evidence(self, hit: Any) -> dict[str, Any]:
        """A matched indicator as evidence: what was seen where, and the indicator's id, source,
        confidence and TLP (from the lookup's `indicator_info`, asked once per indicator)."""
        info = self._indicator_info.get(hit.indicator_id)
        if info is None:
            assert self.indicators is not None  # only called for hits it gave
            info = self._indicator_info[hit.indicator_id] = dict(self.indicators.indicator_info(hit.indicator_id))
        return {"indicator_id": hit.indicator_id, "kind": hit.kind, "value": hit.value, "field": hit.field, **info}

    def _reanchor(self, idx: _Index) -> None:
        """Anchor each selection on its atom that was true least often so far (ties: the
        compile-time choice first). Only the speed changes, never the result."""
        counts, idx.true_counts = idx.true_counts, None
        if counts is None:
            return  # re-anchored already
        anchored: dict[int, list[int]] = {}
        for sid in idx.sels:
            static = self._sel_anchor[sid]
            best = min(self._sel_atoms[sid], key=lambda a: (counts.get(a, 0), a != static))
            anchored.setdefault(best, []).append(sid)
        idx.anchored = anchored

    def stats(self) -> dict[str, Any]:
        return {"rules": len(self.rules), "atoms": len(self._atoms), "selections": len(self._sel_atoms),
                "schemas": sorted(self._indexes),
                "always_evaluated": {s: len(i.always) for s, i in self._indexes.items()}}
