"""The bus a node's sensors publish detections on, and its in-process implementation.

Consumers read in batches, with a short wait: a batch is what the tracker wants (one
vectorised step for many detections), and the wait bounds latency when traffic is light — an
empty batch comes back after ``wait`` seconds so the consumer can close stale tracks even
when the sky is quiet.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_BAD_BUS = N_("Unknown bus '{bus}': use 'memory' or a nats:// address.")

_SUBJECT_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


class BusError(ParidadError):
    """The bus cannot be opened or used."""


PREFIX = "paridad.drones"


def subject_for(node: str, what: str = "detections", prefix: str = PREFIX) -> str:
    """``paridad.drones.<node>.<what>``, the node's name made safe for a NATS subject."""
    return f"{prefix}.{_SUBJECT_UNSAFE.sub('_', node)}.{what}"


class Bus(Protocol):
    name: str
    prefix: str

    async def start(self) -> None: ...

    async def publish(self, subject: str, payloads: Sequence[bytes]) -> None: ...

    def batches(
        self, subject: str, consumer: str, *, max_batch: int = 500, wait: float = 0.05
    ) -> AsyncIterator[list[bytes]]: ...

    async def pending(self, subject: str, consumer: str) -> int:
        """Messages published on ``subject`` that ``consumer`` has not received yet."""
        ...

    async def close(self) -> None: ...


class InProcessBus:
    """Queues in this process: nothing survives the process, nothing leaves it."""

    name = "memory"
    prefix = PREFIX

    def __init__(self) -> None:
        self._queues: dict[str, asyncio.Queue[bytes]] = {}

    def _queue(self, subject: str) -> asyncio.Queue[bytes]:
        queue = self._queues.get(subject)
        if queue is None:
            queue = self._queues[subject] = asyncio.Queue()
        return queue

    async def start(self) -> None:
        return None

    async def publish(self, subject: str, payloads: Sequence[bytes]) -> None:
        queue = self._queue(subject)
        for payload in payloads:
            queue.put_nowait(payload)

    async def batches(
        self, subject: str, consumer: str, *, max_batch: int = 500, wait: float = 0.05
    ) -> AsyncIterator[list[bytes]]:
        queue = self._queue(subject)
        while True:
            try:
                first = await asyncio.wait_for(queue.get(), timeout=wait)
            except TimeoutError:
                yield []
                continue
            batch = [first]
            while len(batch) < max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            yield batch

    async def pending(self, subject: str, consumer: str) -> int:
        return self._queue(subject).qsize()

    async def close(self) -> None:
        self._queues.clear()


def open_bus(spec: str | None) -> Bus:
    """``memory`` (or nothing) for the in-process bus, ``nats://host:port`` for JetStream."""
    if not spec or spec == "memory":
        return InProcessBus()
    if spec.startswith(("nats://", "tls://")):
        from paridad.drones.stream.jetstream import JetStreamBus

        return JetStreamBus(spec)
    raise BusError(MSG_BAD_BUS, bus=spec)
