"""A good-enough US-Mexico boundary for the synthetic world, and flat-earth helpers.

The line is a few dozen vertices from Tijuana to Matamoros (``data/border.csv``), ordered west
to east so that Mexico is always on the right of travel; each segment carries its Border
Patrol sector. Distances use a local equirectangular projection, accurate to well under 1% over
the few kilometres a drone flies. The real boundary is a separate concern of the drones module.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from functools import cache

from paridad.synth import catalog

KM_PER_DEG_LAT = 110.574


def km_per_deg_lon(lat: float) -> float:
    return 111.320 * math.cos(math.radians(lat))


def offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    return lat + north_km / KM_PER_DEG_LAT, lon + east_km / km_per_deg_lon(lat)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    mid = (lat1 + lat2) / 2
    dx = (lon2 - lon1) * km_per_deg_lon(mid)
    dy = (lat2 - lat1) * KM_PER_DEG_LAT
    return math.hypot(dx, dy)


@dataclass(frozen=True)
class Segment:
    index: int
    lat1: float
    lon1: float
    lat2: float
    lon2: float
    sector: str
    length_km: float
    kx: float  # km per degree of longitude at the segment's start
    ex: float  # unit vector of travel (east, north), in km space
    ey: float

    @classmethod
    def between(cls, index: int, a: catalog.BorderVertex, b: catalog.BorderVertex) -> Segment:
        kx = km_per_deg_lon(a.lat)
        dx, dy = (b.lon - a.lon) * kx, (b.lat - a.lat) * KM_PER_DEG_LAT
        norm = math.hypot(dx, dy) or 1.0
        return cls(index, a.lat, a.lon, b.lat, b.lon, a.sector, norm, kx, dx / norm, dy / norm)

    def frame(self) -> tuple[float, float]:
        return self.ex, self.ey

    def signed_distance(self, lat: float, lon: float) -> float:
        """Distance to the segment in km; positive on the US (left) side, negative in Mexico."""
        ex, ey = self.ex, self.ey
        px = (lon - self.lon1) * self.kx
        py = (lat - self.lat1) * KM_PER_DEG_LAT
        along = px * ex + py * ey
        across = ex * py - ey * px
        if 0 <= along <= self.length_km:
            return across
        if along < 0:
            dist = math.hypot(px, py)
        else:
            dist = math.hypot(px - self.length_km * ex, py - self.length_km * ey)
        return math.copysign(dist, across)


@cache
def segments() -> tuple[Segment, ...]:
    vs = catalog.border_vertices()
    return tuple(Segment.between(i, a, b) for i, (a, b) in enumerate(itertools.pairwise(vs)))


def side_of_line(lat: float, lon: float, hint: int | None = None) -> float:
    """Signed distance (km) to the nearest segment near ``hint``: >0 US, <0 Mexico."""
    segs = segments()
    lo, hi = (0, len(segs)) if hint is None else (max(0, hint - 2), min(len(segs), hint + 3))
    best = math.inf
    for seg in segs[lo:hi]:
        d = seg.signed_distance(lat, lon)
        if abs(d) < abs(best):
            best = d
    return best


@dataclass(frozen=True)
class Anchor:
    """A point on the line with the directions that matter there."""

    lat: float
    lon: float
    segment: int
    east: float  # unit vector along the line (km space)
    north: float

    def move(self, along_km: float, north_km: float) -> tuple[float, float]:
        """``north_km`` is across the line: positive into the US, negative into Mexico."""
        nx, ny = -self.north, self.east  # left normal, pointing into the US
        return offset(
            self.lat,
            self.lon,
            along_km * self.east + north_km * nx,
            along_km * self.north + north_km * ny,
        )


def random_anchor(rng: random.Random, sector: str) -> Anchor:
    """A point on ``sector``'s stretch of the line, uniform by length, away from vertices."""
    segs = [s for s in segments() if s.sector == sector]
    total = sum(s.length_km for s in segs)
    pick = rng.random() * total
    for seg in segs:
        if pick <= seg.length_km:
            break
        pick -= seg.length_km
    t = min(0.9, max(0.1, pick / seg.length_km if seg.length_km else 0.5))
    lat = seg.lat1 + (seg.lat2 - seg.lat1) * t
    lon = seg.lon1 + (seg.lon2 - seg.lon1) * t
    east, north = seg.frame()
    return Anchor(lat, lon, seg.index, east, north)
