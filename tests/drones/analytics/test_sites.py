"""Launch and landing sites: extrapolation along the first (last) fixes, the operator's own
position when Remote ID gives it, and the first fix with a wide uncertainty otherwise."""

from __future__ import annotations

import math
import random

import pytest

from paridad.drones.analytics import geo
from paridad.drones.analytics.errors import AnalyticsError
from paridad.drones.analytics.protocols import Skipped
from paridad.drones.analytics.sites import (
    EXTRAPOLATED,
    FIRST_POINT,
    LAST_POINT,
    OPERATOR,
    landing_site,
    launch_site,
    launch_sites,
)
from tests.drones.analytics.fakes import FakeTrack, flight

START = 1_717_200_000.0
LAUNCH = (32.45, -116.95)
HEADING = 30.0  # degrees from north
SPEED = 200 / 24  # m/s: 200 m out when 60 m up at 2.5 m/s


def _climbing(noise_m: float = 0.0, seed: int = 0, alt: bool = True) -> FakeTrack:
    """A straight flight from LAUNCH, first seen 60 m up and 200 m out (24 s after take-off)."""
    rng = random.Random(seed)
    noise = [(rng.gauss(0, noise_m), rng.gauss(0, noise_m)) for _ in range(200)]
    points = flight(
        *LAUNCH,
        start=START,
        seconds=120,
        heading_deg=HEADING,
        speed=SPEED,
        climb=2.5,
        alt0=0.0 if alt else None,
        max_alt=90,
    )
    seen = [p for p in points if p[0] >= START + 24]
    noisy = []
    for (t, lat, lon, a), (de, dn) in zip(seen, noise, strict=False):
        la, lo = geo.from_local(lat, lon, de, dn)
        noisy.append((t, la, lo, a))
    return FakeTrack(id="climb", points=noisy, serial="1581F5FJD000000001")


def test_first_seen_in_the_air_the_launch_is_extrapolated_back() -> None:
    track = _climbing()
    first = track.points[0]
    assert first[3] == pytest.approx(60.0)
    assert geo.distance_m(first[1], first[2], *LAUNCH) == pytest.approx(200, rel=0.01)
    site = launch_site(track)
    assert site is not None and site.method == EXTRAPOLATED
    assert geo.distance_m(site.lat, site.lon, *LAUNCH) < 60
    assert site.time == pytest.approx(START, abs=1)
    assert geo.distance_m(site.lat, site.lon, *LAUNCH) < site.uncertainty_m


@pytest.mark.parametrize("seed", range(5))
def test_extrapolation_survives_sensor_noise(seed: int) -> None:
    site = launch_site(_climbing(noise_m=5.0, seed=seed))
    assert site is not None and geo.distance_m(site.lat, site.lon, *LAUNCH) < 60


def test_the_operator_position_wins_and_says_so() -> None:
    track = _climbing()
    operator = geo.from_local(*LAUNCH, 12.0, -8.0)
    serial = track.serial
    assert serial is not None
    operators = {
        serial: [
            (START - 400, 10.0, 10.0),  # too long before the flight
            (START + 20, *operator),
            (START + 200, 32.0, -116.0),
        ]
    }
    site = launch_site(track, operators=operators)
    assert site is not None and site.method == OPERATOR
    assert (site.lat, site.lon) == pytest.approx(operator)
    assert site.uncertainty_m == pytest.approx(30.5)


def test_an_operator_position_far_away_or_unknown_is_not_used() -> None:
    track = _climbing()
    serial = track.serial
    assert serial is not None
    far = geo.from_local(*LAUNCH, 3000.0, 0.0)
    for positions in ([(START + 20, *far)], [(START + 20, 0.0, 0.0)], [(START, math.nan, 1.0)]):
        site = launch_site(track, operators={serial: positions})
        assert site is not None and site.method == EXTRAPOLATED
    other = launch_site(track, operators={"someone-else": [(START + 20, *LAUNCH)]})
    assert other is not None and other.method == EXTRAPOLATED


def test_without_altitude_the_first_fix_is_used_with_a_wide_uncertainty() -> None:
    track = _climbing(alt=False)
    site = launch_site(track)
    extrapolated = launch_site(_climbing())
    assert site is not None and extrapolated is not None
    assert site.method == FIRST_POINT
    assert (site.lat, site.lon) == (track.points[0][1], track.points[0][2])
    assert site.uncertainty_m > extrapolated.uncertainty_m
    assert site.uncertainty_m >= 300


def test_on_the_ground_the_first_fix_is_the_site() -> None:
    points = flight(*LAUNCH, start=START, seconds=60, speed=5, climb=2.0, alt0=1.0)
    site = launch_site(FakeTrack(id="ground", points=points))
    assert site is not None and site.method == FIRST_POINT
    assert site.uncertainty_m == pytest.approx(30.0)


def test_ground_altitude_turns_altitudes_into_heights() -> None:
    points = [(t, la, lo, None if a is None else a + 500) for t, la, lo, a in _climbing().points]
    track = FakeTrack(id="msl", points=points)
    site = launch_site(track, ground_altitude_m=500)
    assert site is not None and geo.distance_m(site.lat, site.lon, *LAUNCH) < 60


def test_extrapolation_is_bounded() -> None:
    points = flight(*LAUNCH, start=START, seconds=30, speed=10, alt0=2000.0)
    site = launch_site(FakeTrack(id="high", points=points), max_extrapolation_s=120)
    assert site is not None
    assert geo.distance_m(site.lat, site.lon, *LAUNCH) == pytest.approx(1200, rel=0.01)
    assert site.time == pytest.approx(START - 120)


def test_landing_is_extrapolated_forward() -> None:
    landing = geo.from_local(*LAUNCH, 500.0, 500.0)
    # descend at 2 m/s towards `landing`, last seen 40 m up (20 s before touchdown)
    speed = 6.0
    back = geo.from_local(
        *landing, -speed * 80 * math.sin(math.radians(45)), -speed * 80 * math.cos(math.radians(45))
    )
    points = flight(
        *back, start=START, seconds=60, heading_deg=45, speed=speed, climb=-2.0, alt0=160.0
    )
    assert points[-1][3] == pytest.approx(40.0)
    site = landing_site(FakeTrack(id="down", points=points))
    assert site is not None and site.method == EXTRAPOLATED
    assert geo.distance_m(site.lat, site.lon, *landing) < 30
    assert site.time == pytest.approx(START + 80, abs=1)
    bare = landing_site(FakeTrack(id="flat", points=[(t, la, lo, None) for t, la, lo, _ in points]))
    assert bare is not None and bare.method == LAST_POINT


def test_single_fix_in_the_air_uses_the_fix_with_a_time_based_uncertainty() -> None:
    site = launch_site(FakeTrack(id="one", points=[(START, *LAUNCH, 50.0)]))
    assert site is not None and site.method == FIRST_POINT
    assert site.uncertainty_m == pytest.approx(30 + 12 * 20)


def test_malformed_paths_give_no_site_and_are_counted() -> None:
    skipped = Skipped()
    assert launch_site(FakeTrack(id="empty", points=[]), skipped=skipped) is None
    nan = FakeTrack(id="nan", points=[(START, math.nan, math.nan, 10.0), (math.inf, 1.0, 1.0, 1.0)])
    assert landing_site(nan, skipped=skipped) is None
    assert skipped.tracks == 2 and skipped.points == 2
    rows = launch_sites([_climbing(), nan, FakeTrack(id="x", points=[])])
    assert [r[0] for r in rows] == ["climb"]


@pytest.mark.parametrize("rate", [0.0, -1.0, math.nan])
def test_bad_rates_are_clear_errors(rate: float) -> None:
    with pytest.raises(AnalyticsError) as info:
        launch_site(_climbing(), climb_rate_mps=rate)
    assert "climb_rate_mps" in str(info.value)
    with pytest.raises(AnalyticsError, match="descent_rate_mps"):
        landing_site(_climbing(), descent_rate_mps=rate)
