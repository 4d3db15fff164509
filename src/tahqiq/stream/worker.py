"""The detection worker and the replayer.

Worker loop: fetch a few messages (each a batch of events) -> normalise -> rules and windows ->
write the alerts (insert-or-ignore) in one transaction -> acknowledge. On a durable bus (NATS) the
worker also saves a checkpoint — the last stream sequence it processed and the correlation windows —
in the same transaction as the alerts, at most every `checkpoint_every` seconds, and acknowledges
messages only once a checkpoint covering them is committed. Hence:

* a message is acknowledged only after its alerts are committed;
* a worker killed at any instant restarts from its checkpoint: the consumer is re-created right
  after the checkpoint's sequence, the messages since then come again in order, their alerts
  collide with the stored ones on the dedupe key and are ignored, and the windows continue from
  the saved state (events are keyed by id there, so none is counted twice).

One worker per durable consumer: windows need every event of a key in one place.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine

from tahqiq.stream import checkpoints
from tahqiq.stream.bus import Bus, Delivery
from tahqiq.stream.events import EventError, event_from_record
from tahqiq.stream.windows import Detection, Detector

# Where detections go: written in the worker's transaction (with its checkpoint); returns how many
# alerts were new. The alert room's `write_alerts` is the one Tahqiq runs with.
AlertSink = Callable[[Connection, list[Detection]], int]


@dataclass
class WorkerStats:
    messages: int = 0
    events: int = 0
    bad_events: int = 0
    alerts_new: int = 0
    detections: int = 0
    checkpoints: int = 0
    skipped_redelivered: int = 0
    started: float = field(default_factory=time.perf_counter)
    latencies: list[float] = field(default_factory=list)  # per message with events: commit - sent (s)
    alert_latencies: list[float] = field(default_factory=list)  # per detection: commit - sent (s)
    commit_seconds: list[float] = field(default_factory=list)  # per transaction: alerts (+ checkpoint)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


class Worker:
    def __init__(self, engine: Engine, detector: Detector, bus: Bus, *, sink: AlertSink,
                 consumer: str = "tahqiq-detect", fetch_messages: int = 32, checkpoint_every: float = 1.0,
                 commit_events: int = 1000,
                 on_progress: Callable[[WorkerStats], None] | None = None,
                 on_detections: Callable[[list[Detection]], None] | None = None) -> None:
        self.engine, self.detector, self.bus, self.sink = engine, detector, bus, sink
        self.consumer = consumer
        self.fetch_messages = fetch_messages
        self.checkpoint_every = checkpoint_every
        self.commit_events = commit_events
        self.on_progress = on_progress
        self.on_detections = on_detections
        self.stats = WorkerStats()
        self.position = 0
        self._unacked: list[Delivery] = []
        self._checkpointed = False
        self._last_checkpoint = time.monotonic()

    async def run(self, *, idle_exit: float | None = None, stop: asyncio.Event | None = None,
                  max_events: int | None = None) -> WorkerStats:
        """Consume until the bus ends (in-process), `stop` is set, no message came for `idle_exit`
        seconds, or `max_events` were processed."""
        if self.bus.durable:
            self.position, snap = checkpoints.load_checkpoint(self.engine, self.consumer)
            self.detector.restore(snap)
        await self.bus.open_consumer(self.position)
        idle_since = time.monotonic()
        while not (stop is not None and stop.is_set()):
            wait = 0.25 if idle_exit is None else min(0.25, idle_exit)
            batch = await self.bus.fetch(self.fetch_messages, timeout=wait)
            if batch is None:
                break
            if not batch:
                await self._checkpoint_if_pending()
                if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
                    break
                continue
            idle_since = time.monotonic()
            for chunk in self._chunks(batch):
                self.handle(chunk)
                if not self.bus.durable or self._checkpointed:
                    await self._ack_all()  # everything handled so far is covered by a committed checkpoint
            if max_events is not None and self.stats.events >= max_events:
                break
        await self._checkpoint_if_pending()
        return self.stats

    def handle(self, deliveries: Sequence[Delivery]) -> list[Detection]:
        """Evaluate a batch of messages and commit its alerts (and, when due, a checkpoint)."""
        detections: list[Detection] = []
        fresh: list[Delivery] = []
        for d in deliveries:
            if self.bus.durable and d.seq <= self.position:
                self.stats.skipped_redelivered += 1  # already in the checkpoint: just acknowledge
                self._unacked.append(d)
                continue
            fresh.append(d)
            for record in d.records:
                try:
                    event = event_from_record(record)
                except EventError:
                    self.stats.bad_events += 1
                    continue
                for det in self.detector.process(event):
                    det.sent = d.sent
                    detections.append(det)
            self.stats.events += len(d.records)
            self.position = max(self.position, d.seq)
        self.stats.messages += len(fresh)
        checkpoint = self.bus.durable and self._checkpoint_due()
        began = time.perf_counter()
        with self.engine.begin() as conn:
            self.stats.alerts_new += self.sink(conn, detections)
            if checkpoint:
                checkpoints.save_checkpoint(conn, self.consumer, self.position, self.detector.snapshot())
        committed = time.time()
        self.stats.commit_seconds.append(time.perf_counter() - began)
        self._checkpointed = checkpoint
        if checkpoint:
            self.stats.checkpoints += 1
            self._last_checkpoint = time.monotonic()
        self._unacked += fresh
        self.stats.detections += len(detections)
        for d in fresh:
            if d.sent is not None and d.records:
                self.stats.latencies.append(committed - d.sent)
        self.stats.alert_latencies += [committed - det.sent for det in detections if det.sent is not None]
        if self.on_detections and detections:
            self.on_detections(detections)
        if self.on_progress:
            self.on_progress(self.stats)
        return detections

    def _chunks(self, batch: list[Delivery]) -> Iterator[list[Delivery]]:
        """Messages grouped so that one transaction holds about `commit_events` events: a big
        fetch after a pause must not hold its first alerts back until the last event is done."""
        chunk: list[Delivery] = []
        events = 0
        for d in batch:
            chunk.append(d)
            events += len(d.records)
            if events >= self.commit_events:
                yield chunk
                chunk, events = [], 0
        if chunk:
            yield chunk

    def _checkpoint_due(self) -> bool:
        return time.monotonic() - self._last_checkpoint >= self.checkpoint_every

    async def _checkpoint_if_pending(self) -> None:
        if self._unacked and self.bus.durable:
            with self.engine.begin() as conn:
                checkpoints.save_checkpoint(conn, self.consumer, self.position, self.detector.snapshot())
            self.stats.checkpoints += 1
            self._last_checkpoint = time.monotonic()
        await self._ack_all()

    async def _ack_all(self) -> None:
        pending, self._unacked = self._unacked, []
        for d in pending:
            if d.ack is not None:
                await d.ack()


async def replay(bus: Bus, records: Iterable[dict[str, Any]], *, batch_size: int = 500, rate: float | None = None,
                 on_batch: Callable[[int], None] | None = None) -> int:
    """Publish `records` in batches of `batch_size`; `rate` caps events per second (wall clock)."""
    sent = 0
    start = time.perf_counter()
    batch: list[dict[str, Any]] = []

    async def send() -> None:
        nonlocal sent, batch
        if rate:
            ahead = (sent + len(batch)) / rate - (time.perf_counter() - start)
            if ahead > 0:
                await asyncio.sleep(ahead)
        await bus.publish(batch)
        sent += len(batch)
        batch = []
        if on_batch:
            on_batch(sent)

    for record in records:
        batch.append(record)
        if len(batch) >= batch_size:
            await send()
    if batch:
        await send()
    await bus.flush()
    return sent
