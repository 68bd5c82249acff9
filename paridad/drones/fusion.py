"""Fusing recorded detections from files — both countries' sensors at once — into tracks,
crossings and alerts: what ``paridad drones tracks`` and the accuracy benchmark run.

The files are read lazily, merged in time order (each file is sorted by time, as sensors
write them; an unsorted file is sorted in memory) and fed to the same :class:`DroneWatch` a
live node runs, in one-second slices, so a result from files is the result the live watch
would have given.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.drones.alerts import Alert
from paridad.drones.border import CrossingEvent
from paridad.drones.tracking import (
    Detection,
    DetectionError,
    SensorRegistry,
    Track,
    read_detections,
)
from paridad.drones.watch import DroneWatch

SLICE_S = 5.0  # a slice is one tracker call; the tracker orders scans within it


@dataclass
class FusionResult:
    detections: int = 0
    heartbeats: int = 0
    errors: list[DetectionError] = field(default_factory=list)
    tracks: list[Track] = field(default_factory=list)
    crossings: list[CrossingEvent] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    seconds: float = 0.0
    assignments: dict[str, str] = field(default_factory=dict)  # detection id -> track id

    def summary(self) -> dict[str, Any]:
        return {
            "detections": self.detections,
            "heartbeats": self.heartbeats,
            "rejected": len(self.errors),
            "tracks": len(self.tracks),
            "crossings": len(self.crossings),
            "alerts": dict(Counter(a.kind for a in self.alerts)),
        }


def _sorted(path: Path, result: FusionResult) -> Iterator[Detection]:
    items: list[Detection] = []
    for item in read_detections(path):
        if isinstance(item, DetectionError):
            result.errors.append(item)
        elif isinstance(item, Detection):
            items.append(item)
        else:
            result.heartbeats += 1
    items.sort(key=lambda d: d.time)
    return iter(items)


def merged(paths: Sequence[Path], result: FusionResult) -> Iterator[Detection]:
    """Every file's detections in one time-ordered stream."""
    streams = [_sorted(p, result) for p in paths]
    return heapq.merge(*streams, key=lambda d: d.time)


def slices(detections: Iterable[Detection], width: float = SLICE_S) -> Iterator[list[Detection]]:
    batch: list[Detection] = []
    end: float | None = None
    for detection in detections:
        if end is None:
            end = detection.time + width
        if detection.time >= end:
            yield batch
            batch = []
            end = detection.time + width
        batch.append(detection)
    if batch:
        yield batch


def fuse(
    detections: Iterable[Detection],
    sensors: SensorRegistry,
    *,
    result: FusionResult | None = None,
    progress: Callable[[int], None] | None = None,
) -> FusionResult:
    """Run the watch over ``detections`` (time-ordered) and collect what it produced."""
    import time

    out = result or FusionResult()
    watch = DroneWatch(sensors)
    started = time.perf_counter()
    for batch in slices(detections):
        produced = watch.process(batch)
        out.detections += len(batch)
        out.crossings.extend(produced.crossings)
        out.alerts.extend(produced.alerts)
        if progress is not None:
            progress(len(batch))
    final = watch.finish()
    out.alerts.extend(final.alerts)
    out.seconds = time.perf_counter() - started
    out.tracks = list(watch.tracks)
    for track in out.tracks:
        for detection_id in track.detection_ids:
            if detection_id:
                out.assignments[str(detection_id)] = track.id
    return out


def fuse_files(
    paths: Sequence[Path],
    sensors_file: Path,
    progress: Callable[[int], None] | None = None,
) -> FusionResult:
    result = FusionResult()
    sensors = SensorRegistry.load(sensors_file)
    return fuse(merged(paths, result), sensors, result=result, progress=progress)
