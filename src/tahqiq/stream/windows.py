"""Detections: rule matches turned into alert-ready records, with windowed correlations in event time.

Correlations (all keyed by a field's value, e.g. the plate):
  event_count      >= N matching events within the timespan
  value_count      >= N distinct values of `field` (e.g. cameras) within the timespan
  temporal_ordered step 1, then step 2 (, then ...) within the timespan

Times are the events' own times, never the clock: replaying a month of readings in a minute gives
the alerts the month would have given. The newest event time seen is the watermark; an event older
than the watermark by more than a rule's timespan is too late to count for that rule. A window fires
once, then starts afresh for that key. State is keyed by event id, so a redelivered event is not
counted twice; `snapshot()`/`restore()` make it survive a worker restart (the worker stores it with
its stream position, see worker.py).
Dedupe keys are deterministic: rule + key + the event id (single events) or the ids that completed
the window, so processing the same events again yields the same keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, TypedDict

from tahqiq.screen.hits import WatchHit
from tahqiq.stream.engine import Match, RuleEngine
from tahqiq.stream.events import KEY_FIELDS, Event
from tahqiq.stream.rulefile import Correlation, Rule

SWEEP_EVERY = 5000  # events between sweeps that forget keys whose windows have passed

# One key's window, JSON-ready as it is (it goes into the worker's checkpoint):
#   event_count       event id -> event time
#   value_count       value -> [newest time, its event id]
#   temporal_ordered  step ("0", "1", ...) -> [first step's time, this step's time, [event ids]]
Window = dict[str, Any]


class Snapshot(TypedDict):
    """The detector's state for a checkpoint: the watermark and, per rule id, each key's window."""

    watermark: float
    rules: dict[str, dict[str, Window]]


@dataclass
class Detection:
    rule: Rule
    dedupe_key: str
    key_kind: str | None
    key_value: str | None
    occurred_at: float
    district: str | None
    case_ref: str | None
    evidence: dict[str, Any]
    event_id: str = ""
    sent: float | None = field(default=None, repr=False)  # when the batch was published (latency)


def dedupe(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class Detector:
    def __init__(self, engine: RuleEngine) -> None:
        self.engine = engine
        self.state: dict[str, dict[str, Window]] = {r.id: {} for r in engine.rules if r.correlation}
        self.watermark = 0.0
        self._since_sweep = 0

    def process(self, event: Event) -> list[Detection]:
        if event.time > self.watermark:
            self.watermark = event.time
        self._since_sweep += 1
        if self._since_sweep >= SWEEP_EVERY:
            self.sweep()
        out: list[Detection] = []
        for m in self.engine.match(event):
            corr = m.rule.correlation
            if corr is None:
                key = _value(event, m.rule.key)
                out.append(self._detection(m, dedupe(m.rule.id, key or "", event.id), m.rule.key, key, [event], {}))
            elif corr.type == "temporal_ordered":
                out += self._sequence(m, corr)
            else:
                d = self._window(m, corr)
                if d is not None:
                    out.append(d)
        return out

    # --- windows ------------------------------------------------------------------------------

    def _window(self, m: Match, corr: Correlation) -> Detection | None:
        rule, ev = m.rule, m.event
        assert corr.gte is not None  # the rule model requires gte of event_count and value_count
        key = _value(ev, corr.group_by)
        if key is None:
            return None
        per_key = self.state[rule.id].setdefault(key, {})
        # Count events in [newest event time seen - timespan, this event's time]: the same bound the
        # sweep uses, so results never depend on when a sweep or snapshot happened. A late event
        # (older than the newest by more than the timespan) counts for nothing.
        lo, now = self.watermark - corr.timespan, ev.time
        # One pass counts the live entries and notices stale ones; the window's members are sorted
        # only when it fires (most events leave a window short of its threshold).
        live = stale = 0
        if corr.type == "event_count":
            if ev.id in per_key:
                return None  # redelivered: already counted
            per_key[ev.id] = now
            for t in per_key.values():
                if t < lo:
                    stale += 1
                elif t <= now:
                    live += 1
            if stale:
                per_key = {i: t for i, t in per_key.items() if t >= lo}
        else:
            value = _value(ev, corr.field)
            if value is None:
                return None
            prev = per_key.get(value)
            if prev is None or prev[0] < now or (prev[0] == now and prev[1] > ev.id):
                per_key[value] = [now, ev.id]
            for ti in per_key.values():
                if ti[0] < lo:
                    stale += 1
                elif ti[0] <= now:
                    live += 1
            if stale:
                per_key = {v: ti for v, ti in per_key.items() if ti[0] >= lo}
        if live < corr.gte:
            if stale:
                self.state[rule.id][key] = per_key
            return None
        members: list[tuple[float, str]] | list[tuple[float, str, str]]
        if corr.type == "event_count":
            members = sorted((t, i) for i, t in per_key.items() if t <= now)
        else:
            members = sorted((ti[0], ti[1], v) for v, ti in per_key.items() if ti[0] <= now)
        self.state[rule.id].pop(key, None)  # fire once, then count afresh
        ids = [x[1] for x in members]
        window = {"type": corr.type, "timespan_s": corr.timespan, "count": len(members),
                  "first": members[0][0], "last": members[-1][0],
                  "members": [{"time": x[0], "event_id": x[1], **({"value": x[2]} if len(x) > 2 else {})}
                              for x in members]}
        return self._detection(m, dedupe(rule.id, key, *ids), corr.group_by, key, [ev], window)

    def _sequence(self, m: Match, corr: Correlation) -> list[Detection]:
        rule, ev = m.rule, m.event
        steps = corr.steps or []  # the rule model requires two or more of temporal_ordered
        state = self.state[rule.id]
        out: list[Detection] = []
        last = len(steps) - 1
        # Later steps first, so that one event never serves as both A and B of the same sequence.
        for k in sorted(m.steps, reverse=True):
            key_field = steps[k].group_by or corr.group_by
            key = _value(ev, key_field)
            if key is None:
                continue
            progress = state.setdefault(key, {})
            if k == 0:
                if "0" not in progress or progress["0"][0] < ev.time:
                    progress["0"] = [ev.time, ev.time, [ev.id]]
                continue
            before = progress.get(str(k - 1))
            if (before is None or ev.id in before[2] or before[1] < self.watermark - corr.timespan
                    or not before[1] <= ev.time <= before[0] + corr.timespan):
                continue
            done = [before[0], ev.time, before[2] + [ev.id]]
            if k < last:
                progress[str(k)] = done
                continue
            state.pop(key, None)
            window = {"type": corr.type, "timespan_s": corr.timespan, "first": done[0], "last": done[1],
                      "members": [{"step": n, "event_id": i} for n, i in enumerate(done[2])]}
            out.append(self._detection(m, dedupe(rule.id, key, *done[2]), key_field, key, [ev], window))
        return out

    def _detection(self, m: Match, key_hash: str, key_field: str | None, key: str | None, events: list[Event],
                   window: dict[str, Any]) -> Detection:
        rule, ev = m.rule, m.event
        case_ref = m.hits[0].case if m.hits else None
        evidence = {"rule": {"id": rule.id, "title": rule.title, "source": rule.source},
                    "events": [e.to_evidence() for e in events],
                    "hits": [_hit(h) for h in m.hits]}
        if m.indicators:
            evidence["indicators"] = m.indicators
        if window:
            evidence["window"] = window
        kind = KEY_FIELDS.get(key_field, key_field) if key_field else None  # "payer_iban" is an iban
        return Detection(rule, key_hash, kind, key, ev.time, ev.district, case_ref, evidence, ev.id)

    # --- upkeep and restart -------------------------------------------------------------------

    def sweep(self) -> None:
        """Forget keys whose newest entry is older than every rule's window allows."""
        self._since_sweep = 0
        for rule in self.engine.rules:
            if rule.correlation is None:
                continue
            lo = self.watermark - rule.correlation.timespan
            st = self.state[rule.id]
            for key in [k for k, v in st.items() if _newest(v) < lo]:
                del st[key]

    def snapshot(self) -> Snapshot:
        self.sweep()
        return {"watermark": self.watermark, "rules": self.state}

    def restore(self, snap: Mapping[str, Any] | None) -> None:
        """Continue from a `snapshot()` (as loaded back from JSON)."""
        if not snap:
            return
        self.watermark = float(snap.get("watermark", 0.0))
        for rule_id, st in (snap.get("rules") or {}).items():
            if rule_id in self.state:  # a rule removed since the snapshot is dropped
                self.state[rule_id] = st


def _newest(per_key: Window) -> float:
    newest = 0.0
    for v in per_key.values():
        t = v if isinstance(v, (int, float)) else v[1] if len(v) == 3 else v[0]
        newest = max(newest, t)
    return newest


def _value(ev: Event, fieldname: str | None) -> str | None:
    if not fieldname:
        return None
    v = ev.fields.get(fieldname)
    return None if v is None else str(v)


def _hit(h: WatchHit) -> dict[str, Any]:
    d = asdict(h)
    d["explanation"] = dict(h.explanation)
    return d
