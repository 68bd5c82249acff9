"""The planted truth of a night: each flight's true path and crossings, the hotspots, which
flight every detection came from — and reading it back from a night folder.

A flight's crossings are the sign changes of :meth:`Border.signed_distance_m` along its true
path (sampled every second), placed where the straight line between the two samples meets
the reference line. Each is flagged ``outside_band`` when a crossing watch following the true
path would report it: the path's *decided* side (its side wherever it is farther from the
line than the ambiguity band, the last decided side holding inside the band) changes across
it. Inside the band, a path that wanders back and forth over the line makes several sign
changes but at most one decided change; the flag goes to the last sign change before the
path leaves the band on the new side, the one that took it across for good. Benchmarks score
crossing detection only against flagged crossings, since nobody can decide the others.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from numpy.typing import ArrayLike

from paridad.drones.simulator.geometry import BorderLike, FloatArray, SimulatorError
from paridad.i18n import N_, _

if TYPE_CHECKING:
    from paridad.drones.simulator.flights import Flight

MSG_NO_TRUTH = N_("The night folder {path} has no truth.json; is it a simulated night?")
MSG_BAD_TRUTH = N_("The truth file {path} cannot be read: {reason}.")
MSG_NOT_OBJECT = N_("not a JSON object")
MSG_MISSING_KEY = N_("the key {key} is missing")
MSG_BAD_PATHS = N_("Line {line} of {path} is not a flight path: {reason}.")
MSG_UNKNOWN_FLIGHT = N_("Row {line} of {path} names flight {flight}, which the truth lacks.")
MSG_MISSING_FILE = N_("The night folder lacks {path}.")
MSG_BAD_HEADER = N_("{path} does not start with the header {expected}.")
MSG_BAD_ROW = N_("Row {line} of {path} has {found} columns, expected {expected}.")
MSG_BAD_NUMBER = N_("Row {line} of {path}: {column} is not a number ({value}).")
MSG_BAD_SHAPE = N_("a path of shape {shape}, expected rows of 4 numbers")

TRUTH_FILE = "truth.json"
PATHS_FILE = "truth_paths.jsonl"
DETECTIONS_FILE = "truth_detections.csv"
DETECTION_COLUMNS = (
    "id",
    "side",
    "sensor",
    "flight",
    "source",
    "true_time",
)


def iso(t: float) -> str:
    """ISO-8601 UTC with microseconds and a Z."""
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class Crossing:
    """A true crossing of the reference line."""

    flight: str
    time: float
    lat: float
    lon: float
    direction: str  # mx-to-us | us-to-mx (as the crossing watch says)
    outside_band: bool
    ambiguity_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "time": iso(self.time),
            "latitude": round(self.lat, 7),
            "longitude": round(self.lon, 7),
            "direction": self.direction,
            "outside_band": self.outside_band,
            "ambiguity_m": round(self.ambiguity_m, 1),
        }

    @classmethod
    def from_dict(cls, flight: str, data: dict[str, Any]) -> Crossing:
        return cls(
            flight=flight,
            time=parse_iso(str(data["time"])),
            lat=float(data["latitude"]),
            lon=float(data["longitude"]),
            direction=str(data["direction"]),
            outside_band=bool(data["outside_band"]),
            ambiguity_m=float(data["ambiguity_m"]),
        )


@dataclass(frozen=True)
class Outage:
    """The planted silence: the sensor sends nothing, not even heartbeats."""

    sensor: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return {"sensor": self.sensor, "start": iso(self.start), "end": iso(self.end)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outage:
        return cls(str(data["sensor"]), parse_iso(str(data["start"])), parse_iso(str(data["end"])))


def crossings_along(
    flight_id: str,
    t: FloatArray,
    lat: FloatArray,
    lon: FloatArray,
    distance: FloatArray,
    band: FloatArray,
) -> list[Crossing]:
    """Sign changes of ``distance`` along a sampled path, flagged as described above."""
    us = distance > 0
    flips = np.flatnonzero(us[1:] != us[:-1])
    if not len(flips):
        return []
    # Decided sides: +1 north of the band, -1 south of it, 0 inside (the last decided holds).
    decided = np.where(distance > band, 1, np.where(distance < -band, -1, 0))
    flagged: set[int] = set()
    last_side, last_at = 0, -1
    for j in np.flatnonzero(decided):
        side = int(decided[j])
        if last_side and side != last_side:
            between = flips[(flips >= last_at) & (flips < j)]
            if len(between):
                flagged.add(int(between[-1]))
        last_side, last_at = side, int(j)
    out: list[Crossing] = []
    for i in flips:
        d0, d1 = float(distance[i]), float(distance[i + 1])
        frac = d0 / (d0 - d1) if d0 != d1 else 0.0
        out.append(
            Crossing(
                flight=flight_id,
                time=float(t[i] + frac * (t[i + 1] - t[i])),
                lat=float(lat[i] + frac * (lat[i + 1] - lat[i])),
                lon=float(lon[i] + frac * (lon[i + 1] - lon[i])),
                direction="mx-to-us" if d1 > 0 else "us-to-mx",
                outside_band=int(i) in flagged,
                ambiguity_m=float(band[i] + frac * (band[i + 1] - band[i])),
            )
        )
    return out


def true_crossings(border: BorderLike, flights: Sequence[Flight]) -> dict[str, list[Crossing]]:
    """The crossings of every flight's true path, measured with the border itself (one
    vectorised call for the whole night)."""
    if not flights:
        return {}
    lat = np.concatenate([f.lat for f in flights])
    lon = np.concatenate([f.lon for f in flights])
    distance = np.asarray(border.signed_distance_m(lat, lon), dtype=np.float64).reshape(-1)
    band = np.asarray(border.ambiguity_m(lat, lon), dtype=np.float64).reshape(-1)
    out: dict[str, list[Crossing]] = {}
    at = 0
    for f in flights:
        n = len(f.t)
        sl = slice(at, at + n)
        out[f.id] = crossings_along(f.id, f.t, f.lat, f.lon, distance[sl], band[sl])
        at += n
    return out


@dataclass(frozen=True)
class TruthFlight:
    id: str
    sector: str
    mission: str
    serial: str | None
    remote_id: bool
    hotspot: str | None
    operator: tuple[float, float]
    launch: tuple[float, float]
    landing: tuple[float, float]
    start: float
    end: float
    one_way: bool
    crossings: tuple[Crossing, ...]
    path: FloatArray  # (n, 4): POSIX seconds, latitude, longitude, metres above take-off

    def position_at(self, t: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Interpolated (lat, lon, alt) on the true path at POSIX time(s) ``t``."""
        p = self.path
        times = np.asarray(t, dtype=np.float64)
        return (
            np.asarray(np.interp(times, p[:, 0], p[:, 1]), dtype=np.float64),
            np.asarray(np.interp(times, p[:, 0], p[:, 2]), dtype=np.float64),
            np.asarray(np.interp(times, p[:, 0], p[:, 3]), dtype=np.float64),
        )


@dataclass(frozen=True)
class TruthHotspot:
    id: str
    sector: str
    lat: float
    lon: float
    distance_m: float
    flights: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TruthDetection:
    """Where one detection came from."""

    id: str
    side: str
    sensor: str
    flight: str | None  # None: a false alarm
    source: str  # flight | bird | clutter | noise
    time: float  # true time (the sensor's clock may differ)


@dataclass(frozen=True)
class DetectionTruth:
    """Every detection's origin, column by column (a night holds hundreds of thousands). The
    true position of a flight's detection is its flight's path at ``time``."""

    ids: list[str]
    side: list[str]
    sensor: list[str]
    flight: list[str | None]
    source: list[str]  # flight | bird | clutter | noise
    time: FloatArray  # true time (the sensor's clock may differ)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.ids)}

    def flight_map(self) -> dict[str, str | None]:
        """detection id -> flight id (None for false alarms)."""
        return dict(zip(self.ids, self.flight, strict=True))

    def rows(self) -> dict[str, TruthDetection]:
        """detection id -> its origin, one object each."""
        return {
            i: TruthDetection(i, side, sensor, flight, source, t)
            for i, side, sensor, flight, source, t in zip(
                self.ids,
                self.side,
                self.sensor,
                self.flight,
                self.source,
                self.time.tolist(),
                strict=True,
            )
        }


@dataclass(frozen=True)
class Truth:
    """A night's truth as the benchmark and the tests read it."""

    config: dict[str, Any]
    seed: int
    start: float
    end: float
    flights: dict[str, TruthFlight]
    hotspots: dict[str, TruthHotspot]
    sensors: dict[str, dict[str, Any]]
    outage: Outage | None
    detection_truth: DetectionTruth

    @cached_property
    def detections(self) -> dict[str, TruthDetection]:
        """detection id -> where it came from (``.flight`` None for false alarms: birds,
        clutter, RF noise); built on first use."""
        return self.detection_truth.rows()

    @cached_property
    def detection_flight(self) -> dict[str, str | None]:
        """detection id -> flight id (None for false alarms)."""
        return self.detection_truth.flight_map()

    def crossings(self, *, outside_band_only: bool = False) -> list[Crossing]:
        out = [c for f in self.flights.values() for c in f.crossings]
        if outside_band_only:
            out = [c for c in out if c.outside_band]
        return sorted(out, key=lambda c: c.time)


def read_truth(directory: Path) -> Truth:
    """Read a night folder's truth (``truth.json``, ``truth_paths.jsonl``,
    ``truth_detections.csv``); raises :class:`SimulatorError` naming the file and the fault."""
    directory = Path(directory)
    main = directory / TRUTH_FILE
    if not main.is_file():
        raise SimulatorError(MSG_NO_TRUTH, path=str(directory))
    try:
        data = orjson.loads(main.read_bytes())
        if not isinstance(data, dict):
            raise TypeError(_(MSG_NOT_OBJECT))
        paths = _read_paths(directory / PATHS_FILE)
        flights: dict[str, TruthFlight] = {}
        for f in data["flights"]:
            fid = str(f["id"])
            flights[fid] = TruthFlight(
                id=fid,
                sector=str(f["sector"]),
                mission=str(f["mission"]),
                serial=f.get("serial"),
                remote_id=bool(f["remote_id"]),
                hotspot=f.get("hotspot"),
                operator=_pair(f["operator"]),
                launch=_pair(f["launch"]),
                landing=_pair(f["landing"]),
                start=parse_iso(str(f["start"])),
                end=parse_iso(str(f["end"])),
                one_way=bool(f["one_way"]),
                crossings=tuple(Crossing.from_dict(fid, c) for c in f["crossings"]),
                path=paths.get(fid, np.zeros((0, 4))),
            )
        hotspots = {
            str(h["id"]): TruthHotspot(
                id=str(h["id"]),
                sector=str(h["sector"]),
                lat=float(h["latitude"]),
                lon=float(h["longitude"]),
                distance_m=float(h["distance_m"]),
                flights=tuple(h["flight_ids"]),
            )
            for h in data["hotspots"]
        }
        sensors = {str(s["id"]): dict(s) for s in data["sensors"]}
        outage = Outage.from_dict(data["outage"]) if data.get("outage") else None
        config = dict(data["config"])
        seed = int(data["seed"])
        start, end = parse_iso(str(data["window"]["start"])), parse_iso(str(data["window"]["end"]))
    except SimulatorError:
        raise
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SimulatorError(MSG_BAD_TRUTH, path=str(main), reason=_reason(exc)) from exc
    detections = _read_detections(directory / DETECTIONS_FILE, flights)
    return Truth(config, seed, start, end, flights, hotspots, sensors, outage, detections)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return _(MSG_MISSING_KEY, key=str(exc))
    return str(exc) or type(exc).__name__


def _pair(value: Any) -> tuple[float, float]:
    return float(value["latitude"]), float(value["longitude"])


def _read_paths(path: Path) -> dict[str, FloatArray]:
    out: dict[str, FloatArray] = {}
    if not path.is_file():
        raise SimulatorError(MSG_MISSING_FILE, path=str(path))
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                row = orjson.loads(raw)
                arr = np.asarray(row["path"], dtype=np.float64)
                if arr.ndim != 2 or arr.shape[1] != 4:
                    raise ValueError(_(MSG_BAD_SHAPE, shape=str(arr.shape)))
                out[str(row["flight"])] = arr
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise SimulatorError(
                    MSG_BAD_PATHS, line=number, path=str(path), reason=_reason(exc)
                ) from exc
    return out


def _read_detections(path: Path, flights: dict[str, TruthFlight]) -> DetectionTruth:
    if not path.is_file():
        raise SimulatorError(MSG_MISSING_FILE, path=str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    header = tuple(lines[0].split(",")) if lines else ()
    if header != DETECTION_COLUMNS:
        raise SimulatorError(MSG_BAD_HEADER, path=str(path), expected=",".join(DETECTION_COLUMNS))
    rows = [line.split(",") for line in lines[1:] if line]
    width = len(DETECTION_COLUMNS)
    for number, row in enumerate(rows, start=2):
        if len(row) != width:
            raise SimulatorError(
                MSG_BAD_ROW, line=number, path=str(path), found=len(row), expected=width
            )
    if not rows:
        return DetectionTruth([], [], [], [], [], np.zeros(0))
    ids, side, sensor, flight, source, t = (list(c) for c in zip(*rows, strict=True))
    flight_of: list[str | None] = [f or None for f in flight]
    for number, f in enumerate(flight_of, start=2):
        if f is not None and f not in flights:
            raise SimulatorError(MSG_UNKNOWN_FLIGHT, line=number, path=str(path), flight=f)
    bad = next((i for i, v in enumerate(t) if not _is_number(v)), None)
    if bad is not None:
        raise SimulatorError(
            MSG_BAD_NUMBER, line=bad + 2, path=str(path), column="true_time", value=t[bad]
        )
    return DetectionTruth(ids, side, sensor, flight_of, source, np.asarray(t, dtype=np.float64))


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False
