"""Where flights happen: stretches of the border line in a local metric frame.

Flights are planned in metres (east, north) around the middle of a stretch of the reference
line — a few tens of kilometres, where a flat equirectangular frame is exact to well under a
metre per kilometre — and only then turned into latitude and longitude. The line itself comes
from :class:`paridad.drones.border.Border`, so the simulator plants its truth against the same
line the crossing watch measures against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from paridad.errors import ParidadError
from paridad.i18n import N_

FloatArray = NDArray[np.float64]

RESAMPLE_M = 50.0
MARGIN_M = 15_000.0  # line kept beyond each end of the stretch (flights stray past it)

MSG_UNKNOWN_SECTOR = N_("Unknown border sector {sector}; known sectors: {known}.")


class SimulatorError(ParidadError):
    """A simulator configuration or a night folder that cannot be used."""


class BorderLike(Protocol):
    """What the simulator needs of :class:`paridad.drones.border.Border`."""

    @property
    def reference(self) -> Any: ...  # a shapely LineString (lon, lat), west to east

    def signed_distance_m(self, lat: ArrayLike, lon: ArrayLike) -> Any: ...

    def ambiguity_m(self, lat: ArrayLike, lon: ArrayLike) -> Any: ...


@dataclass(frozen=True)
class SectorSite:
    """A busy stretch of a Border Patrol sector: the twin cities where drones fly."""

    name: str
    code: str
    places: str
    lat: float  # a point on the line in the middle of the stretch
    lon: float
    ground_m: float  # ground elevation above the ellipsoid, for Remote ID geodetic altitude
    weight: float  # share of incursions (domain.md, "Drone module", sector weights)


# The middle of each stretch is the twin-city crossing; weights are the domain's sector shares.
SECTORS: dict[str, SectorSite] = {
    s.name: s
    for s in (
        SectorSite("San Diego", "SDC", "Tijuana / San Diego", 32.545, -116.99, 90.0, 0.06),
        SectorSite("El Centro", "ELC", "Mexicali / Calexico", 32.665, -115.49, 5.0, 0.03),
        SectorSite("Yuma", "YUM", "San Luis Río Colorado / San Luis", 32.487, -114.78, 40.0, 0.05),
        SectorSite("Tucson", "TCA", "Nogales / Nogales", 31.333, -110.94, 1200.0, 0.10),
        SectorSite("El Paso", "EPT", "Juárez / El Paso", 31.755, -106.45, 1130.0, 0.08),
        SectorSite("Big Bend", "BBT", "Ojinaga / Presidio", 29.56, -104.37, 790.0, 0.03),
        SectorSite("Del Rio", "DRT", "Ciudad Acuña / Del Rio", 29.35, -100.92, 300.0, 0.05),
        SectorSite("Laredo", "LRT", "Nuevo Laredo / Laredo", 27.50, -99.51, 130.0, 0.10),
        SectorSite("Rio Grande Valley", "RGV", "Reynosa / McAllen", 26.10, -98.26, 35.0, 0.50),
    )
}


def sector_site(name: str) -> SectorSite:
    site = SECTORS.get(name)
    if site is None:
        raise SimulatorError(MSG_UNKNOWN_SECTOR, sector=name, known=", ".join(SECTORS))
    return site


def metres_per_degree(lat: float) -> tuple[float, float]:
    """(metres per degree of longitude, of latitude) on WGS84 at ``lat``."""
    phi = math.radians(lat)
    per_lat = 111132.954 - 559.822 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    per_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    return per_lon, per_lat


@dataclass(frozen=True)
class LocalFrame:
    """East/north metres around an origin; exact enough over a stretch of ~30 km."""

    lat0: float
    lon0: float

    @property
    def scale(self) -> tuple[float, float]:
        return metres_per_degree(self.lat0)

    def to_local(self, lat: ArrayLike, lon: ArrayLike) -> tuple[FloatArray, FloatArray]:
        kx, ky = self.scale
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * kx
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * ky
        return x, y

    def to_geo(self, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """(lat, lon) of local points."""
        kx, ky = self.scale
        lat = self.lat0 + np.asarray(y, dtype=np.float64) / ky
        lon = self.lon0 + np.asarray(x, dtype=np.float64) / kx
        return lat, lon


def bearing_deg(x0: ArrayLike, y0: ArrayLike, x1: ArrayLike, y1: ArrayLike) -> FloatArray:
    """Bearing clockwise from north, 0-360, from (x0, y0) to (x1, y1) in a local frame."""
    dx = np.asarray(x1, dtype=np.float64) - np.asarray(x0, dtype=np.float64)
    dy = np.asarray(y1, dtype=np.float64) - np.asarray(y0, dtype=np.float64)
    return np.degrees(np.arctan2(dx, dy)) % 360.0


@dataclass(frozen=True)
class Stretch:
    """A stretch of the reference line in a local frame, parametrised by distance along it.

    ``s`` is metres along the line from the middle of the stretch (negative to the west);
    ``across`` is metres along the left normal, which points into the United States because
    the line runs west to east with Mexico on its right.
    """

    site: SectorSite
    frame: LocalFrame
    half_length_m: float
    xs: FloatArray  # the line's vertices, local metres
    ys: FloatArray
    along: FloatArray  # cumulative length at each vertex, relative to the middle

    @classmethod
    def around(cls, border: BorderLike, site: SectorSite, half_length_m: float) -> Stretch:
        """The stretch of ``border``'s reference line around ``site``, resampled every
        ``RESAMPLE_M`` and snapped onto the border's own distance (two Newton steps along the
        normal): a long straight segment of the line is straight in the border's projection,
        not in this frame, and the two may part by tens of metres in the middle."""
        coords = np.asarray(border.reference.coords, dtype=np.float64)
        frame = LocalFrame(site.lat, site.lon)
        x, y = frame.to_local(coords[:, 1], coords[:, 0])
        cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
        middle = _project(x, y, cum, 0.0, 0.0)
        reach = half_length_m + MARGIN_M
        s = np.arange(max(cum[0], middle - reach), min(cum[-1], middle + reach), RESAMPLE_M)
        rough = cls(site, frame, half_length_m, x, y, cum - middle)
        along = s - middle
        px, py = rough.point(along)
        for _ in range(2):
            snapped = cls(site, frame, half_length_m, px, py, along)
            nx, ny = snapped.normal(along)
            lat, lon = frame.to_geo(px, py)
            d = np.asarray(border.signed_distance_m(lat, lon), dtype=np.float64).reshape(-1)
            px, py = px - d * nx, py - d * ny
        return cls(site, frame, half_length_m, px, py, along)

    def point(self, s: ArrayLike) -> tuple[FloatArray, FloatArray]:
        s_arr = np.asarray(s, dtype=np.float64)
        return np.interp(s_arr, self.along, self.xs), np.interp(s_arr, self.along, self.ys)

    def normal(self, s: ArrayLike, smooth_m: float = 250.0) -> tuple[FloatArray, FloatArray]:
        """Unit left normal (into the US), from the chord over ±``smooth_m`` so that the
        meanders of the Rio Grande do not flip it."""
        s_arr = np.asarray(s, dtype=np.float64)
        xa, ya = self.point(s_arr - smooth_m)
        xb, yb = self.point(s_arr + smooth_m)
        tx, ty = xb - xa, yb - ya
        norm = np.hypot(tx, ty)
        norm = np.where(norm > 0, norm, 1.0)
        return -ty / norm, tx / norm

    def locate(self, x: float, y: float) -> float:
        """``s`` of the point of the line nearest to (x, y)."""
        return _project(self.xs, self.ys, self.along, x, y)

    def offset(self, s: ArrayLike, across: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """The point ``across`` metres from the line (positive: US side) at ``s``."""
        x, y = self.point(s)
        nx, ny = self.normal(s)
        a = np.asarray(across, dtype=np.float64)
        return x + a * nx, y + a * ny


def _project(x: FloatArray, y: FloatArray, cum: FloatArray, px: float, py: float) -> float:
    """Distance along the polyline of the point nearest to (px, py)."""
    dx, dy = np.diff(x), np.diff(y)
    seg2 = dx * dx + dy * dy
    seg2 = np.where(seg2 > 0, seg2, 1.0)
    t = np.clip(((px - x[:-1]) * dx + (py - y[:-1]) * dy) / seg2, 0.0, 1.0)
    qx, qy = x[:-1] + t * dx, y[:-1] + t * dy
    d = np.hypot(qx - px, qy - py)
    i = int(np.argmin(d))
    return float(cum[i] + t[i] * math.sqrt(seg2[i]))
