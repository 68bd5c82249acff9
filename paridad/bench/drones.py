"""``paridad bench drones``: the drone watch against a simulated night with planted truth.

Rows:

- ``accuracy``: both countries' detections of a simulated night fused by the same watch a node
  runs. Crossing precision and recall count only the true crossings the flight made beyond the
  ambiguity band on both sides (inside the band, where the two official lines disagree, no
  one can say whether it crossed); a detected crossing matches a true one of the same flight
  (the track's majority flight), same direction, within ``MATCH_S`` seconds. Track purity is
  the detection-weighted share of each track's detections that belong to its majority flight.
  Launch-site recovery is the share of planted launch hotspots used at least twice by tracked
  flights that a repeat launch site found within ``SITE_M`` metres.
- ``throughput``: detections per second through the watch (tracker, border, rules) in one
  process on a dense sky (60 flights in the air, a hundred sensors), reading the files
  included and not; ``tracker``: the tracker alone on its own scene (50 flights, 6 sensors).
- ``latency`` (one row per bus): from a detection entering the Mexican node to the alert it
  raised applied at the US node, at 1,000 detections/s, on the in-process bus and on NATS
  JetStream (:mod:`paridad.bench.drones_latency`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from paridad.drones.fusion import FusionResult, fuse, merged
from paridad.drones.simulator import (
    NightConfig,
    dense_stream,
    read_truth,
    simulate_night,
    write_night,
)
from paridad.drones.tracking import SensorRegistry
from paridad.drones.truth_scores import crossing_scores, majority_flights, site_scores


def accuracy(config: NightConfig, label: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="paridad-bench-drones-") as tmp:
        night_dir = Path(tmp) / "night"
        write_night(simulate_night(config), night_dir)
        truth = read_truth(night_dir)
        sensors = SensorRegistry.load(night_dir / "sensors.yaml")
        files = [night_dir / "mx" / "detections.jsonl", night_dir / "us" / "detections.jsonl"]
        result = FusionResult()
        detections = list(merged(files, result))
        fuse(detections, sensors, result=result)
        owners, purity = majority_flights(result, truth)
        return {
            "system": "paridad",
            "measure": "accuracy",
            "night": label,
            "seed": config.seed,
            "flights": len(truth.flights),
            "detections": result.detections,
            "rejected": len(result.errors),
            "tracks": len(result.tracks),
            "flights_tracked": len({f for f in owners.values() if f}),
            "track_purity": round(purity, 4),
            **crossing_scores(result, truth, owners),
            **site_scores(result, truth, owners),
        }


def throughput(flights: int = 60, seconds: float = 120.0, seed: int = 11) -> dict[str, Any]:
    """The watch on a dense sky (``flights`` drones in the air at once, both countries'
    sensors): detections per second in one process, with and without reading the files."""
    with tempfile.TemporaryDirectory(prefix="paridad-bench-drones-") as tmp:
        night_dir = Path(tmp) / "dense"
        write_night(dense_stream(flights=flights, duration_s=seconds, seed=seed), night_dir)
        sensors = SensorRegistry.load(night_dir / "sensors.yaml")
        files = [night_dir / "mx" / "detections.jsonl", night_dir / "us" / "detections.jsonl"]
        started = time.perf_counter()
        result = FusionResult()
        detections = list(merged(files, result))
        read_s = time.perf_counter() - started
        fuse(detections, sensors, result=result)
    return {
        "system": "paridad",
        "measure": "throughput",
        "flights": flights,
        "detections": result.detections,
        "tracks": len(result.tracks),
        "watch_seconds": round(result.seconds, 3),
        "watch_detections_per_s": round(result.detections / result.seconds, 1),
        "read_seconds": round(read_s, 3),
        "ingest_detections_per_s": round(result.detections / (result.seconds + read_s), 1),
    }


def run(
    size: int | None = None,
    seed: int = 7,
    buses: Sequence[str] = ("memory", "nats"),
    rate: float = 1000.0,
    seconds: float = 60.0,
    **_: Any,
) -> Iterator[dict[str, Any]]:
    flights = size or 120
    # The domain's night (penetration median 400 m: most incursions stay inside the band) and
    # a night of deeper incursions, so crossing precision and recall rest on enough events.
    yield accuracy(NightConfig(seed=seed, flights=flights), "domain")
    yield accuracy(
        NightConfig(seed=seed, flights=flights, penetration_median_m=1500.0, crossing_share=0.5),
        "deep-incursions",
    )
    yield throughput()
    # The tracker alone on its own scene (50 flights, 6 sensors), for comparison with the
    # whole watch above.
    from paridad.drones.tracking.bench import measure as tracker_measure

    yield {"measure": "tracker", **tracker_measure(20_000, 50, 1)}
    from paridad.bench.drones_latency import measure

    for row in measure(buses=buses or ("memory", "nats"), rate=rate, seconds=seconds):
        yield {"system": "paridad", "measure": "latency", **row}
