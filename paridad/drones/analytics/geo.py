"""Small spherical geometry and a typed face on the H3 library.

The analytics work at the scale of a launch site or a hexagon (metres to a few kilometres),
where a sphere of mean radius is within 0.5% of the ellipsoid; that error is far below the
sensors' (15–35 m) and keeps the code free of projections. H3 ships no type information, so
its calls are wrapped here once, with the types the rest of the package relies on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import h3  # type: ignore[import-untyped, unused-ignore]

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def to_local(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """East and north metres of ``(lat, lon)`` from ``(lat0, lon0)`` on a local tangent plane;
    good to a fraction of a metre over the few kilometres a launch-site estimate spans."""
    east = math.radians(lon - lon0) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    north = math.radians(lat - lat0) * EARTH_RADIUS_M
    return east, north


def from_local(lat0: float, lon0: float, east: float, north: float) -> tuple[float, float]:
    """The inverse of :func:`to_local`."""
    lat = lat0 + math.degrees(north / EARTH_RADIUS_M)
    cos0 = max(math.cos(math.radians(lat0)), 1e-9)
    lon = lon0 + math.degrees(east / (EARTH_RADIUS_M * cos0))
    return lat, lon


def unit_vector(lat: float, lon: float) -> tuple[float, float, float]:
    """The point on the unit sphere: straight-line (chord) distances between these are
    monotone in great-circle distance everywhere, poles and antimeridian included."""
    p, la = math.radians(lat), math.radians(lon)
    return math.cos(p) * math.cos(la), math.cos(p) * math.sin(la), math.sin(p)


def centre_of(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The spherical centre (normalised mean of unit vectors) of ``(lat, lon)`` points."""
    x = y = z = 0.0
    for lat, lon in points:
        ux, uy, uz = unit_vector(lat, lon)
        x, y, z = x + ux, y + uy, z + uz
    norm = math.sqrt(x * x + y * y + z * z)
    if norm == 0.0:
        return points[0]
    return math.degrees(math.asin(max(-1.0, min(1.0, z / norm)))), math.degrees(math.atan2(y, x))


# --- H3 -------------------------------------------------------------------------------------


def cell_of(lat: float, lon: float, resolution: int) -> str:
    return str(h3.latlng_to_cell(lat, lon, resolution))


def is_cell(value: str) -> bool:
    try:
        return bool(h3.is_valid_cell(value))
    except (TypeError, ValueError):
        return False


def cell_centre(cell: str) -> tuple[float, float]:
    lat, lon = h3.cell_to_latlng(cell)
    return float(lat), float(lon)


def cell_ring(cell: str) -> list[tuple[float, float]]:
    """The cell's boundary as a closed ``(lon, lat)`` ring, counter-clockwise (RFC 7946's
    right-hand rule for exterior rings)."""
    ring = [(float(lon), float(lat)) for lat, lon in h3.cell_to_boundary(cell)]
    twice_area = sum(
        x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
    )
    if twice_area < 0:
        ring.reverse()
    return [*ring, ring[0]]


def disk(cell: str, k: int) -> list[str]:
    """The cells within ``k`` steps of ``cell``, the cell itself included."""
    return [str(c) for c in h3.grid_disk(cell, k)]


def path_cells(start: str, end: str, max_cells: int) -> list[str] | None:
    """The cells on the grid line from ``start`` to ``end``, both included; None when they are
    further apart than ``max_cells`` or H3 cannot draw the line (across a pentagon)."""
    try:
        if int(h3.grid_distance(start, end)) > max_cells:
            return None
        return [str(c) for c in h3.grid_path_cells(start, end)]
    except (h3.H3BaseException, ValueError):
        return None
