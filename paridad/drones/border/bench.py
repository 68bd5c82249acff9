"""Throughput of the border's hot paths, for ``paridad bench drones``.

Synthetic points are spread along the whole line, within about ±10 km of it, so the nearest
segment search does the work it does on real tracks; tracks of 100 points each cross the line
straight, so the crossing watch emits events too. Timings are wall-clock seconds of one run
after a warm-up on a small batch (loading the border is not counted).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from paridad.drones.border.crossings import CrossingWatch
from paridad.drones.border.errors import MSG_BAD_POINTS, InvalidPosition
from paridad.drones.border.geometry import Border

_TRACK_POINTS = 100


def measure(points: int, *, seed: int = 7) -> dict[str, Any]:
    """Points per second of ``Border.signed_distance_m`` and ``CrossingWatch.update_many``."""
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise InvalidPosition(MSG_BAD_POINTS, points=points)
    border = Border.load()
    rng = np.random.default_rng(seed)
    coords = np.asarray(border.reference.coords, dtype=np.float64)
    tracks = max(1, points // _TRACK_POINTS)
    # Each track: a start on the line, then a straight run from 3 km south to 3 km north.
    start = rng.integers(0, len(coords), tracks)
    base_lon = np.repeat(coords[start, 0], _TRACK_POINTS)[:points]
    base_lat = np.repeat(coords[start, 1], _TRACK_POINTS)[:points]
    step = np.tile(np.linspace(-0.03, 0.03, _TRACK_POINTS), tracks)[:points]
    if len(base_lat) < points:  # fewer points than one track: pad with the first track
        pad = points - len(base_lat)
        base_lon = np.concatenate([base_lon, np.full(pad, coords[0, 0])])
        base_lat = np.concatenate([base_lat, np.full(pad, coords[0, 1])])
        step = np.concatenate([step, np.linspace(-0.03, 0.03, pad)])
    lat = base_lat + step + rng.normal(0.0, 0.05, points) * (rng.random(points) < 0.2)
    lon = base_lon + rng.normal(0.0, 0.002, points)
    ids = np.repeat([f"t{i}" for i in range(tracks)], _TRACK_POINTS)[:points]
    if len(ids) < points:
        ids = np.concatenate([ids, np.full(points - len(ids), "t0")])
    times = np.tile(np.arange(_TRACK_POINTS, dtype=np.float64), tracks)[:points]
    if len(times) < points:
        times = np.concatenate([times, np.arange(len(times), points, dtype=np.float64)])
    times = times + 1.7e9

    border.signed_distance_m(lat[:1000], lon[:1000])  # warm-up
    start_t = time.perf_counter()
    border.signed_distance_m(lat, lon)
    distance_s = time.perf_counter() - start_t

    watch = CrossingWatch(border)
    start_t = time.perf_counter()
    events = watch.update_many(ids.tolist(), times, lat, lon)
    watch_s = time.perf_counter() - start_t
    return {
        "bench": "drones-border",
        "system": "paridad",
        "n": points,
        "signed_distance_seconds": distance_s,
        "signed_distance_per_second": points / distance_s if distance_s > 0 else float("inf"),
        "update_many_seconds": watch_s,
        "update_many_per_second": points / watch_s if watch_s > 0 else float("inf"),
        "crossings": len(events),
    }
