"""The event bus: `InProcessBus` (default: an asyncio queue, producer and worker in one process) and
`NatsBus` (NATS JetStream: a file-backed stream and a durable pull consumer with explicit acks and
redelivery after `ack_wait`). Both carry *batches*: one message holds many events (a JSON object
with the events and the time it was sent), because nats-py manages only ~8-10k messages/s.

Both expose the same coroutines (the `Bus` protocol): publish(records), flush(), close() for
producers, and open_consumer(after_seq), fetch(max_messages, timeout) -> list[Delivery] | None
(None: the stream ended; only the in-process bus ends) for the worker.

A `NatsBus` that loses its server keeps reconnecting (every half second, without end) and counts
its reconnections in `reconnects`: deliveries in flight when the connection dropped may be lost,
and the worker then re-creates its consumer (see worker.py). Only the first connection is bounded
(`connect_within`): a server that is not there at start is reported at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from tahqiq.stream.events import decode_batch, encode_batch

if TYPE_CHECKING:  # nats is imported when a NatsBus connects
    from nats.aio.client import Client
    from nats.js import JetStreamContext

DEFAULT_NATS = "nats://127.0.0.1:4222"


@dataclass(slots=True)
class Delivery:
    seq: int  # position in the stream (JetStream stream sequence; a counter in-process)
    records: list[dict[str, Any]]
    sent: float | None
    ack: Callable[[], Awaitable[None]] | None = None
    redelivered: bool = False


class BusError(RuntimeError):
    pass


class Bus(Protocol):
    """What producers (`worker.replay`) and the detection worker need of a bus."""

    @property
    def durable(self) -> bool:
        """Whether the bus keeps messages across restarts (then the worker keeps a checkpoint)."""
        ...

    @property
    def name(self) -> str: ...

    @property
    def reconnects(self) -> int:
        """How many times the connection to the bus was re-established (0 in-process)."""
        ...

    async def publish(self, records: list[dict[str, Any]]) -> None: ...

    async def flush(self) -> None: ...

    async def close(self) -> None: ...

    async def open_consumer(self, after_seq: int = 0) -> None: ...

    async def fetch(self, max_messages: int = 32, timeout: float = 1.0) -> list[Delivery] | None: ...


class InProcessBus:
    durable = False
    reconnects = 0

    def __init__(self, max_pending: int = 64) -> None:
        self._queue: asyncio.Queue[Delivery | None] = asyncio.Queue(max_pending)
        self._seq = 0

    @property
    def name(self) -> str:
        return "in-process"

    async def publish(self, records: list[dict[str, Any]]) -> None:
        self._seq += 1
        await self._queue.put(Delivery(self._seq, records, time.time()))

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        await self._queue.put(None)  # end of stream

    async def open_consumer(self, after_seq: int = 0) -> None:
        return None

    async def fetch(self, max_messages: int = 32, timeout: float = 1.0) -> list[Delivery] | None:
        try:
            first = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return []
        if first is None:
            return None
        out = [first]
        while len(out) < max_messages and not self._queue.empty():
            item = self._queue.get_nowait()
            if item is None:
                await self._queue.put(None)  # hand the end marker to the next fetch
                break
            out.append(item)
        return out


class NatsBus:
    """JetStream: stream `stream` on subject `subject`; durable pull consumer `durable`."""

    durable = True

    def __init__(self, url: str = DEFAULT_NATS, *, stream: str = "TAHQIQ_EVENTS", subject: str = "tahqiq.events",
                 durable: str = "tahqiq-detect", ack_wait: float = 30.0, max_pending_publish: int = 256,
                 connect_within: float = 5.0) -> None:
        self.url, self.stream, self.subject, self.consumer = url, stream, subject, durable
        self.ack_wait = ack_wait
        self.max_pending_publish = max_pending_publish
        self.connect_within = connect_within
        self.reconnects = 0
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._sub: JetStreamContext.PullSubscription | None = None

    @property
    def name(self) -> str:
        return f"{self.url} stream {self.stream} consumer {self.consumer}"

    async def connect(self) -> NatsBus:
        import nats
        from nats.js.api import RetentionPolicy, StorageType, StreamConfig
        from nats.js.errors import NotFoundError

        async def quiet(_exc: Exception) -> None:
            # nats-py prints every connection error with a traceback by default; a failure to
            # connect is reported once, as BusError, and later ones surface as failed operations.
            return None

        async def reconnected() -> None:
            self.reconnects += 1

        try:
            # Reconnect without end once connected (a NATS restart must not end a worker); nats-py
            # applies the same policy to the first connection, hence the bound on it.
            self._nc = nc = await asyncio.wait_for(
                nats.connect(self.url, connect_timeout=2, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                             allow_reconnect=True, error_cb=quiet, reconnected_cb=reconnected),
                self.connect_within)
        except Exception as exc:  # noqa: BLE001 - nats raises several kinds; one clear message
            why = str(exc) or f"no answer within {self.connect_within:g} s"
            raise BusError(f"cannot reach NATS at {self.url}: {exc.__class__.__name__}: {why}") from None
        self._js = js = nc.jetstream()
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(StreamConfig(name=self.stream, subjects=[self.subject],
                                             storage=StorageType.FILE, retention=RetentionPolicy.LIMITS))
        return self

    def _jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise BusError(f"not connected to {self.url}: call connect() first")
        return self._js

    def _subscription(self) -> JetStreamContext.PullSubscription:
        if self._sub is None:
            raise BusError("no consumer: call open_consumer() first")
        return self._sub

    # --- producing ----------------------------------------------------------------------------

    async def publish(self, records: list[dict[str, Any]]) -> None:
        # publish_async pipelines messages; JetStream's acks are gathered in flush().
        await self._jetstream().publish_async(self.subject, encode_batch(records, time.time()), wait_stall=30.0)

    async def flush(self) -> None:
        await self._jetstream().publish_async_completed()

    # --- consuming ----------------------------------------------------------------------------

    async def open_consumer(self, after_seq: int = 0, retry_for: float = 30.0) -> None:
        """(Re)create the durable consumer at the worker's checkpoint: delivery starts right after
        `after_seq`, in stream order. The checkpoint is saved with the alerts, so it is never behind
        the consumer's ack floor; re-creating it makes messages that a killed worker had fetched
        but not acknowledged come back at once and in order, instead of after ack_wait.

        Right after a NATS restart JetStream may still be recovering its streams: the request is
        tried again for up to `retry_for` seconds."""
        from nats.errors import Error as NatsError

        deadline = time.monotonic() + retry_for
        while True:
            try:
                return await self._recreate_consumer(after_seq)
            except (NatsError, TimeoutError):
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0.25)

    async def _recreate_consumer(self, after_seq: int) -> None:
        from nats.errors import Error as NatsError
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import NotFoundError

        js = self._jetstream()
        try:
            await js.delete_consumer(self.stream, self.consumer)
        except NotFoundError:
            pass
        config = ConsumerConfig(durable_name=self.consumer, ack_policy=AckPolicy.EXPLICIT, ack_wait=self.ack_wait,
                                max_ack_pending=-1, filter_subject=self.subject,
                                deliver_policy=DeliverPolicy.BY_START_SEQUENCE if after_seq else DeliverPolicy.ALL,
                                opt_start_seq=after_seq + 1 if after_seq else None)
        await js.add_consumer(self.stream, config)
        if self._sub is not None:
            with contextlib.suppress(NatsError):
                await self._sub.unsubscribe()  # the deleted consumer's inbox (gone if the link dropped)
        self._sub = await js.pull_subscribe_bind(durable=self.consumer, stream=self.stream)

    async def fetch(self, max_messages: int = 32, timeout: float = 1.0) -> list[Delivery]:
        from nats.errors import TimeoutError as NatsTimeout

        # nats-py's fetch(n) lingers until n messages or the timeout when the stream is caught up,
        # which would hold a lone message back for the whole timeout. So: wait for one message,
        # then take whatever else is there within a couple of milliseconds.
        sub = self._subscription()
        try:
            msgs = await sub.fetch(1, timeout=timeout)
        except (TimeoutError, NatsTimeout):
            return []
        if max_messages > 1:
            try:
                msgs += await sub.fetch(max_messages - 1, timeout=0.002)
            except (TimeoutError, NatsTimeout):
                pass
        out: list[Delivery] = []
        for m in msgs:
            records, sent = decode_batch(m.data)
            meta = m.metadata
            out.append(Delivery(meta.sequence.stream, records, sent, m.ack, meta.num_delivered > 1))
        return out

    async def last_seq(self) -> int:
        info = await self._jetstream().stream_info(self.stream)
        return info.state.last_seq

    async def delete_stream(self) -> None:
        from nats.js.errors import NotFoundError

        try:
            await self._jetstream().delete_stream(self.stream)
        except NotFoundError:
            pass

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.close()  # publishes were confirmed by flush(); nothing to drain
            self._nc = None


def make_bus(url: str | None, **kwargs: Any) -> InProcessBus | NatsBus:
    if not url or url in ("memory", "inprocess", "in-process"):
        return InProcessBus()
    if not url.startswith(("nats://", "tls://")):
        raise BusError(f"--bus must be a nats:// URL (or omitted for the in-process bus), not {url!r}")
    return NatsBus(url, **kwargs)
