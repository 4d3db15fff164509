"""Scan log files for hacking attempts: read them (tahqiq.intel.logs), run the rule engine with the
log rules (tahqiq/intel/rules/logs.yml) and, given a GeoTable, the impossible-travel detector, and
hand back the detections for the alert pipeline (the CLI writes them with `write_alerts`).

    scan = scan_logs(["auth.log", "Security.evtx"], matcher=IndicatorMatcher.build(indicators))
    scan.per_rule            # {"logs.brute-force": 3, ...}
    scan.detections          # tahqiq.stream.windows.Detection, evidence included

Files are merged in event time (each file is in its own order, as logs are), so that a correlation
window sees the events of several hosts as they happened and none looks late. Indicator conditions
(`field|indicator: KIND`) ask the matcher; without one they match nothing.
"""

from __future__ import annotations

import heapq
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from tahqiq.intel.logs.read import LogReadStats, read_logs
from tahqiq.intel.logs.travel import GeoTable, TravelDetector
from tahqiq.intel.observables import guess_kinds
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import Rule, load_rules
from tahqiq.stream.windows import Detection, Detector

__all__ = ["LOG_RULES", "LogScan", "MatcherLookup", "load_log_rules", "scan_logs"]

LOG_RULES = Path(__file__).parent / "rules" / "logs.yml"


class _Matcher(Protocol):
    def match(self, kind: str, value: str, *, at: float | None = None, field: str = "") -> Sequence[Any]: ...

    def get(self, indicator_id: str) -> Any: ...


class MatcherLookup:
    """The rule engine's indicator lookup over an `IndicatorMatcher`: `field|indicator: any` looks
    the value up as the kinds its field name or shape suggest, and `indicator_info` gives the
    indicator's id, name, source, confidence and TLP for the alert's evidence."""

    def __init__(self, matcher: _Matcher) -> None:
        self.matcher = matcher

    def match(self, kind: str, value: str, *, at: float, field: str) -> list[Any]:
        if kind != "any":
            return list(self.matcher.match(kind, value, at=at, field=field))
        return [hit for k in guess_kinds(field, value) for hit in self.matcher.match(k, value, at=at, field=field)]

    def indicator_info(self, indicator_id: str) -> dict[str, Any]:
        own = getattr(self.matcher, "indicator_info", None)
        if callable(own):
            return dict(own(indicator_id))
        ind = self.matcher.get(indicator_id)
        if ind is None:
            return {"id": indicator_id}
        return {"id": ind.id, "name": ind.name, "indicator_kind": ind.kind, "source": ind.source,
                "confidence": ind.confidence, "tlp": ind.tlp, "labels": list(ind.labels)}


@dataclass
class LogScan:
    """What a scan read and found."""

    read: LogReadStats
    detections: list[Detection] = field(default_factory=list)
    per_rule: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    rules: int = 0

    @property
    def events(self) -> int:
        return self.read.total_events

    @property
    def lines(self) -> int:
        return sum(self.read.lines.values())

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else 0.0


def load_log_rules(paths: Iterable[str | Path] | None = None) -> list[Rule]:
    """The shipped log rules, or the rules in `paths` (files or folders)."""
    chosen = list(paths or [])
    return load_rules(*chosen) if chosen else load_rules(LOG_RULES)


def scan_logs(paths: Iterable[str | Path], *, rules: list[Rule] | Iterable[str | Path] | None = None,
              matcher: Any = None, geo: GeoTable | None = None, year: int | None = None, kind: str = "auto",
              max_speed_kmh: float = 1000.0, progress: bool = False) -> LogScan:
    """Read the files, run the rules (and the travel detector when `geo` is given); see the module doc.
    `rules`: Rule objects, or rule files/folders (default: the shipped log rules). `matcher`: an
    IndicatorMatcher (or any lookup with `match` and `indicator_info`)."""
    files = [Path(p) for p in paths]
    rule_list = rules if isinstance(rules, list) and all(isinstance(r, Rule) for r in rules) else \
        load_log_rules(rules)  # type: ignore[arg-type]
    lookup = None
    if matcher is not None:
        lookup = matcher if hasattr(matcher, "indicator_info") else MatcherLookup(matcher)
    detector = Detector(RuleEngine(rule_list, indicators=lookup))
    travel = TravelDetector(geo, max_speed_kmh=max_speed_kmh) if geo is not None else None
    stats = LogReadStats()
    scan = LogScan(stats, rules=len(rule_list) + (1 if travel else 0))
    streams = [read_logs([f], kind=kind, year=year, stats=stats) for f in files]
    events = heapq.merge(*streams, key=lambda e: e.time) if len(streams) > 1 else streams[0] if streams else iter(())
    start = last = time.perf_counter()
    n = 0
    for event in events:
        found = detector.process(event)
        if travel is not None:
            found += travel.process(event)
        for d in found:
            scan.per_rule[d.rule.id] += 1
        scan.detections += found
        n += 1
        if progress and not n & 0xFFFF and time.perf_counter() - last > 2:
            last = time.perf_counter()
            print(f"{n:,} events, {len(scan.detections):,} detections, {n / (last - start):,.0f} events/s",
                  file=sys.stderr)
    scan.seconds = time.perf_counter() - start
    return scan
