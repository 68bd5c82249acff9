"""Local hours along the border (DST, Arizona, the bootheel, Chihuahua) and night by the sun."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from paridad.drones.analytics.errors import AnalyticsError
from paridad.drones.analytics.time_of_day import (
    border_zone,
    is_night,
    local_time,
    solar_elevation,
    time_of_day,
)
from tests.drones.analytics.fakes import FakeTrack, posix

TIJUANA = (32.52, -117.03)
NOGALES = (31.33, -110.94)
JUAREZ = (31.72, -106.46)
LAREDO = (27.50, -99.50)


def _track(time: float, lat: float, lon: float, ident: str = "t") -> FakeTrack:
    return FakeTrack(id=ident, points=[(time, lat, lon, 80.0), (time + 60, lat, lon + 0.001, 80.0)])


@pytest.mark.parametrize(("month", "offset"), [(1, -8), (7, -7)])
def test_two_in_the_morning_in_tijuana_is_hour_two_in_winter_and_summer(
    month: int, offset: int
) -> None:
    time = posix(2024, month, 15, 2, 0, zone="America/Tijuana")
    assert datetime.fromtimestamp(time, tz=ZoneInfo("America/Tijuana")).utcoffset() is not None
    assert (time - posix(2024, month, 15, 2, 0)) / 3600 == -offset  # DST really differs
    result = time_of_day([_track(time, *TIJUANA)])
    assert result.by_hour[2] == 1 and sum(result.by_hour) == 1
    assert result.by_weekday[0] == 1  # 15 Jan and 15 Jul 2024 are Mondays
    assert result.zones == ("America/Los_Angeles",)


def test_arizona_and_sonora_keep_standard_time_in_summer() -> None:
    time = posix(2024, 7, 15, 2, 0, zone="America/Phoenix")
    assert time_of_day([_track(time, *NOGALES)]).by_hour[2] == 1
    # Mountain time with DST would have called it 3 a.m.
    assert datetime.fromtimestamp(time, tz=ZoneInfo("America/Denver")).hour == 3


@pytest.mark.parametrize(
    ("lat", "lon", "side", "zone"),
    [
        (*TIJUANA, None, "America/Los_Angeles"),
        (*TIJUANA, "MX", "America/Tijuana"),
        (32.49, -114.77, "MX", "America/Hermosillo"),  # San Luis Río Colorado
        (*NOGALES, None, "America/Phoenix"),
        (31.40, -108.70, None, "America/Denver"),  # New Mexico's bootheel
        (31.25, -108.70, None, "America/Hermosillo"),  # Sonora just south of it
        (*JUAREZ, "MX", "America/Ciudad_Juarez"),
        (*JUAREZ, None, "America/Denver"),
        (29.56, -104.41, "MX", "America/Ojinaga"),
        (29.56, -104.37, None, "America/Chicago"),
        (*LAREDO, "MX", "America/Matamoros"),
        (*LAREDO, "US", "America/Chicago"),
    ],
)
def test_border_zones(lat: float, lon: float, side: str | None, zone: str) -> None:
    assert border_zone(lat, lon, side) == zone


def test_local_time_in_each_band() -> None:
    time = posix(2024, 7, 15, 9, 0)  # UTC
    assert local_time(time, *TIJUANA).hour == 2
    assert local_time(time, *NOGALES).hour == 2
    assert local_time(time, *JUAREZ).hour == 3
    assert local_time(time, *LAREDO).hour == 4


def test_a_fixed_zone_overrides_and_an_unknown_one_is_a_clear_error() -> None:
    time = posix(2024, 1, 15, 10, 0)
    assert time_of_day([_track(time, *TIJUANA)], tz="UTC").by_hour[10] == 1
    with pytest.raises(AnalyticsError) as info:
        time_of_day([], tz="Mars/Olympus_Mons")
    assert "Mars/Olympus_Mons" in info.value.localized("en")


def test_side_function_picks_the_mexican_zone() -> None:
    # Before 2010, Mexican border cities kept Mexico's DST calendar: on 20 Mar 2009 San Diego
    # was on daylight time and Tijuana still on standard time.
    time = posix(2009, 3, 20, 10, 0)
    us = time_of_day([_track(time, *TIJUANA)])
    mx = time_of_day([_track(time, *TIJUANA)], side=lambda lat, lon: "MX")
    assert us.by_hour[3] == 1 and mx.by_hour[2] == 1
    assert mx.zones == ("America/Tijuana",)


def test_night_is_the_sun_below_civil_twilight() -> None:
    # San Diego/Tijuana, 21 June 2024: sunrise ~05:41 PDT, civil dawn ~05:12, civil dusk ~20:30
    def at(hour: int, minute: int) -> float:
        return posix(2024, 6, 21, hour, minute, zone="America/Tijuana")

    assert solar_elevation(at(5, 41), *TIJUANA) == pytest.approx(-0.83, abs=0.5)
    assert is_night(at(4, 55), *TIJUANA) and not is_night(at(5, 30), *TIJUANA)
    assert not is_night(at(20, 15), *TIJUANA) and is_night(at(20, 45), *TIJUANA)
    assert solar_elevation(at(12, 55), *TIJUANA) == pytest.approx(90 - (32.52 - 23.44), abs=0.5)


def test_night_share_and_weekdays() -> None:
    tracks = [
        _track(posix(2024, 3, 6, 2, zone="America/Tijuana"), *TIJUANA, "a"),  # Wednesday
        _track(posix(2024, 3, 6, 23, zone="America/Tijuana"), *TIJUANA, "b"),
        _track(posix(2024, 3, 9, 12, zone="America/Tijuana"), *TIJUANA, "c"),  # Saturday
        _track(posix(2024, 3, 9, 14, zone="America/Chicago"), *LAREDO, "d"),
    ]
    result = time_of_day(tracks)
    assert result.tracks == 4 and result.night == 2
    assert result.night_share == 0.5
    assert result.by_weekday == (0, 0, 2, 0, 0, 2, 0)
    assert result.by_hour[2] == result.by_hour[23] == result.by_hour[12] == result.by_hour[14] == 1


def test_malformed_tracks_are_counted_not_fatal() -> None:
    tracks = [
        FakeTrack(id="empty", points=[]),
        FakeTrack(id="nan", points=[(math.nan, 32.5, -117.0, 10.0)]),
        _track(posix(2024, 3, 6, 2, zone="America/Tijuana"), *TIJUANA),
    ]
    result = time_of_day(tracks)
    assert result.tracks == 1 and result.skipped == 2
    assert time_of_day([]).night_share == 0.0
