"""Crossing detection with an ambiguity band and hysteresis.

A track's side is decided only outside the band: US when its signed distance exceeds the band
half-width plus ``confirm_m``, Mexico when it is below minus that. Inside the band the last
decided side holds, so GPS jitter or a drone loitering over the river never raises an alert
by itself. A crossing is emitted when the decided side changes. Its time and place are those
of the last zero crossing of the signed distance on the path between the last point on the old
side of the reference line and the first point past it (linear interpolation in time,
latitude and longitude), not the moment the band was left: officers want to know when the drone
was over the line.

- A track that starts inside the band has no side until it leaves the band; leaving it decides
  the side and emits nothing.
- A track that dips into the band and comes back out on the same side emits nothing, however
  often it does so, even if it crossed the reference line inside the band.
- Points whose time is not after the track's last accepted point are ignored and counted in
  ``CrossingWatch.ignored`` (sensor feeds reorder and repeat; one late point must not undo a
  decision or invent a crossing).
- A track silent for more than ``forget_s`` starts afresh (no crossing spans the gap), and its
  state is dropped when the watch's clock passes that horizon, so memory follows live tracks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from paridad.drones.border.errors import (
    MSG_BAD_TIME,
    MSG_BAD_TRACK,
    MSG_BAD_WATCH,
    MSG_LENGTHS,
    InvalidPosition,
)
from paridad.drones.border.geometry import Border
from paridad.drones.border.ports import Port

Direction = Literal["mx-to-us", "us-to-mx"]

# A point on a track: (time, latitude, longitude, signed distance).
_Point = tuple[float, float, float, float]


@dataclass(frozen=True)
class CrossingEvent:
    """A track crossed the line: when and where (interpolated at the reference line), which
    way, the nearest port of entry and its distance, the band half-width there and the Border
    Patrol sector."""

    track_id: str
    time: float
    latitude: float
    longitude: float
    direction: Direction
    port: Port
    port_distance_m: float
    ambiguity_m: float
    sector: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: ISO-8601 UTC time, the port as a mapping, metres to 0.1 m."""
        return {
            "track_id": self.track_id,
            "time": datetime.fromtimestamp(self.time, UTC).isoformat().replace("+00:00", "Z"),
            "latitude": round(self.latitude, 6),
            "longitude": round(self.longitude, 6),
            "direction": self.direction,
            "port": self.port.to_dict(),
            "port_distance_m": round(self.port_distance_m, 1),
            "ambiguity_m": round(self.ambiguity_m, 1),
            "sector": self.sector,
        }


class _Track:
    """Per-track state: ``side`` is +1 (US), -1 (MX) or 0 (undecided); ``anchor`` is the last
    point on the decided side of the reference line, ``past`` the first point after it that is
    not (the zero crossing lies between them)."""

    __slots__ = ("anchor", "last_time", "past", "side")

    def __init__(self, time: float) -> None:
        self.last_time = time
        self.side = 0
        self.anchor: _Point | None = None
        self.past: _Point | None = None


class CrossingWatch:
    """Turns track positions into crossing events; see the module docstring for the rule."""

    def __init__(
        self,
        border: Border | None = None,
        *,
        confirm_m: float = 0.0,
        forget_s: float = 600.0,
    ) -> None:
        valid = (
            math.isfinite(confirm_m) and confirm_m >= 0 and math.isfinite(forget_s) and forget_s > 0
        )
        if not valid:
            raise InvalidPosition(MSG_BAD_WATCH, confirm_m=confirm_m, forget_s=forget_s)
        self.border = border or Border.load()
        self.confirm_m = float(confirm_m)
        self.forget_s = float(forget_s)
        self.ignored = 0
        self._tracks: dict[str, _Track] = {}
        self._clock = -math.inf
        self._next_sweep = -math.inf

    @property
    def tracks(self) -> int:
        """How many tracks the watch currently remembers."""
        return len(self._tracks)

    def forget(self, track_id: str) -> None:
        """Drop a track's state (it ended, or was merged into another)."""
        self._tracks.pop(track_id, None)

    def update(self, track_id: str, time: float, lat: float, lon: float) -> list[CrossingEvent]:
        """Feed one position of one track; returns the crossings it completes (zero or one)."""
        _check_track(track_id)
        time = _check_time(time, track_id)
        m = self.border.measure(lat, lon)
        return self._feed(
            [track_id], np.array([time]), m.signed_m, m.ambiguity_m, [float(lat)], [float(lon)]
        )

    def update_many(
        self,
        track_ids: Sequence[str] | ArrayLike,
        times: ArrayLike,
        lats: ArrayLike,
        lons: ArrayLike,
    ) -> list[CrossingEvent]:
        """Feed a batch of positions of any tracks, in any order: distances are computed for the
        whole batch at once, then each track's state machine runs in time order (ties keep the
        batch order). Returns the crossings in the order they were completed."""
        ids = [str(t) for t in np.asarray(track_ids, dtype=object).ravel()]
        time_a = np.asarray(times, dtype=np.float64).ravel()
        lat_a = np.asarray(lats, dtype=np.float64).ravel()
        lon_a = np.asarray(lons, dtype=np.float64).ravel()
        if not len(ids) == len(time_a) == len(lat_a) == len(lon_a):
            raise InvalidPosition(
                MSG_LENGTHS, ids=len(ids), times=len(time_a), lats=len(lat_a), lons=len(lon_a)
            )
        if not ids:
            return []
        for track_id in set(ids):
            _check_track(track_id)
        bad = ~np.isfinite(time_a)
        if bad.any():
            i = int(np.argmax(bad))
            raise InvalidPosition(MSG_BAD_TIME, time=time_a[i], track=ids[i])
        m = self.border.measure(lat_a, lon_a)
        order = np.argsort(time_a, kind="stable")
        return self._feed(
            [ids[i] for i in order],
            time_a[order],
            m.signed_m[order],
            m.ambiguity_m[order],
            lat_a[order].tolist(),
            lon_a[order].tolist(),
        )

    # -- the state machine ---------------------------------------------------------------------

    def _feed(
        self,
        ids: list[str],
        times: np.ndarray[Any, np.dtype[np.float64]],
        signed: np.ndarray[Any, np.dtype[np.float64]],
        band: np.ndarray[Any, np.dtype[np.float64]],
        lats: list[float],
        lons: list[float],
    ) -> list[CrossingEvent]:
        crossed: list[tuple[str, _Point, _Point, int]] = []
        tracks = self._tracks
        confirm = self.confirm_m
        forget = self.forget_s
        time_l: list[float] = times.tolist()
        signed_l: list[float] = signed.tolist()
        threshold_l: list[float] = (band + confirm).tolist()
        for track_id, t, d, threshold, lat, lon in zip(
            ids, time_l, signed_l, threshold_l, lats, lons, strict=True
        ):
            track = tracks.get(track_id)
            if track is None or t - track.last_time > forget:
                track = tracks[track_id] = _Track(t)
            elif t <= track.last_time:
                self.ignored += 1
                continue
            track.last_time = t
            point = (t, lat, lon, d)
            decided = 1 if d > threshold else -1 if d < -threshold else 0
            side = track.side
            if side == 0:
                if decided:
                    track.side = decided
                    track.anchor = point
                    track.past = None
            elif decided == -side:
                anchor = track.anchor if track.anchor is not None else point
                crossed.append((track_id, anchor, track.past or point, decided))
                track.side = decided
                track.anchor = point
                track.past = None
            elif d * side > 0:
                track.anchor = point
                track.past = None
            elif track.past is None:
                track.past = point
            if t > self._clock:
                self._clock = t
        if self._clock >= self._next_sweep:
            self._sweep()
        return self._events(crossed) if crossed else []

    def _events(self, crossed: list[tuple[str, _Point, _Point, int]]) -> list[CrossingEvent]:
        """Interpolate each crossing at the reference line, then look up ports, band widths
        and sectors for all of them in one vectorised pass."""
        places: list[tuple[float, float, float]] = []
        for _, (t0, lat0, lon0, d0), (t1, lat1, lon1, d1), _ in crossed:
            f = d0 / (d0 - d1) if d0 != d1 else 1.0
            places.append((t0 + f * (t1 - t0), lat0 + f * (lat1 - lat0), lon0 + f * (lon1 - lon0)))
        lat = np.array([p[1] for p in places])
        lon = np.array([p[2] for p in places])
        port_index, port_m = self.border.nearest_ports(lat, lon)
        band = self.border.measure(lat, lon).ambiguity_m
        sectors = self.border.sectors(lat, lon)
        return [
            CrossingEvent(
                track_id=track_id,
                time=place[0],
                latitude=place[1],
                longitude=place[2],
                direction="mx-to-us" if new_side > 0 else "us-to-mx",
                port=self.border.ports[int(port_index[i])],
                port_distance_m=float(port_m[i]),
                ambiguity_m=float(band[i]),
                sector=str(sectors[i]),
            )
            for i, ((track_id, _, _, new_side), place) in enumerate(
                zip(crossed, places, strict=True)
            )
        ]

    def _sweep(self) -> None:
        """Drop tracks silent for longer than ``forget_s``; runs every quarter of that."""
        horizon = self._clock - self.forget_s
        stale = [k for k, track in self._tracks.items() if track.last_time < horizon]
        for key in stale:
            del self._tracks[key]
        self._next_sweep = self._clock + self.forget_s / 4


def _check_track(track_id: object) -> None:
    if not isinstance(track_id, str) or not track_id:
        raise InvalidPosition(MSG_BAD_TRACK, value=repr(track_id))


def _check_time(time: object, track_id: str) -> float:
    if isinstance(time, bool) or not isinstance(time, int | float | np.floating | np.integer):
        raise InvalidPosition(MSG_BAD_TIME, time=repr(time), track=track_id)
    value = float(time)
    if not math.isfinite(value):
        raise InvalidPosition(MSG_BAD_TIME, time=value, track=track_id)
    return value
