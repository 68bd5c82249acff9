"""Both buses for the stream tests: the in-process one and NATS JetStream on this machine.

With ``PARIDAD_REQUIRE_SERVICES=1`` (CI) an unreachable NATS server is a failure, not a skip.
Every JetStream test gets its own stream and subject prefix and deletes them afterwards.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from paridad.drones.stream import Bus, InProcessBus, JetStreamBus

NATS_URL = os.environ.get("PARIDAD_NATS_URL", "nats://127.0.0.1:4222")


def nats_reachable() -> bool:
    url = urlparse(NATS_URL)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 4222), 2):
            return True
    except OSError:
        return False


def make_bus(kind: str, **options: float) -> Bus:
    if kind == "memory":
        return InProcessBus()
    if not nats_reachable():
        if os.environ.get("PARIDAD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PARIDAD_REQUIRE_SERVICES=1 but NATS is unreachable at {NATS_URL}")
        pytest.skip(f"NATS not reachable at {NATS_URL}")
    tag = uuid.uuid4().hex[:10]
    return JetStreamBus(NATS_URL, stream=f"PARIDAD_TEST_{tag}", prefix=f"test{tag}", **options)


async def cleanup(bus: Bus) -> None:
    if isinstance(bus, JetStreamBus):
        other = JetStreamBus(bus.url, stream=bus.stream, prefix=bus.prefix)
        await other.start()
        await other.delete()
        await other.close()


@pytest.fixture(params=["memory", "nats"])
def bus_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    yield str(request.param)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]
