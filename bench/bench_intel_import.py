"""STIX import throughput into PostgreSQL, through the gate (target: >= 2,000 objects/s).

    .venv/bin/python bench/bench_intel_import.py --objects 100000

Generates a bundle of N mixed STIX 2.1 objects with the stix2 library once (kept in
/tmp/tahqiq-bench-intel-N.json): 45% indicators (every simple kind, and some compound patterns),
15% observables (half named by an indicator), 10% malware, threat actors and campaigns, 20%
relationships and 10% sightings, a few malformed. Then imports it as the scheduled job into a fresh
PostgreSQL schema and prints objects/s with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import stix2  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tahqiq.govern import SYSTEM, Gate  # noqa: E402
from tahqiq.intel.service import import_paths  # noqa: E402
from tahqiq.store import open_store  # noqa: E402

POSTGRES = os.environ.get("TAHQIQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MARKS = [stix2.TLP_GREEN.id, stix2.TLP_AMBER.id, stix2.TLP_RED.id, None]


def _pattern(rng: random.Random, n: int) -> str:
    pick = n % 10
    if pick == 0:
        return f"[ipv4-addr:value = '10.{n % 250}.{(n // 250) % 250}.{n % 7}']"
    if pick == 1:
        return f"[ipv6-addr:value = '2001:db8::{n // 65536:x}:{n % 65536:x}']"
    if pick == 2:
        return f"[domain-name:value = 'host{n}.example']"
    if pick == 3:
        return f"[url:value = 'https://site{n}.example/login?id={n}']"
    if pick == 4:
        return f"[file:hashes.'SHA-256' = '{rng.getrandbits(256):064x}']"
    if pick == 5:
        return f"[file:hashes.MD5 = '{rng.getrandbits(128):032x}']"
    if pick == 6:
        return f"[email-addr:value = 'user{n}@mail.example']"
    if pick == 7:
        return f"[ipv4-addr:value = '172.{16 + n % 16}.{(n // 16) % 250}.0/24']"
    if pick == 8:
        return f"[x-phone:value = '+9230{n % 100_000_000:08d}']"
    return f"[domain-name:value = 'a{n}.example' OR ipv4-addr:value = '192.0.{n % 250}.1']"


def generate(n: int, path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    objs: list = []
    indicators: list = []
    targets: list = []
    for i in range(n):
        slot = i % 20
        mark = MARKS[i % len(MARKS)]
        extra = {"object_marking_refs": [mark]} if mark else {}
        if slot < 9:
            ind = stix2.Indicator(pattern=_pattern(rng, i), pattern_type="stix", valid_from="2026-01-01T00:00:00Z",
                                  confidence=rng.randint(10, 100), **extra)
            indicators.append(ind)
            objs.append(ind)
        elif slot < 12:
            sco = (stix2.IPv4Address(value=f"100.64.{(i // 250) % 250}.{i % 250}") if i % 2 else
                   stix2.DomainName(value=f"obs{i}.example"))
            objs.append(sco)
            if i % 4 < 2 and indicators:
                objs.append(stix2.Relationship(indicators[-1], "based-on", sco))
        elif slot < 14:
            sdo = [stix2.Malware(name=f"family{i}", is_family=True), stix2.ThreatActor(name=f"actor{i}"),
                   stix2.Campaign(name=f"campaign{i}")][i % 3]
            targets.append(sdo)
            objs.append(sdo)
        elif slot < 18 and indicators and targets:
            objs.append(stix2.Relationship(indicators[-1], "indicates", targets[-1]))
        elif indicators:
            objs.append(stix2.Sighting(sighting_of_ref=indicators[-1].id, count=rng.randint(1, 9)))
    body = ",".join(o.serialize() for o in objs[:n])
    bad = '{"type": "indicator", "id": "indicator--' + str(uuid.uuid4()) + '", "pattern": "[ipv4-addr:value = "}'
    path.write_text('{"type": "bundle", "id": "bundle--' + str(uuid.uuid4()) + '", "objects": [' + body + "," +
                    bad + "]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    args = parser.parse_args()
    path = Path(f"/tmp/tahqiq-bench-intel-{args.objects}.json")
    if not path.exists():
        started = time.perf_counter()
        generate(args.objects, path)
        print(f"generated {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        engine = open_store(POSTGRES, schema=schema)
        gate = Gate(engine)
        with gate.scope(SYSTEM, "benchmark STIX import") as job:
            result = import_paths(job, [path], source="bench", owner_agency="BENCH", progress=True)
        gate.dispose()
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    counts = result.counts
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"] * 3
    print("| objects | indicators | kept objects | quarantined | seconds | objects/s | cores | load (1/5/15 min) |")
    print(f"| {counts.get('read', 0):,} | {counts.get('indicators', 0):,} | {counts.get('objects', 0):,} | "
          f"{counts.get('rejected', 0):,} | {result.seconds:.1f} | {result.objects_per_second:,.0f} | "
          f"{os.cpu_count()} ({platform.processor() or platform.machine()}) | {' '.join(load)} |")


if __name__ == "__main__":
    main()
