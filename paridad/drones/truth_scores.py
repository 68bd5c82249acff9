"""A watch's output scored against a simulated night's planted truth: which flight each track
follows, track purity, crossings found beyond the ambiguity band, launch sites recovered.

The benchmark (``paridad bench drones``) and the demo's night both score with these, so the
figures they print are computed one way.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from paridad.drones.analytics import launch_sites, repeat_sites
from paridad.drones.analytics.geo import distance_m
from paridad.drones.fusion import FusionResult
from paridad.drones.simulator import Truth

MATCH_S = 30.0  # a detected crossing matches a true one of its flight within this
SITE_M = 150.0  # a repeat site recovers a planted hotspot within this


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
