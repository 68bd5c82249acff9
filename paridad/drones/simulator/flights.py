"""Drone flights of one night: hotspots, drones, missions and their paths, second by second.

The parameters are the domain's ("Drone module" in ``shared/research/domain.md``), the same the
synthetic world's coarser generator (:mod:`paridad.synth.drones`) uses: missions spotter .85 /
payload .10 / hobby .05; hotspots 0.2-3 km south of the line reused with probability .7, each
flight's operator within 50 m of its hotspot; penetration past the line lognormal with median
400 m and 95th percentile 3 km; cruise speed N(12, 4) m/s clipped to 3-20; height lognormal
around 80 m (30-150); missions of 5-25 minutes; Remote ID on 5% of illicit drones and 80% of
hobby ones. Paths are planned as timed waypoints in a local metric frame and sampled every
second with numpy, so a night of a hundred flights takes a fraction of a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from paridad.drones.simulator.geometry import BorderLike, FloatArray, SectorSite, Stretch
from paridad.synth.catalog import DroneModel, drone_models

MISSIONS: dict[str, float] = {"spotter": 0.85, "payload": 0.10, "hobby": 0.05}
# Share of each mission's flights planned to go past the line. With the mission mix this makes
# about one flight in five a crossing, so detections outnumber crossings 4-6 to 1 (domain.md).
CROSSING_SHARE: dict[str, float] = {"spotter": 0.12, "payload": 1.0, "hobby": 0.10}
REMOTE_ID_SHARE: dict[str, float] = {"spotter": 0.05, "payload": 0.05, "hobby": 0.80}
HOTSPOT_REUSE = 0.7
OPERATOR_RADIUS_M = 50.0  # an operator stands within 50 m of the hotspot
LAUNCH_RADIUS_M = 15.0  # and launches within a few metres of where they stand
HOTSPOT_DEPTH_M = (200.0, 3000.0)
FRESH_DEPTH_M = (200.0, 5000.0)
PENETRATION_MEDIAN_M = 400.0
PENETRATION_SIGMA = math.log(3000.0 / 400.0) / 1.645  # 95th percentile 3 km
PENETRATION_MAX_M = 8000.0
SPEED_MPS = (12.0, 4.0, 3.0, 20.0)  # mean, sd, min, max
HEIGHT_MEDIAN_M, HEIGHT_SIGMA, HEIGHT_RANGE = 80.0, 0.4, (30.0, 150.0)
ENDURANCE_S = (300.0, 1500.0)  # missions last 5-25 min
CLIMB_MPS, DESCENT_MPS = 4.0, 3.0
ONE_WAY_SHARE = 0.05  # payload drones that land on the far side instead of returning
SERIAL_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # ANSI/CTA-2063-A: no I, no O
UA_TYPES = {"multirotor": "helicopter_or_multirotor", "aeroplane": "aeroplane"}


@dataclass(frozen=True)
class Drone:
    """One airframe; a hotspot's drones fly again and again."""

    key: str
    manufacturer: str
    model: str
    ua_type: str  # multirotor | aeroplane | hybrid-lift (the catalogue's words)
    serial: str | None  # ANSI/CTA-2063-A; None for home-built airframes
    remote_id: bool
    droneid_leak: bool  # its downlink carries decodable telemetry (DJI DroneID class)
    operator_id: str | None  # the registration it broadcasts in Remote ID


@dataclass
class Hotspot:
    """A planted launch site south of the line, reused night after night."""

    id: str
    sector: str
    lat: float
    lon: float
    x: float
    y: float
    distance_m: float  # signed distance to the line (negative: Mexico)
    drones: list[Drone] = field(default_factory=list)
    flights: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Flight:
    """A flight and its true path, sampled every second (POSIX seconds, degrees, metres AGL)."""

    id: str
    sector: str
    mission: str
    drone: Drone
    hotspot: str | None
    operator: tuple[float, float]
    launch: tuple[float, float]
    landing: tuple[float, float]
    one_way: bool
    planned_crossing: bool
    speed_mps: float
    height_m: float
    t: FloatArray
    lat: FloatArray
    lon: FloatArray
    alt: FloatArray
    x: FloatArray  # local metres in its stretch's frame, for the sensor models
    y: FloatArray

    @property
    def start(self) -> float:
        return float(self.t[0])

    @property
    def end(self) -> float:
        return float(self.t[-1])

    def at(self, times: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Local (x, y, alt) at arbitrary times inside the flight (linear between seconds)."""
        return (
            np.interp(times, self.t, self.x),
            np.interp(times, self.t, self.y),
            np.interp(times, self.t, self.alt),
        )

    def geo_at(self, times: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        return (
            np.interp(times, self.t, self.lat),
            np.interp(times, self.t, self.lon),
            np.interp(times, self.t, self.alt),
        )


@dataclass(frozen=True)
class FlightPlan:
    """What the night asks of the flight planner."""

    flights: int
    window_start: float  # POSIX seconds
    window_s: float
    start_spread_s: float | None = None  # dense streams: every flight starts within this
    min_duration_s: float | None = None  # dense streams: loiter long enough to last this
    penetration_median_m: float = PENETRATION_MEDIAN_M
    crossing_share: float | None = None  # None: each mission's own share (CROSSING_SHARE)
    remote_id_share: float | None = None  # None: each mission's own share (REMOTE_ID_SHARE)


def serial_number(rng: np.random.Generator, mfr_code: str) -> str:
    """An ANSI/CTA-2063-A serial: manufacturer code, length code (hex), that many characters."""
    length = int(rng.integers(10, 16))
    body = "".join(SERIAL_CHARS[i] for i in rng.integers(0, len(SERIAL_CHARS), size=length))
    return f"{mfr_code}{'0123456789ABCDEF'[length]}{body}"


def registration(rng: np.random.Generator) -> str:
    """An FAA-style registration (FA3 + seven characters) for the Operator ID message."""
    return "FA3" + "".join(SERIAL_CHARS[i] for i in rng.integers(0, len(SERIAL_CHARS), size=7))


def _weighted(rng: np.random.Generator, names: list[str], weights: list[float]) -> str:
    p = np.asarray(weights, dtype=np.float64)
    return names[int(rng.choice(len(names), p=p / p.sum()))]


class DroneFactory:
    """New airframes, numbered in the order they are made (deterministic for a seed)."""

    def __init__(self, remote_id_share: float | None = None) -> None:
        models = drone_models()
        self.illicit = [m for m in models if m.illicit]
        self.any = list(models)
        self.count = 0
        self.remote_id_share = remote_id_share  # None: each mission's own (REMOTE_ID_SHARE)

    def make(self, rng: np.random.Generator, mission: str) -> Drone:
        pool = self.any if mission == "hobby" else self.illicit
        model: DroneModel = pool[int(rng.choice(len(pool), p=_norm([m.weight for m in pool])))]
        self.count += 1
        serial = serial_number(rng, model.mfr_code) if model.mfr_code != "0000" else None
        share = REMOTE_ID_SHARE[mission] if self.remote_id_share is None else self.remote_id_share
        cooperative = serial is not None and bool(rng.random() < share)
        return Drone(
            key=f"D{self.count:04d}",
            manufacturer=model.manufacturer,
            model=model.model,
            ua_type=model.ua_type,
            serial=serial,
            remote_id=cooperative,
            droneid_leak=model.droneid_leak,
            operator_id=registration(rng) if cooperative else None,
        )


def _norm(weights: list[float]) -> FloatArray:
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(p / p.sum(), dtype=np.float64)


def uniform_disc(rng: np.random.Generator, radius: float) -> tuple[float, float]:
    """A uniform point in a disc (metres)."""
    r = radius * math.sqrt(float(rng.random()))
    a = 2 * math.pi * float(rng.random())
    return r * math.cos(a), r * math.sin(a)


def plant_hotspots(
    rng: np.random.Generator,
    border: BorderLike,
    stretch: Stretch,
    count: int,
    factory: DroneFactory,
) -> list[Hotspot]:
    """``count`` hotspots along the stretch, each checked against the border itself to lie
    0.2-3 km south of the line (a perpendicular offset alone can land nearer a meander)."""
    out: list[Hotspot] = []
    lo, hi = HOTSPOT_DEPTH_M
    span = stretch.half_length_m * 0.9
    while len(out) < count:
        s = rng.uniform(-span, span, size=64)
        depth = rng.uniform(lo, hi, size=64)
        x, y = stretch.offset(s, -depth)
        lat, lon = stretch.frame.to_geo(x, y)
        d = np.asarray(border.signed_distance_m(lat, lon), dtype=np.float64)
        ok = np.flatnonzero((d <= -lo - 10.0) & (d >= -hi + 10.0))
        if not len(ok):
            continue
        i = int(ok[0])
        spot = Hotspot(
            id=f"HS-{stretch.site.code}-{len(out) + 1:02d}",
            sector=stretch.site.name,
            lat=float(lat[i]),
            lon=float(lon[i]),
            x=float(x[i]),
            y=float(y[i]),
            distance_m=float(d[i]),
        )
        for _ in range(int(rng.integers(1, 4))):
            spot.drones.append(factory.make(rng, "spotter"))
        out.append(spot)
    return out


def hotspot_count(expected_flights: float) -> int:
    """5-20 hotspots per sector (domain.md), more where more flights are expected."""
    return int(min(20, max(5, round(expected_flights / 4))))


@dataclass
class _Keys:
    """Timed waypoints: time (s from take-off), x, y, height."""

    t: list[float] = field(default_factory=list)
    x: list[float] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    h: list[float] = field(default_factory=list)

    def add(self, x: float, y: float, h: float, speed: float = 0.0, wait: float = 0.0) -> None:
        """Fly to (x, y) at ``speed`` (or appear there, for the first point), then wait."""
        if not self.t:
            self.t.append(0.0)
        else:
            dist = math.hypot(x - self.x[-1], y - self.y[-1])
            self.t.append(self.t[-1] + max(1.0, dist / max(speed, 0.5)))
        self.x.append(x)
        self.y.append(y)
        self.h.append(h)
        if wait > 0:
            self.t.append(self.t[-1] + wait)
            self.x.append(x)
            self.y.append(y)
            self.h.append(h)


def _orbit(
    keys: _Keys, rng: np.random.Generator, cx: float, cy: float, h: float, seconds: float, fw: bool
) -> None:
    """Loiter over (cx, cy): a fixed wing circles, a multirotor circles or hovers and drifts."""
    if seconds <= 0:
        return
    if fw or rng.random() < 0.5:
        radius = float(rng.uniform(150, 300) if fw else rng.uniform(30, 150))
        speed = float(rng.uniform(12, 18) if fw else rng.uniform(3, 8))
        laps = seconds * speed / (2 * math.pi * radius)
        steps = max(8, int(laps * 24))
        theta0 = float(rng.uniform(0, 2 * math.pi))
        sign = 1.0 if rng.random() < 0.5 else -1.0
        for k in range(1, steps + 1):
            a = theta0 + sign * 2 * math.pi * laps * k / steps
            keys.add(cx + radius * math.cos(a), cy + radius * math.sin(a), h, speed)
    else:
        elapsed = 0.0
        while elapsed < seconds:
            dwell = float(min(seconds - elapsed, rng.uniform(10, 40)))
            dx, dy = uniform_disc(rng, 25.0)
            keys.add(cx + dx, cy + dy, h, 2.0, wait=dwell)
            elapsed += dwell + 5.0


def plan_path(
    rng: np.random.Generator,
    stretch: Stretch,
    mission: str,
    launch: tuple[float, float],
    s_line: float,
    crosses: bool,
    fixed_wing: bool,
    min_duration_s: float | None = None,
    penetration_median_m: float = PENETRATION_MEDIAN_M,
) -> tuple[_Keys, float, float, bool]:
    """Timed waypoints of one mission from ``launch`` (local metres); returns the keys, the
    cruise speed, the height and whether the flight is one-way (lands on the far side)."""
    mean, sd, vmin, vmax = SPEED_MPS
    speed = float(np.clip(rng.normal(mean, sd), vmin, vmax))
    h_lo, h_hi = HEIGHT_RANGE
    height = float(np.clip(HEIGHT_MEDIAN_M * math.exp(rng.normal(0, HEIGHT_SIGMA)), h_lo, h_hi))
    lx, ly = launch
    # Which side the launch is on, seen along the local normal at the flight's stretch point.
    nx, ny = stretch.normal(s_line)
    px, py = stretch.point(s_line)
    home = 1.0 if (lx - float(px)) * float(nx) + (ly - float(py)) * float(ny) > 0 else -1.0
    if crosses:
        depth = -home * min(
            PENETRATION_MAX_M,
            max(40.0, penetration_median_m * math.exp(rng.normal(0, PENETRATION_SIGMA))),
        )
    else:
        depth = home * float(rng.uniform(30, 600))
    keys = _Keys()
    keys.add(lx, ly, height)
    one_way = False
    if mission == "hobby" and not crosses:
        for _ in range(int(rng.integers(2, 6))):
            dx, dy = uniform_disc(rng, 900.0)
            keys.add(lx + dx, ly + dy, height, speed, wait=float(rng.uniform(0, 60)))
    else:
        tx_arr, ty_arr = stretch.offset(s_line + rng.uniform(-800, 800), depth)
        tx, ty = float(tx_arr), float(ty_arr)
        # Out by a slightly different route than back: a jittered midpoint each way.
        mx, my = (lx + tx) / 2 + rng.normal(0, 150), (ly + ty) / 2 + rng.normal(0, 150)
        keys.add(float(mx), float(my), height, speed)
        if mission == "payload":
            one_way = bool(rng.random() < ONE_WAY_SHARE)
            drop_h = float(rng.uniform(15, 40))
            keys.add(tx, ty, height, speed)
            keys.add(tx, ty, drop_h, 2.0, wait=float(rng.uniform(10, 60)))
            if one_way:
                keys.h[-1] = 0.0
        else:
            keys.add(tx, ty, height, speed)
            loiter = float(rng.uniform(120, 600))
            if rng.random() < 0.4:  # patrol along the line and back
                ax, ay = stretch.offset(s_line + rng.uniform(-1500, 1500), depth)
                keys.add(float(ax), float(ay), height, min(speed, 8.0))
                keys.add(tx, ty, height, min(speed, 8.0))
            budget = ENDURANCE_S[1] - keys.t[-1] * 2 - 60
            loiter = min(loiter, max(0.0, budget))
            if min_duration_s is not None:  # a dense stream: circle until the time is up
                loiter = max(0.0, min_duration_s - keys.t[-1] * 2 - 30)
            _orbit(keys, rng, tx, ty, height, loiter, fixed_wing)
    if not one_way:
        if len(keys.t) > 2:
            bx, by = (keys.x[-1] + lx) / 2, (keys.y[-1] + ly) / 2
            keys.add(bx + float(rng.normal(0, 150)), by + float(rng.normal(0, 150)), height, speed)
        dx, dy = uniform_disc(rng, LAUNCH_RADIUS_M)
        keys.add(lx + dx, ly + dy, 0.0, speed)
    floor = ENDURANCE_S[0] if min_duration_s is None else min_duration_s
    if keys.t[-1] < floor:  # too short a mission: the operator hovers on the way home
        _stretch_keys(keys, floor - keys.t[-1])
    elif min_duration_s is None and keys.t[-1] > ENDURANCE_S[1]:
        # The battery sets the pace: fly faster (up to the top speed) to be back in time.
        factor = min(keys.t[-1] / ENDURANCE_S[1], vmax / speed)
        keys.t = [t / factor for t in keys.t]
        speed *= factor
    return keys, speed, height, one_way


def _stretch_keys(keys: _Keys, extra: float) -> None:
    """Insert a hover of ``extra`` seconds at the middle waypoint."""
    i = max(1, len(keys.t) // 2)
    keys.t[i:] = [t + extra for t in keys.t[i:]]
    keys.t.insert(i, keys.t[i - 1] + extra)
    keys.x.insert(i, keys.x[i - 1])
    keys.y.insert(i, keys.y[i - 1])
    keys.h.insert(i, keys.h[i - 1])


def sample_keys(
    rng: np.random.Generator, keys: _Keys, one_way: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Every second of the flight: (seconds from take-off, x, y, height AGL) with a little wind
    wander, a climb at take-off and a descent at landing."""
    kt = np.asarray(keys.t)
    total = float(kt[-1])
    t = np.arange(0.0, math.floor(total) + 1.0)
    if t[-1] < total:
        t = np.append(t, total)
    x = np.interp(t, kt, np.asarray(keys.x))
    y = np.interp(t, kt, np.asarray(keys.y))
    h = np.interp(t, kt, np.asarray(keys.h))
    # Wind: a smooth wander of a few metres, pinned to zero at both ends.
    taper = np.minimum(1.0, np.minimum(t, total - t) / 30.0)
    for arr in (x, y):
        walk = np.cumsum(rng.normal(0, 0.6, size=len(t)))
        smooth = walk - np.linspace(walk[0], walk[-1], len(t))
        arr += np.clip(smooth, -12, 12) * taper
    alt = np.minimum(h, np.minimum(CLIMB_MPS * t, DESCENT_MPS * (total - t)))
    if one_way:
        alt[-1] = 0.0
    return t, x, y, np.maximum(alt, 0.0)


def flight_starts(rng: np.random.Generator, plan: FlightPlan, durations: FloatArray) -> FloatArray:
    """Take-off times: spread over the night (or within ``start_spread_s`` for dense streams),
    each flight ending before the window closes."""
    if plan.start_spread_s is not None:
        return plan.window_start + rng.uniform(0, plan.start_spread_s, size=len(durations))
    room = np.maximum(plan.window_s - durations - 60.0, 0.0)
    return plan.window_start + 30.0 + rng.random(len(durations)) * room


def pick_sector(rng: np.random.Generator, sites: list[SectorSite]) -> SectorSite:
    return sites[int(rng.choice(len(sites), p=_norm([s.weight for s in sites])))]


def pick_mission(rng: np.random.Generator) -> str:
    return _weighted(rng, list(MISSIONS), list(MISSIONS.values()))


def zipf_index(rng: np.random.Generator, n: int) -> int:
    """Some hotspots are much busier than others (a Pareto tail over the planted list)."""
    return min(n - 1, int(rng.pareto(1.2)))
