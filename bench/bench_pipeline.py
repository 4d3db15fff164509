"""Pipeline throughput and latency: stream -> bus -> worker (rules, windows) -> alerts in the store.

    .venv/bin/python bench/bench_pipeline.py --events 200000                 # embedded + NATS
    .venv/bin/python bench/bench_pipeline.py --latency-rate 5000 --latency-seconds 20

embedded   in-process bus, producer and worker in one process (one core), SQLite store
nats       JetStream, durable consumer, explicit acks; a publisher process and the worker run at
           the same time; rate = events / (first publish -> last alert committed)
latency    a publisher process at --latency-rate events/s (batches of --latency-batch), the worker
           on JetStream: event-to-alert time = alert committed - batch sent (both on this host's
           clock), p50/p99 over messages and over alerts
Rules: the shipped rules (src/tahqiq/stream/rules) with a 100,000-key dict watchlist.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from streamdata import records, watchlist  # noqa: E402

from tahqiq.alerts import write_alerts
from tahqiq.store import open_store  # noqa: E402
from tahqiq.stream.bus import InProcessBus, NatsBus  # noqa: E402
from tahqiq.stream.engine import RuleEngine  # noqa: E402
from tahqiq.stream.rulefile import load_rules  # noqa: E402
from tahqiq.stream.windows import Detector  # noqa: E402
from tahqiq.stream.worker import Worker, replay  # noqa: E402

NATS = os.environ.get("TAHQIQ_NATS_URL", "nats://127.0.0.1:4222")


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else float("nan")


def fresh_store():
    path = Path(tempfile.mkdtemp(prefix="tahqiq-bench-")) / "store.db"
    return open_store(f"sqlite:///{path}")


def embedded(recs, lookup, batch: int) -> None:
    engine = fresh_store()

    async def run():
        bus = InProcessBus()
        worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup)), bus, sink=write_alerts)

        async def produce():
            await replay(bus, recs, batch_size=batch)
            await bus.close()

        t, c = time.perf_counter(), time.process_time()
        stats = (await asyncio.gather(produce(), worker.run()))[1]
        return stats, time.perf_counter() - t, time.process_time() - c

    stats, dt, cpu = asyncio.run(run())
    print(f"embedded      {stats.events / dt:>10,.0f} events/s   ({stats.events / cpu:,.0f} per CPU-second)   "
          f"{stats.events:,} events, {stats.alerts_new:,} alerts ({stats.detections:,} detections), {dt:.1f} s, "
          f"batch {batch}")


def publisher(stream: str, n: int, persons: int, batch: int, rate: float | None) -> subprocess.Popen:
    code = (f"import asyncio, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "from streamdata import records; from tahqiq.stream.bus import NatsBus; "
            "from tahqiq.stream.worker import replay\n"
            f"recs = records({persons}, {n})\n"
            "async def go():\n"
            f"    bus = await NatsBus({NATS!r}, stream={stream!r}, subject={stream + '.events'!r}).connect()\n"
            "    print('ready', flush=True); sys.stdin.readline()\n"
            f"    await replay(bus, recs, batch_size={batch}, rate={rate!r}); await bus.close()\n"
            "asyncio.run(go())")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


CHECKPOINT_EVERY = [1.0]


async def nats_worker(stream: str, lookup, n: int, start_publisher) -> tuple:
    engine = fresh_store()
    bus = await NatsBus(NATS, stream=stream, subject=f"{stream}.events", durable=stream.lower()).connect()
    worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup)), bus, sink=write_alerts, consumer=stream.lower(),
                    fetch_messages=64, checkpoint_every=CHECKPOINT_EVERY[0])
    t, c = time.perf_counter(), time.process_time()
    start_publisher()
    stats = await worker.run(idle_exit=3.0, max_events=n)
    dt = time.perf_counter() - t
    stats.cpu_seconds = time.process_time() - c  # the worker process only (the publisher is another)
    await bus.delete_stream()
    await bus.close()
    return stats, dt


def through_nats(n: int, persons: int, lookup, batch: int) -> None:
    stream = "BENCH_" + uuid.uuid4().hex[:8].upper()
    proc = publisher(stream, n, persons, batch, None)

    def go():
        proc.stdin.write("go\n")
        proc.stdin.flush()

    stats, dt = asyncio.run(nats_worker(stream, lookup, n, go))
    proc.wait()
    print(f"nats          {stats.events / dt:>10,.0f} events/s   "
          f"(worker {stats.events / stats.cpu_seconds:,.0f} per CPU-second)   {stats.events:,} events, "
          f"{stats.alerts_new:,} alerts ({stats.detections:,} detections), "
          f"{dt:.1f} s, batch {batch}, {stats.checkpoints} checkpoints")


def latency(rate: float, seconds: float, persons: int, lookup, batch: int) -> None:
    n = int(rate * seconds)
    stream = "BENCHLAT_" + uuid.uuid4().hex[:8].upper()
    proc = publisher(stream, n, persons, batch, rate)

    def go():
        proc.stdin.write("go\n")
        proc.stdin.flush()

    stats, dt = asyncio.run(nats_worker(stream, lookup, n, go))
    proc.wait()
    lat, alat = stats.latencies, stats.alert_latencies
    print(f"latency @ {rate:,.0f} ev/s (batch {batch}, {stats.events:,} events, {dt:.1f} s): "
          f"message commit - sent p50 {pct(lat, .5):.1f} ms p99 {pct(lat, .99):.1f} ms max {pct(lat, 1):.1f} ms; "
          f"alerts ({len(alat):,}) p50 {pct(alat, .5):.1f} ms p99 {pct(alat, .99):.1f} ms; "
          f"+ up to {batch / rate * 1000:.0f} ms batching wait for an event's batch to fill; "
          f"store commits ({len(stats.commit_seconds):,}) p50 {pct(stats.commit_seconds, .5):.1f} ms "
          f"p99 {pct(stats.commit_seconds, .99):.1f} ms max {pct(stats.commit_seconds, 1):.1f} ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--persons", type=int, default=50_000)
    p.add_argument("--keys", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--only", choices=["embedded", "nats", "latency"], action="append")
    p.add_argument("--latency-rate", type=float, default=5000)
    p.add_argument("--latency-seconds", type=float, default=20)
    p.add_argument("--latency-batch", type=int, default=25)
    p.add_argument("--checkpoint-every", type=float, default=1.0, help="worker checkpoint interval (s)")
    a = p.parse_args()
    CHECKPOINT_EVERY[0] = a.checkpoint_every
    recs = records(a.persons, max(a.events, int(a.latency_rate * a.latency_seconds)))
    lookup = watchlist(a.keys, recs)
    only = set(a.only or ["embedded", "nats", "latency"])
    print(json.dumps({"events": a.events, "watchlist_keys": len(lookup.entries), "rules": len(load_rules())}))
    if "embedded" in only:
        embedded(recs[: a.events], lookup, a.batch)
    if "nats" in only:
        through_nats(a.events, a.persons, lookup, a.batch)
    if "latency" in only:
        latency(a.latency_rate, a.latency_seconds, a.persons, lookup, a.latency_batch)


if __name__ == "__main__":
    main()
