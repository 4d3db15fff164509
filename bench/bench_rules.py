"""Rule engine throughput on one core: N rules (default 1,000) of every kind, a watchlist of M keys
(default 1,000,000), events from a generated province.

    .venv/bin/python bench/bench_rules.py --events 200000 --rules 1000 --keys 1000000

Prints events/s for the engine alone (events already parsed and normalised) and for parsing +
normalising + engine + windows (what the worker does per event, without the store).
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamdata import records, watchlist  # noqa: E402

from tahqiq.stream.engine import RuleEngine  # noqa: E402
from tahqiq.stream.events import event_from_record  # noqa: E402
from tahqiq.stream.rulefile import parse_rules  # noqa: E402
from tahqiq.stream.windows import Detector  # noqa: E402


def make_rules(n: int, recs: list[dict], seed: int = 7) -> list[dict]:
    """n rules in the proportions a control room might run: mostly equals/in-list and ranges,
    some text, a few regexes, watchlists and windows."""
    rnd = random.Random(seed)
    cams = sorted({r["camera_id"] for r in recs if "camera_id" in r})
    cps = sorted({r["checkpoint_id"] for r in recs if "checkpoint_id" in r})
    words = sorted({w.lower() for r in recs if "camera" in r
                    for w in r["camera"].replace("/", " ").split() if len(w) > 3})
    districts = sorted({r["district"] for r in recs if r.get("district")})
    channels = ["atm", "ibft", "raast", "online", "mobile_wallet", "pos", "branch"]
    out = []
    for i in range(n):
        k = i % 20
        rid = f"bench.r{i:04d}"
        if k < 6:
            det = {"s": {"camera_id": rnd.sample(cams, min(5, len(cams))),
                         "confidence|lt": round(rnd.uniform(0.5, 0.8), 2)}}
            schema = "PlateRead"
        elif k < 9:
            det = {"s": {"checkpoint_id": rnd.choice(cps),
                         "cnic|startswith": f"{rnd.randint(31, 38)}{rnd.randint(100, 999)}"},
                   "d": {"district": rnd.choice(districts)}}
            schema = "CheckpointCheck"
        elif k < 13:
            lo = rnd.choice([10_000, 50_000, 100_000, 500_000, 1_000_000])
            det = {"s": {"amount|between": [lo, lo * rnd.choice([1.01, 1.05, 1.1])],
                         "channel": rnd.sample(channels, 2)}}
            schema = "Transaction"
        elif k < 15:
            needles = rnd.sample(words, 2)  # drawn in this order: the same seed gives the same rules
            prefix = rnd.choice(["LE", "FD", "RN", "GA", "MN"]) + rnd.choice("ABCDEFGHJ") + "-" + str(rnd.randint(1, 9))
            det = {"s": {"camera|contains": needles}, "t": {"plate|startswith": prefix}}
            schema = "PlateRead"
        elif k == 15:
            pattern = rf"^{rnd.choice(['LE', 'FD', 'RN'])}[A-Z]-{rnd.randint(1, 9)}\d{{{rnd.randint(1, 3)}}}$"
            det = {"s": {"plate|re": pattern},
                   "c": {"confidence|lt": 0.7}}
            schema = "PlateRead"
        elif k < 18:
            field, kind, schema = rnd.choice([("cnic", "cnic", "CheckpointCheck"), ("plate", "plate", "PlateRead"),
                                              ("payer_iban", "iban", "Transaction")])
            det = {"w": {f"{field}|watchlist": kind}}
            if schema != "Transaction":
                det["d"] = {"district": rnd.sample(districts, 5)}
        else:
            schema = "PlateRead"
            det = {"s": {"camera_id": rnd.sample(cams, min(5, len(cams)))}}
        names = list(det)
        rule = {"id": rid, "title": f"bench rule {i}", "schema": schema,
                "detection": {**det, "condition": " and ".join(names) if k != 7 else f"{names[0]} and not {names[1]}"}}
        if k == 18:
            rule["correlation"] = {"type": "value_count", "group_by": "plate", "field": "camera_id",
                                   "timespan": f"{rnd.randint(5, 30)}m", "gte": 3}
        if k == 19:
            rule["correlation"] = {"type": "event_count", "group_by": "plate", "timespan": "1h",
                                   "gte": rnd.randint(3, 6)}
        out.append(rule)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--rules", type=int, default=1000)
    p.add_argument("--keys", type=int, default=1_000_000)
    p.add_argument("--persons", type=int, default=50_000, help="province size for the streams")
    a = p.parse_args()
    t = time.perf_counter()
    recs = records(a.persons, a.events)
    lookup = watchlist(a.keys, recs)
    rules = parse_rules({"rules": make_rules(a.rules, recs)}, "bench")
    engine = RuleEngine(rules, lookup)
    print(f"setup {time.perf_counter() - t:.1f} s: {len(recs):,} events, {len(rules):,} rules, "
          f"{len(lookup.entries):,} watchlist keys; {engine.stats()}")
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}")

    def timed(fn):
        """(result, wall seconds, CPU seconds of this process): on a shared machine the CPU time
        says what one core does; the wall time also counts waiting for the core."""
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, time.perf_counter() - w, time.process_time() - c

    events, *parse_t = timed(lambda: [event_from_record(r) for r in recs])
    matches, *engine_t = timed(lambda: sum(len(engine.match(e)) for e in events))
    det = Detector(engine)
    detections, *windows_t = timed(lambda: sum(len(det.process(e)) for e in events))
    from tahqiq.stream.events import normalise_key

    normalise_key.cache_clear()
    det2 = Detector(engine)
    full, *full_t = timed(lambda: sum(len(det2.process(event_from_record(r))) for r in recs))
    n = len(recs)
    print(f"{'':28}{'events/s (wall)':>16}{'events/CPU-s':>14}")
    for label, (wall, cpu), extra in (("parse + normalise only", parse_t, ""),
                                      ("engine (match)", engine_t, f"{matches:,} matches"),
                                      ("engine + windows", windows_t, f"{detections:,} detections"),
                                      ("parse + engine + windows", full_t, f"{full:,} detections (cold caches)")):
        print(f"{label:28}{n / wall:>16,.0f}{n / cpu:>14,.0f}   {extra}")


if __name__ == "__main__":
    main()
