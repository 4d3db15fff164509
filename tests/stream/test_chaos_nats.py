"""Chaos: the NATS server is killed (SIGKILL) and started again while the detection worker consumes
and while events are still being published. Every event that should alert alerts exactly once.

The NATS server is a private one (tests/stream/chaos.py): the machine's shared server is in use by
other tests. The worker is a real process (tests/stream/run_worker.py: the shipped rules and a
watchlist of every 7th plate and CNIC), writing to the test's store.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from tahqiq.stream.bus import NatsBus
from tahqiq.stream.tables import StreamCheckpoint
from tahqiq.stream.worker import replay
from tests.stream.chaos import NatsServer, wait_for
from tests.stream.test_pipeline import ROOT, all_records, expected_keys, stored, watch_keys

STREAM = "CHAOS"
BATCH = 10  # events per message: many messages, so that the kill falls between some of them


def publish(url: str, records: list[dict]) -> None:
    async def run() -> None:
        bus = await NatsBus(url, stream=STREAM, subject=f"{STREAM}.events").connect()
        try:
            await replay(bus, records, batch_size=BATCH)
        finally:
            await bus.close()

    asyncio.run(run())


def checkpoint_seq(engine, consumer: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(StreamCheckpoint.stream_seq).where(StreamCheckpoint.consumer == consumer)
                            ).scalar() or 0


def worker(url: str, consumer: str, keys, *extra: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "tests.stream.run_worker", "--url", url, "--stream", STREAM,
            "--consumer", consumer, *extra] + [f"--watch={k}={v}" for k, v in keys]
    return subprocess.Popen(argv, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # the bus is under test here, not the store
def test_nats_killed_and_restarted_mid_stream_loses_and_duplicates_no_alert(engine, streams, tmp_path):
    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    half = len(records) * 3 // 5
    messages = -(-half // BATCH)
    with NatsServer(tmp_path) as nats:
        publish(nats.url, records[:half])
        # Slowed so that the kill finds it mid-stream: messages fetched, alerts committed, acks
        # pending until the next checkpoint. It must outlive the outage (idle-exit well above it).
        proc = worker(nats.url, "chaos", keys, "--slow", "0.04", "--idle-exit", "6", "--checkpoint-every", "0.2")
        try:
            wait_for(lambda: checkpoint_seq(engine, "chaos") >= messages // 3 or proc.poll() is not None,
                     what="the worker's first checkpoints")
            assert proc.poll() is None, proc.communicate()
            nats.kill()
            at_kill = checkpoint_seq(engine, "chaos")
            assert 0 < at_kill < messages, "not killed mid-stream"
            time.sleep(0.5)
            nats.start()
            publish(nats.url, records[half:])  # published after the restart: must be consumed too
            out, err = proc.communicate(timeout=90)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, err[-3000:]
    counts = json.loads(out.strip().splitlines()[-1])
    got, n = stored(engine)
    assert expected - got == set(), "alerts lost"
    assert got - expected == set() and n == len(expected), "alerts that should not exist, or duplicates"
    assert counts["events"] == len(records)  # each event evaluated once (redeliveries are skipped)


class LossyBus(NatsBus):
    """The real JetStream bus, except that the first delivery of the given stream sequences never
    reaches the worker, as when a connection drops with messages in flight. JetStream still
    counts them as delivered and redelivers them after ack_wait, after later messages."""

    def __init__(self, *args, lose: set[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lose, self.lost = set(lose), []

    async def fetch(self, max_messages: int = 32, timeout: float = 1.0):
        got = await super().fetch(max_messages, timeout)
        kept = [d for d in got if d.seq not in self.lose or d.seq in self.lost]
        self.lost += [d.seq for d in got if d not in kept]
        return kept


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_delivery_lost_in_transit_is_read_again_in_order(engine, streams, tmp_path):
    from tahqiq.alerts import write_alerts
    from tahqiq.stream.engine import RuleEngine
    from tahqiq.stream.events import event_from_record
    from tahqiq.stream.rulefile import load_rules
    from tahqiq.stream.windows import Detector
    from tahqiq.stream.worker import Worker
    from tests.stream.test_pipeline import lookup_of

    records = all_records(streams)
    keys = watch_keys(records)
    expected = expected_keys(records, keys)
    # The messages (1-based stream sequences) whose events raise an alert; lose two in the middle.
    det = Detector(RuleEngine(load_rules(), lookup_of(keys)))
    alerting = [i // BATCH + 1 for i, r in enumerate(records) if det.process(event_from_record(r))]
    lose = {alerting[len(alerting) // 3], alerting[2 * len(alerting) // 3]}
    with NatsServer(tmp_path) as nats:
        publish(nats.url, records)

        async def run():
            bus = await LossyBus(nats.url, stream=STREAM, subject=f"{STREAM}.events", durable="lossy", ack_wait=1.0,
                                 lose=lose).connect()
            worker = Worker(engine, Detector(RuleEngine(load_rules(), lookup_of(keys))), bus, sink=write_alerts,
                            consumer="lossy", fetch_messages=4)
            stats = await worker.run(idle_exit=2.5)
            await bus.close()
            return bus, stats

        bus, stats = asyncio.run(run())
    assert sorted(bus.lost) == sorted(lose)  # the loss really happened
    got, n = stored(engine)
    assert expected - got == set(), "alerts of the lost messages are missing"
    assert got == expected and n == len(expected)
    assert stats.events == len(records) and stats.resyncs >= 1
