"""When drones fly: counts by local hour and weekday, and the share flown at night.

*Local* means the civil time at the track, because that is what an analyst on either side
reads a pattern in ("they fly after 2 a.m."). The border crosses four US time zones and, on
the Mexican side, five zone histories; :func:`border_zone` picks the IANA zone from the
longitude, using the real boundaries where they meet the line (west to east):

* west of −114.8 (California / Baja California; the Colorado River): Pacific with US DST —
  ``America/Los_Angeles`` / ``America/Tijuana``;
* −114.8 to −109.05 (Arizona / Sonora): UTC−7 all year — ``America/Phoenix`` /
  ``America/Hermosillo``;
* −109.05 to −108.21 (New Mexico's bootheel / Sonora): the line follows 31°20′ N here, so the
  side is decided by latitude — ``America/Denver`` north of 31.332, ``America/Hermosillo``
  south;
* −108.21 to −104.92 (New Mexico, El Paso, Hudspeth / Chihuahua's western border strip,
  Ciudad Juárez): Mountain with US DST — ``America/Denver`` / ``America/Ciudad_Juarez``;
* −104.92 to −103.3 (Presidio, Big Bend / Ojinaga): Central with US DST —
  ``America/Chicago`` / ``America/Ojinaga``;
* east of −103.3 (Texas / Coahuila, Nuevo León, Tamaulipas): Central with US DST —
  ``America/Chicago`` / ``America/Matamoros``.

The two cuts in Chihuahua (−104.92, −103.3) follow county and municipality lines that meet the
river only approximately there (±10 km). Since November 2022 both sides of every band keep the
same civil time, so when the side of a point is unknown the US zone is used; pass ``side`` (a
function ``(lat, lon) -> "US" | "MX"``, e.g. around the border module's ``side``) to get the
Mexican zone's history right for older data (before 2010 the Mexican border cities kept
Mexico's DST calendar, and Ojinaga kept Mountain time until 2022).

Night is the sun below civil twilight (−6°), from NOAA's general solar position equations
(fractional year, equation of time, declination, hour angle): accurate to a few minutes at
these latitudes, which is all a night/day split needs, and no astronomy package.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paridad.drones.analytics.errors import MSG_UNKNOWN_ZONE, AnalyticsError
from paridad.drones.analytics.protocols import PathLike, Skipped, track_fixes

CIVIL_TWILIGHT_DEG = -6.0
BOOTHEEL_LATITUDE = 31.332  # 31°20' N: the line between Nogales and the Sonora-Chihuahua corner

# (eastern limit of the band in degrees of longitude, US zone, Mexican zone)
ZONE_BANDS: tuple[tuple[float, str, str], ...] = (
    (-114.8, "America/Los_Angeles", "America/Tijuana"),
    (-109.05, "America/Phoenix", "America/Hermosillo"),
    (-108.21, "America/Denver", "America/Hermosillo"),
    (-104.92, "America/Denver", "America/Ciudad_Juarez"),
    (-103.3, "America/Chicago", "America/Ojinaga"),
    (math.inf, "America/Chicago", "America/Matamoros"),
)

SideFunction = Callable[[float, float], str]


@dataclass(frozen=True, slots=True)
class TimeOfDay:
    """Tracks by local hour of their first fix (0–23) and weekday (0 Monday … 6 Sunday)."""

    by_hour: tuple[int, ...]
    by_weekday: tuple[int, ...]
    tracks: int
    night: int  # tracks that started with the sun below civil twilight
    zones: tuple[str, ...]  # the IANA zones the local times came from
    skipped: int = 0  # tracks with no valid fix

    @property
    def night_share(self) -> float:
        return self.night / self.tracks if self.tracks else 0.0


def border_zone(lat: float, lon: float, side: str | None = None) -> str:
    """The IANA time zone of a point near the US–Mexico line (see the module's docstring)."""
    for east_limit, us_zone, mx_zone in ZONE_BANDS:
        if lon < east_limit:
            if us_zone == "America/Denver" and mx_zone == "America/Hermosillo" and side is None:
                return us_zone if lat >= BOOTHEEL_LATITUDE else mx_zone
            return mx_zone if side is not None and side.upper() == "MX" else us_zone
    return ZONE_BANDS[-1][1]  # only reached for NaN longitudes


@cache
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or :class:`AnalyticsError` for a name the database lacks."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise AnalyticsError(MSG_UNKNOWN_ZONE, zone=name) from exc


def local_time(time: float, lat: float, lon: float, side: str | None = None) -> datetime:
    """POSIX ``time`` as the civil time at ``(lat, lon)`` on the border."""
    return datetime.fromtimestamp(time, tz=zone(border_zone(lat, lon, side)))


def solar_elevation(time: float, lat: float, lon: float) -> float:
    """The sun's elevation in degrees at POSIX ``time`` over ``(lat, lon)`` (NOAA equations,
    without refraction)."""
    moment = datetime.fromtimestamp(time, tz=UTC)
    day = moment.timetuple().tm_yday
    hours = moment.hour + moment.minute / 60 + moment.second / 3600
    days_in_year = (
        366 if (moment.year % 4 == 0 and moment.year % 100 != 0) or moment.year % 400 == 0 else 365
    )
    g = 2 * math.pi / days_in_year * (day - 1 + (hours - 12) / 24)
    equation_of_time = 229.18 * (
        0.000075
        + 0.001868 * math.cos(g)
        - 0.032077 * math.sin(g)
        - 0.014615 * math.cos(2 * g)
        - 0.040849 * math.sin(2 * g)
    )
    declination = (
        0.006918
        - 0.399912 * math.cos(g)
        + 0.070257 * math.sin(g)
        - 0.006758 * math.cos(2 * g)
        + 0.000907 * math.sin(2 * g)
        - 0.002697 * math.cos(3 * g)
        + 0.00148 * math.sin(3 * g)
    )
    true_solar_minutes = hours * 60 + equation_of_time + 4 * lon
    hour_angle = math.radians(true_solar_minutes / 4 - 180)
    phi = math.radians(lat)
    cos_zenith = math.sin(phi) * math.sin(declination) + math.cos(phi) * math.cos(
        declination
    ) * math.cos(hour_angle)
    return 90.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos_zenith))))


def is_night(time: float, lat: float, lon: float) -> bool:
    """Whether the sun is below civil twilight at ``(lat, lon)`` at POSIX ``time``."""
    return solar_elevation(time, lat, lon) < CIVIL_TWILIGHT_DEG


def time_of_day(
    paths: Iterable[PathLike],
    *,
    tz: str | None = None,
    side: SideFunction | None = None,
) -> TimeOfDay:
    """Count tracks by the local hour and weekday of their first fix.

    ``tz`` forces one IANA zone for every track (an analyst comparing with a log kept in one
    zone); otherwise each track's zone comes from :func:`border_zone` at its first fix.
    """
    fixed = zone(tz) if tz is not None else None
    by_hour = [0] * 24
    by_weekday = [0] * 7
    tracks = night = 0
    zones: set[str] = set()
    skipped = Skipped()
    for path in paths:
        fixes = track_fixes(path, skipped)
        if not fixes:
            continue
        first = fixes[0]
        if fixed is not None:
            local = datetime.fromtimestamp(first.time, tz=fixed)
            zones.add(fixed.key)
        else:
            name = border_zone(first.lat, first.lon, side(first.lat, first.lon) if side else None)
            local = datetime.fromtimestamp(first.time, tz=zone(name))
            zones.add(name)
        by_hour[local.hour] += 1
        by_weekday[local.weekday()] += 1
        tracks += 1
        night += is_night(first.time, first.lat, first.lon)
    return TimeOfDay(
        by_hour=tuple(by_hour),
        by_weekday=tuple(by_weekday),
        tracks=tracks,
        night=night,
        zones=tuple(sorted(zones)),
        skipped=skipped.tracks,
    )
