"""Name screening against a large person watchlist: build time, memory, queries/s, latency, recall.

    .venv/bin/python bench/bench_screen.py                       # 1,000,000 entries, 20,000 queries
    .venv/bin/python bench/bench_screen.py --entries 100000 --queries 5000

The list: generated Pakistani names (tahqiq.generate's name tables: pakgender first names, Muhammad,
Ghulam/Abdul/Allah compounds, clan names), each entry with a father's name and a date of birth; 30%
carry an Urdu-script alias and 15% a second Roman spelling. The queries: entries written again the
way police records write names (Muhammad/Mohd/M., Ch./Rana titles, other romanisations, typing
slips, "s/o" parentage), 20% in Urdu script, and 10% people who are not on the list; one run with
queries carrying the father's name and birth year (a warrant, a checkpoint record), one with the name
alone. Every hit above the threshold counts (no top ten); "ranked first" is the listed person at the
head of the list. One process, one core, one query at a time; the clock is fixed.
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


def queries(parts, fathers, births, count: int, seed: int, facts: bool):
    """(query name, father's name or None, birth year or None, expected entry id or None).

    facts: the query carries what a warrant or checkpoint record has, the name plus the father's
    name and the year of birth; otherwise the name alone (with "s/o" parentage in 30% of names)."""
    r = random.Random(seed)
    stranger_parts, stranger_fathers, stranger_births = people(count, seed + 99)
    out = []
    for k in range(count):
        if r.random() < 0.1:
            p, f, target, born = stranger_parts[k], stranger_fathers[k], None, stranger_births[k]
        else:
            i = r.randrange(len(parts))
            p, f, target, born = parts[i], fathers[i], i + 1, births[i]
        name = render_urdu(p, r) if r.random() < 0.2 else render(p, QUERY_STYLE, r)
        if facts:
            out.append((name, render(f, QUERY_STYLE, r), int(born[:4]), target))
            continue
        if r.random() < 0.3 and not name[0] > "\u0600":
            name = f"{name} {'s/o' if p[0] == 'M' else 'd/o'} {render(f, QUERY_STYLE, r)}"
        out.append((name, None, None, target))
    return out


def run(index: WatchlistIndex, qs, threshold: float, label: str) -> None:
    lat, cpu = [], 0.0
    found = first = top10 = listed = false_hits = strangers = refused = below = blocked = unblocked = 0
    sizes = []
    for name, father, year, target in qs:
        c, t = time.process_time(), time.perf_counter()
        try:
            res = index.match_names(name, father_name=father, birth_year=year, threshold=threshold, limit=10)
        except ValueError:  # nothing but titles left ("Malik", "Rana" rendered as clan-only): refused
            res, refused = None, refused + 1
        lat.append(time.perf_counter() - t)
        cpu += time.process_time() - c
        ranked = res.ranked_ids if res else ()
        sizes.append(len(ranked))
        if target is None:
            strangers += 1
            false_hits += bool(ranked)
            continue
        listed += 1
        if res is None:
            below += 1
            continue
        if target not in index.blocked_entries(name, father_name=father, birth_year=year):  # not timed
            unblocked += 1
        if target in ranked:
            found += 1
            first += ranked[0] == target
            top10 += target in ranked[:10]
            continue
        own = index.score_entry(name, target, father_name=father)  # outside the timed part
        if own is None or own.score < threshold:
            below += 1  # the canonicaliser itself scores the variant below the threshold
        else:
            blocked += 1  # would have scored enough, but blocking (or the spelling budget) missed it
    total = sum(lat)
    lat.sort()
    q = statistics.quantiles(lat, n=100)
    print(f"--- {label} ---")
    print(f"queries: {len(qs):,} in {total:.1f} s wall = {len(qs) / total:,.0f} q/s; {cpu:.1f} s CPU = "
          f"{len(qs) / cpu:,.0f} q/s per busy core (the machine is shared: load {os.getloadavg()[0]:.1f})")
    print(f"latency: p50 {q[49] * 1e3:.2f} ms, p90 {q[89] * 1e3:.2f} ms, p99 {q[98] * 1e3:.2f} ms, "
          f"max {lat[-1] * 1e3:.1f} ms; hits per query: median {statistics.median(sizes):.0f}, max {max(sizes):,}")
    print(f"refused queries (no name words): {refused}")
    print(f"listed people queried: {listed:,}; found among the hits (any rank, threshold {threshold}): "
          f"{found / listed:.1%}; ranked first: {first / listed:.1%}; in the first page of ten: "
          f"{top10 / listed:.1%}; scored below the threshold by the name similarity itself: "
          f"{below / listed:.1%}; lost by blocking or the spelling budget: {blocked / listed:.1%}; "
          f"recall of blocking alone: {1 - unblocked / listed:.2%}")
    print(f"people not on the list with at least one hit: {false_hits / max(strangers, 1):.1%} of {strangers:,} "
          "(namesakes: generated names repeat, as real ones do)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--run", choices=("both", "facts", "name"), default="both",
                    help="queries with the name + father's name + birth year, the name alone, or both")
    args = ap.parse_args()

    t0 = time.perf_counter()
    parts, fathers, births = people(args.entries, args.seed)
    print(f"generated {args.entries:,} people in {time.perf_counter() - t0:.1f} s")

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
    for facts in (True, False) if args.run == "both" else (args.run == "facts",):
        qs = queries(parts, fathers, births, args.queries, args.seed + 7, facts)
        run(index, qs, args.threshold, "name + father's name + birth year" if facts else "name alone")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")


if __name__ == "__main__":
    main()
