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

Faults it rides out without losing or repeating an alert (tests/stream/test_chaos_*.py):

* a delivery lost in transit (a NATS restart, a dropped connection): JetStream would redeliver it
  only after `ack_wait`, *after* later messages, which the worker would then have skipped as
  already seen. Deliveries are taken strictly in stream order: on a gap the worker re-creates the
  consumer right after the last message it evaluated, and the stream is delivered again from there;
  so does a reconnection to NATS;
* the store going away (a PostgreSQL restart, a dropped connection): the transaction that holds the
  alerts and the checkpoint is retried until the store answers again (up to `db_retry_seconds`,
  then the worker stops with the error and a restart resumes from its checkpoint). A retried commit
  that had in fact succeeded inserts nothing twice: alerts are insert-or-ignore on their dedupe key.

One worker per durable consumer: windows need every event of a key in one place.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from tahqiq.stream import checkpoints
from tahqiq.stream.bus import Bus, Delivery
from tahqiq.stream.events import EventError, event_from_record
from tahqiq.stream.windows import Detection, Detector

# Where detections go: written in the worker's transaction (with its checkpoint); returns how many
# alerts were new. The alert room's `write_alerts` is the one Tahqiq runs with.
AlertSink = Callable[[Connection, list[Detection]], int]
log = logging.getLogger("tahqiq.stream.worker")


def transient(exc: DBAPIError) -> bool:
    """A failure that a later attempt may not meet: the connection was lost or refused, the server
    is starting or stopping, SQLite was locked. Not a constraint or a programming error."""
    return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)


@dataclass
class WorkerStats:
    messages: int = 0
    events: int = 0
    bad_events: int = 0
    alerts_new: int = 0
    detections: int = 0
    checkpoints: int = 0
    skipped_redelivered: int = 0
    resyncs: int = 0  # consumer re-created after a gap in the stream or a reconnection
    store_retries: int = 0  # commits retried because the store was unreachable
    started: float = field(default_factory=time.perf_counter)
    latencies: list[float] = field(default_factory=list)  # per message with events: commit - sent (s)
    alert_latencies: list[float] = field(default_factory=list)  # per detection: commit - sent (s)
    commit_seconds: list[float] = field(default_factory=list)  # per transaction: alerts (+ checkpoint)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


@dataclass
class _Evaluated:
    """Messages evaluated (windows and position advanced), whose alerts are not committed yet."""

    fresh: list[Delivery]
    detections: list[Detection]


class Worker:
    def __init__(self, engine: Engine, detector: Detector, bus: Bus, *, sink: AlertSink,
                 consumer: str = "tahqiq-detect", fetch_messages: int = 32, checkpoint_every: float = 1.0,
                 commit_events: int = 1000, db_retry_seconds: float = 300.0,
                 on_progress: Callable[[WorkerStats], None] | None = None,
                 on_detections: Callable[[list[Detection]], None] | None = None) -> None:
        self.engine, self.detector, self.bus, self.sink = engine, detector, bus, sink
        self.consumer = consumer
        self.fetch_messages = fetch_messages
        self.checkpoint_every = checkpoint_every
        self.commit_events = commit_events
        self.db_retry_seconds = db_retry_seconds
        self.on_progress = on_progress
        self.on_detections = on_detections
        self.stats = WorkerStats()
        self.position = 0
        self._unacked: list[Delivery] = []
        self._checkpointed = False
        self._last_checkpoint = time.monotonic()
        self._reopened = True  # the next fresh delivery starts the sequence (the stream may have holes)
        self._reconnects = 0

    async def run(self, *, idle_exit: float | None = None, stop: asyncio.Event | None = None,
                  max_events: int | None = None) -> WorkerStats:
        """Consume until the bus ends (in-process), `stop` is set, no message came for `idle_exit`
        seconds, or `max_events` were processed."""
        if self.bus.durable:
            self.position, snap = checkpoints.load_checkpoint(self.engine, self.consumer)
            self.detector.restore(snap)
        await self._open()
        idle_since = time.monotonic()
        while not (stop is not None and stop.is_set()):
            if self.bus.reconnects != self._reconnects:
                await self._resync("reconnected to the bus")  # deliveries in flight may be lost
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
            batch, gap = self._in_order(batch)
            for chunk in self._chunks(batch):
                await self._commit(self._evaluate(chunk))
                if not self.bus.durable or self._checkpointed:
                    await self._ack_all()  # everything handled so far is covered by a committed checkpoint
            if gap:
                await self._resync(f"stream sequence {gap} arrived after {self.position}")
            if max_events is not None and self.stats.events >= max_events:
                break
        await self._checkpoint_if_pending()
        return self.stats

    def handle(self, deliveries: Sequence[Delivery]) -> list[Detection]:
        """Evaluate a batch of messages and commit its alerts (and, when due, a checkpoint): one
        attempt, for callers without an event loop (`run` retries while the store is away)."""
        evaluated = self._evaluate(deliveries)
        self._commit_once(evaluated)
        return evaluated.detections

    # --- evaluating and committing ------------------------------------------------------------

    def _in_order(self, batch: list[Delivery]) -> tuple[list[Delivery], int | None]:
        """The deliveries up to the first that skips a stream sequence (on a durable bus), and that
        sequence. Redeliveries of what was already evaluated pass (they are acknowledged only)."""
        if not self.bus.durable:
            return batch, None
        expected = self.position + 1
        for i, d in enumerate(batch):
            if d.seq <= self.position or d.seq < expected:
                continue
            if d.seq != expected and not self._reopened:
                return batch[:i], d.seq
            self._reopened = False
            expected = d.seq + 1
        return batch, None

    def _evaluate(self, deliveries: Sequence[Delivery]) -> _Evaluated:
        detections: list[Detection] = []
        fresh: list[Delivery] = []
        for d in deliveries:
            if self.bus.durable and d.seq <= self.position:
                self.stats.skipped_redelivered += 1  # already evaluated: just acknowledge
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
        return _Evaluated(fresh, detections)

    async def _commit(self, evaluated: _Evaluated) -> None:
        """Commit, retrying while the store is unreachable. The windows and the position already
        include these messages, so giving up would lose their alerts: after `db_retry_seconds`
        the error propagates and the worker stops (a restart resumes from the checkpoint)."""
        await self._retrying(lambda: self._commit_once(evaluated))

    async def _retrying(self, attempt: Callable[[], None]) -> None:
        deadline = time.monotonic() + self.db_retry_seconds
        delay = 0.05
        while True:
            try:
                attempt()
                return
            except DBAPIError as exc:
                if not transient(exc) or time.monotonic() >= deadline:
                    raise
                self.stats.store_retries += 1
                log.warning("store unreachable (%s); retrying in %.1f s", exc.__class__.__name__, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)

    def _commit_once(self, evaluated: _Evaluated) -> None:
        detections, fresh = evaluated.detections, evaluated.fresh
        checkpoint = self.bus.durable and self._checkpoint_due()
        began = time.perf_counter()
        with self.engine.begin() as conn:
            alerts_new = self.sink(conn, detections)
            if checkpoint:
                checkpoints.save_checkpoint(conn, self.consumer, self.position, self.detector.snapshot())
        committed = time.time()
        self.stats.alerts_new += alerts_new
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

    # --- the consumer and checkpoints ---------------------------------------------------------

    async def _open(self) -> None:
        self._reconnects = self.bus.reconnects
        await self.bus.open_consumer(self.position)
        self._reopened = True

    async def _resync(self, why: str) -> None:
        """Deliver the stream again from right after the last evaluated message. What was fetched
        and not evaluated is dropped here and comes again, in order."""
        self.stats.resyncs += 1
        log.warning("%s: re-reading the stream after sequence %d", why, self.position)
        await self._checkpoint_if_pending()
        await self._open()

    def _checkpoint_due(self) -> bool:
        return time.monotonic() - self._last_checkpoint >= self.checkpoint_every

    async def _checkpoint_if_pending(self) -> None:
        if self._unacked and self.bus.durable:
            def save() -> None:
                with self.engine.begin() as conn:
                    checkpoints.save_checkpoint(conn, self.consumer, self.position, self.detector.snapshot())

            await self._retrying(save)
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
