"""``paridad drones replay DIR``: a simulated (or recorded) night, streamed into the nodes.

Each country's detections (``mx/detections.jsonl``, ``us/detections.jsonl``) are published on
that node's bus subject at the pace they were recorded — ``speed`` times faster — and each
node's watch, in this process, tracks them, raises alerts, stores them and hands them to the
partner through the drone agreement. The nodes' ``paridad serve`` processes deliver; if a
partner is down, its alerts wait in the outbox (nothing is lost).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from paridad.drones.alerts import Alert
from paridad.drones.alerts.handoff import AlertHandoff
from paridad.drones.stream.bus import Bus, open_bus, subject_for
from paridad.drones.stream.consumer import ConsumerStats, consume
from paridad.drones.tracking import SensorRegistry
from paridad.drones.watch import DroneWatch
from paridad.errors import ParidadError
from paridad.exchange.context import Exchange
from paridad.i18n import N_

MSG_NO_SIDE = N_("The night folder {path} has no detections for {side} ({file}).")
MSG_NO_SENSORS = N_("The night folder {path} has no sensors.yaml.")
SIDES = ("mx", "us")


class ReplayError(ParidadError):
    """A night folder that cannot be replayed."""


@dataclass
class SideSummary:
    node: str
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    handed_off: int = 0
    shared: dict[str, int] = field(default_factory=dict)
    tracks: int = 0
    alerts: list[Alert] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            **self.stats.to_dict(),
            "tracks": self.tracks,
            "stored_alerts": self.handed_off,
            "shared": self.shared,
        }


@dataclass
class ReplaySummary:
    bus: str
    seconds: float = 0.0
    sides: dict[str, SideSummary] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "bus": self.bus,
            "seconds": round(self.seconds, 2),
            "sides": {k: v.to_dict() for k, v in self.sides.items()},
        }


def _time(line: bytes) -> float:
    value = orjson.loads(line).get("time")
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def read_lines(path: Path) -> list[tuple[float, bytes]]:
    """The side's records with their recorded times; a line without a readable time is kept
    for the watch to reject and count (time 0 puts it first)."""
    out: list[tuple[float, bytes]] = []
    with path.open("rb") as fh:
        for raw in fh:
            line = raw.strip()
            if not line:
                continue
            try:
                out.append((_time(line), line))
            except (ValueError, TypeError, AttributeError, orjson.JSONDecodeError):
                out.append((0.0, line))
    out.sort(key=lambda item: item[0])
    return out


async def publish_paced(
    bus: Bus, subject: str, lines: Sequence[tuple[float, bytes]], speed: float, tick: float = 0.01
) -> None:
    """Publish at the recorded pace × ``speed`` (0 or less: as fast as possible)."""
    if not lines:
        return
    origin = next((t for t, _ in lines if t > 0), 0.0)
    start = time.monotonic()
    i = 0
    while i < len(lines):
        if speed > 0:
            due = start + (lines[i][0] - origin) / speed if lines[i][0] > 0 else start
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(min(due - now, 0.25))
                continue
            limit = origin + (now - start) * speed
        else:
            limit = float("inf")
        j = i
        while j < len(lines) and (lines[j][0] <= limit or lines[j][0] <= 0) and j - i < 2000:
            j += 1
        await bus.publish(subject, [line for _, line in lines[i:j]])
        i = j
        await asyncio.sleep(tick if speed > 0 else 0)


async def _replay(
    night: Path,
    nodes: dict[str, Path],
    bus: Bus,
    speed: float,
    summary: ReplaySummary,
) -> None:
    await bus.start()
    registry_path = night / "sensors.yaml"
    stop = asyncio.Event()
    exchanges: list[Exchange] = []
    consumers = []
    producers = []
    try:
        for side, node_dir in nodes.items():
            ex = Exchange.open(node_dir)
            exchanges.append(ex)
            handoff = AlertHandoff(ex)
            side_summary = SideSummary(node=ex.name)
            summary.sides[side] = side_summary
            watch = DroneWatch(SensorRegistry.load(registry_path))

            def sink(
                alerts: Sequence[Alert], h: AlertHandoff = handoff, s: SideSummary = side_summary
            ) -> None:
                result = h.hand_off(alerts)
                s.handed_off += result.stored
                s.alerts.extend(alerts)
                for partner, n in result.shared.items():
                    s.shared[partner] = s.shared.get(partner, 0) + n

            subject = subject_for(ex.name, prefix=bus.prefix)
            consumer = f"watch-{ex.name}"
            consumers.append(
                (
                    side,
                    watch,
                    asyncio.create_task(consume(bus, subject, consumer, watch, stop, sink=sink)),
                )
            )
            lines = read_lines(night / side / "detections.jsonl")
            producers.append(asyncio.create_task(publish_paced(bus, subject, lines, speed)))
        await asyncio.sleep(0.1)
        await asyncio.gather(*producers)
        stop.set()
        for side, watch, task in consumers:
            summary.sides[side].stats = await task
            summary.sides[side].tracks = len(watch.tracks)
    finally:
        for ex in exchanges:
            ex.close()
        await bus.close()


def replay(
    night: Path,
    nodes: dict[str, Path],
    *,
    bus: str | None = None,
    speed: float = 0.0,
) -> ReplaySummary:
    """Stream ``night`` into ``nodes`` (``{"mx": dir, "us": dir}``, either may be left out)."""
    if not (night / "sensors.yaml").is_file():
        raise ReplayError(MSG_NO_SENSORS, path=str(night))
    for side in nodes:
        file = night / side / "detections.jsonl"
        if not file.is_file():
            raise ReplayError(MSG_NO_SIDE, path=str(night), side=side.upper(), file=str(file))
    chosen = open_bus(bus)
    summary = ReplaySummary(bus=chosen.name)
    started = time.monotonic()
    asyncio.run(_replay(night, nodes, chosen, speed, summary))
    summary.seconds = time.monotonic() - started
    return summary
