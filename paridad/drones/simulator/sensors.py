"""Both countries' sensors along each stretch, and what each of them reports.

Sites come in mirrored pairs (domain.md, "Binational split"): at regular steps along the
stretch one site sits 0.8-2.5 km north of the line and one as far south, so a flight near the
line is in reach of both countries for part of its path; each site's short-range Remote ID
receiver sits near the line (150-600 m), where the drones are. The sensor models follow the domain's
figures: radar and camera give a noisy position; RF direction finding gives a bearing (σ 2-5°)
and, on half of the RF sensors, a coarse position decoded from DJI-class telemetry (uniform
error 15-35 m) within a decode range of 1.3-3.7 km; Remote ID receivers (0.5-1.5 km, Wi-Fi
beacon / Bluetooth 5 long range) hear the drone's own 1 Hz broadcast. The probability of
detection is logistic in range, 0.5 at 70% of the nominal range.

Every detection keeps its true time and the true position it came from, so the truth can say
which flight (or which bird) each one was, and the sensor's clock (an offset per sensor; the
US side's run ``us_clock_offset_s`` ahead) is applied only when the files are written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from paridad.drones.simulator.broadcast import Broadcasts
from paridad.drones.simulator.flights import Flight
from paridad.drones.simulator.geometry import BorderLike, FloatArray, Stretch, bearing_deg

IntArray = np.ndarray[Any, np.dtype[np.int64]]

CLASSES = ("drone", "bird", "unknown")
SOURCES = ("flight", "bird", "clutter", "noise")
TYPE_CODES = {"radar": "RADAR", "rf": "RF", "camera": "CAM", "remote-id": "RID"}
HEARTBEAT_S = 10.0
PD_HALF = 0.7  # detection probability is one half at 70% of the nominal range
PD_WIDTH = 0.1  # logistic width, as a share of the range
BEARING_CLIP = 3.0  # RF bearing errors are Gaussian, cut at 3σ


@dataclass(frozen=True)
class TypeSpec:
    """A sensor type's envelope; each sensor draws its own figures inside it."""

    range_m: tuple[float, float]
    intervals_s: tuple[float, ...]
    position_error_m: tuple[float, float]
    bearing_error_deg: tuple[float, float] | None
    pd_max: float
    altitude_error_m: float | None


TYPE_SPECS: dict[str, TypeSpec] = {
    "radar": TypeSpec((3000.0, 4500.0), (1.0,), (15.0, 25.0), None, 0.95, 10.0),
    "rf": TypeSpec((2500.0, 5000.0), (1.0, 2.0, 3.0), (15.0, 35.0), (2.0, 5.0), 0.90, 8.0),
    "camera": TypeSpec((1200.0, 2500.0), (1.0,), (8.0, 12.0), None, 0.85, 5.0),
    "remote-id": TypeSpec((500.0, 1500.0), (1.0,), (12.5, 12.5), None, 0.97, None),
}
RF_DECODE_RANGE_M = (1300.0, 3700.0)
SITE_ACROSS_M = (800.0, 2500.0)  # a site's mast, from the line
FENCE_ACROSS_M = (150.0, 600.0)  # Remote ID receivers, close to the line
# Which types each side puts at a site: every site, or every other one (Mexico fields radar
# and cameras at half its sites, the US cameras at half of its own).
SITE_KIT: dict[str, tuple[tuple[str, int], ...]] = {
    "US": (("radar", 1), ("rf", 1), ("camera", 2), ("remote-id", 1)),
    "MX": (("rf", 1), ("radar", 2), ("camera", 2), ("remote-id", 1)),
}


@dataclass(frozen=True)
class SimSensor:
    """One sensor: what ``sensors.yaml`` says of it plus what only the truth knows."""

    id: str
    type: str
    country: str
    sector: str
    lat: float
    lon: float
    x: float
    y: float
    range_m: float
    heartbeat_s: float
    position_error_m: float
    bearing_error_deg: float | None
    interval_s: float
    phase_s: float
    clock_offset_s: float
    decode_range_m: float | None  # RF sensors that decode telemetry into a position fix
    pd_max: float
    altitude_error_m: float | None

    def entry(self) -> dict[str, Any]:
        """The ``sensors.yaml`` entry: the tracker's contract, nothing the truth alone knows."""
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "country": self.country,
            "latitude": round(self.lat, 7),
            "longitude": round(self.lon, 7),
            "range_m": round(self.range_m, 1),
            "heartbeat_s": self.heartbeat_s,
            "position_error_m": round(self.position_error_m, 1),
        }
        if self.bearing_error_deg is not None:
            out["bearing_error_deg"] = round(self.bearing_error_deg, 2)
        return out

    def truth(self) -> dict[str, Any]:
        """What the truth file records of the sensor beyond its entry."""
        return {
            "id": self.id,
            "sector": self.sector,
            "interval_s": self.interval_s,
            "clock_offset_s": round(self.clock_offset_s, 6),
            "decode_range_m": None if self.decode_range_m is None else round(self.decode_range_m),
        }


def place_sensors(
    rng: np.random.Generator,
    border: BorderLike,
    stretch: Stretch,
    spacing_m: float,
    clock_offsets: dict[str, float],
    clock_jitter_s: float,
    radar_interval_s: float = 1.0,
) -> list[SimSensor]:
    """Mirrored sites every ``spacing_m`` along the stretch, each checked to be on its own
    country's side of the line."""
    span = 2 * stretch.half_length_m
    sites = max(1, round(span / spacing_m))
    step = span / sites
    counters: dict[tuple[str, str], int] = {}
    out: list[SimSensor] = []
    rf_seen = 0
    for k in range(sites):
        s = -stretch.half_length_m + step * (k + 0.5) + float(rng.normal(0, 300))
        for country, sign in (("US", 1.0), ("MX", -1.0)):
            mast = _site_on_side(rng, border, stretch, s, sign, SITE_ACROSS_M)
            for kind, every in SITE_KIT[country]:
                if (k + (0 if country == "US" else 1)) % every:
                    continue
                if kind == "remote-id":  # a short-range receiver sits on the border fence
                    x, y, lat, lon = _site_on_side(rng, border, stretch, s, sign, FENCE_ACROSS_M)
                else:
                    x, y, lat, lon = mast
                spec = TYPE_SPECS[kind]
                key = (country, kind)
                counters[key] = counters.get(key, 0) + 1
                decode = None
                if kind == "rf":
                    rf_seen += 1
                    if rf_seen % 2 == 1:  # about half the RF sensors decode telemetry
                        decode = float(rng.uniform(*RF_DECODE_RANGE_M))
                rng_m = float(rng.uniform(*spec.range_m))
                out.append(
                    SimSensor(
                        id=f"{country}-{stretch.site.code}-{TYPE_CODES[kind]}-{counters[key]:02d}",
                        type=kind,
                        country=country,
                        sector=stretch.site.name,
                        lat=lat,
                        lon=lon,
                        x=x,
                        y=y,
                        range_m=rng_m,
                        heartbeat_s=HEARTBEAT_S,
                        position_error_m=float(rng.uniform(*spec.position_error_m)),
                        bearing_error_deg=(
                            None
                            if spec.bearing_error_deg is None
                            else float(rng.uniform(*spec.bearing_error_deg))
                        ),
                        interval_s=(
                            radar_interval_s
                            if kind == "radar"
                            else float(rng.choice(spec.intervals_s))
                        ),
                        phase_s=float(rng.uniform(0, 1)),
                        clock_offset_s=clock_offsets[country]
                        + float(rng.uniform(-clock_jitter_s, clock_jitter_s)),
                        decode_range_m=None if decode is None else min(decode, rng_m),
                        pd_max=spec.pd_max,
                        altitude_error_m=spec.altitude_error_m,
                    )
                )
    return out


def _site_on_side(
    rng: np.random.Generator,
    border: BorderLike,
    stretch: Stretch,
    s: float,
    sign: float,
    across_m: tuple[float, float],
) -> tuple[float, float, float, float]:
    """A point ``across_m`` from the line on one side, stepped back if a meander of the line
    comes nearer than half the minimum."""
    across = float(rng.uniform(*across_m))
    for _ in range(8):
        x, y = stretch.offset(s, sign * across)
        lat, lon = stretch.frame.to_geo(x, y)
        d = float(np.asarray(border.signed_distance_m(lat, lon), dtype=np.float64).reshape(-1)[0])
        if d * sign > across_m[0] / 2:
            return float(x), float(y), float(lat), float(lon)
        across += across_m[0]
    return float(x), float(y), float(lat), float(lon)


@dataclass
class Chunk:
    """Detections as parallel arrays (one chunk per sensor and source)."""

    true_t: FloatArray
    sensor: IntArray
    lat: FloatArray  # NaN: not given (bearing-only RF)
    lon: FloatArray
    alt: FloatArray  # NaN: not given
    bearing: FloatArray  # NaN: not given
    confidence: FloatArray
    cls: IntArray  # index into CLASSES
    flight: IntArray  # index into the night's flights, -1 for false alarms
    source: IntArray  # index into SOURCES
    broadcast: IntArray  # index into the Remote ID broadcasts, -1 otherwise

    FIELDS: ClassVar[tuple[str, ...]] = (
        "true_t",
        "sensor",
        "lat",
        "lon",
        "alt",
        "bearing",
        "confidence",
        "cls",
        "flight",
        "source",
        "broadcast",
    )

    def __len__(self) -> int:
        return len(self.true_t)

    def take(self, index: IntArray | np.ndarray[Any, np.dtype[np.bool_]]) -> Chunk:
        return Chunk(*(getattr(self, f)[index] for f in self.FIELDS))

    @classmethod
    def concat(cls, chunks: list[Chunk]) -> Chunk:
        if not chunks:
            return cls.empty()
        return cls(*(np.concatenate([getattr(c, f) for c in chunks]) for f in cls.FIELDS))

    @classmethod
    def empty(cls) -> Chunk:
        f = np.zeros(0, dtype=np.float64)
        i = np.zeros(0, dtype=np.int64)
        return cls(f, i, f, f, f, f, f, i, i, i, i)


def _chunk(
    true_t: FloatArray,
    sensor_index: int,
    *,
    lat: FloatArray,
    lon: FloatArray,
    alt: FloatArray,
    bearing: FloatArray,
    confidence: FloatArray,
    cls: IntArray,
    flight: int,
    source: str,
    broadcast: IntArray | None = None,
) -> Chunk:
    n = len(true_t)
    return Chunk(
        true_t=true_t,
        sensor=np.full(n, sensor_index, dtype=np.int64),
        lat=lat,
        lon=lon,
        alt=alt,
        bearing=bearing,
        confidence=confidence,
        cls=cls,
        flight=np.full(n, flight, dtype=np.int64),
        source=np.full(n, SOURCES.index(source), dtype=np.int64),
        broadcast=np.full(n, -1, dtype=np.int64) if broadcast is None else broadcast,
    )


def p_detect(sensor: SimSensor, r: FloatArray) -> FloatArray:
    """Logistic fall-off with range; nothing past 1.3 times the nominal range."""
    z = (r - PD_HALF * sensor.range_m) / (PD_WIDTH * sensor.range_m)
    p = sensor.pd_max / (1.0 + np.exp(np.clip(z, -50, 50)))
    return np.where(r <= 1.3 * sensor.range_m, p, 0.0)


def scan_times(sensor: SimSensor, start: float, end: float) -> FloatArray:
    """The sensor's report instants (its own cadence and phase) between ``start`` and ``end``."""
    first = sensor.phase_s + math.ceil((start - sensor.phase_s) / sensor.interval_s) * (
        sensor.interval_s
    )
    if first > end:
        return np.zeros(0, dtype=np.float64)
    steps = np.arange(int((end - first) // sensor.interval_s) + 1, dtype=np.float64)
    return np.asarray(first + sensor.interval_s * steps, dtype=np.float64)


def in_reach(sensor: SimSensor, flight: Flight) -> bool:
    """A cheap prefilter: does the flight ever come within 1.3 ranges of the sensor?"""
    step = max(1, len(flight.x) // 200)
    d = np.hypot(flight.x[::step] - sensor.x, flight.y[::step] - sensor.y)
    return bool(d.min() <= 1.3 * sensor.range_m + 300.0)


def observe_flight(
    rng: np.random.Generator,
    sensor: SimSensor,
    sensor_index: int,
    flight: Flight,
    flight_index: int,
    stretch: Stretch,
) -> Chunk | None:
    """A non-cooperative sensor's (radar, camera, RF) detections of one flight."""
    ts = scan_times(sensor, flight.start, flight.end)
    if not len(ts):
        return None
    x, y, alt = flight.at(ts)
    r = np.sqrt((x - sensor.x) ** 2 + (y - sensor.y) ** 2 + alt**2)
    p = p_detect(sensor, r)
    if sensor.type in ("radar", "camera"):
        p = np.where(alt >= 3.0, p, 0.0)  # on the ground it is clutter, not a target
    hit = rng.random(len(ts)) < p
    if not hit.any():
        return None
    ts, x, y, alt, r = ts[hit], x[hit], y[hit], alt[hit], r[hit]
    n = len(ts)
    nan = np.full(n, np.nan)
    closeness = np.clip(1.0 - r / sensor.range_m, 0.0, 1.0)
    if sensor.type == "rf":
        assert sensor.bearing_error_deg is not None
        sigma = sensor.bearing_error_deg
        # A direction finder drops a fix whose error is off the scale: noise stops at 3σ.
        noise = np.clip(rng.normal(0, sigma, n), -BEARING_CLIP * sigma, BEARING_CLIP * sigma)
        bearing = (bearing_deg(sensor.x, sensor.y, x, y) + noise) % 360.0
        lat, lon, alt_out = nan.copy(), nan.copy(), nan.copy()
        if sensor.decode_range_m is not None and flight.drone.droneid_leak:
            fix = r <= sensor.decode_range_m
            if fix.any():
                e = sensor.position_error_m
                fx = x[fix] + rng.uniform(-e, e, int(fix.sum()))
                fy = y[fix] + rng.uniform(-e, e, int(fix.sum()))
                la, lo = stretch.frame.to_geo(fx, fy)
                lat[fix], lon[fix] = la, lo
                alt_out[fix] = np.maximum(0.0, alt[fix] + rng.uniform(-5, 5, int(fix.sum())))
        confidence = np.clip(0.6 + 0.35 * closeness + rng.normal(0, 0.03, n), 0.3, 0.99)
        cls = np.zeros(n, dtype=np.int64)
    else:
        e = sensor.position_error_m
        la, lo = stretch.frame.to_geo(x + rng.normal(0, e, n), y + rng.normal(0, e, n))
        lat, lon = la, lo
        assert sensor.altitude_error_m is not None
        alt_out = np.maximum(0.0, alt + rng.normal(0, sensor.altitude_error_m, n))
        bearing = nan
        confidence = np.clip(0.55 + 0.4 * closeness + rng.normal(0, 0.05, n), 0.3, 0.99)
        unsure = 0.15 if sensor.type == "radar" else 0.05
        cls = np.where(rng.random(n) < unsure, CLASSES.index("unknown"), 0).astype(np.int64)
    return _chunk(
        ts,
        sensor_index,
        lat=lat,
        lon=lon,
        alt=alt_out,
        bearing=bearing,
        confidence=confidence,
        cls=cls,
        flight=flight_index,
        source="flight",
    )


def hear_broadcasts(
    rng: np.random.Generator,
    sensor: SimSensor,
    sensor_index: int,
    cast: Broadcasts,
    base: int,
) -> Chunk | None:
    """The Remote ID broadcasts of one flight that a receiver heard. The detection carries
    what the drone said (its own GNSS fix, quantised by the encoding), heard a few
    milliseconds after it was sent; ``base`` numbers the flight's first broadcast."""
    r = np.sqrt((cast.x - sensor.x) ** 2 + (cast.y - sensor.y) ** 2 + cast.alt**2)
    hit = rng.random(len(cast.t)) < p_detect(sensor, r)
    if not hit.any():
        return None
    n = int(hit.sum())
    latency = rng.uniform(0.002, 0.03, n)
    return _chunk(
        cast.t[hit] + latency,
        sensor_index,
        lat=cast.lat[hit],
        lon=cast.lon[hit],
        alt=cast.height[hit],
        bearing=np.full(n, np.nan),
        confidence=np.full(n, 0.99),
        cls=np.zeros(n, dtype=np.int64),
        flight=cast.flight_index,
        source="flight",
        broadcast=base + np.flatnonzero(hit).astype(np.int64),
    )


def false_alarms(
    rng: np.random.Generator,
    sensor: SimSensor,
    sensor_index: int,
    stretch: Stretch,
    start: float,
    end: float,
    birds_per_hour: float,
    clutter_per_hour: float,
    rf_false_per_day: float,
) -> list[Chunk]:
    """Birds (short tracks a radar or camera follows for a while), clutter (a blip or three
    of low confidence) and, for RF, a stray bearing now and then."""
    hours = (end - start) / 3600.0
    out: list[Chunk] = []
    if sensor.type in ("radar", "camera"):
        for _ in range(int(rng.poisson(birds_per_hour * hours))):
            chunk = _bird(rng, sensor, sensor_index, stretch, start, end)
            if chunk is not None:
                out.append(chunk)
    if sensor.type == "radar":
        for _ in range(int(rng.poisson(clutter_per_hour * hours))):
            out.append(_clutter(rng, sensor, sensor_index, stretch, start, end))
    if sensor.type == "rf":
        for _ in range(int(rng.poisson(rf_false_per_day * hours / 24.0))):
            t = np.array([float(rng.uniform(start, end))])
            out.append(
                _chunk(
                    t,
                    sensor_index,
                    lat=np.array([np.nan]),
                    lon=np.array([np.nan]),
                    alt=np.array([np.nan]),
                    bearing=np.array([float(rng.uniform(0, 360))]),
                    confidence=np.array([float(rng.uniform(0.2, 0.5))]),
                    cls=np.array([CLASSES.index("unknown")], dtype=np.int64),
                    flight=-1,
                    source="noise",
                )
            )
    return out


def _bird(
    rng: np.random.Generator,
    sensor: SimSensor,
    sensor_index: int,
    stretch: Stretch,
    start: float,
    end: float,
) -> Chunk | None:
    t0 = float(rng.uniform(start, max(start, end - 60)))
    ts = scan_times(sensor, t0, t0 + float(rng.uniform(5, 60)))
    if not len(ts):
        return None
    r0 = 0.8 * sensor.range_m * math.sqrt(float(rng.random()))
    a0 = float(rng.uniform(0, 2 * math.pi))
    heading = float(rng.uniform(0, 2 * math.pi))
    speed = float(rng.uniform(4, 15))
    x = sensor.x + r0 * math.cos(a0) + speed * math.sin(heading) * (ts - t0)
    y = sensor.y + r0 * math.sin(a0) + speed * math.cos(heading) * (ts - t0)
    alt = np.full(len(ts), float(rng.uniform(5, 120)))
    keep = rng.random(len(ts)) < 0.7
    if not keep.any():
        return None
    ts, x, y, alt = ts[keep], x[keep], y[keep], alt[keep]
    n = len(ts)
    e = sensor.position_error_m
    lat, lon = stretch.frame.to_geo(x + rng.normal(0, e, n), y + rng.normal(0, e, n))
    label = rng.choice(3, p=[0.05, 0.85, 0.10])  # a bird now and then looks like a drone
    return _chunk(
        ts,
        sensor_index,
        lat=lat,
        lon=lon,
        alt=np.maximum(0.0, alt + rng.normal(0, 5, n)),
        bearing=np.full(n, np.nan),
        confidence=rng.uniform(0.2, 0.6, n),
        cls=np.full(n, int(label), dtype=np.int64),
        flight=-1,
        source="bird",
    )


def _clutter(
    rng: np.random.Generator,
    sensor: SimSensor,
    sensor_index: int,
    stretch: Stretch,
    start: float,
    end: float,
) -> Chunk:
    t0 = float(rng.uniform(start, max(start, end - 10)))
    n = int(rng.integers(1, 4))
    ts = scan_times(sensor, t0, t0 + 10)[:n]
    n = len(ts)
    r0 = sensor.range_m * math.sqrt(float(rng.random()))
    a0 = float(rng.uniform(0, 2 * math.pi))
    cx, cy = sensor.x + r0 * math.cos(a0), sensor.y + r0 * math.sin(a0)
    e = sensor.position_error_m
    lat, lon = stretch.frame.to_geo(cx + rng.normal(0, e, n), cy + rng.normal(0, e, n))
    alt = np.full(n, float(rng.uniform(0, 30)))
    return _chunk(
        ts,
        sensor_index,
        lat=lat,
        lon=lon,
        alt=alt,
        bearing=np.full(n, np.nan),
        confidence=rng.uniform(0.05, 0.3, n),
        cls=np.full(n, CLASSES.index("unknown"), dtype=np.int64),
        flight=-1,
        source="clutter",
    )


def heartbeat_times(sensor: SimSensor, start: float, end: float) -> FloatArray:
    """True instants of the sensor's keep-alives (its own phase), every ``heartbeat_s``."""
    first = start + sensor.phase_s * sensor.heartbeat_s
    steps = np.arange(int((end - first) // sensor.heartbeat_s) + 1, dtype=np.float64)
    return np.asarray(first + sensor.heartbeat_s * steps, dtype=np.float64)
