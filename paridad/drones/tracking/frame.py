"""The tracker's metric plane: a Lambert conformal conic fitted to the border.

A single flat east/north frame around one origin would do for one sector, but a node's tracker
may hear sensors from Tijuana to Matamoros at once (some 2,000 km); an equirectangular frame
that wide is off by several per cent in scale. This conic, with standard parallels at 26° and
32° N, keeps the scale within 0.2 % along the whole line and — being conformal — keeps local
angles, so a constant-velocity model and a bearing measurement mean the same as on the ground.
The one thing to correct is *grid* north, which turns away from true north by the meridian
convergence (up to about ±5° at the ends of the border): bearings from RF finders are rotated
into the grid and velocities back out of it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Transformer

BORDER_LCC = "+proj=lcc +lat_1=26 +lat_2=32 +lat_0=29 +lon_0=-106 +datum=WGS84 +units=m +no_defs"
_NORTH_STEP_DEG = 1e-4

Array = NDArray[np.float64]


class LocalFrame:
    """Forward and inverse projection, vectorised over numpy arrays."""

    def __init__(self, projection: str = BORDER_LCC) -> None:
        self.projection = projection
        self._forward = Transformer.from_crs("EPSG:4326", projection, always_xy=True)
        self._inverse = Transformer.from_crs(projection, "EPSG:4326", always_xy=True)

    def to_xy(self, lat: ArrayLike, lon: ArrayLike) -> tuple[Array, Array]:
        x, y = self._forward.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_latlon(self, x: ArrayLike, y: ArrayLike) -> tuple[Array, Array]:
        lon, lat = self._inverse.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)

    def north(self, lat: ArrayLike, lon: ArrayLike) -> Array:
        """Grid azimuth of true north at each point, radians (clockwise from grid north)."""
        lat_a = np.asarray(lat, dtype=float)
        lon_a = np.asarray(lon, dtype=float)
        x0, y0 = self.to_xy(lat_a, lon_a)
        x1, y1 = self.to_xy(lat_a + _NORTH_STEP_DEG, lon_a)
        return np.asarray(np.arctan2(x1 - x0, y1 - y0), dtype=float)
