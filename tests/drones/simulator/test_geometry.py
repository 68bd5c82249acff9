from __future__ import annotations

import numpy as np
import pytest

from paridad.drones.border import Border
from paridad.drones.simulator.geometry import (
    SECTORS,
    LocalFrame,
    SimulatorError,
    Stretch,
    bearing_deg,
    sector_site,
)


@pytest.mark.parametrize("name", ["San Diego", "Tucson", "El Paso", "Rio Grande Valley"])
def test_offsets_along_the_normal_match_the_border_distance(border: Border, name: str) -> None:
    """The stretch is snapped onto the border's own line and its normal points into the US:
    a point 300 m along the normal is 300 m from the line by the border's own measure."""
    stretch = Stretch.around(border, sector_site(name), 10_000.0)
    s = np.linspace(-9_000, 9_000, 13)
    for across in (300.0, -300.0):
        x, y = stretch.offset(s, across)
        lat, lon = stretch.frame.to_geo(x, y)
        d = border.signed_distance_m(lat, lon)
        # At a bend of the line, another stretch of it may be a little nearer.
        assert np.all(d * np.sign(across) > 0.95 * abs(across)), (name, across, d)
        assert np.all(np.abs(d) <= abs(across) + 5.0), (name, across, d)
        assert float(np.median(np.abs(d - across))) < 1.0, (name, across, d)
    # Farther out a meander of the river may come nearer than the foot point, never farther,
    # and the point stays on its side.
    for across in (1500.0, -1500.0):
        x, y = stretch.offset(s, across)
        lat, lon = stretch.frame.to_geo(x, y)
        d = border.signed_distance_m(lat, lon)
        assert np.all(d * np.sign(across) > 0), (name, across, d)
        assert np.all(np.abs(d) <= abs(across) + 5.0), (name, across, d)


def test_the_sector_sites_lie_on_the_line_in_their_sector(border: Border) -> None:
    for site in SECTORS.values():
        assert abs(float(border.signed_distance_m(site.lat, site.lon))) < 2_000, site.name
        assert border.sector(site.lat, site.lon) == site.name


def test_unknown_sector_is_a_clear_error() -> None:
    with pytest.raises(SimulatorError) as err:
        sector_site("Atlantis")
    assert "Atlantis" in str(err.value)
    assert "Rio Grande Valley" in str(err.value)


def test_local_frame_round_trip_and_scale() -> None:
    frame = LocalFrame(31.33, -110.94)
    x, y = frame.to_local(31.34, -110.93)
    lat, lon = frame.to_geo(x, y)
    assert lat == pytest.approx(31.34, abs=1e-12)
    assert lon == pytest.approx(-110.93, abs=1e-12)
    # 0.01 degree of latitude is about 1,109 m there, of longitude about 951 m.
    assert float(y) == pytest.approx(1109, rel=0.005)
    assert float(x) == pytest.approx(951, rel=0.005)


def test_bearing_is_clockwise_from_north() -> None:
    got = bearing_deg(
        0.0, 0.0, np.array([0.0, 10.0, 0.0, -10.0]), np.array([10.0, 0.0, -10.0, 0.0])
    )
    assert got.tolist() == [0.0, 90.0, 180.0, 270.0]
