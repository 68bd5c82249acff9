"""Synthetic drone paths across the border, built in the border's own projected frame so the
moment a path passes the reference line is known exactly (no sensors, no noise)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from paridad.drones.border import Border
from paridad.drones.border.geometry import _projection

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Frame:
    """A point of the reference line (projected metres) and the unit normal pointing north
    (into the US) there."""

    x: float
    y: float
    nx: float
    ny: float
    band_m: float

    def path(self, offsets_m: FloatArray) -> tuple[FloatArray, FloatArray]:
        """(lat, lon) of points at signed offsets along the normal (> 0 north)."""
        lon, lat = _projection().lonlat(self.x + offsets_m * self.nx, self.y + offsets_m * self.ny)
        return lat, lon


def frame_near(border: Border, lat: float, lon: float) -> Frame:
    """The frame at the reference point nearest (lat, lon)."""
    proj = _projection()
    x, y = proj.xy(np.array([lon]), np.array([lat]))
    line = border._ref
    _, along, _ = line.nearest(x, y)
    s = float(along[0])
    fx, fy = line.points_at(np.array([s - 100.0, s, s + 100.0]))
    tx, ty = fx[2] - fx[0], fy[2] - fy[0]
    norm = float(np.hypot(tx, ty))
    flon, flat = proj.lonlat(fx[1:2], fy[1:2])
    band = float(border.ambiguity_m(float(flat[0]), float(flon[0])))
    return Frame(float(fx[1]), float(fy[1]), -ty / norm, tx / norm, band)
