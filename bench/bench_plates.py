"""Plates read by cameras: do misread wanted plates still alert, how many other plates alert
falsely, and how many reads a second one core looks up.

    .venv/bin/python bench/bench_plates.py --wanted 10000 --reads 1000000

N wanted plates (Pakistani registration marks: district mark, series letter, number, some with a
year) are listed in a WatchlistIndex. The stream holds one read of each wanted plate with one
single-character camera error (a look-alike confusion, or a dropped character, drawn by the
generator's camera model, tahqiq.generate.events.camera_misread), mixed into reads of plates that
are NOT wanted, which themselves carry the generator's misread rates (3% confusion, 1% dropped).
Each read goes the way the stream worker sends it: normalised as a plate when it is one, else
kept as read, then `index.hits("plate", value)`.

Reports: the share of misread wanted plates that alert on their entry (target >= 95%), false
alerts per 1M reads of plates that are not wanted (any hit at all), and reads/s with and without
near matching.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from datetime import UTC, datetime, timedelta

from tahqiq.generate.events import (
    CAMERA_LOOKALIKES,
    READ_CONFUSED,
    READ_DROPPED,
    READ_EXACT,
    camera_misread,
    read_quality,
)
from tahqiq.screen import WatchlistIndex
from tahqiq.screen.watchlists import EntryInfo
from tahqiq.stream.events import normalise_key

NOW = datetime(2026, 7, 1, tzinfo=UTC)
# Registration marks of Punjab, Sindh, KP and Islamabad districts, as on plates.
MARKS = ("LE", "RI", "FD", "GA", "MN", "SG", "SK", "GT", "BW", "DG", "JH", "KS", "OK", "SL", "RY", "KH", "HY",
         "SK", "PE", "MR", "AB", "IS", "IDL", "BN", "AT", "CT", "ICT", "QA", "LR", "MG")
SERIES = "ABCDEFGHJKLMNPRSTUVWXYZ"


def random_plate(rnd: random.Random) -> str:
    mark = rnd.choice(MARKS) + rnd.choice(SERIES)
    number = rnd.randint(1, 9999)
    return f"{mark}-{rnd.randint(0, 25):02d}-{number}" if rnd.random() < 0.3 else f"{mark}-{number}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wanted", type=int, default=10_000)
    ap.add_argument("--reads", type=int, default=1_000_000)
    ap.add_argument("--plate-lengths", action="store_true",
                    help="also match reads with a character missing or extra (off by default)")
    ap.add_argument("--fleet", type=int, default=400_000, help="distinct plates that are not wanted")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    plates: set[str] = set()
    while len(plates) < args.wanted + args.fleet:
        plates.add(normalise_key("plate", random_plate(rnd)) or "")
    plates.discard("")
    everything = sorted(plates)
    rnd.shuffle(everything)
    wanted, fleet = everything[:args.wanted], everything[args.wanted:]
    entries = [EntryInfo(i + 1, "CASE-B", "FIR 1/2026", "plate", p, (("plate", p),), "stolen", "bench", NOW,
                         NOW + timedelta(days=30)) for i, p in enumerate(wanted)]
    t0 = time.perf_counter()
    index = WatchlistIndex(entries, clock=NOW.timestamp, plate_lengths=args.plate_lengths)
    build_s = time.perf_counter() - t0
    entry_of = {p: i + 1 for i, p in enumerate(wanted)}

    # (read text, truth plate, wanted?, how it was read)
    stream: list[tuple[str, str, bool, int]] = []
    confusable = [p for p in wanted if any(ch in CAMERA_LOOKALIKES for ch in p.replace("-", ""))]
    for p in wanted:
        how = READ_CONFUSED if p in confusable and rnd.random() < 0.75 else READ_DROPPED
        stream.append((camera_misread(p, how, rnd.random), p, True, how))
    weights = [1.0 / (k + 1) ** 0.6 for k in range(len(fleet))]  # some vehicles pass cameras far more often
    for p in rnd.choices(fleet, weights=weights, k=max(0, args.reads - len(stream))):
        how = read_quality(rnd.random)
        stream.append((camera_misread(p, how, rnd.random), p, False, how))
    rnd.shuffle(stream)

    def run(near: bool) -> tuple[float, list[list]]:
        normalise_key.cache_clear()
        out = []
        t = time.perf_counter()
        for read, _truth, _w, _how in stream:
            value = normalise_key("plate", read) or read
            out.append(index.hits("plate", value, near=near))
        return time.perf_counter() - t, out

    exact_s, _ = run(near=False)
    near_s, results = run(near=True)

    found = {READ_CONFUSED: [0, 0], READ_DROPPED: [0, 0]}
    false_alerts = {READ_EXACT: 0, READ_CONFUSED: 0, READ_DROPPED: 0}
    other = {READ_EXACT: 0, READ_CONFUSED: 0, READ_DROPPED: 0}
    wrong_too = 0
    by_error: dict[str, int] = {}
    for (_read, truth, is_wanted, how), hits in zip(stream, results, strict=True):
        if is_wanted:
            ok = any(h.entry_id == entry_of[truth] for h in hits)
            found[how][0] += ok
            found[how][1] += 1
            wrong_too += any(h.entry_id != entry_of[truth] for h in hits)
        else:
            other[how] += 1
            false_alerts[how] += bool(hits)
            if hits:
                error = min(hits, key=lambda h: -h.score).explanation.get("error", "exact")
                by_error[error] = by_error.get(error, 0) + 1
    n_other = sum(other.values())
    n_wanted = sum(v[1] for v in found.values())
    recall = sum(v[0] for v in found.values()) / n_wanted
    print(f"plates: {args.wanted:,} wanted, {len(fleet):,} others; stream {len(stream):,} reads "
          f"({n_wanted:,} misread wanted, {n_other:,} not wanted); index built in {build_s:.2f} s; "
          f"{platform.python_implementation()} {platform.python_version()}, one core")
    for how, name in ((READ_CONFUSED, "look-alike confusion"), (READ_DROPPED, "dropped character")):
        hit, n = found[how]
        print(f"  misread wanted, {name}: {hit:,}/{n:,} alert on their entry ({hit / max(n, 1):.2%})")
    print(f"  misread wanted plates that still alert: {recall:.2%} (also hitting another wanted plate: {wrong_too:,})")
    per_m = 1e6 / max(n_other, 1)
    print(f"  false alerts per 1M reads of plates not wanted: {sum(false_alerts.values()) * per_m:,.0f} "
          f"(exact reads {false_alerts[READ_EXACT] * per_m:,.0f}, confused {false_alerts[READ_CONFUSED] * per_m:,.0f}, "
          f"dropped {false_alerts[READ_DROPPED] * per_m:,.0f})")
    print("  ... by the best hit's error: " + ", ".join(f"{k} {v * per_m:,.0f}" for k, v in sorted(by_error.items())))
    print(f"  reads/s: exact only {len(stream) / exact_s:,.0f}; with near matching {len(stream) / near_s:,.0f}")


if __name__ == "__main__":
    main()
