"""Name screening against a large person watchlist: build time, memory, queries/s, latency, recall.

    .venv/bin/python bench/bench_screen.py                       # 1,000,000 entries, 20,000 queries
    .venv/bin/python bench/bench_screen.py --entries 100000 --queries 5000

The list: generated Pakistani names (tahqiq.generate's name tables: pakgender first names, Muhammad,
Ghulam/Abdul/Allah compounds, clan names), each entry with a father's name and a date of birth; 30%
carry an Urdu-script alias and 15% a second Roman spelling. The queries: entries written again the
way police records write names (Muhammad/Mohd/M., Ch./Rana titles, other romanisations, typing
slips, "s/o" parentage), 20% in Urdu script, and 10% people who are not on the list. One process,
one core, one query at a time; the clock is fixed so nothing expires during the run.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from tahqiq.generate.names import MUHAMMAD_FORMS, NameFactory, Style, canonical, render, render_urdu
from tahqiq.screen.index import WatchlistIndex
from tahqiq.screen.watchlists import EntryInfo

LIST_STYLE = Style(romanise=0.1, clan_abbrev=0.1)
QUERY_STYLE = Style(muhammad_forms=MUHAMMAD_FORMS, muhammad_weights=(5, 3, 1, 1, 2, 1, 2, 1), drop_muhammad=0.1,
                    romanise=0.35, typo=0.12, clan_drop=0.15, clan_move=0.05, clan_abbrev=0.3, honorific=0.3,
                    mst=0.3, upper=0.1)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def people(n: int, seed: int):
    """Name parts, fathers' name parts and birth dates of n people."""
    factory = NameFactory(np.random.default_rng(seed), random.Random(seed))
    men = int(n * 0.8)  # watchlists of wanted persons are mostly men
    parts = factory.male_parts(men) + factory.female_parts(n - men)
    fathers = factory.male_parts(n, older=True)
    r = random.Random(seed + 1)
    random.Random(seed + 2).shuffle(parts)
    births = [f"{r.randint(1955, 2004)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}" for _ in range(n)]
    return parts, fathers, births


def entries(parts, fathers, births, seed: int):
    r = random.Random(seed)
    expires = NOW + timedelta(days=200)
    for i, p in enumerate(parts):
        names = [render(p, LIST_STYLE, r)]
        if r.random() < 0.3:
            names.append(render_urdu(p, r))
        if r.random() < 0.15:
            names.append(render(p, QUERY_STYLE, r))
        yield EntryInfo(i + 1, f"CASE-{i % 500:04d}", "warrant W-1/2026", "person", names[0],
                        tuple(("name", n) for n in dict.fromkeys(names)), "bench", "bench", NOW, expires,
                        birth_date=births[i], father_name=canonical(fathers[i]))


def queries(parts, fathers, births, count: int, seed: int):
    """(query name, birth date or None, expected entry id or None)."""
    r = random.Random(seed)
    stranger_parts, stranger_fathers, _ = people(count, seed + 99)
    out = []
    for k in range(count):
        if r.random() < 0.1:
            p, f, target, dob = stranger_parts[k], stranger_fathers[k], None, None
        else:
            i = r.randrange(len(parts))
            p, f, target = parts[i], fathers[i], i + 1
            dob = births[i] if r.random() < 0.5 else None
        if r.random() < 0.2:
            name = render_urdu(p, r)
        else:
            name = render(p, QUERY_STYLE, r)
            if r.random() < 0.3:
                name = f"{name} {'s/o' if p[0] == 'M' else 'd/o'} {render(f, QUERY_STYLE, r)}"
        out.append((name, dob, target))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()

    t0 = time.perf_counter()
    parts, fathers, births = people(args.entries, args.seed)
    qs = queries(parts, fathers, births, args.queries, args.seed + 7)
    print(f"generated {args.entries:,} people and {len(qs):,} queries in {time.perf_counter() - t0:.1f} s")

    gc.collect()
    rss0 = rss_mib()
    t0 = time.perf_counter()
    gc.disable()  # the build allocates millions of small objects that never form cycles
    index = WatchlistIndex(entries(parts, fathers, births, args.seed + 3), clock=NOW.timestamp)
    gc.enable()
    gc.collect()
    gc.freeze()  # a long-lived index: keep the collector from re-walking its millions of objects
    build_s = time.perf_counter() - t0
    gc.collect()
    rss1 = rss_mib()
    print(f"index: {index.stats()}")
    print(f"build: {build_s:.1f} s ({args.entries / build_s:,.0f} entries/s), memory +{rss1 - rss0:,.0f} MiB "
          f"(RSS {rss1:,.0f} MiB)")

    lat, cpu = [], 0.0
    found = listed = false_hits = strangers = refused = crowded = below = blocked = 0
    for name, dob, target in qs:
        c, t = time.process_time(), time.perf_counter()
        try:
            hits = index.match_name(name, birth_date=dob, threshold=args.threshold)
        except ValueError:  # nothing but titles left ("Malik", "Rana" rendered as clan-only): refused
            hits, refused = [], refused + 1
        lat.append(time.perf_counter() - t)
        cpu += time.process_time() - c
        if target is None:
            strangers += 1
            false_hits += bool(hits)
        else:
            listed += 1
            if any(h.entry_id == target for h in hits):
                found += 1
                continue
            own = index.score_entry(name, target, birth_date=dob)  # outside the timed part
            if own is None or own.score < args.threshold:
                below += 1  # the canonicaliser itself scores the variant below the threshold
            elif len(hits) == 10 and hits[-1].score >= own.score:
                crowded += 1  # as good a match for ten namesakes: nothing tells them apart
            else:
                blocked += 1  # would have scored enough, but blocking did not bring it up
    total = sum(lat)
    lat.sort()
    q = statistics.quantiles(lat, n=100)
    print(f"queries: {len(qs):,} in {total:.1f} s wall = {len(qs) / total:,.0f} q/s; {cpu:.1f} s CPU = "
          f"{len(qs) / cpu:,.0f} q/s per busy core (the machine is shared: load {os.getloadavg()[0]:.1f})")
    print(f"latency: p50 {q[49] * 1e3:.2f} ms, p90 {q[89] * 1e3:.2f} ms, p99 {q[98] * 1e3:.2f} ms, "
          f"max {lat[-1] * 1e3:.1f} ms")
    print(f"refused queries (no name words): {refused}")
    print(f"listed people queried: {listed:,}; found among the hits (threshold {args.threshold}, limit 10): "
          f"{found / listed:.1%}; crowded out by ten namesakes scoring as high: {crowded / listed:.1%}; "
          f"scored below the threshold by the name similarity itself: {below / listed:.1%}; "
          f"lost by blocking: {blocked / listed:.1%}")
    print(f"people not on the list with at least one hit: {false_hits / max(strangers, 1):.1%} of {strangers:,} "
          "(namesakes: generated names repeat, as real ones do)")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")


if __name__ == "__main__":
    main()
