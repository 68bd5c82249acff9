"""What a cooperative drone broadcasts: an Open Drone ID message pack every second.

Each pack holds Basic ID (the ANSI/CTA-2063-A serial), Location (the drone's own GNSS fix,
velocity and height above take-off), System (the operator's position: where they stand, within
50 m of the hotspot) and Operator ID, encoded with Paridad's own encoder
(:mod:`paridad.drones.remote_id`), so the frames the receivers log decode with the same code
that reads real captures. The reported position is the truth plus a GNSS error that wanders
slowly (a first-order Gauss-Markov process, 60 s correlation) with the domain's σ of 12.5 m per
axis (95% within 30.5 m, 14 CFR 89); the detection a receiver writes is what the pack says,
quantised exactly as the encoding quantises it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from scipy.signal import lfilter  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.remote_id import (
    BasicId,
    Location,
    Message,
    OperatorId,
    System,
    encode_pack,
)
from paridad.drones.simulator.flights import UA_TYPES, Flight
from paridad.drones.simulator.geometry import FloatArray, Stretch

GNSS_TAU_S = 60.0
HEIGHT_SIGMA_M = 2.0  # height above take-off comes from the barometer: a few metres
VERTICAL_SIGMA_M = 23.0  # geodetic altitude: 95% within 45.7 m (domain.md)


@dataclass(frozen=True)
class Broadcasts:
    """One flight's broadcasts: send times, what they said, where the drone truly was.
    Packs are encoded on demand (:meth:`pack`), only for those a receiver heard."""

    flight: Flight
    flight_index: int
    ground_m: float
    t: FloatArray
    lat: FloatArray  # as encoded (1e-7 degree)
    lon: FloatArray
    height: FloatArray  # as encoded (0.5 m steps, truncated)
    x: FloatArray  # true local position, for the receivers' range
    y: FloatArray
    alt: FloatArray  # true height above take-off
    raw_lat: FloatArray  # the drone's fix before encoding
    raw_lon: FloatArray
    raw_height: FloatArray
    geodetic: FloatArray
    speed: FloatArray
    direction: FloatArray
    vertical: FloatArray

    def pack(self, i: int) -> bytes:
        """The message pack sent at ``t[i]``: Basic ID, Location, System, Operator ID."""
        drone = self.flight.drone
        moment = datetime.fromtimestamp(float(self.t[i]), tz=UTC)
        after_hour = moment.minute * 60 + moment.second + moment.microsecond / 1e6
        airborne = bool(self.alt[i] > 0.5)
        moving = bool(self.speed[i] > 0.1)
        messages: list[Message] = [
            BasicId(
                id_type="serial_number",
                ua_type=UA_TYPES.get(drone.ua_type, "helicopter_or_multirotor"),
                uas_id=drone.serial or "",
            ),
            Location(
                status="airborne" if airborne else "ground",
                height_type="above_takeoff",
                direction_deg=float(self.direction[i]) if moving else 0.0,
                speed_horizontal_mps=float(min(self.speed[i], 254.25)),
                speed_vertical_mps=float(np.clip(self.vertical[i], -62.0, 62.0)),
                latitude=float(self.raw_lat[i]),
                longitude=float(self.raw_lon[i]),
                altitude_geodetic_m=float(self.geodetic[i]),
                height_m=float(self.raw_height[i]),
                horizontal_accuracy="lt_30_m",
                vertical_accuracy="lt_45_m",
                speed_accuracy="lt_1_mps",
                timestamp_s=min(round(after_hour, 1), 3599.9),
                timestamp_accuracy_s=0.1,
            ),
            System(
                operator_location_type="live_gnss",
                operator_latitude=self.flight.operator[0],
                operator_longitude=self.flight.operator[1],
                operator_altitude_m=self.ground_m,
                timestamp=moment,
            ),
            OperatorId(operator_id=drone.operator_id or ""),
        ]
        return encode_pack(messages)


def quantise_latlon(value: FloatArray) -> FloatArray:
    """1e-7 degree, halves away from zero (the encoder's rounding)."""
    scaled = np.abs(value) * 1e7
    return np.asarray(np.sign(value) * np.floor(scaled + 0.5) / 1e7, dtype=np.float64)


def quantise_altitude(value: FloatArray) -> FloatArray:
    """0.5 m steps, truncated downwards (the encoder's rule)."""
    return np.asarray(np.floor((value + 1000.0) / 0.5) * 0.5 - 1000.0, dtype=np.float64)


def gauss_markov(rng: np.random.Generator, n: int, sigma: float, dt: float) -> FloatArray:
    """A first-order Gauss-Markov sequence: stationary σ, correlation time ``GNSS_TAU_S``."""
    phi = math.exp(-dt / GNSS_TAU_S)
    drive = rng.normal(0, sigma * math.sqrt(1 - phi * phi), n)
    drive[0] = rng.normal(0, sigma)
    return np.asarray(lfilter([1.0], [1.0, -phi], drive), dtype=np.float64)


def broadcasts(
    rng: np.random.Generator,
    flight: Flight,
    flight_index: int,
    stretch: Stretch,
    sigma_m: float,
) -> Broadcasts:
    """Every pack the drone sent, at 1 Hz from take-off to landing (contents only; the bytes
    come from :meth:`Broadcasts.pack`)."""
    # Send on whole tenths of a second, so the Location timestamp (tenths) is exact.
    first = math.ceil(flight.start * 10) / 10 + round(float(rng.uniform(0, 0.9)), 1)
    count = max(1, int(flight.end - first) + 1)
    t = np.round((first + np.arange(count, dtype=np.float64)) * 10) / 10
    x, y, alt = flight.at(t)
    n = len(t)
    lat_r, lon_r = stretch.frame.to_geo(
        x + gauss_markov(rng, n, sigma_m, 1.0), y + gauss_markov(rng, n, sigma_m, 1.0)
    )
    height = np.where(alt <= 0.0, 0.0, np.maximum(0.0, alt + rng.normal(0, HEIGHT_SIGMA_M, n)))
    if n > 1:
        vx, vy, vz = np.gradient(x, t), np.gradient(y, t), np.gradient(alt, t)
    else:
        vx = vy = vz = np.zeros(n)
    ground = stretch.site.ground_m
    return Broadcasts(
        flight=flight,
        flight_index=flight_index,
        ground_m=ground,
        t=t,
        lat=quantise_latlon(lat_r),
        lon=quantise_latlon(lon_r),
        height=quantise_altitude(height),
        x=x,
        y=y,
        alt=alt,
        raw_lat=lat_r,
        raw_lon=lon_r,
        raw_height=height,
        geodetic=ground + height + rng.normal(0, VERTICAL_SIGMA_M, n),
        speed=np.hypot(vx, vy),
        direction=np.degrees(np.arctan2(vx, vy)) % 360.0,
        vertical=vz,
    )
