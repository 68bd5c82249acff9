"""Drone flights near and across the line, and what each side's sensors saw of them.

Parameters from ``shared/research/domain.md`` ("Drone module"): sector weights (RGV .50 …),
mission mix (spotter .85, payload .10, hobby .05), 5-20 launch hotspots per sector 0.2-3 km
south of the line re-used with probability .7, operators within 50 m of their hotspot,
penetration past the line lognormal with median 400 m and 95th percentile 3 km, cruise speed
N(12, 4) m/s clipped to 3-20, height lognormal around 80 m, 60% of flights at night, a Remote ID
cooperative share of 5% among illicit flights and 80% among hobby ones, and detections several
times more numerous than crossings (most flights spot without crossing).

Mexico's sensors (SEDENA) are in ``mx/drones.jsonl`` and the US's (CBP) in ``us/drones.jsonl``,
in mirrored pairs a few kilometres apart. Each side fuses its own detections into a DroneTrack
with the crossings it counts; the truth keeps the real flight, its hotspot and its crossings.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from paridad.i18n import N_
from paridad.synth import catalog, geo
from paridad.synth.cases import CaseBook
from paridad.synth.cast import Cast
from paridad.synth.catalog import DroneModel, Sector
from paridad.synth.context import World
from paridad.synth.entities import coord
from paridad.synth.identifiers import from_pattern, remote_id_serial
from paridad.synth.organizations import Orgs
from paridad.synth.rng import Weighted, clipped_normal, lognormal, random_day, random_moment

WINDOW_START = date(2025, 7, 1)
WINDOW_END = date(2025, 12, 15)
MISSIONS = {"spotter": 0.85, "payload": 0.10, "hobby": 0.05}
CROSSING_SHARE = {"spotter": 0.12, "payload": 1.0, "hobby": 0.1}
REMOTE_ID_SHARE = {"spotter": 0.05, "payload": 0.05, "hobby": 0.8}
HOTSPOT_REUSE = 0.7
NIGHT_SHARE = 0.6
SAMPLE_S = 20  # the simulated flight is sampled every 20 s
HYSTERESIS_KM = 0.1  # a side counts a crossing only after 100 m on the far side

# (sensor type, nominal range km, report interval s, position error m) per side.
SENSOR_KINDS = {
    "us": (("rf", 4.0, 120, 30.0), ("radar", 3.0, 120, 40.0), ("remote-id", 1.0, 60, 12.5)),
    "mx": (("rf", 3.0, 120, 35.0), ("remote-id", 1.0, 60, 12.5)),
}
SIDE_AGENCY = {"us": "CBP", "mx": "SEDENA"}


@dataclass(frozen=True)
class Sensor:
    id: str
    side: str
    kind: str
    lat: float
    lon: float
    range_km: float
    interval_s: int
    error_m: float
    sector: str


@dataclass(eq=False)
class Hotspot:
    id: str
    sector: Sector
    lat: float
    lon: float
    anchor: geo.Anchor
    depth_km: float
    group: str
    drones: list[Drone] = field(default_factory=list)
    flights: int = 0
    truth: dict[str, object] = field(default_factory=dict)


@dataclass(eq=False)
class Drone:
    key: str
    model: DroneModel
    serial: str | None
    remote_id: bool
    registration: str | None
    records: dict[str, str] = field(default_factory=dict)


@dataclass
class Fix:
    t: datetime
    lat: float
    lon: float
    alt: float
    speed: float
    heading: float
    side: float  # signed distance to the line, km (>0 US)


class DronesBuilder:
    def __init__(self, world: World, cast: Cast, cases: CaseBook) -> None:
        self.world = world
        self.cast = cast
        self.cases = cases
        self.rng = world.rng("drones")
        self.sectors = Weighted((s, s.weight) for s in catalog.sectors())
        models = catalog.drone_models()
        self.illicit_models = Weighted((m, m.weight) for m in models if m.illicit)
        self.hobby_models = Weighted((m, m.weight) for m in models)
        self.hotspots: dict[str, list[Hotspot]] = {}
        self.sensors: dict[str, list[Sensor]] = {}
        self.drone_n = 0
        self.sensor_n: dict[tuple[str, str], int] = {}
        self.track_n = {"mx": 0, "us": 0}
        self.detections = 0

    # -- the static world --------------------------------------------------------------------

    def plant(self) -> None:
        rng = self.rng
        n = self.world.sizes.drone_flights
        groups = self.cast.for_line("drones")
        for sector in catalog.sectors():
            expected = n * sector.weight
            count = int(min(20, max(5, round(expected / 10))))
            spots: list[Hotspot] = []
            sensors: list[Sensor] = []
            for i in range(count):
                anchor = geo.random_anchor(rng, sector.name)
                depth = rng.uniform(0.2, 3.0)
                lat, lon = anchor.move(0.0, -depth)
                spot = Hotspot(
                    f"HS-{sector.code}-{i + 1:02d}",
                    sector,
                    lat,
                    lon,
                    anchor,
                    depth,
                    rng.choice(groups).name,
                )
                for _ in range(rng.randint(1, 3)):
                    spot.drones.append(self._new_drone(rng, illicit=True))
                spots.append(spot)
                # A mirrored pair of sites watches every hotspot: one each side, <= 5 km apart.
                along = rng.uniform(-1.5, 1.5)
                sensors += self._site(rng, sector, anchor, along, rng.uniform(0.5, 2.0), "us")
                sensors += self._site(rng, sector, anchor, along, -rng.uniform(0.5, 2.0), "mx")
            for _ in range(rng.randint(2, 4)):
                anchor = geo.random_anchor(rng, sector.name)
                sensors += self._site(rng, sector, anchor, 0.0, rng.uniform(0.3, 1.5), "us")
                sensors += self._site(rng, sector, anchor, 0.0, -rng.uniform(0.3, 1.5), "mx")
            self.hotspots[sector.name] = spots
            self.sensors[sector.name] = sensors
            for sensor in sensors:
                self.world.truth.add(
                    "drone_sensors",
                    {
                        "id": sensor.id,
                        "side": sensor.side,
                        "type": sensor.kind,
                        "sector": sector.name,
                        "latitude": round(sensor.lat, 6),
                        "longitude": round(sensor.lon, 6),
                        "range_km": round(sensor.range_km, 2),
                    },
                )
            for spot in spots:
                spot.truth = {
                    "id": spot.id,
                    "sector": sector.name,
                    "latitude": round(spot.lat, 6),
                    "longitude": round(spot.lon, 6),
                    "distance_south_km": round(spot.depth_km, 3),
                    "group": spot.group,
                    "flights": 0,
                    "case": None,
                }
                self.world.truth.add("drone_hotspots", spot.truth)

    def _site(
        self,
        rng: random.Random,
        sector: Sector,
        anchor: geo.Anchor,
        along: float,
        across: float,
        side: str,
    ) -> list[Sensor]:
        """One sensor site: an RF sensor (and radar on the US side), sometimes a Remote ID
        receiver, ``across`` km from the line (positive north)."""
        lat, lon = anchor.move(along, across)
        out = []
        for kind, rng_km, interval, error in SENSOR_KINDS[side]:
            if kind == "remote-id" and rng.random() < 0.5:
                continue
            key = (sector.code, side)
            self.sensor_n[key] = self.sensor_n.get(key, 0) + 1
            ident = f"{side.upper()}-{SIDE_AGENCY[side]}-{sector.code}-{kind.upper()}-"
            out.append(
                Sensor(
                    f"{ident}{self.sensor_n[key]:03d}",
                    side,
                    kind,
                    lat,
                    lon,
                    rng_km * rng.uniform(0.8, 1.2),
                    interval,
                    error,
                    sector.name,
                )
            )
        return out

    def _new_drone(self, rng: random.Random, illicit: bool) -> Drone:
        model = (self.illicit_models if illicit else self.hobby_models).pick(rng)
        self.drone_n += 1
        cooperative = model.mfr_code != "0000" and (
            rng.random() < (REMOTE_ID_SHARE["spotter"] if illicit else REMOTE_ID_SHARE["hobby"])
        )
        serial = remote_id_serial(rng, model.mfr_code) if model.mfr_code != "0000" else None
        registration = from_pattern(rng, "FA3AAAAAAA") if cooperative and not illicit else None
        return Drone(f"D{self.drone_n:06d}", model, serial, cooperative, registration)

    # -- flights -----------------------------------------------------------------------------

    def flights(self) -> None:
        rng = self.rng
        missions = Weighted(MISSIONS.items())
        for f in range(self.world.sizes.drone_flights):
            sector = self.sectors.pick(rng)
            mission = missions.pick(rng)
            spots = self.hotspots[sector.name]
            hotspot: Hotspot | None = None
            if mission != "hobby" and rng.random() < HOTSPOT_REUSE:
                # Some hotspots are busier than others (Zipf-like).
                hotspot = spots[min(len(spots) - 1, int(rng.paretovariate(1.2)) - 1)]
            if hotspot is not None:
                anchor = hotspot.anchor
                launch = geo.offset(
                    hotspot.lat, hotspot.lon, rng.uniform(-0.035, 0.035), rng.uniform(-0.035, 0.035)
                )
                drone = rng.choice(hotspot.drones)
                hotspot.flights += 1
            else:
                anchor = geo.random_anchor(rng, sector.name)
                across = -rng.uniform(0.2, 5.0)
                if mission == "hobby" and rng.random() < 0.5:
                    across = -across  # hobby flyers on the US side too
                launch = anchor.move(0.0, across)
                drone = self._new_drone(rng, illicit=mission != "hobby")
            self._fly(rng, f + 1, sector, mission, anchor, launch, drone, hotspot)
            if (f + 1) % 2000 == 0:
                self.world.step(N_("drone flights"), f + 1)
        for spots in self.hotspots.values():
            for spot in spots:
                spot.truth["flights"] = spot.flights
        self.world.step(N_("drone detections"), self.detections)

    def _path(
        self,
        rng: random.Random,
        mission: str,
        anchor: geo.Anchor,
        launch: tuple[float, float],
        start: datetime,
    ) -> tuple[list[Fix], bool]:
        """Waypoints -> fixes every SAMPLE_S seconds. Returns (fixes, one_way)."""
        crosses = rng.random() < CROSSING_SHARE[mission]
        launch_side = geo.side_of_line(launch[0], launch[1], anchor.segment)
        along = rng.uniform(-1.0, 1.0)
        if launch_side > 0:  # a US-side hobby flight wanders south
            depth = -(lognormal(rng, 0.4, 1.225) if crosses else rng.uniform(0.05, 0.8))
        elif crosses:
            depth = min(8.0, lognormal(rng, 0.4, 1.225))
        else:
            depth = -rng.uniform(0.05, 0.8)
        target = anchor.move(along, depth)
        speed = clipped_normal(rng, 12.0, 4.0, 3.0, 20.0)
        height = min(150.0, max(30.0, lognormal(rng, 80.0, 0.4)))
        one_way = crosses and mission == "payload" and rng.random() < 0.05
        loiter = {"spotter": rng.uniform(120, 600), "payload": rng.uniform(10, 60)}.get(
            mission, rng.uniform(60, 400)
        )
        waypoints = [launch, target]
        if not one_way:
            waypoints.append(launch)
        fixes: list[Fix] = []
        t = start
        for i, (a, b) in enumerate(itertools.pairwise(waypoints)):
            dist = geo.distance_km(a[0], a[1], b[0], b[1]) * 1000
            steps = max(1, int(dist / (speed * SAMPLE_S)))
            heading = (
                math.degrees(
                    math.atan2(
                        (b[1] - a[1]) * geo.km_per_deg_lon(a[0]), (b[0] - a[0]) * geo.KM_PER_DEG_LAT
                    )
                )
                % 360
            )
            for k in range(steps):
                lat = a[0] + (b[0] - a[0]) * k / steps
                lon = a[1] + (b[1] - a[1]) * k / steps
                alt = height if k > 0 or i > 0 else 2.0
                fixes.append(Fix(t, lat, lon, alt, speed, heading, 0.0))
                t += timedelta(seconds=SAMPLE_S)
            if i == 0:
                for _ in range(int(loiter // SAMPLE_S)):
                    fixes.append(Fix(t, b[0], b[1], height, 0.0, heading, 0.0))
                    t += timedelta(seconds=SAMPLE_S)
        end = waypoints[-1]
        fixes.append(Fix(t, end[0], end[1], 0.0 if not one_way else height, 0.0, 0.0, 0.0))
        for fx in fixes:
            fx.side = geo.side_of_line(fx.lat, fx.lon, anchor.segment)
        return fixes, one_way

    def _fly(
        self,
        rng: random.Random,
        number: int,
        sector: Sector,
        mission: str,
        anchor: geo.Anchor,
        launch: tuple[float, float],
        drone: Drone,
        hotspot: Hotspot | None,
    ) -> None:
        day = random_day(rng, WINDOW_START, WINDOW_END)
        start = random_moment(rng, day, NIGHT_SHARE if mission != "hobby" else 0.2)
        fixes, one_way = self._path(rng, mission, anchor, launch, start)
        crossings, direction = _count_crossings([f.side for f in fixes], 0.0)
        first_cross = next(
            (b for a, b in itertools.pairwise(fixes) if (a.side > 0) != (b.side > 0)),
            None,
        )
        tracks: dict[str, str | None] = {}
        for side in ("mx", "us"):
            tracks[side] = self._observe(rng, side, sector, mission, fixes, drone, launch)
        flight_id = f"FL-{number:07d}"
        record = {
            "flight": flight_id,
            "sector": sector.name,
            "hotspot": hotspot.id if hotspot else None,
            "mission": mission,
            "start": fixes[0].t.strftime("%Y-%m-%dT%H:%M:%S"),
            "end": fixes[-1].t.strftime("%Y-%m-%dT%H:%M:%S"),
            "launch_latitude": round(launch[0], 6),
            "launch_longitude": round(launch[1], 6),
            "crossings": crossings,
            "direction": direction,
            "max_penetration_km": round(max(0.0, max(f.side for f in fixes)), 3),
            "one_way": one_way,
            "drone_serial": drone.serial,
            "remote_id": drone.remote_id,
            "mx_track": tracks["mx"],
            "us_track": tracks["us"],
        }
        self.world.truth.add("drone_flights", record)
        if crossings and first_cross is not None:
            self.world.truth.add(
                "drone_crossings",
                {
                    "flight": flight_id,
                    "sector": sector.name,
                    "hotspot": record["hotspot"],
                    "crossings": crossings,
                    "direction": direction,
                    "first_crossing": first_cross.t.strftime("%Y-%m-%dT%H:%M:%S"),
                    "latitude": round(first_cross.lat, 6),
                    "longitude": round(first_cross.lon, 6),
                    "mx_track": tracks["mx"],
                    "us_track": tracks["us"],
                },
            )

    @staticmethod
    def _segment_hint(fixes: list[Fix]) -> int:
        """The border segment nearest the flight's launch, for fast side-of-line tests."""
        first = fixes[0]
        best, index = math.inf, 0
        for seg in geo.segments():
            d = abs(seg.signed_distance(first.lat, first.lon))
            if d < best:
                best, index = d, seg.index
        return index

    def _drone_record(self, rng: random.Random, side: str, drone: Drone, on: date) -> str:
        existing = drone.records.get(side)
        if existing:
            return existing
        eid = self.world.add(
            rng,
            "drones",
            SIDE_AGENCY[side],
            "drone",
            "Drone",
            {
                "serialNumber": drone.serial,
                "registrationNumber": drone.registration,
                "manufacturer": drone.model.manufacturer,
                "model": drone.model.model,
                "uaType": drone.model.ua_type,
                "remoteIdCompliant": "true" if drone.remote_id else "false",
            },
            "drones",
            on,
        )
        drone.records[side] = eid
        return eid

    def _observe(
        self,
        rng: random.Random,
        side: str,
        sector: Sector,
        mission: str,
        fixes: list[Fix],
        drone: Drone,
        launch: tuple[float, float],
    ) -> str | None:
        """This side's detections of the flight and, with two or more, its track."""
        agency = SIDE_AGENCY[side]
        extent = max(geo.distance_km(launch[0], launch[1], f.lat, f.lon) for f in fixes)
        nearby = [
            s
            for s in self.sensors[sector.name]
            if s.side == side
            and geo.distance_km(s.lat, s.lon, launch[0], launch[1]) < extent + 1.5 * s.range_km
        ]
        seen: list[tuple[Fix, Sensor, bool, tuple[float, float] | None]] = []
        for sensor in nearby:
            if sensor.kind == "remote-id" and not drone.remote_id:
                continue
            next_t = fixes[0].t + timedelta(seconds=rng.randrange(sensor.interval_s))
            for fx in fixes:
                if fx.t < next_t or fx.alt < 5:
                    continue
                d = geo.distance_km(sensor.lat, sensor.lon, fx.lat, fx.lon)
                if d > 1.5 * sensor.range_km:
                    continue
                p = 1.0 / (1.0 + math.exp((d - 0.7 * sensor.range_km) / (0.1 * sensor.range_km)))
                if rng.random() >= p:
                    continue
                next_t = fx.t + timedelta(seconds=sensor.interval_s)
                identified = sensor.kind == "remote-id" or (
                    sensor.kind == "rf"
                    and drone.model.droneid_leak
                    and drone.serial is not None
                    and d < 0.6 * sensor.range_km
                )
                pos: tuple[float, float] | None = None
                if sensor.kind != "rf" or identified or rng.random() < 0.5:
                    err = sensor.error_m / 1000
                    pos = geo.offset(fx.lat, fx.lon, rng.gauss(0, err), rng.gauss(0, err))
                seen.append((fx, sensor, identified, pos))
        if not seen:
            return None
        seen.sort(key=lambda x: (x[0].t, x[1].id))
        day = fixes[0].t.date()
        identified_any = any(s[2] for s in seen)
        drone_id = self._drone_record(rng, side, drone, day) if identified_any else None
        track_id = None
        if len(seen) >= 2:
            self.track_n[side] += 1
            track_id = self.world.new_id(side, agency, "track")
        for fx, sensor, identified, pos in seen:
            bearing = None
            if pos is None:
                dx = (fx.lon - sensor.lon) * geo.km_per_deg_lon(sensor.lat)
                dy = (fx.lat - sensor.lat) * geo.KM_PER_DEG_LAT
                bearing = (math.degrees(math.atan2(dx, dy)) + rng.gauss(0, 3.0)) % 360
            self.world.add(
                rng,
                "drones",
                agency,
                "detection",
                "DroneDetection",
                {
                    "date": fx.t,
                    "sensor": sensor.id,
                    "sensorType": sensor.kind,
                    "latitude": coord(pos[0]) if pos else None,
                    "longitude": coord(pos[1]) if pos else None,
                    "altitude": f"{max(0.0, fx.alt + rng.gauss(0, 10)):.1f}",
                    "bearing": f"{bearing if bearing is not None else fx.heading:.1f}",
                    "speed": f"{round(fx.speed * 4) / 4:.2f}",
                    "confidence": f"{rng.uniform(0.55, 0.99):.2f}",
                    "classification": "bearing-only" if pos is None else drone.model.ua_type,
                    "drone": drone_id if identified else None,
                    "track": track_id,
                },
                "drones",
                day,
            )
            self.detections += 1
        if track_id is None:
            return None
        positions = [(pos, fx) for fx, _, _, pos in seen if pos is not None]
        hint = self._segment_hint(fixes)
        sides = [geo.side_of_line(p[0], p[1], hint) for p, _ in positions]
        crossings, direction = _count_crossings(sides, HYSTERESIS_KM)
        path = {
            "type": "LineString",
            "coordinates": [[round(p[1], 6), round(p[0], 6)] for p, _ in positions],
        }
        assessed = (
            mission if rng.random() < 0.8 else rng.choice([m for m in MISSIONS if m != mission])
        )
        operator = None
        if identified_any and (drone.remote_id or drone.model.droneid_leak):
            operator = geo.offset(launch[0], launch[1], rng.gauss(0, 0.015), rng.gauss(0, 0.015))
        self.world.add(
            rng,
            "drones",
            agency,
            "track",
            "DroneTrack",
            {
                "trackId": f"{side.upper()}-{agency}-TRK-{day.year}-{self.track_n[side]:06d}",
                "drone": drone_id,
                "startDate": seen[0][0].t,
                "endDate": seen[-1][0].t,
                "crossings": str(crossings),
                "crossingDirection": direction,
                "path": json.dumps(path, separators=(",", ":")) if len(positions) >= 2 else None,
                "mission": assessed,
                "sector": sector.name,
                "launchLatitude": coord(launch[0]) if operator else None,
                "launchLongitude": coord(launch[1]) if operator else None,
                "operatorLatitude": coord(operator[0]) if operator else None,
                "operatorLongitude": coord(operator[1]) if operator else None,
            },
            "drones",
            day,
            entity_id=track_id,
        )
        return track_id


def _count_crossings(sides: list[float], hysteresis: float) -> tuple[int, str]:
    """Crossings of the line in a sequence of signed distances, with a hysteresis band."""
    state = 0
    north = south = 0
    for d in sides:
        now = 1 if d > hysteresis else -1 if d < -hysteresis else 0
        if now == 0:
            continue
        if state and now != state:
            if now > 0:
                north += 1
            else:
                south += 1
        state = now
    total = north + south
    if total == 0:
        return 0, "none"
    if north and south:
        return total, "both"
    return total, "northbound" if north else "southbound"


def generate(world: World, orgs: Orgs, cast: Cast, cases: CaseBook) -> None:
    builder = DronesBuilder(world, cast, cases)
    builder.plant()
    builder.flights()
    _open_cases(world, builder, orgs, cast, cases)


def _open_cases(
    world: World, builder: DronesBuilder, orgs: Orgs, cast: Cast, cases: CaseBook
) -> None:
    """The busiest hotspots become joint investigations of the group that runs them."""
    rng = world.rng("drones/cases")
    busiest = sorted(
        (s for spots in builder.hotspots.values() for s in spots),
        key=lambda s: (-s.flights, s.id),
    )[: max(1, len(builder.hotspots) // 3)]
    for spot in busiest:
        if spot.flights < 2:
            continue
        case = cases.open(
            rng,
            "drones",
            f"Vuelos de drones lanzados cerca de {spot.sector.mx_municipality} "
            f"atribuidos a {spot.group}",
            f"Drone flights launched south of the {spot.sector.name} sector",
            WINDOW_END,
            "SEDENA",
            "CBP",
        )
        spot.truth["case"] = case.number
        group = next(g for g in cast.groups if g.name == spot.group)
        case.add("mx", orgs.record(rng, group.org, "mx", "SEDENA", "drones"))
        case.add("us", orgs.record(rng, group.org, "us", "CBP", "drones"))
