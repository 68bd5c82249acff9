"""Border Patrol sectors by stretch of the line."""

from __future__ import annotations

import pytest

from paridad.drones.border import SECTORS, Border, sector_at_longitude

PLACES = [
    (32.5423, -117.0297, "San Diego"),  # San Ysidro
    (32.6644, -115.4989, "El Centro"),  # Calexico
    (32.4857, -114.7822, "Yuma"),  # San Luis
    (31.3330, -110.9427, "Tucson"),  # Nogales
    (31.7844, -107.6276, "El Paso"),  # Columbus
    (31.7477, -106.4870, "El Paso"),  # El Paso
    (29.5617, -104.3951, "Big Bend"),  # Presidio
    (29.3268, -100.9275, "Del Rio"),
    (28.7056, -100.5119, "Del Rio"),  # Eagle Pass
    (27.4994, -99.5074, "Laredo"),
    (26.0950, -98.2714, "Rio Grande Valley"),  # Hidalgo
    (25.8983, -97.4972, "Rio Grande Valley"),  # Brownsville
]


@pytest.mark.parametrize(("lat", "lon", "sector"), PLACES)
def test_sector_of_known_crossings(border: Border, lat: float, lon: float, sector: str) -> None:
    assert border.sector(lat, lon) == sector


def test_sector_uses_the_nearest_stretch_of_line(border: Border) -> None:
    # Far inland, the sector is that of the nearest point of the line: Phoenix is nearest the
    # Yuma or Tucson stretch, never San Diego.
    assert border.sector(33.45, -112.07) in {"Yuma", "Tucson"}


def test_cut_points_run_west_to_east() -> None:
    assert SECTORS[0] == "San Diego" and SECTORS[-1] == "Rio Grande Valley"
    assert len(set(SECTORS)) == 9
    assert sector_at_longitude(-120.0) == "San Diego"
    assert sector_at_longitude(-97.0) == "Rio Grande Valley"
