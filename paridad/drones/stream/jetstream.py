"""The production bus: NATS JetStream.

Detections are published with JetStream acknowledgements (the server has stored them before
the publisher moves on), consumed through a durable pull consumer per node, and acknowledged
only after the watch has processed the batch — a watch that dies mid-batch gets the batch
again when it comes back: at least once, never lost. The stream keeps a day of traffic.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

from paridad.drones.stream.bus import PREFIX, BusError
from paridad.i18n import N_

STREAM = "PARIDAD_DRONES"
MAX_AGE_S = 24 * 3600
MSG_NO_NATS = N_("Cannot reach NATS at {url}: {reason}")


class JetStreamBus:
    name = "nats"

    def __init__(
        self,
        url: str = "nats://127.0.0.1:4222",
        stream: str = STREAM,
        prefix: str = PREFIX,
        *,
        ack_wait_s: float = 30.0,
    ) -> None:
        self.url = url
        self.ack_wait_s = ack_wait_s
        self.stream = stream
        self.prefix = prefix
        self._nc: Any = None
        self._js: Any = None

    async def start(self) -> None:
        import nats
        from nats.js.api import StreamConfig

        try:
            self._nc = await nats.connect(
                self.url, connect_timeout=3, max_reconnect_attempts=3, allow_reconnect=True
            )
        except (OSError, TimeoutError, nats.errors.Error) as exc:
            raise BusError(
                MSG_NO_NATS, url=self.url, reason=str(exc) or type(exc).__name__
            ) from exc
        self._js = self._nc.jetstream()
        config = StreamConfig(name=self.stream, subjects=[f"{self.prefix}.>"], max_age=MAX_AGE_S)
        try:
            await self._js.add_stream(config)
        except nats.js.errors.BadRequestError:
            await self._js.update_stream(config)

    async def publish(self, subject: str, payloads: Sequence[bytes]) -> None:
        if self._js is None:
            await self.start()
        await asyncio.gather(*(self._js.publish(subject, p) for p in payloads))

    async def batches(
        self, subject: str, consumer: str, *, max_batch: int = 500, wait: float = 0.05
    ) -> AsyncIterator[list[bytes]]:
        import nats
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        if self._js is None:
            await self.start()
        durable = consumer.replace(".", "_")
        subscription = await self._js.pull_subscribe(
            subject,
            durable=durable,
            config=ConsumerConfig(
                ack_policy=AckPolicy.ALL,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait_s,
            ),
        )
        while True:
            try:
                messages = await subscription.fetch(batch=max_batch, timeout=wait)
            except (nats.errors.TimeoutError, TimeoutError):
                # nats-py raises either, depending on where in the fetch the time ran out.
                yield []
                continue
            if not messages:
                yield []
                continue
            yield [m.data for m in messages]
            # Acknowledged after the consumer has handled the batch (at least once).
            await messages[-1].ack()

    async def pending(self, subject: str, consumer: str) -> int:
        if self._js is None:
            await self.start()
        info = await self._js.consumer_info(self.stream, consumer.replace(".", "_"))
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def delete(self) -> None:
        """Remove the stream (tests and benchmarks clean up after themselves)."""
        if self._js is not None:
            await self._js.delete_stream(self.stream)

    async def close(self) -> None:
        if self._nc is not None:
            # Not drain(): a pull subscription's pending fetch would hold it to its timeout.
            await self._nc.close()
            self._nc = None
            self._js = None
