"""The tracker's metric plane along the whole border."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod

from paridad.drones.tracking import LocalFrame

GEOD = Geod(ellps="WGS84")
# Tijuana, Nogales, Ciudad Juárez, Reynosa / McAllen.
PLACES = [(32.53, -117.02), (31.33, -110.94), (31.74, -106.48), (26.09, -98.28)]


def test_round_trip_along_the_border() -> None:
    frame = LocalFrame()
    lat = np.array([p[0] for p in PLACES])
    lon = np.array([p[1] for p in PLACES])
    back_lat, back_lon = frame.to_latlon(*frame.to_xy(lat, lon))
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)


@pytest.mark.parametrize(("lat", "lon"), PLACES)
def test_distances_and_bearings_hold_within_a_few_kilometres(lat: float, lon: float) -> None:
    frame = LocalFrame()
    azimuth, distance = 63.0, 3000.0
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth, distance)
    x, y = frame.to_xy(np.array([lat, lat2]), np.array([lon, lon2]))
    grid_distance = math.hypot(x[1] - x[0], y[1] - y[0])
    assert grid_distance == pytest.approx(distance, rel=3e-3)  # scale error under 0.3 %
    grid_azimuth = math.degrees(math.atan2(x[1] - x[0], y[1] - y[0]))
    north = math.degrees(float(frame.north(lat, lon)))
    # True azimuth + grid azimuth of true north = grid azimuth.
    assert grid_azimuth == pytest.approx(azimuth + north, abs=0.01)


def test_grid_north_turns_away_from_true_north_at_the_ends() -> None:
    frame = LocalFrame()
    west = math.degrees(float(frame.north(32.53, -117.02)))
    centre = math.degrees(float(frame.north(31.74, -106.0)))
    east = math.degrees(float(frame.north(26.09, -98.28)))
    assert west > 3.0 and east < -2.5 and abs(centre) < 0.01
