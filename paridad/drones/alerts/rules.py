"""The alert rules, applied to confirmed track updates as they come.

Crossings come from the border's crossing watch (decided sides outside the ambiguity band,
with hysteresis); the other three rules are judged here on the tracker's filtered positions,
not on raw detections, so one noisy radar plot never raises an alert:

- **approach**: a track comes within ``approach_m`` of the line *moving towards it*; it is
  raised once and re-armed only after the track has gone back beyond ``approach_m`` plus
  ``rearm_m`` (hysteresis, so a flight loitering at the threshold is one alert, not fifty);
- **hover**: within ``zone_m`` of the line, the track has stayed inside a ``hover_radius_m``
  circle for ``hover_s`` seconds — the spotter's signature; re-armed once it is more than
  ``rearm_hover_m`` from where it hovered;
- **landing**: a track that ends (the tracker closes it) within ``zone_m`` of the line with its
  last known altitude under ``landing_altitude_m`` — a drop or a recovery at the line.

Each alert carries the place, the distance to the line (negative on the Mexican side), the
band's half-width there, the sector and nearest port of entry, the drone's serial when Remote
ID gave it, the detection that triggered it and the track's recent path.
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from paridad.drones.analytics.geo import distance_m
from paridad.drones.border import Border, CrossingEvent
from paridad.drones.tracking import Track, TrackUpdate

AlertKind = Literal["approach", "crossing", "hover", "landing"]
DIRECTIONS = {"mx-to-us": "northbound", "us-to-mx": "southbound"}


@dataclass(frozen=True)
class RulesConfig:
    approach_m: float = 500.0
    rearm_m: float = 200.0
    zone_m: float = 1000.0
    hover_s: float = 30.0
    hover_radius_m: float = 40.0
    hover_speed_mps: float = 2.0  # the filtered speed under which a track may be hovering
    rearm_hover_m: float = 150.0  # how far from its hover spot a track must go to re-arm
    landing_altitude_m: float = 30.0
    path_s: float = 60.0  # how much of the track's recent path an alert carries


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    track_id: str
    time: float
    latitude: float
    longitude: float
    altitude: float | None
    speed: float | None
    heading: float | None
    distance_m: float
    ambiguity_m: float
    sector: str
    port: str
    port_distance_m: float
    direction: str | None = None  # northbound | southbound, crossings only
    serial: str | None = None
    sensors: tuple[str, ...] = ()
    detection_id: str | None = None
    path: tuple[tuple[float, float, float], ...] = ()  # (time, lat, lon)

    @property
    def id(self) -> str:
        """Stable for the same alert, so a replayed night does not duplicate alerts."""
        key = f"{self.kind}|{self.track_id}|{self.time:.1f}"
        return "drone-alert-" + hashlib.sha256(key.encode()).hexdigest()[:24]

    @property
    def when(self) -> str:
        return datetime.fromtimestamp(self.time, UTC).isoformat(timespec="milliseconds")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "track": self.track_id,
            "time": self.when,
            "latitude": round(self.latitude, 6),
            "longitude": round(self.longitude, 6),
            "altitude": self.altitude,
            "speed": None if self.speed is None else round(self.speed, 1),
            "heading": None if self.heading is None else round(self.heading, 1),
            "distance_m": round(self.distance_m, 1),
            "ambiguity_m": round(self.ambiguity_m, 1),
            "sector": self.sector,
            "port": self.port,
            "port_distance_m": round(self.port_distance_m),
            "direction": self.direction,
            "serial": self.serial,
            "sensors": list(self.sensors),
            "detection": self.detection_id,
        }


@dataclass
class _TrackState:
    approach_armed: bool = True
    hover_at: tuple[float, float] | None = None  # where the last hover alert was raised
    last_distance: float | None = None
    recent: deque[tuple[float, float, float, float]] = field(default_factory=deque)
    # (time, lat, lon, signed distance)
    last_update: TrackUpdate | None = None


def _heading(update: TrackUpdate) -> float:
    return math.degrees(math.atan2(update.velocity_east, update.velocity_north)) % 360.0


def _speed(update: TrackUpdate) -> float:
    return math.hypot(update.velocity_east, update.velocity_north)


class AlertRules:
    """Judges confirmed track updates and crossing events; keeps a little state per track."""

    def __init__(self, border: Border | None = None, config: RulesConfig | None = None) -> None:
        self.border = border or Border.load()
        self.config = config or RulesConfig()
        self._state: dict[str, _TrackState] = {}

    def _alert(
        self,
        kind: AlertKind,
        update: TrackUpdate,
        state: _TrackState,
        *,
        time: float | None = None,
        lat: float | None = None,
        lon: float | None = None,
        distance: float | None = None,
        direction: str | None = None,
    ) -> Alert:
        lat = update.lat if lat is None else lat
        lon = update.lon if lon is None else lon
        if distance is None:
            distance = float(self.border.signed_distance_m(lat, lon))
        port, port_m = self.border.nearest_port(lat, lon)
        start = (update.time if time is None else time) - self.config.path_s
        path = tuple((t, la, lo) for t, la, lo, _ in state.recent if t >= start)
        return Alert(
            kind=kind,
            track_id=update.track_id,
            time=update.time if time is None else time,
            latitude=lat,
            longitude=lon,
            altitude=update.altitude,
            speed=_speed(update),
            heading=_heading(update),
            distance_m=distance,
            ambiguity_m=float(self.border.ambiguity_m(lat, lon)),
            sector=self.border.sector(lat, lon),
            port=port.name,
            port_distance_m=port_m,
            direction=direction,
            serial=update.serial,
            sensors=update.sensors,
            detection_id=update.detection_id,
            path=path,
        )

    def judge(
        self, updates: Sequence[TrackUpdate], crossings: Sequence[CrossingEvent] = ()
    ) -> list[Alert]:
        """Alerts raised by these confirmed updates (in time order) and crossing events."""
        cfg = self.config
        alerts: list[Alert] = []
        confirmed = [u for u in updates if u.confirmed]
        if confirmed:
            distances = np.asarray(
                self.border.signed_distance_m(
                    np.array([u.lat for u in confirmed]), np.array([u.lon for u in confirmed])
                ),
                dtype=float,
            ).reshape(-1)
        else:
            distances = np.zeros(0)
        for update, distance in zip(confirmed, distances.tolist(), strict=True):
            state = self._state.setdefault(update.track_id, _TrackState())
            state.recent.append((update.time, update.lat, update.lon, distance))
            horizon = update.time - max(cfg.path_s, cfg.hover_s)
            while state.recent and state.recent[0][0] < horizon:
                state.recent.popleft()
            state.last_update = update
            gap = abs(distance)
            closing = state.last_distance is not None and gap < abs(state.last_distance)
            if state.approach_armed and gap <= cfg.approach_m and closing:
                state.approach_armed = False
                alerts.append(self._alert("approach", update, state, distance=distance))
            elif not state.approach_armed and gap > cfg.approach_m + cfg.rearm_m:
                state.approach_armed = True
            state.last_distance = distance
            speed = _speed(update)
            if state.hover_at is not None:
                # Re-armed once the track has left the spot it hovered over, not when its
                # filtered speed flickers: one hover, one alert.
                if distance_m(*state.hover_at, update.lat, update.lon) > cfg.rearm_hover_m:
                    state.hover_at = None
            elif (
                # Only a slow track can be hovering: the window check is skipped for the rest.
                gap <= cfg.zone_m
                and speed <= cfg.hover_speed_mps
                and self._hovering(state, update.time)
            ):
                state.hover_at = (update.lat, update.lon)
                alerts.append(self._alert("hover", update, state, distance=distance))
        for event in crossings:
            state = self._state.setdefault(event.track_id, _TrackState())
            last = state.last_update
            if last is None:
                continue
            alerts.append(
                self._alert(
                    "crossing",
                    last,
                    state,
                    time=event.time,
                    lat=event.latitude,
                    lon=event.longitude,
                    distance=0.0,
                    direction=DIRECTIONS.get(event.direction, event.direction),
                )
            )
        alerts.sort(key=lambda a: a.time)
        return alerts

    def _hovering(self, state: _TrackState, now: float) -> bool:
        cfg = self.config
        window = [(t, la, lo) for t, la, lo, _ in state.recent if t >= now - cfg.hover_s]
        if len(window) < 3 or window[-1][0] - window[0][0] < cfg.hover_s * 0.9:
            return False
        lats = np.array([p[1] for p in window])
        lons = np.array([p[2] for p in window])
        lat0, lon0 = float(lats.mean()), float(lons.mean())
        north = (lats - lat0) * 110_574.0
        east = (lons - lon0) * 111_320.0 * math.cos(math.radians(lat0))
        return bool(np.max(np.hypot(north, east)) <= cfg.hover_radius_m)

    def closed(self, tracks: Sequence[Track]) -> list[Alert]:
        """Landing alerts for tracks the tracker has just closed; forgets their state."""
        cfg = self.config
        alerts: list[Alert] = []
        for track in tracks:
            state = self._state.pop(track.id, None)
            if state is None or state.last_update is None or not track.points:
                continue
            t, lat, lon, alt = track.points[-1]
            if alt is None or alt > cfg.landing_altitude_m:
                continue
            distance = float(self.border.signed_distance_m(lat, lon))
            if abs(distance) <= cfg.zone_m:
                alerts.append(
                    self._alert("landing", state.last_update, state, time=t, lat=lat, lon=lon)
                )
        return alerts
