"""The sensors a node hears — both countries' radars, RF finders, cameras and Remote ID
receivers — and whether each is alive.

A sensor's error model (position error, bearing error) is what the tracker weighs its
detections by, so it lives with the sensor, not with each detection. Health comes from
*anything* heard: a detection or a heartbeat. A sensor that stops talking is first ``stale``
(one heartbeat late may be the network) and then ``offline``; the watch officer is told of each
change once (:meth:`SensorRegistry.changes`), not on every poll.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from paridad.drones.tracking.detections import (
    MSG_CHOICE,
    MSG_NO_FILE,
    MSG_NUMBER,
    MSG_POSITIVE,
    MSG_RANGE,
    MSG_REQUIRED,
    MSG_TEXT,
    MSG_UNREADABLE,
)
from paridad.errors import ParidadError
from paridad.i18n import N_

Health = Literal["online", "stale", "offline"]
SensorType = Literal["radar", "rf", "camera", "remote-id"]
SENSOR_TYPES: tuple[SensorType, ...] = ("radar", "rf", "camera", "remote-id")
COUNTRIES = ("MX", "US")

MSG_NOT_LIST = N_("{path}: the sensors file must be a list of sensors.")
MSG_NOT_MAPPING = N_("{where}: a sensor must be a mapping of fields.")
MSG_DUPLICATE = N_("{where}: the sensor id '{value}' appears twice.")

# One-sigma horizontal error per axis, metres, when the file does not say. Remote ID: 95 % of
# fixes within 30.5 m (14 CFR 89) is about 12.5 m per axis; decoded RF telemetry is worse
# (15-35 m worst case); radar and camera plots are typical of short-range C-UAS systems.
DEFAULT_POSITION_ERROR_M: dict[str, float] = {
    "radar": 15.0,
    "rf": 30.0,
    "camera": 20.0,
    "remote-id": 12.5,
}
DEFAULT_BEARING_ERROR_DEG = 3.0  # RF direction finding, sigma 2-5 degrees
DEFAULT_HEARTBEAT_S = 10.0


class SensorError(ParidadError):
    """A sensors file that cannot be used: names the entry and the field."""


@dataclass(frozen=True)
class Sensor:
    id: str
    type: SensorType
    country: str
    lat: float
    lon: float
    range_m: float
    heartbeat_s: float = DEFAULT_HEARTBEAT_S
    position_error_m: float = 15.0
    bearing_error_deg: float = DEFAULT_BEARING_ERROR_DEG


def _number(entry: Mapping[str, Any], field: str, where: str, required: bool) -> float | None:
    value = entry.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise SensorError(MSG_REQUIRED, where=where, field=field)
        return None
    if isinstance(value, bool):
        raise SensorError(MSG_NUMBER, where=where, field=field, value=value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SensorError(MSG_NUMBER, where=where, field=field, value=value) from None
    if not math.isfinite(number):
        raise SensorError(MSG_NUMBER, where=where, field=field, value=value)
    return number


def _positive(entry: Mapping[str, Any], field: str, where: str, default: float | None) -> float:
    number = _number(entry, field, where, required=default is None)
    if number is None:
        assert default is not None
        return default
    if number <= 0:
        raise SensorError(MSG_POSITIVE, where=where, field=field, value=entry.get(field))
    return number


def parse_sensor(entry: Any, where: str) -> Sensor:
    """One entry of ``sensors.yaml``; raises :class:`SensorError`."""
    if not isinstance(entry, Mapping):
        raise SensorError(MSG_NOT_MAPPING, where=where, field="")
    ident = entry.get("id")
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        raise SensorError(MSG_REQUIRED, where=where, field="id")
    if isinstance(ident, bool) or not isinstance(ident, str | int):
        raise SensorError(MSG_TEXT, where=where, field="id", value=ident)
    kind = str(entry.get("type") or "").strip().lower()
    if not kind:
        raise SensorError(MSG_REQUIRED, where=where, field="type")
    if kind not in SENSOR_TYPES:
        raise SensorError(
            MSG_CHOICE, where=where, field="type", choices=", ".join(SENSOR_TYPES), value=kind
        )
    country = str(entry.get("country") or "").strip().upper()
    if not country:
        raise SensorError(MSG_REQUIRED, where=where, field="country")
    if country not in COUNTRIES:
        raise SensorError(
            MSG_CHOICE, where=where, field="country", choices=", ".join(COUNTRIES), value=country
        )
    lat = _number(entry, "latitude", where, required=True)
    lon = _number(entry, "longitude", where, required=True)
    assert lat is not None and lon is not None
    for field, value, bound in (("latitude", lat, 90.0), ("longitude", lon, 180.0)):
        if not -bound <= value <= bound:
            raise SensorError(
                MSG_RANGE, where=where, field=field, low=-bound, high=bound, value=value
            )
    sensor_type = next(t for t in SENSOR_TYPES if t == kind)
    return Sensor(
        id=str(ident).strip(),
        type=sensor_type,
        country=country,
        lat=lat,
        lon=lon,
        range_m=_positive(entry, "range_m", where, None),
        heartbeat_s=_positive(entry, "heartbeat_s", where, DEFAULT_HEARTBEAT_S),
        position_error_m=_positive(
            entry, "position_error_m", where, DEFAULT_POSITION_ERROR_M[kind]
        ),
        bearing_error_deg=_positive(entry, "bearing_error_deg", where, DEFAULT_BEARING_ERROR_DEG),
    )


class SensorRegistry:
    """The known sensors and when each was last heard.

    Health thresholds follow the contract: ``online`` when heard within ``heartbeat_s``,
    ``stale`` within ``stale_factor`` × ``heartbeat_s`` (3 by default), ``offline`` after that
    or when never heard. ``online_factor``/``stale_factor`` let a deployment adopt wider
    thresholds (e.g. 3 and 12: online under 30 s, offline after 120 s with 10-s heartbeats).
    """

    def __init__(
        self,
        sensors: Iterable[Sensor] = (),
        *,
        online_factor: float = 1.0,
        stale_factor: float = 3.0,
    ) -> None:
        self._sensors: dict[str, Sensor] = {}
        self._heard: dict[str, float] = {}
        self._reported: dict[str, Health] = {}
        self.online_factor = online_factor
        self.stale_factor = stale_factor
        for sensor in sensors:
            self.add(sensor)

    @classmethod
    def load(cls, path: Path) -> SensorRegistry:
        """Read ``sensors.yaml`` (a list of sensors, or a mapping with a ``sensors`` list)."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SensorError(MSG_NO_FILE, path=str(path)) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SensorError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SensorError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
        if isinstance(data, Mapping) and "sensors" in data:
            data = data["sensors"]
        if not isinstance(data, list):
            raise SensorError(MSG_NOT_LIST, path=str(path))
        registry = cls()
        for index, entry in enumerate(data, start=1):
            label = entry.get("id") if isinstance(entry, Mapping) else None
            where = f"{path} #{index}" + (f" ({label})" if label is not None else "")
            sensor = parse_sensor(entry, where)
            if sensor.id in registry._sensors:
                raise SensorError(MSG_DUPLICATE, where=where, field="id", value=sensor.id)
            registry.add(sensor)
        return registry

    def add(self, sensor: Sensor) -> None:
        self._sensors[sensor.id] = sensor

    def get(self, sensor_id: str) -> Sensor | None:
        return self._sensors.get(sensor_id)

    def __iter__(self) -> Iterator[Sensor]:
        return iter(self._sensors.values())

    def __len__(self) -> int:
        return len(self._sensors)

    def __contains__(self, sensor_id: object) -> bool:
        return sensor_id in self._sensors

    def heard(self, sensor_id: str, time: float) -> None:
        """Note that a sensor spoke (a detection or a heartbeat); out-of-order times keep
        the latest. Unknown sensors are ignored here (the tracker reports them)."""
        if sensor_id in self._sensors and time > self._heard.get(sensor_id, -math.inf):
            self._heard[sensor_id] = time

    def last_heard(self, sensor_id: str) -> float | None:
        return self._heard.get(sensor_id)

    def state(self, sensor_id: str, now: float) -> Health:
        sensor = self._sensors.get(sensor_id)
        last = self._heard.get(sensor_id)
        if sensor is None or last is None:
            return "offline"
        silence = now - last
        if silence <= self.online_factor * sensor.heartbeat_s:
            return "online"
        if silence <= self.stale_factor * sensor.heartbeat_s:
            return "stale"
        return "offline"

    def health(self, now: float) -> dict[str, Health]:
        return {sensor_id: self.state(sensor_id, now) for sensor_id in self._sensors}

    def changes(self, now: float) -> list[tuple[str, str, str]]:
        """``(sensor, old, new)`` for each sensor whose health changed since the last call;
        before the first call every sensor counts as ``offline`` (never heard)."""
        out: list[tuple[str, str, str]] = []
        for sensor_id, new in self.health(now).items():
            old = self._reported.get(sensor_id, "offline")
            if new != old:
                out.append((sensor_id, old, new))
            self._reported[sensor_id] = new
        return out
