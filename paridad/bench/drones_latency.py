"""Latency of the drone handoff: from a detection entering the Mexican node to the alert it
raised applied at the US node.

Two ``paridad serve`` processes on loopback over mutual TLS, paired under the drone agreement.
The Mexican side's detections of a dense simulated sky are published on the node's bus at a
fixed rate (1,000 detections/s by default); the Mexican watch consumes them, tracks, raises
alerts, stores them and shares them through the release gate; the Mexican server's courier
delivers; the US server verifies and applies them. Each alert names the detection that
triggered it, so the latency is the US node's ``received_at`` minus the moment that detection
was published. The same run is made on the in-process bus and on NATS JetStream.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from paridad.drones.alerts import Alert
from paridad.drones.alerts.handoff import AlertHandoff
from paridad.drones.simulator import dense_stream, write_night
from paridad.drones.stream.bus import Bus, InProcessBus, subject_for
from paridad.drones.stream.consumer import consume
from paridad.drones.stream.jetstream import JetStreamBus
from paridad.drones.tracking import SensorRegistry
from paridad.drones.watch import DroneWatch
from paridad.exchange.context import Exchange
from paridad.exchange.pairing import NodeServer, free_port, pair
from paridad.node import Node

NATS_URL = os.environ.get("PARIDAD_NATS_URL", "nats://127.0.0.1:4222")


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _publish_at_rate(
    bus: Bus,
    subject: str,
    lines: Sequence[bytes],
    ids: Sequence[str],
    rate: float,
    entered: dict[str, float],
) -> None:
    """Publish ``rate`` lines per second in 10 ms ticks, stamping each id when it enters."""
    start = time.monotonic()
    sent = 0
    while sent < len(lines):
        due = int((time.monotonic() - start) * rate) + 1
        if due > sent:
            chunk = slice(sent, min(len(lines), due))
            stamp = time.time()
            for detection_id in ids[chunk]:
                entered[detection_id] = stamp
            await bus.publish(subject, lines[chunk])
            sent = chunk.stop
        await asyncio.sleep(0.01)


def _load_side(night: Path, side: str) -> tuple[list[bytes], list[str]]:
    lines, ids = [], []
    with (night / side / "detections.jsonl").open("rb") as fh:
        for raw in fh:
            record = orjson.loads(raw)
            lines.append(raw.strip())
            ids.append(str(record.get("id") or ""))
    return lines, ids


def _received(us: Exchange, sender: str) -> dict[str, float]:
    """When each alert was applied at the US node: the envelope's row in the inbox (written
    in the transaction that stored the records, to the microsecond)."""
    rows = us.db.query(
        "SELECT r.entity_id, i.received_at FROM received r JOIN inbox i"
        " ON i.stream = r.stream AND i.seq = r.seq WHERE r.sender = ?",
        (sender,),
    )
    return {str(r[0]): datetime.fromisoformat(str(r[1])).timestamp() for r in rows}


async def _run_bus(
    bus: Bus, mx: Node, us: Node, night: Path, rate: float, seconds: float
) -> dict[str, Any]:
    await bus.start()
    lines, ids = _load_side(night, "mx")
    limit = int(rate * seconds)
    lines, ids = lines[:limit], ids[:limit]
    entered: dict[str, float] = {}
    triggered: dict[str, str] = {}
    stop = asyncio.Event()
    with Exchange(mx) as ex:
        handoff = AlertHandoff(ex)
        watch = DroneWatch(SensorRegistry.load(night / "sensors.yaml"))

        def sink(alerts: Sequence[Alert]) -> None:
            for alert in alerts:
                if alert.detection_id:
                    triggered[alert.id] = alert.detection_id
            handoff.hand_off(alerts)

        subject = subject_for(ex.name, prefix=bus.prefix)
        consumer = asyncio.create_task(
            consume(bus, subject, f"bench-{uuid.uuid4().hex[:8]}", watch, stop, sink=sink)
        )
        await asyncio.sleep(0.2)
        started = time.monotonic()
        await _publish_at_rate(bus, subject, lines, ids, rate, entered)
        publish_seconds = time.monotonic() - started
        stop.set()
        stats = await consumer
        deadline = time.monotonic() + 60
        with Exchange(us) as receiver:
            while time.monotonic() < deadline:
                pending = ex.db.query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
                if not pending[0][0]:
                    break
                await asyncio.sleep(0.05)
            received = _received(receiver, ex.name)
    await bus.close()
    latencies = [
        received[alert_id] - entered[detection]
        for alert_id, detection in triggered.items()
        if alert_id in received and detection in entered
    ]
    return {
        "detections": len(lines),
        "rate_target": rate,
        "rate_achieved": round(len(lines) / publish_seconds, 1) if publish_seconds else None,
        "alerts": len(triggered),
        "alerts_received": sum(1 for a in triggered if a in received),
        "latency_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "latency_max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "errors": dict(stats.errors),
    }


def measure(
    buses: Sequence[str] = ("memory", "nats"),
    rate: float = 1000.0,
    seconds: float = 30.0,
    flights: int = 60,
    seed: int = 11,
) -> list[dict[str, Any]]:
    """One result row per bus."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="paridad-bench-drones-") as tmp:
        root = Path(tmp)
        night = root / "night"
        write_night(dense_stream(flights=flights, duration_s=seconds * 4, seed=seed), night)
        for bus_name in buses:
            base = root / bus_name
            os.environ.pop("PARIDAD_DATABASE_URL", None)
            mx = Node.init(base / "mx", "MX", "SEDENA", name="mx-sedena")
            us = Node.init(base / "us", "US", "CBP", name="us-cbp")
            ports = free_port(), free_port()
            pair(
                mx,
                us,
                f"https://127.0.0.1:{ports[0]}",
                f"https://127.0.0.1:{ports[1]}",
                template="border-security",
            )
            bus: Bus
            if bus_name == "nats":
                tag = uuid.uuid4().hex[:8]
                bus = JetStreamBus(NATS_URL, stream=f"PARIDAD_BENCH_{tag}", prefix=f"bench{tag}")
            else:
                bus = InProcessBus()
            with NodeServer(mx.path, ports[0]), NodeServer(us.path, ports[1]):
                row = asyncio.run(_with_cleanup(bus, mx, us, night, rate, seconds))
            rows.append({"bus": bus_name, **row})
    return rows


async def _with_cleanup(
    bus: Bus, mx: Node, us: Node, night: Path, rate: float, seconds: float
) -> dict[str, Any]:
    try:
        return await _run_bus(bus, mx, us, night, rate, seconds)
    finally:
        if isinstance(bus, JetStreamBus):
            cleanup = JetStreamBus(bus.url, stream=bus.stream, prefix=bus.prefix)
            await cleanup.start()
            await cleanup.delete()
            await cleanup.close()
