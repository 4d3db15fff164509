"""Indicator matching throughput: 1M indicators of mixed kinds, lookups on one core.

    .venv/bin/python bench/bench_intel_match.py            # the full 1M (about a minute, ~1 GB)
    .venv/bin/python bench/bench_intel_match.py --scale 0.1

Indicators: IPv4 500k (50k of them CIDR blocks /8–/31, nested and overlapping: four /8 and /12, 1% /16),
IPv6 50k (5k networks), domains 200k, URLs 100k, hashes 150k (MD5, SHA-1, SHA-256 alike). Lookups per kind in the same
proportions, about 10% of them hits (for domains: subdomains of indicator domains; for URLs: the same URL
written differently half the time). Prints lookups/s per kind for `match_many` (batches of 10,000) and
for single `match`, overall, build time, memory (RSS delta) and the load average. Target: >= 1,000,000
lookups/s overall with match_many.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time

from tahqiq.intel.matcher import IndicatorMatcher
from tahqiq.intel.model import Indicator

SIZES = {"ipv4": 450_000, "cidr4": 50_000, "ipv6": 45_000, "cidr6": 5_000, "domain": 200_000, "url": 100_000,
         "hash": 150_000}
BATCH = 10_000


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def ip4(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def ip6(rng: random.Random) -> str:
    return "2001:db8:" + ":".join(f"{rng.randrange(65536):x}" for _ in range(6))


def word(rng: random.Random, n: int = 8) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(n))


def make(scale: float, rng: random.Random) -> tuple[list[Indicator], dict[str, list[str]]]:
    """Indicators, and per kind the values they were made from (for drawing hits)."""
    n = {k: max(1, int(v * scale)) for k, v in SIZES.items()}
    values: dict[str, list[str]] = {k: [] for k in ("ipv4", "cidr4", "ipv6", "cidr6", "domain", "url", "hash")}
    inds: list[Indicator] = []

    def add(kind: str, value: str, bucket: str) -> None:
        inds.append(Indicator(id=f"indicator--{len(inds):08d}", kind=kind, value=value, source="bench",
                              confidence=70))
        values[bucket].append(value)

    for _ in range(n["ipv4"]):
        add("ipv4", ip4(rng), "ipv4")
    for i in range(n["cidr4"]):
        # Feeds list mostly small blocks; a few wide ones (/8, /12, /16) nest over many others.
        prefix = (8, 12)[i % 2] if i < 4 else 16 if i % 100 == 0 else rng.choice((20, 22, 24, 24, 24, 26, 28, 30, 31))
        add("cidr", f"{ip4(rng)}/{prefix}", "cidr4")
    for _ in range(n["ipv6"]):
        add("ipv6", ip6(rng), "ipv6")
    for _ in range(n["cidr6"]):
        add("cidr", f"{ip6(rng)}/{rng.choice((48, 56, 64, 96, 112))}", "cidr6")
    for _ in range(n["domain"]):
        add("domain", f"{word(rng)}.{rng.choice(('com', 'net', 'org', 'pk', 'info', 'xyz'))}", "domain")
    for _ in range(n["url"]):
        add("url", f"http://{word(rng, 6)}.com/{word(rng, 5)}/{word(rng, 7)}.php?id={rng.randrange(10**6)}", "url")
    for i in range(n["hash"]):
        add(("md5", "sha1", "sha256")[i % 3], rng.getrandbits((128, 160, 256)[i % 3]).to_bytes(
            (16, 20, 32)[i % 3], "big").hex(), "hash")
    return inds, values


def queries(values: dict[str, list[str]], scale: float, rng: random.Random) -> dict[str, list[str]]:
    """Lookups per kind, 10% drawn to hit."""
    out: dict[str, list[str]] = {}

    def mix(count: int, hit, miss) -> list[str]:                                  # type: ignore[no-untyped-def]
        return [hit() if rng.random() < 0.1 else miss() for _ in range(count)]

    n4 = int((SIZES["ipv4"] + SIZES["cidr4"]) * scale)
    out["ipv4"] = mix(n4, lambda: rng.choice(values["ipv4"]), lambda: ip4(rng))
    out["ipv6"] = mix(int((SIZES["ipv6"] + SIZES["cidr6"]) * scale), lambda: rng.choice(values["ipv6"]),
                      lambda: "2001:db9::" + f"{rng.randrange(65536):x}")
    out["domain"] = mix(int(SIZES["domain"] * scale), lambda: "www." + rng.choice(values["domain"]),
                        lambda: f"{word(rng)}.{word(rng, 5)}.com")
    out["url"] = mix(int(SIZES["url"] * scale),
                     lambda: rng.choice(values["url"]).replace("http://", rng.choice(("http://", "HTTP://"))),
                     lambda: f"http://{word(rng, 6)}.org/{word(rng, 5)}/x.php?id={rng.randrange(10**6)}")
    out["hash"] = mix(int(SIZES["hash"] * scale), lambda: rng.choice(values["hash"]).upper(),
                      lambda: rng.getrandbits(256).to_bytes(32, "big").hex())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--single", type=int, default=20_000, help="single match() calls per kind")
    args = parser.parse_args()
    rng = random.Random(14)
    inds, values = make(args.scale, rng)
    qs = queries(values, args.scale, rng)
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    matcher = IndicatorMatcher.build(inds)
    build_s = time.perf_counter() - started
    gc.collect()
    # A service holding a million long-lived objects freezes them, so the collector stops walking them on
    # every cycle (the batch results are many small lists that trigger cycles).
    gc.freeze()
    print(f"indicators: {len(matcher):,}  build: {build_s:.1f} s  RSS delta: {rss_mb() - before:,.0f} MB")
    print(f"stats: {matcher.stats()}")
    kind_of = {"ipv4": "ip", "ipv6": "ip", "domain": "domain", "url": "url", "hash": "hash"}
    total_n = 0
    total_s = 0.0
    for name, vals in qs.items():
        started = time.perf_counter()
        hits = 0
        for i in range(0, len(vals), BATCH):
            hits += sum(1 for r in matcher.match_many(kind_of[name], vals[i:i + BATCH]) if r)
        seconds = time.perf_counter() - started
        total_n += len(vals)
        total_s += seconds
        sample = vals[: args.single]
        started = time.perf_counter()
        for v in sample:
            matcher.match(kind_of[name], v)
        single = len(sample) / (time.perf_counter() - started)
        print(f"{name:7s} {len(vals):>9,} lookups  match_many {len(vals) / seconds:>12,.0f}/s  "
              f"hits {hits / max(1, len(vals)):.1%}  single match {single:>10,.0f}/s")
    print(f"overall {total_n:,} lookups in {total_s:.2f} s: {total_n / total_s:,.0f} lookups/s "
          f"(target 1,000,000)")
    print(f"load average: {open('/proc/loadavg').read().strip()}")


if __name__ == "__main__":
    main()
