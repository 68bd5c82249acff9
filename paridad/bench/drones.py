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

import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from paridad.drones.analytics import launch_sites, repeat_sites
from paridad.drones.analytics.geo import distance_m
from paridad.drones.fusion import FusionResult, fuse, merged
from paridad.drones.simulator import (
    NightConfig,
    Truth,
    dense_stream,
    read_truth,
    simulate_night,
    write_night,
)
from paridad.drones.tracking import SensorRegistry

MATCH_S = 30.0
SITE_M = 150.0


def majority_flights(result: FusionResult, truth: Truth) -> tuple[dict[str, str | None], float]:
    """Each track's majority true flight, and the detection-weighted purity of all tracks."""
    owners: dict[str, str | None] = {}
    kept = total = 0
    for track in result.tracks:
        flights = Counter(
            truth.detections[d].flight if d in truth.detections else None
            for d in track.detection_ids
            if d
        )
        if not flights:
            owners[track.id] = None
            continue
        flight, count = flights.most_common(1)[0]
        owners[track.id] = flight
        kept += count
        total += sum(flights.values())
    return owners, (kept / total if total else float("nan"))


def crossing_scores(
    result: FusionResult,
    truth: Truth,
    owners: dict[str, str | None],
) -> dict[str, Any]:
    truths = truth.crossings()
    unmatched_truth = list(range(len(truths)))
    tp = fp = ignored = 0
    matched_truth: set[int] = set()
    for crossing in sorted(result.crossings, key=lambda c: c.time):
        flight = owners.get(crossing.track_id)
        best: tuple[float, int] | None = None
        for i in unmatched_truth:
            t = truths[i]
            if t.flight != flight or t.direction != crossing.direction:
                continue
            gap = abs(t.time - crossing.time)
            if gap <= MATCH_S and (best is None or gap < best[0]):
                best = (gap, i)
        if best is None:
            fp += 1
            continue
        unmatched_truth.remove(best[1])
        if truths[best[1]].outside_band:
            tp += 1
            matched_truth.add(best[1])
        else:
            ignored += 1
    outside = [i for i, t in enumerate(truths) if t.outside_band]
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = len(matched_truth) / len(outside) if outside else float("nan")
    return {
        "crossings_true": len(outside),
        "crossings_true_inside_band": len(truths) - len(outside),
        "crossings_detected": len(result.crossings),
        "crossings_matched": tp,
        "crossings_false": fp,
        "crossings_inside_band_detected": ignored,
        "crossing_precision": round(precision, 4),
        "crossing_recall": round(recall, 4),
    }


def site_scores(
    result: FusionResult, truth: Truth, owners: dict[str, str | None]
) -> dict[str, Any]:
    estimates = launch_sites(result.tracks)
    errors: list[float] = []
    tracked_from: dict[str, set[str]] = defaultdict(set)
    for track_id, _, estimate in estimates:
        flight = truth.flights.get(owners.get(track_id) or "")
        if flight is None:
            continue
        errors.append(distance_m(estimate.lat, estimate.lon, *flight.launch))
        if flight.hotspot:
            tracked_from[flight.hotspot].add(flight.id)
    sites = repeat_sites(estimates)
    reused = [h for h in truth.hotspots.values() if len(tracked_from.get(h.id, ())) >= 2]
    found = sum(
        1 for h in reused if any(distance_m(s.lat, s.lon, h.lat, h.lon) <= SITE_M for s in sites)
    )
    return {
        "launch_error_median_m": round(statistics.median(errors), 1) if errors else None,
        "launch_sites_planted_reused": len(reused),
        "launch_sites_found": found,
        "launch_site_recovery": round(found / len(reused), 4) if reused else None,
        "repeat_sites_reported": len(sites),
    }


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
