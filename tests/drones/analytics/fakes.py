"""Stand-ins for the tracker's ``Track`` and the border's ``CrossingEvent``, and a small
flight generator: straight legs at a given speed and climb, one fix a second."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from paridad.drones.analytics.geo import from_local

Point = tuple[float, float, float, float | None]


@dataclass
class FakeTrack:
    id: str
    points: list[Point]
    serial: str | None = None
    sensors: list[str] = field(default_factory=lambda: ["rf-mx-1"])
    countries: list[str] = field(default_factory=lambda: ["MX"])


@dataclass(frozen=True)
class FakeCrossing:
    track_id: str
    time: float
    latitude: float
    longitude: float
    direction: str = "mx-to-us"
    sector: str = "San Diego"

    def to_dict(self) -> dict[str, Any]:
        return {
            "track_id": self.track_id,
            "time": datetime.fromtimestamp(self.time, tz=UTC).isoformat(),
            "latitude": self.latitude,
            "longitude": self.longitude,
            "direction": self.direction,
            "sector": self.sector,
        }


def flight(
    lat: float,
    lon: float,
    *,
    start: float,
    seconds: int,
    heading_deg: float = 0.0,
    speed: float = 10.0,
    climb: float = 0.0,
    alt0: float | None = 0.0,
    max_alt: float = 10_000.0,
    step: float = 1.0,
    noise: Sequence[tuple[float, float]] = (),
) -> list[Point]:
    """Fixes of a straight flight from ``(lat, lon)`` at ``start``; ``noise`` adds east/north
    metres to successive fixes."""
    east_speed = speed * math.sin(math.radians(heading_deg))
    north_speed = speed * math.cos(math.radians(heading_deg))
    points: list[Point] = []
    for i in range(int(seconds / step) + 1):
        t = i * step
        de, dn = noise[i] if i < len(noise) else (0.0, 0.0)
        la, lo = from_local(lat, lon, east_speed * t + de, north_speed * t + dn)
        alt = None if alt0 is None else min(alt0 + climb * t, max_alt)
        points.append((start + t, la, lo, alt))
    return points


def posix(year: int, month: int, day: int, hour: int, minute: int = 0, zone: str = "UTC") -> float:
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone)).timestamp()
