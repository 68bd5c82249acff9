"""The same verbs on both buses: publish, consume in batches, an empty batch when quiet, and
(JetStream) a batch not acknowledged comes back to the next consumer."""

from __future__ import annotations

import asyncio

import pytest

from paridad.drones.stream import JetStreamBus, open_bus, subject_for
from paridad.drones.stream.bus import BusError, InProcessBus
from tests.drones.stream.conftest import cleanup, make_bus


def test_batches_keep_order_and_respect_the_size(bus_kind: str) -> None:
    async def scenario() -> list[list[bytes]]:
        bus = make_bus(bus_kind)
        try:
            await bus.start()
            subject = subject_for("mx-sedena", prefix=bus.prefix)
            await bus.publish(subject, [f"d{i}".encode() for i in range(25)])
            got: list[list[bytes]] = []
            async for batch in bus.batches(subject, "c1", max_batch=10, wait=0.5):
                if batch:
                    got.append(batch)
                if sum(len(b) for b in got) >= 25:
                    break
            return got
        finally:
            await bus.close()
            await cleanup(bus)

    got = asyncio.run(scenario())
    flat = [m for batch in got for m in batch]
    assert flat == [f"d{i}".encode() for i in range(25)]
    assert max(len(b) for b in got) <= 10


def test_a_quiet_bus_yields_an_empty_batch(bus_kind: str) -> None:
    async def scenario() -> list[bytes]:
        bus = make_bus(bus_kind)
        try:
            await bus.start()
            subject = subject_for("us-cbp", prefix=bus.prefix)
            async for batch in bus.batches(subject, "quiet", wait=0.05):
                return batch
            return [b"unreachable"]
        finally:
            await bus.close()
            await cleanup(bus)

    assert asyncio.run(scenario()) == []


def test_jetstream_redelivers_what_was_not_acknowledged() -> None:
    bus = make_bus("nats", ack_wait_s=1.0)
    assert isinstance(bus, JetStreamBus)

    async def scenario() -> tuple[list[bytes], list[bytes]]:
        try:
            await bus.start()
            subject = subject_for("mx-sedena", prefix=bus.prefix)
            await bus.publish(subject, [b"a", b"b", b"c"])
            first: list[bytes] = []
            async for batch in bus.batches(subject, "watch", wait=0.5):
                if batch:
                    first = batch
                    break  # the watch dies before it has handled the batch: no ack
            await asyncio.sleep(1.5)
            again: list[bytes] = []
            async for batch in bus.batches(subject, "watch", wait=0.5):
                again.extend(batch)
                if len(again) >= 3 or not batch:
                    break
            return first, again
        finally:
            await bus.close()
            await cleanup(bus)

    first, again = asyncio.run(scenario())
    assert first == [b"a", b"b", b"c"]
    assert again == [b"a", b"b", b"c"]


def test_subjects_are_safe_for_nats() -> None:
    assert subject_for("mx sedena.1*>") == "paridad.drones.mx_sedena_1__.detections"


def test_open_bus_knows_its_buses() -> None:
    assert isinstance(open_bus(None), InProcessBus)
    assert isinstance(open_bus("memory"), InProcessBus)
    assert isinstance(open_bus("nats://127.0.0.1:4222"), JetStreamBus)
    with pytest.raises(BusError, match="Unknown bus"):
        open_bus("kafka://x")


def test_an_unreachable_nats_is_a_clear_error() -> None:
    async def scenario() -> None:
        await JetStreamBus("nats://127.0.0.1:1").start()

    with pytest.raises(BusError, match="Cannot reach NATS"):
        asyncio.run(scenario())
