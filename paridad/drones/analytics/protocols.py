"""What the analytics read from the tracker and the border, as small protocols of their own.

The tracker (:mod:`paridad.drones.tracking`) and the border geometry
(:mod:`paridad.drones.border`) are written beside this package; depending on their classes
would couple three moving parts. These protocols name only the attributes the analytics use,
so a ``Track``, a ``CrossingEvent``, a row read back from a file or a test double all fit.

Input from sensors is noisy and sometimes broken, so every reader goes through
:func:`clean_points`: a fix that is not a finite (time, lat, lon) is dropped and counted,
never allowed to crash an analysis or to poison a map (invariant 5: nothing lost silently).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

# A Remote ID System message's operator positions: serial -> [(POSIX time, lat, lon)].
C = TypeVar("C")

OperatorPositions = Mapping[str, Sequence[tuple[float, float, float]]]


class PathLike(Protocol):
    """A drone track: what :class:`paridad.drones.tracking.Track` offers."""

    @property
    def id(self) -> str: ...

    @property
    def serial(self) -> str | None: ...

    @property
    def points(self) -> Sequence[tuple[float, float, float, float | None]]:
        """(POSIX time, latitude, longitude, altitude in metres or None)."""
        ...

    @property
    def sensors(self) -> Collection[str]: ...

    @property
    def countries(self) -> Collection[str]: ...


class CrossingLike(Protocol):
    """A border crossing: what :class:`paridad.drones.border.CrossingEvent` offers."""

    @property
    def track_id(self) -> str: ...

    @property
    def time(self) -> float: ...

    @property
    def latitude(self) -> float: ...

    @property
    def longitude(self) -> float: ...

    @property
    def direction(self) -> str:
        """``"mx-to-us"`` or ``"us-to-mx"``."""
        ...

    @property
    def sector(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...


class Fix(NamedTuple):
    """One valid position of a track."""

    time: float
    lat: float
    lon: float
    alt: float | None


@dataclass
class Skipped:
    """How much malformed input an analysis or an export left out, and of which kind."""

    tracks: int = 0
    points: int = 0
    crossings: int = 0
    sites: int = 0

    @property
    def total(self) -> int:
        return self.tracks + self.points + self.crossings + self.sites

    def as_dict(self) -> dict[str, int]:
        return {
            "tracks": self.tracks,
            "points": self.points,
            "crossings": self.crossings,
            "sites": self.sites,
        }


def as_float(value: object) -> float:
    """``value`` as a float; NaN when it is none (so one finiteness test rejects both)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return math.nan
    try:
        return float(value)
    except ValueError:
        return math.nan


def finite_position(lat: object, lon: object) -> tuple[float, float] | None:
    """``(lat, lon)`` as floats when both are finite and on the globe, else None."""
    la, lo = as_float(lat), as_float(lon)
    if not (math.isfinite(la) and math.isfinite(lo)):
        return None
    if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
        return None
    return la, lo


def _fix(raw: object) -> Fix | None:
    if type(raw) is tuple and len(raw) == 4:  # the tracker's own shape: check it cheaply
        t, lat, lon, alt = raw
        if (
            type(t) is float
            and type(lat) is float
            and type(lon) is float
            and math.isfinite(t)
            and -90.0 <= lat <= 90.0  # False for NaN
            and -180.0 <= lon <= 180.0
        ):
            if alt is None or (type(alt) is float and math.isfinite(alt)):
                return Fix(t, lat, lon, alt)
            if type(alt) is float:
                return Fix(t, lat, lon, None)
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes):
        return None
    values: tuple[object, ...] = tuple(raw)
    if len(values) not in (3, 4):
        return None
    position = finite_position(values[1], values[2])
    time = as_float(values[0])
    if position is None or not math.isfinite(time):
        return None
    alt = as_float(values[3]) if len(values) == 4 else math.nan
    return Fix(time, position[0], position[1], alt if math.isfinite(alt) else None)


def clean_points(raw: object) -> tuple[list[Fix], int]:
    """The valid fixes of a track's ``points``, in time order, and how many were dropped.

    An unknown or non-finite altitude keeps the fix with ``alt=None``: position and time are
    what most analyses need, and the site estimators know what to do without a height.
    """
    if raw is None:
        return [], 0
    if not isinstance(raw, Iterable) or isinstance(raw, str | bytes):
        return [], 1
    items = list(raw)
    fixes: list[Fix] = []
    dropped = 0
    for item in items:
        fix = _fix(item)
        if fix is None:
            dropped += 1
        else:
            fixes.append(fix)
    fixes.sort(key=lambda f: f.time)
    return fixes, dropped


def track_fixes(path: object, skipped: Skipped | None = None) -> list[Fix]:
    """The valid fixes of ``path``; a path with none counts as a skipped track."""
    fixes, dropped = clean_points(getattr(path, "points", None))
    if skipped is not None:
        skipped.points += dropped
        if not fixes:
            skipped.tracks += 1
    return fixes


def track_id(path: object) -> str:
    return str(getattr(path, "id", ""))


def track_serial(path: object) -> str | None:
    serial = getattr(path, "serial", None)
    return None if serial is None or serial == "" else str(serial)


def names(values: object) -> tuple[str, ...]:
    """A path's sensors or countries as a tuple of strings, whatever collection held them."""
    if values is None or isinstance(values, str | bytes):
        return (str(values),) if isinstance(values, str) and values else ()
    if isinstance(values, Iterable):
        items = [str(v) for v in values]
        return tuple(items if isinstance(values, Sequence) else sorted(items))
    return ()


def crossing_position(crossing: object) -> tuple[float, float] | None:
    """A crossing's ``(lat, lon)``, or None when it is missing or not finite."""
    return finite_position(
        getattr(crossing, "latitude", None), getattr(crossing, "longitude", None)
    )


def crossing_time(crossing: object) -> float | None:
    value = as_float(getattr(crossing, "time", None))
    return value if math.isfinite(value) else None


def valid_crossings(crossings: Iterable[C], skipped: Skipped | None = None) -> list[C]:
    """The crossings with a finite time and position, in time order; the rest are counted."""
    kept: list[tuple[float, int, C]] = []
    for index, crossing in enumerate(crossings):
        time = crossing_time(crossing)
        if time is None or crossing_position(crossing) is None:
            if skipped is not None:
                skipped.crossings += 1
            continue
        kept.append((time, index, crossing))
    kept.sort(key=lambda item: (item[0], item[1]))
    return [crossing for _, _, crossing in kept]
