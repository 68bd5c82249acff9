"""Figures for ``docs/drone-analytics.md``: repeat-site clustering and H3 hotspots on
synthetic input, one JSON-ready dict per measurement in the keys of ``paridad bench``.

Timings live here, not in tests, because the machines are shared and noisy; the tests assert
the structure (distance checks per estimate) that makes these numbers what they are.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from paridad.drones.analytics import geo
from paridad.drones.analytics.clusters import ClusterStats
from paridad.drones.analytics.hotspots import hotspots
from paridad.drones.analytics.sites import EXTRAPOLATED, SiteEstimate, repeat_sites

ORIGIN = (32.48, -116.80)
START = 1_717_200_000.0


@dataclass
class _Track:
    id: str
    points: list[tuple[float, float, float, float | None]]
    serial: str | None = None
    sensors: tuple[str, ...] = ()
    countries: tuple[str, ...] = field(default_factory=tuple)


def measure_repeat_sites(
    estimates: int = 20_000, sites: int = 1_000, seed: int = 0
) -> dict[str, Any]:
    """Cluster ``estimates`` launch-site estimates drawn around ``sites`` planted sites along a
    120 km stretch (20 m scatter) with the default 150 m radius."""
    rng = random.Random(seed)
    planted = [
        geo.from_local(*ORIGIN, rng.uniform(-60e3, 60e3), rng.uniform(-3e3, -200.0))
        for _ in range(sites)
    ]
    rows = []
    for n in range(estimates):
        lat, lon = rng.choice(planted)
        la, lo = geo.from_local(lat, lon, rng.gauss(0, 20), rng.gauss(0, 20))
        rows.append((f"t{n}", START + n, SiteEstimate(la, lo, 40.0, EXTRAPOLATED)))
    stats = ClusterStats()
    began = time.perf_counter()
    found = repeat_sites(rows, stats=stats)
    seconds = time.perf_counter() - began
    return {
        "bench": "drone-repeat-sites",
        "system": "paridad",
        "dataset": f"synthetic-{sites}-sites",
        "n": estimates,
        "seconds": round(seconds, 4),
        "per_second": round(estimates / seconds) if seconds else None,
        "pair_checks": stats.pair_checks,
        "clusters": len(found),
    }


def measure_hotspots(tracks: int = 1_000, fixes: int = 300, seed: int = 0) -> dict[str, Any]:
    """H3 resolution-8 hotspots of ``tracks`` straight 1 Hz flights of ``fixes`` fixes each."""
    rng = random.Random(seed)
    paths = []
    for i in range(tracks):
        lat, lon = geo.from_local(*ORIGIN, rng.uniform(-20e3, 20e3), rng.uniform(-3e3, 0.0))
        east, north = rng.uniform(-12, 12), rng.uniform(0, 12)
        points: list[tuple[float, float, float, float | None]] = []
        for s in range(fixes):
            la, lo = geo.from_local(lat, lon, east * s, north * s)
            points.append((START + 3600 * i + s, la, lo, 80.0))
        paths.append(_Track(id=f"t{i}", points=points))
    began = time.perf_counter()
    found = hotspots(paths)
    seconds = time.perf_counter() - began
    total = tracks * fixes
    return {
        "bench": "drone-hotspots",
        "system": "paridad",
        "dataset": "synthetic-straight-flights",
        "n": total,
        "seconds": round(seconds, 4),
        "per_second": round(total / seconds) if seconds else None,
        "cells": len(found),
    }


def main() -> None:
    import json

    for result in (measure_repeat_sites(), measure_hotspots()):
        print(json.dumps(result))


if __name__ == "__main__":
    main()
