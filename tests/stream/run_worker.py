"""A detection worker in its own process, for the SIGKILL test: the shipped rules, a dict-backed
watchlist of the given keys, the store from TAHQIQ_DATABASE_URL / TAHQIQ_DATABASE_SCHEMA.
Prints the worker's counts as JSON when it stops.

    python -m tests.stream.run_worker --stream S --consumer C [--watch plate=LEA-1234 ...] [--slow 0.05]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from tahqiq.alerts import write_alerts
from tahqiq.store import open_store
from tahqiq.stream.bus import NatsBus
from tahqiq.stream.engine import RuleEngine
from tahqiq.stream.rulefile import load_rules
from tahqiq.stream.windows import Detector
from tahqiq.stream.worker import Worker
from tests.stream.lookup import DictLookup


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="nats://127.0.0.1:4222")
    p.add_argument("--stream", required=True)
    p.add_argument("--consumer", required=True)
    p.add_argument("--watch", action="append", default=[], help="kind=value")
    p.add_argument("--slow", type=float, default=0.0, help="seconds to sleep after each fetched batch")
    p.add_argument("--idle-exit", type=float, default=1.0)
    p.add_argument("--checkpoint-every", type=float, default=0.2)
    args = p.parse_args()
    lookup = DictLookup()
    for item in args.watch:
        kind, _, value = item.partition("=")
        lookup.add(kind, value)
    engine = open_store()

    async def run():
        bus = await NatsBus(args.url, stream=args.stream, subject=f"{args.stream}.events",
                            durable=args.consumer).connect()
        worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup)), bus, sink=write_alerts,
                        consumer=args.consumer, fetch_messages=2, checkpoint_every=args.checkpoint_every,
                        on_progress=(lambda _s: time.sleep(args.slow)) if args.slow else None)
        stats = await worker.run(idle_exit=args.idle_exit)
        await bus.close()
        return stats

    stats = asyncio.run(run())
    print(json.dumps({"events": stats.events, "alerts_new": stats.alerts_new, "detections": stats.detections,
                      "checkpoints": stats.checkpoints, "skipped": stats.skipped_redelivered}))
    engine.dispose()


if __name__ == "__main__":
    main()
