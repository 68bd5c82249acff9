"""The tracker's benchmark: throughput and track quality on flights it generates itself.

It deliberately does not use the night simulator: the benchmark measures the tracker alone,
on a dense scene (``flights`` drones in the air at once over a few kilometres at Nogales),
seen by six sensors of both countries — a radar, a camera and a Remote ID receiver in Mexico,
a radar, an RF direction finder (bearings only) and a Remote ID receiver in the United States
— with detection probability falling with range, noise per sensor type, clutter (birds and
low-confidence radar plots), one Remote ID drone in ten, and the US clocks two seconds ahead.
Flights alternate straight legs and turns.

Figures: detections per second through :meth:`Tracker.process` fed one-second slices (the
way the watch feeds it; generation is not timed), track *purity* (for each confirmed track,
the share of its detections that came from its majority flight, weighted by detections),
*fragmentation* (confirmed tracks per flight that has one) and *coverage* (share of flights
with a track). Run it: ``python -m paridad.drones.tracking.bench --detections 20000``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import orjson
from numpy.typing import NDArray

from paridad.drones.tracking.detections import Detection
from paridad.drones.tracking.sensors import Sensor, SensorRegistry
from paridad.drones.tracking.tracker import Track, Tracker, TrackerConfig
from paridad.i18n import _

Array = NDArray[np.float64]

ORIGIN = (31.3300, -110.9400)  # Nogales, Sonora / Nogales, Arizona
EPOCH = 1_773_500_000.0  # a March 2026 night
STEP_S = 0.05
M_PER_DEG_LAT = 110_900.0


def to_latlon(
    east: Array, north: Array, origin: tuple[float, float] = ORIGIN
) -> tuple[Array, Array]:
    """Local metres to degrees; a small-area approximation is plenty for generated scenes."""
    lat0, lon0 = origin
    lat = lat0 + north / M_PER_DEG_LAT
    lon = lon0 + east / (M_PER_DEG_LAT * math.cos(math.radians(lat0)))
    return lat, lon


@dataclass
class Flight:
    """A generated path sampled every ``STEP_S`` from ``start``: east/north metres, altitude."""

    id: str
    start: float
    east: Array
    north: Array
    altitude: float
    serial: str | None = None

    @property
    def end(self) -> float:
        return self.start + STEP_S * (len(self.east) - 1)

    def at(self, t: Array) -> tuple[Array, Array]:
        grid = self.start + STEP_S * np.arange(len(self.east))
        return np.interp(t, grid, self.east), np.interp(t, grid, self.north)


def fly(
    ident: str,
    start: float,
    duration: float,
    east: float,
    north: float,
    heading_deg: float,
    speed: float,
    turns: Sequence[tuple[float, float, float]] = (),
    altitude: float = 80.0,
    serial: str | None = None,
) -> Flight:
    """A flight at constant speed; ``turns`` are (from s, to s, degrees per second)."""
    steps = round(duration / STEP_S) + 1
    t = STEP_S * np.arange(steps)
    rate = np.zeros(steps)
    for begin, end, deg_s in turns:
        rate[(t >= begin) & (t < end)] = math.radians(deg_s)
    heading = math.radians(heading_deg) + np.concatenate([[0.0], np.cumsum(rate[:-1] * STEP_S)])
    e = east + np.concatenate([[0.0], np.cumsum(speed * np.sin(heading[:-1]) * STEP_S)])
    n = north + np.concatenate([[0.0], np.cumsum(speed * np.cos(heading[:-1]) * STEP_S)])
    return Flight(ident, start, e, n, altitude, serial)


@dataclass(frozen=True)
class SimSensor:
    """A sensor as the generator runs it: how often it reports and how its clock is off."""

    sensor: Sensor
    east: float
    north: float
    period_s: float = 1.0
    p_detect: float = 0.95
    bearing_only: bool = False
    clock_offset_s: float = 0.0
    cooperative_only: bool = False  # a Remote ID receiver hears only broadcasting drones
    clutter_per_s: float = 0.0


def sim_sensor(
    ident: str,
    kind: str,
    country: str,
    east: float,
    north: float,
    *,
    range_m: float = 8000.0,
    position_error_m: float | None = None,
    bearing_error_deg: float = 3.0,
    **options: float | bool,
) -> SimSensor:
    lat, lon = to_latlon(np.array(east), np.array(north))
    error = {"radar": 15.0, "rf": 30.0, "camera": 20.0, "remote-id": 12.5}[kind]
    sensor = Sensor(
        id=ident,
        type=kind,  # type: ignore[arg-type]
        country=country,
        lat=float(lat),
        lon=float(lon),
        range_m=range_m,
        position_error_m=position_error_m or error,
        bearing_error_deg=bearing_error_deg,
    )
    return SimSensor(sensor, east, north, **options)  # type: ignore[arg-type]


def observe(
    flights: Sequence[Flight],
    sensors: Sequence[SimSensor],
    rng: np.random.Generator,
    *,
    start: float | None = None,
    end: float | None = None,
) -> tuple[list[Detection], dict[str, str | None]]:
    """Every sensor's detections of every flight (and clutter), sorted by stamped time, with
    the truth: detection id → flight id (None for clutter)."""
    t0 = min(f.start for f in flights) if start is None else start
    t1 = max(f.end for f in flights) if end is None else end
    out: list[Detection] = []
    truth: dict[str, str | None] = {}
    for sim in sensors:
        s = sim.sensor
        phase = rng.uniform(0.0, sim.period_s)
        for flight in flights:
            if sim.cooperative_only and flight.serial is None:
                continue
            own = phase if not sim.cooperative_only else rng.uniform(0.0, sim.period_s)
            times = np.arange(max(t0, flight.start) + own, min(t1, flight.end), sim.period_s)
            if not len(times):
                continue
            e, n = flight.at(times)
            rng_m = np.hypot(e - sim.east, n - sim.north)
            # Detection probability falls off with range: 1/2 at 70 % of nominal range.
            p = sim.p_detect / (1.0 + np.exp((rng_m - 0.7 * s.range_m) / (0.08 * s.range_m)))
            seen = rng.random(len(times)) < p
            if sim.bearing_only:
                bearing = np.degrees(np.arctan2(e - sim.east, n - sim.north))
                bearing = (bearing + rng.normal(0.0, s.bearing_error_deg, len(times))) % 360.0
            else:
                e = e + rng.normal(0.0, s.position_error_m, len(times))
                n = n + rng.normal(0.0, s.position_error_m, len(times))
            lat, lon = to_latlon(e, n)
            alt = flight.altitude + rng.normal(0.0, 10.0, len(times))
            for k in np.flatnonzero(seen).tolist():
                # Unique across calls too: the sensor, the flight and the instant.
                ident = f"{s.id}:{flight.id}:{round(float(times[k]) * 1000)}"
                truth[ident] = flight.id
                out.append(
                    Detection(
                        sensor=s.id,
                        time=float(times[k]) + sim.clock_offset_s,
                        lat=None if sim.bearing_only else float(lat[k]),
                        lon=None if sim.bearing_only else float(lon[k]),
                        bearing=float(bearing[k]) if sim.bearing_only else None,
                        altitude=float(alt[k]),
                        confidence=0.9,
                        classification="drone",
                        serial=flight.serial if sim.cooperative_only else None,
                        id=ident,
                    )
                )
        if sim.clutter_per_s > 0 and not sim.bearing_only:
            count = int(rng.poisson(sim.clutter_per_s * (t1 - t0)))
            times = rng.uniform(t0, t1, count)
            radius = s.range_m * 0.7 * np.sqrt(rng.random(count))
            angle = rng.uniform(0, 2 * math.pi, count)
            lat, lon = to_latlon(
                sim.east + radius * np.sin(angle), sim.north + radius * np.cos(angle)
            )
            bird = rng.random(count) < 0.3
            for k in range(count):
                ident = f"{s.id}:clutter:{round(float(times[k]) * 1000)}:{k}"
                truth[ident] = None
                out.append(
                    Detection(
                        sensor=s.id,
                        time=float(times[k]) + sim.clock_offset_s,
                        lat=float(lat[k]),
                        lon=float(lon[k]),
                        bearing=None,
                        altitude=float(rng.uniform(5, 120)),
                        confidence=0.6 if bird[k] else 0.2,
                        classification="bird" if bird[k] else "unknown",
                        id=ident,
                    )
                )
    out.sort(key=lambda d: d.time)
    return out, truth


def slices(detections: Sequence[Detection], width: float = 1.0) -> Iterator[list[Detection]]:
    """Consecutive ``width``-second slices of a time-ordered list."""
    batch: list[Detection] = []
    end = -math.inf
    for d in detections:
        if d.time >= end:
            if batch:
                yield batch
            batch = []
            end = d.time + width
        batch.append(d)
    if batch:
        yield batch


def score(tracks: Sequence[Track], truth: Mapping[str, str | None]) -> dict[str, float]:
    """Purity, fragmentation and coverage of confirmed tracks against the truth."""
    flights = {f for f in truth.values() if f is not None}
    pure = 0
    total = 0
    per_flight: Counter[str] = Counter()
    for track in tracks:
        owners = Counter(truth.get(d) if d else None for d in track.detection_ids)
        if not owners:
            continue
        flight, count = owners.most_common(1)[0]
        pure += count
        total += sum(owners.values())
        if flight is not None:
            per_flight[flight] += 1
    return {
        "purity": pure / total if total else 1.0,
        "fragmentation": (sum(per_flight.values()) / len(per_flight)) if per_flight else 0.0,
        "coverage": len(per_flight) / len(flights) if flights else 1.0,
        "tracks": float(len(tracks)),
    }


def scene(
    flights: int, duration: float, seed: int, us_clock_offset_s: float = 2.0
) -> tuple[list[Flight], list[SimSensor]]:
    """The benchmark's dense scene: ``flights`` drones in the air for ``duration`` seconds."""
    rng = np.random.default_rng(seed)
    sensors = [
        sim_sensor("mx-radar-1", "radar", "MX", -2500.0, -2500.0, clutter_per_s=0.05),
        sim_sensor("mx-camera-1", "camera", "MX", 2500.0, -2000.0),
        sim_sensor("mx-rid-1", "remote-id", "MX", 0.0, -1500.0, cooperative_only=True),
        sim_sensor(
            "us-radar-1", "radar", "US", 2500.0, 2500.0,
            clock_offset_s=us_clock_offset_s, clutter_per_s=0.05,
        ),
        sim_sensor(
            "us-rf-1", "rf", "US", -2500.0, 2000.0,
            period_s=2.0, bearing_only=True, clock_offset_s=us_clock_offset_s + 0.05,
        ),
        sim_sensor(
            "us-rid-1", "remote-id", "US", 0.0, 1500.0,
            cooperative_only=True, clock_offset_s=us_clock_offset_s - 0.05,
        ),
    ]  # fmt: skip
    out: list[Flight] = []
    for k in range(flights):
        turns: list[tuple[float, float, float]] = []
        leg = 0.0
        while leg < duration:
            leg += float(rng.uniform(15.0, 60.0))
            if rng.random() < 0.6:
                span = float(rng.uniform(5.0, 20.0))
                turns.append((leg, leg + span, float(rng.choice([-1, 1]) * rng.uniform(3.0, 9.0))))
                leg += span
        speed = float(np.clip(rng.normal(12.0, 4.0), 3.0, 20.0))
        # Start so that the flight stays near the middle: aim at a point near the centre.
        east, north = rng.uniform(-3000.0, 3000.0), rng.uniform(-2000.0, 2000.0)
        heading = float(rng.uniform(0.0, 360.0))
        back = speed * duration / 2.0
        east -= back * math.sin(math.radians(heading))
        north -= back * math.cos(math.radians(heading))
        serial = f"1581F{seed:03d}{k:07d}" if rng.random() < 0.1 else None
        out.append(
            fly(
                f"flight-{k:03d}",
                EPOCH,
                duration,
                east,
                north,
                heading,
                speed,
                turns,
                altitude=float(rng.uniform(40.0, 140.0)),
                serial=serial,
            )
        )
    return out, sensors


def registry(sensors: Sequence[SimSensor]) -> SensorRegistry:
    return SensorRegistry(s.sensor for s in sensors)


def measure(detections: int, flights: int, seed: int) -> dict[str, object]:
    """Run the tracker over about ``detections`` generated detections of ``flights``
    simultaneous flights; returns the figures (see the module docstring)."""
    rate = flights * 3.2 + 0.3  # detections per second of the scene, roughly
    duration = max(30.0, 1.25 * detections / rate)  # generous: the surplus is cut off
    paths, sims = scene(flights, duration, seed)
    rng = np.random.default_rng(seed + 1)
    dets, truth = observe(paths, sims, rng)
    dets = dets[:detections]
    tracker = Tracker(registry(sims), TrackerConfig())
    batches = list(slices(dets))
    started = time.perf_counter()
    cpu_started = time.process_time()
    updates = 0
    for batch in batches:
        updates += len(tracker.process(batch))
        tracker.close_stale(batch[-1].time)
    tracks = tracker.finish()
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    quality = score(tracks, truth)
    offsets = tracker.clock_offsets
    return {
        "bench": "drone-tracker",
        "system": "paridad",
        "dataset": f"generated:{flights}-flights:seed-{seed}",
        "n": len(dets),
        "flights": flights,
        "seconds": round(seconds, 4),
        "per_second": round(len(dets) / seconds, 1) if seconds else None,
        "cpu_seconds": round(cpu_seconds, 4),
        "per_cpu_second": round(len(dets) / cpu_seconds, 1) if cpu_seconds else None,
        "updates": updates,
        "purity": round(quality["purity"], 4),
        "fragmentation": round(quality["fragmentation"], 3),
        "coverage": round(quality["coverage"], 3),
        "tracks": int(quality["tracks"]),
        "clock_offsets": {k: round(v, 3) for k, v in offsets.items()},
        "clock_std": {k: round(e.std, 3) for k, e in sorted(tracker.clock_status().items())},
        "rejected": len(tracker.rejected),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m paridad.drones.tracking.bench",
        description=_(
            "Measure the drone tracker: detections per second, track purity and fragmentation."
        ),
    )
    parser.add_argument(
        "--detections", type=int, default=20_000, help=_("How many detections to generate.")
    )
    parser.add_argument(
        "--flights", type=int, default=50, help=_("How many flights are in the air at once.")
    )
    parser.add_argument("--seed", type=int, default=7, help=_("Seed of the generated scene."))
    args = parser.parse_args(argv)
    result = measure(args.detections, args.flights, args.seed)
    sys.stdout.write(orjson.dumps(result).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
