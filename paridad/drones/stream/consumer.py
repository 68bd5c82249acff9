"""The watch's consuming loop: batches off the bus → detections → the watch → alerts handed on.

A record that does not parse is counted with its reason and dropped from the batch, never
the batch: one sensor sending garbage does not blind the watch to the others.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from paridad.drones.alerts import Alert
from paridad.drones.stream.bus import Bus
from paridad.drones.tracking import Detection, DetectionError, parse_detection
from paridad.drones.watch import DroneWatch, WatchOutput

AlertSink = Callable[[Sequence[Alert]], Any]


@dataclass
class ConsumerStats:
    detections: int = 0
    heartbeats: int = 0
    batches: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    alerts: Counter[str] = field(default_factory=Counter)
    crossings: int = 0
    clock: float = 0.0  # the latest sensor time seen
    # Sensor health as the watch saw it change: (sensor, old, new, time); sensors never
    # heard at all (the partner's, on a node's own watch) are left out.
    health: list[tuple[str, str, str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "detections": self.detections,
            "heartbeats": self.heartbeats,
            "batches": self.batches,
            "errors": dict(self.errors),
            "alerts": dict(self.alerts),
            "crossings": self.crossings,
            "sensor_health_changes": [
                {"sensor": s, "from": old, "to": new, "time": t} for s, old, new, t in self.health
            ],
        }


def parse_batch(
    payloads: Sequence[bytes], watch: DroneWatch, stats: ConsumerStats
) -> list[Detection]:
    """Detections of a batch, in time order; heartbeats mark their sensor heard; bad records
    are counted by reason."""
    detections: list[Detection] = []
    for payload in payloads:
        try:
            parsed = parse_detection(orjson.loads(payload), "bus")
        except orjson.JSONDecodeError:
            stats.errors["not JSON"] += 1
            continue
        except DetectionError as exc:
            stats.errors[exc.msgid] += 1
            continue
        stats.clock = max(stats.clock, parsed.time)
        if isinstance(parsed, Detection):
            detections.append(parsed)
        else:
            stats.heartbeats += 1
            watch.sensors.heard(parsed.sensor, parsed.time)
    detections.sort(key=lambda d: d.time)
    return detections


def _account(out: WatchOutput, stats: ConsumerStats) -> None:
    stats.crossings += len(out.crossings)
    stats.alerts.update(a.kind for a in out.alerts)


def _health(watch: DroneWatch, stats: ConsumerStats) -> None:
    """Record sensors going stale or offline (and coming back) at the watch's clock."""
    for sensor, old, new in watch.sensors.changes(stats.clock):
        if watch.sensors.last_heard(sensor) is not None:
            stats.health.append((sensor, old, new, stats.clock))


async def consume(
    bus: Bus,
    subject: str,
    consumer: str,
    watch: DroneWatch,
    stop: asyncio.Event,
    *,
    sink: AlertSink | None = None,
    max_batch: int = 500,
    wait: float = 0.02,
) -> ConsumerStats:
    """Run the watch on ``subject`` until ``stop`` is set and the bus has gone quiet."""
    stats = ConsumerStats()
    async for payloads in bus.batches(subject, consumer, max_batch=max_batch, wait=wait):
        if not payloads:
            # Stop only once the bus holds nothing more for this watch: a slow fetch under
            # load is not the end of the stream.
            if stop.is_set() and not await bus.pending(subject, consumer):
                break
            continue
        stats.batches += 1
        detections = parse_batch(payloads, watch, stats)
        stats.detections += len(detections)
        out = watch.process(detections)
        _account(out, stats)
        _health(watch, stats)
        if out.alerts and sink is not None:
            sink(out.alerts)
    final = watch.finish()
    _account(final, stats)
    if final.alerts and sink is not None:
        sink(final.alerts)
    return stats
