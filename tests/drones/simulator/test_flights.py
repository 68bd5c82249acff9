from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
import pytest

from paridad.drones.border import Border
from paridad.drones.simulator import Night
from paridad.drones.simulator.flights import (
    HOTSPOT_DEPTH_M,
    OPERATOR_RADIUS_M,
    hotspot_count,
    serial_number,
)

SERIAL = re.compile(r"^[0-9A-Z]{4}([1-9A-F])([0-9A-HJ-NP-Z]+)$")


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance, independent of the simulator's flat frame."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_serials_follow_ansi_cta_2063_a() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        serial = serial_number(rng, "1581")
        match = SERIAL.match(serial)
        assert match, serial
        assert serial.startswith("1581")
        assert int(match.group(1), 16) == len(match.group(2))  # the length code is honest


def test_hotspots_are_south_of_the_line_within_0_2_to_3_km(
    default_night: Night, border: Border
) -> None:
    spots = default_night.hotspots
    assert spots
    lat = np.array([h.lat for h in spots])
    lon = np.array([h.lon for h in spots])
    d = border.signed_distance_m(lat, lon)
    lo, hi = HOTSPOT_DEPTH_M
    assert np.all(d < 0)
    assert np.all((-d >= lo) & (-d <= hi)), d
    # 5-20 per sector, as the domain says.
    per_sector = Counter(h.sector for h in spots)
    assert all(5 <= n <= 20 for n in per_sector.values()), per_sector


def test_reused_hotspots_put_their_operators_within_50_m(default_night: Night) -> None:
    spots = {h.id: h for h in default_night.hotspots}
    reused = [f for f in default_night.flights if f.hotspot is not None]
    assert len(reused) > len(default_night.flights) / 3  # reuse probability .7 of illicit
    busy = Counter(f.hotspot for f in reused)
    assert max(busy.values()) >= 3  # some hotspots are used again and again
    for flight in reused:
        spot = spots[flight.hotspot or ""]
        assert flight.id in spot.flights
        assert metres(flight.operator, (spot.lat, spot.lon)) <= OPERATOR_RADIUS_M + 0.5
        assert metres(flight.launch, flight.operator) <= 15.5
        assert flight.drone in spot.drones  # the hotspot's own airframes fly again


def test_mission_mix_and_remote_id_shares(border: Border) -> None:
    from paridad.drones.simulator import NightConfig, simulate_night

    config = NightConfig(seed=5, flights=240, outage_s=0, birds_per_hour=0, clutter_per_hour=0)
    night = simulate_night(config, border)
    missions = Counter(f.mission for f in night.flights)
    assert 0.78 <= missions["spotter"] / 240 <= 0.92
    assert 0.05 <= missions["payload"] / 240 <= 0.16
    assert 0.01 <= missions["hobby"] / 240 <= 0.10
    illicit = [f for f in night.flights if f.mission != "hobby"]
    # Hotspot airframes repeat, so count drones, not flights.
    drones = {f.drone.key: f.drone for f in illicit}
    share = sum(d.remote_id for d in drones.values()) / len(drones)
    assert share <= 0.15
    hobby = [f for f in night.flights if f.mission == "hobby" and f.drone.serial]
    if len(hobby) >= 8:
        assert sum(f.drone.remote_id for f in hobby) / len(hobby) >= 0.5
    assert all(f.drone.serial for f in night.flights if f.drone.remote_id)


def test_kinematics_are_those_of_a_small_drone(default_night: Night) -> None:
    for flight in default_night.flights:
        dt = np.diff(flight.t)
        assert np.all(dt > 0) and np.all(dt <= 1.0 + 1e-9)  # sampled every second
        speed = np.hypot(np.diff(flight.x), np.diff(flight.y)) / dt
        assert speed.max() <= 23.0  # cruise is clipped at 20 m/s; wind adds a little
        assert 3.0 <= flight.speed_mps <= 20.0
        assert flight.alt.max() <= 150.0 + 1e-9
        assert flight.alt[0] == pytest.approx(0.0)
        assert 300.0 - 1e-6 <= flight.end - flight.start <= 1500.0 + 1e-6
        assert default_night.config.window_start <= flight.start
        assert flight.end <= default_night.config.window_end
        if not flight.one_way:
            assert flight.alt[-1] == pytest.approx(0.0)
            assert metres(flight.landing, flight.launch) <= 40.0  # it came home


def test_hotspot_count_is_bounded() -> None:
    assert hotspot_count(0) == 5
    assert hotspot_count(40) == 10
    assert hotspot_count(1_000) == 20
