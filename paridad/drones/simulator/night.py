"""A night along the border: flights, both countries' sensors, what they saw, and the truth.

:func:`simulate_night` plans the flights, places the sensors, lets every sensor observe every
flight within its reach, adds false alarms and a planted outage, and applies each sensor's
clock; :func:`dense_stream` packs many simultaneous flights into one stretch for throughput
and latency benchmarks. Everything is drawn from one ``numpy`` seed sequence, one stream per
concern, so a seed gives the same night on any machine and a change in one model (say, the
false alarms) does not reshuffle the flights.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

import numpy as np

from paridad.drones.simulator.broadcast import Broadcasts, broadcasts
from paridad.drones.simulator.flights import (
    CROSSING_SHARE,
    HOTSPOT_REUSE,
    LAUNCH_RADIUS_M,
    MISSIONS,
    OPERATOR_RADIUS_M,
    DroneFactory,
    Flight,
    FlightPlan,
    Hotspot,
    flight_starts,
    hotspot_count,
    pick_mission,
    pick_sector,
    plan_path,
    plant_hotspots,
    sample_keys,
    uniform_disc,
    zipf_index,
)
from paridad.drones.simulator.geometry import (
    BorderLike,
    FloatArray,
    SimulatorError,
    Stretch,
    sector_site,
)
from paridad.drones.simulator.records import side_lines, side_records
from paridad.drones.simulator.sensors import (
    Chunk,
    IntArray,
    SimSensor,
    false_alarms,
    hear_broadcasts,
    heartbeat_times,
    in_reach,
    observe_flight,
    place_sensors,
)
from paridad.drones.simulator.truth import Crossing, Outage, true_crossings
from paridad.i18n import N_

MSG_FLIGHTS = N_("The number of flights must be zero or more, not {value}.")
MSG_POSITIVE = N_("The simulator setting {name} must be a positive number, not {value}.")
MSG_NOT_NEGATIVE = N_("The simulator setting {name} must be zero or more, not {value}.")
MSG_SHARE = N_("The simulator setting {name} must lie between 0 and 1, not {value}.")
MSG_NO_SECTORS = N_("Name at least one border sector for the night.")
MSG_NAIVE_START = N_("The start of the night must carry a time zone: {value}.")

SIDES = ("mx", "us")
COUNTRY_OF = {"mx": "MX", "us": "US"}
# 19:00 on 14 March 2026 in Tijuana and Nogales (UTC-7), 20:00 in Juárez, 21:00 in Reynosa.
DEFAULT_START = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
DEFAULT_SECTORS = ("San Diego", "Tucson", "El Paso", "Rio Grande Valley")
TIMESTAMP_JITTER_S = 0.005  # a sensor's time stamps scatter by a few milliseconds


@dataclass(frozen=True)
class NightConfig:
    """Everything that shapes a night; with the seed, it is the whole recipe."""

    seed: int = 7
    flights: int = 120
    start: datetime = DEFAULT_START
    hours: float = 10.0
    sectors: tuple[str, ...] = DEFAULT_SECTORS
    us_clock_offset_s: float = 2.0
    mx_clock_offset_s: float = 0.0
    clock_jitter_s: float = 0.2  # each sensor's own extra offset, uniform within ±this
    stretch_km: float = 20.0  # length of line watched per sector
    site_spacing_km: float = 5.0  # between mirrored sensor sites
    birds_per_hour: float = 3.0  # per radar or camera
    clutter_per_hour: float = 4.0  # per radar
    rf_false_per_day: float = 1.0  # per RF sensor
    remote_id_sigma_m: float = 12.5  # GNSS error per axis in what drones broadcast
    outage_s: float = 900.0  # one sensor goes silent this long (0: none)
    penetration_median_m: float = 400.0  # how far past the line crossing flights go
    radar_interval_s: float = 1.0  # radar update period (drone radars: 0.25-2 s)
    crossing_share: float | None = None  # None: per mission (spotter .12, payload 1, hobby .1)
    remote_id_share: float | None = None  # None: per mission (illicit .05, hobby .8)
    start_spread_s: float | None = None  # dense streams: all flights take off within this
    min_duration_s: float | None = None  # dense streams: every flight lasts at least this

    def validate(self) -> None:
        if self.flights < 0:
            raise SimulatorError(MSG_FLIGHTS, value=self.flights)
        for name in ("crossing_share", "remote_id_share"):
            share = getattr(self, name)
            if share is not None and not (isinstance(share, int | float) and 0 <= share <= 1):
                raise SimulatorError(MSG_SHARE, name=name, value=share)
        for name in (
            "hours",
            "stretch_km",
            "site_spacing_km",
            "penetration_median_m",
            "radar_interval_s",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise SimulatorError(MSG_POSITIVE, name=name, value=value)
        for name in (
            "clock_jitter_s",
            "birds_per_hour",
            "clutter_per_hour",
            "rf_false_per_day",
            "remote_id_sigma_m",
            "outage_s",
        ):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise SimulatorError(MSG_NOT_NEGATIVE, name=name, value=value)
        if not self.sectors:
            raise SimulatorError(MSG_NO_SECTORS)
        for name in self.sectors:
            sector_site(name)
        if self.start.tzinfo is None:
            raise SimulatorError(MSG_NAIVE_START, value=self.start.isoformat())

    @property
    def window_start(self) -> float:
        return self.start.timestamp()

    @property
    def window_end(self) -> float:
        return self.window_start + self.hours * 3600.0

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["start"] = self.start.astimezone(UTC).isoformat().replace("+00:00", "Z")
        out["sectors"] = list(self.sectors)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NightConfig:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if "start" in values:
            values["start"] = datetime.fromisoformat(str(values["start"]).replace("Z", "+00:00"))
        if "sectors" in values:
            values["sectors"] = tuple(values["sectors"])
        return cls(**values)


@dataclass
class SideStream:
    """One country's records, sorted by the time its sensors' clocks wrote."""

    detections: Chunk
    clock_t: FloatArray  # the time written, per detection
    ids: list[str]
    heartbeat_sensor: IntArray
    heartbeat_t: FloatArray  # true time of each keep-alive
    heartbeat_clock_t: FloatArray


@dataclass
class Night:
    """A simulated night, in memory: what :func:`write_night` writes and the truth keeps."""

    config: NightConfig
    stretches: dict[str, Stretch]
    sensors: list[SimSensor]
    hotspots: list[Hotspot]
    flights: list[Flight]
    crossings: dict[str, list[Crossing]]
    broadcasts: list[Broadcasts]
    sides: dict[str, SideStream]
    outage: Outage | None
    packs: dict[int, str] = field(default_factory=dict)  # heard broadcasts' packs (hex)

    def lines(self, side: str, *, heartbeats: bool = True) -> list[str]:
        """The side's ``detections.jsonl`` lines, in file order (heartbeats merged in)."""
        return side_lines(self, side, heartbeats=heartbeats)

    def records(self, side: str, *, heartbeats: bool = True) -> Iterator[dict[str, Any]]:
        """The same as dicts: what a consumer of the file would read."""
        return side_records(self, side, heartbeats=heartbeats)

    def detection_count(self) -> int:
        return sum(len(s.detections) for s in self.sides.values())


def _border_or_shipped(border: BorderLike | None) -> BorderLike:
    if border is not None:
        return border
    from paridad.drones.border import Border

    return Border.load()


def simulate_night(config: NightConfig, border: BorderLike | None = None) -> Night:
    """The whole night in memory; deterministic for ``config`` (seed included)."""
    config.validate()
    line = _border_or_shipped(border)
    seeds = np.random.SeedSequence(config.seed).spawn(6)
    r_flights, r_sensors, r_observe, r_broadcast, r_alarms, r_clock = (
        np.random.default_rng(s) for s in seeds
    )
    half = config.stretch_km * 500.0
    stretches = {name: Stretch.around(line, sector_site(name), half) for name in config.sectors}
    plan = FlightPlan(
        flights=config.flights,
        window_start=config.window_start,
        window_s=config.hours * 3600.0,
        start_spread_s=config.start_spread_s,
        min_duration_s=config.min_duration_s,
        penetration_median_m=config.penetration_median_m,
        crossing_share=config.crossing_share,
        remote_id_share=config.remote_id_share,
    )
    hotspots, flights = _fly(r_flights, line, stretches, plan)
    offsets = {"US": config.us_clock_offset_s, "MX": config.mx_clock_offset_s}
    sensors: list[SimSensor] = []
    for stretch in stretches.values():
        sensors += place_sensors(
            r_sensors,
            line,
            stretch,
            config.site_spacing_km * 1000.0,
            offsets,
            config.clock_jitter_s,
            config.radar_interval_s,
        )
    crossings = true_crossings(line, flights)
    casts, cast_offset = _broadcast(r_broadcast, flights, stretches, config.remote_id_sigma_m)
    chunks = _observe(r_observe, sensors, flights, stretches, casts, cast_offset)
    end = max([config.window_end, *(f.end + 60.0 for f in flights)])
    for i, sensor in enumerate(sensors):
        chunks += false_alarms(
            r_alarms,
            sensor,
            i,
            stretches[sensor.sector],
            config.window_start,
            end,
            config.birds_per_hour,
            config.clutter_per_hour,
            config.rf_false_per_day,
        )
    table = Chunk.concat(chunks)
    outage = _pick_outage(r_clock, sensors, table, config, end)
    sides = {
        side: _side(r_clock, side, sensors, table, outage, config.window_start, end)
        for side in SIDES
    }
    return Night(
        config=config,
        stretches=stretches,
        sensors=sensors,
        hotspots=hotspots,
        flights=flights,
        crossings=crossings,
        broadcasts=casts,
        sides=sides,
        outage=outage,
        packs=_packs(casts, cast_offset, table),
    )


def dense_stream(
    flights: int = 60, duration_s: float = 600.0, seed: int = 7, border: BorderLike | None = None
) -> Night:
    """Many simultaneous flights over one short, densely watched stretch (San Diego), all in
    the air for ``duration_s`` after the first minute (the recording, and the truth's paths,
    stop two minutes after that, whoever is still flying): with 60 flights, over 1,000 detections
    per second of simulated time, to measure a tracker's throughput and an alert's latency.
    Sites every 750 m and radars updating four times a second (the fast end of drone radars,
    1-4 Hz) make it dense; the flights keep the night's mission mix."""
    config = NightConfig(
        seed=seed,
        flights=flights,
        hours=(duration_s + 120.0) / 3600.0,
        sectors=("San Diego",),
        stretch_km=6.0,
        site_spacing_km=0.75,
        radar_interval_s=0.25,
        start_spread_s=60.0,
        min_duration_s=duration_s + 60.0,
        outage_s=0.0,
    )
    return simulate_night(config, border)


def _fly(
    rng: np.random.Generator,
    border: BorderLike,
    stretches: dict[str, Stretch],
    plan: FlightPlan,
) -> tuple[list[Hotspot], list[Flight]]:
    factory = DroneFactory(plan.remote_id_share)
    sites = [s.site for s in stretches.values()]
    total = sum(s.weight for s in sites)
    illicit = 1.0 - MISSIONS["hobby"]
    spots: dict[str, list[Hotspot]] = {}
    for name, stretch in stretches.items():
        expected = plan.flights * stretch.site.weight / total * illicit * HOTSPOT_REUSE
        spots[name] = plant_hotspots(rng, border, stretch, hotspot_count(expected), factory)
    pending: list[dict[str, Any]] = []
    for _ in range(plan.flights):
        site = pick_sector(rng, sites)
        stretch = stretches[site.name]
        mission = pick_mission(rng)
        share = CROSSING_SHARE[mission] if plan.crossing_share is None else plan.crossing_share
        crosses = bool(rng.random() < share)
        spot: Hotspot | None = None
        if mission != "hobby" and rng.random() < HOTSPOT_REUSE:
            candidates = spots[site.name]
            spot = candidates[zipf_index(rng, len(candidates))]
            drone = spot.drones[int(rng.integers(len(spot.drones)))]
            dx, dy = uniform_disc(rng, OPERATOR_RADIUS_M)
            ox, oy = spot.x + dx, spot.y + dy
            s_line = stretch.locate(ox, oy)
        else:
            s_line = float(rng.uniform(-0.9, 0.9) * stretch.half_length_m)
            depth = float(rng.uniform(200.0, 5000.0))
            sign = 1.0 if mission == "hobby" and rng.random() < 0.5 else -1.0
            ox_a, oy_a = stretch.offset(s_line, sign * depth)
            ox, oy = float(ox_a), float(oy_a)
            drone = factory.make(rng, mission)
        dx, dy = uniform_disc(rng, LAUNCH_RADIUS_M)
        launch = (ox + dx, oy + dy)
        keys, speed, height, one_way = plan_path(
            rng,
            stretch,
            mission,
            launch,
            s_line,
            crosses,
            drone.ua_type == "aeroplane",
            plan.min_duration_s,
            plan.penetration_median_m,
        )
        t, x, y, alt = sample_keys(rng, keys, one_way)
        pending.append(
            {
                "stretch": stretch,
                "mission": mission,
                "crosses": crosses,
                "spot": spot,
                "drone": drone,
                "operator": (ox, oy),
                "launch": launch,
                "one_way": one_way,
                "speed": speed,
                "height": height,
                "t": t,
                "x": x,
                "y": y,
                "alt": alt,
            }
        )
    durations = np.asarray([p["t"][-1] for p in pending], dtype=np.float64)
    starts = flight_starts(rng, plan, durations)
    order = np.argsort(starts, kind="stable")
    flights: list[Flight] = []
    close = plan.window_start + plan.window_s
    for number, i in enumerate(order, start=1):
        p = pending[int(i)]
        if plan.start_spread_s is not None:  # a dense stream: the recording stops at the end
            keep = starts[i] + p["t"] <= close
            keep[:2] = True
            for key in ("t", "x", "y", "alt"):
                p[key] = p[key][keep]
        frame = p["stretch"].frame
        lat, lon = frame.to_geo(p["x"], p["y"])
        op = frame.to_geo(*p["operator"])
        la = frame.to_geo(*p["launch"])
        flight = Flight(
            id=f"F{number:04d}",
            sector=p["stretch"].site.name,
            mission=p["mission"],
            drone=p["drone"],
            hotspot=p["spot"].id if p["spot"] is not None else None,
            operator=(float(op[0]), float(op[1])),
            launch=(float(la[0]), float(la[1])),
            landing=(float(lat[-1]), float(lon[-1])),
            one_way=p["one_way"],
            planned_crossing=p["crosses"],
            speed_mps=p["speed"],
            height_m=p["height"],
            t=starts[i] + p["t"],
            lat=lat,
            lon=lon,
            alt=p["alt"],
            x=p["x"],
            y=p["y"],
        )
        if p["spot"] is not None:
            p["spot"].flights.append(flight.id)
        flights.append(flight)
    return [s for group in spots.values() for s in group], flights


def _broadcast(
    rng: np.random.Generator,
    flights: list[Flight],
    stretches: dict[str, Stretch],
    sigma_m: float,
) -> tuple[list[Broadcasts], dict[int, int]]:
    out: list[Broadcasts] = []
    offsets: dict[int, int] = {}
    base = 0
    for i, flight in enumerate(flights):
        if flight.drone.remote_id:
            cast = broadcasts(rng, flight, i, stretches[flight.sector], sigma_m)
            offsets[i] = base
            base += len(cast.t)
            out.append(cast)
    return out, offsets


def _packs(casts: list[Broadcasts], offsets: dict[int, int], table: Chunk) -> dict[int, str]:
    """Encode the packs somebody heard (a pack heard by two receivers is encoded once)."""
    heard = np.unique(table.broadcast[table.broadcast >= 0])
    out: dict[int, str] = {}
    starts = np.asarray([offsets[c.flight_index] for c in casts], dtype=np.int64)
    for g in heard.tolist():
        k = int(np.searchsorted(starts, g, side="right")) - 1
        out[g] = casts[k].pack(g - int(starts[k])).hex()
    return out


def _observe(
    rng: np.random.Generator,
    sensors: list[SimSensor],
    flights: list[Flight],
    stretches: dict[str, Stretch],
    casts: list[Broadcasts],
    cast_offset: dict[int, int],
) -> list[Chunk]:
    by_flight = {c.flight_index: c for c in casts}
    chunks: list[Chunk] = []
    for si, sensor in enumerate(sensors):
        stretch = stretches[sensor.sector]
        for fi, flight in enumerate(flights):
            if flight.sector != sensor.sector or not in_reach(sensor, flight):
                continue
            chunk: Chunk | None
            if sensor.type == "remote-id":
                cast = by_flight.get(fi)
                if cast is None:
                    continue
                chunk = hear_broadcasts(rng, sensor, si, cast, cast_offset[fi])
            else:
                chunk = observe_flight(rng, sensor, si, flight, fi, stretch)
            if chunk is not None:
                chunks.append(chunk)
    return chunks


def _pick_outage(
    rng: np.random.Generator,
    sensors: list[SimSensor],
    table: Chunk,
    config: NightConfig,
    end: float,
) -> Outage | None:
    """One radar or RF sensor goes silent: the busiest-weighted choice, at a time when it
    would have been seeing something."""
    if config.outage_s <= 0 or not sensors:
        return None
    candidates = [i for i, s in enumerate(sensors) if s.type in ("radar", "rf")]
    if not candidates:
        candidates = list(range(len(sensors)))
    counts = np.bincount(table.sensor, minlength=len(sensors))[candidates].astype(float) + 1.0
    pick = candidates[int(rng.choice(len(candidates), p=counts / counts.sum()))]
    own = np.sort(table.true_t[table.sensor == pick])
    lo = config.window_start + 60.0
    hi = max(lo, end - config.outage_s - 60.0)
    if len(own):  # start shortly before one of its detections, so the silence is felt
        start = float(np.clip(own[int(rng.integers(len(own)))] - rng.uniform(0, 120), lo, hi))
    else:
        start = float(rng.uniform(lo, hi))
    return Outage(sensors[pick].id, start, start + config.outage_s)


def _side(
    rng: np.random.Generator,
    side: str,
    sensors: list[SimSensor],
    table: Chunk,
    outage: Outage | None,
    start: float,
    end: float,
) -> SideStream:
    country = COUNTRY_OF[side]
    own = np.asarray([s.country == country for s in sensors], dtype=bool)
    offsets = np.asarray([s.clock_offset_s for s in sensors], dtype=np.float64)
    mask = own[table.sensor] if len(table) else np.zeros(0, dtype=bool)
    silent = -1
    if outage is not None:
        silent = next(i for i, s in enumerate(sensors) if s.id == outage.sensor)
        mask &= ~(
            (table.sensor == silent) & (table.true_t >= outage.start) & (table.true_t < outage.end)
        )
    rows = table.take(mask)
    clock = rows.true_t + offsets[rows.sensor] + rng.normal(0, TIMESTAMP_JITTER_S, len(rows))
    order = np.lexsort((rows.sensor, clock))
    rows, clock = rows.take(order), clock[order]
    ids = [f"{side}-{i:07d}" for i in range(1, len(rows) + 1)]
    hb_sensor: list[IntArray] = []
    hb_t: list[FloatArray] = []
    for i, sensor in enumerate(sensors):
        if not own[i]:
            continue
        t = heartbeat_times(sensor, start, end)
        if i == silent and outage is not None:
            t = t[(t < outage.start) | (t >= outage.end)]
        hb_sensor.append(np.full(len(t), i, dtype=np.int64))
        hb_t.append(t)
    hs = np.concatenate(hb_sensor) if hb_sensor else np.zeros(0, dtype=np.int64)
    ht = np.concatenate(hb_t) if hb_t else np.zeros(0, dtype=np.float64)
    hc = ht + offsets[hs] if len(hs) else ht
    order = np.lexsort((hs, hc))
    return SideStream(rows, clock, ids, hs[order], ht[order], hc[order])
