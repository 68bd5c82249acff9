"""The multi-sensor tracker: both countries' detections fused into one track per flight.

How a batch of detections is handled (see ``docs/drone-tracking.md`` for the reasoning):

1. Each detection is checked (an unknown sensor, a broken time, neither a usable position
   nor a bearing: *rejected* with its reason into :attr:`Tracker.rejected`, never silently
   dropped; a redelivered copy — same sensor and id — is skipped; birds, aircraft and
   vehicles are ignored) and its time corrected by its sensor's estimated clock offset.
2. Detections are grouped into *scans*: one sensor's detections within a window shorter than
   the time that sensor takes to see a target again (learnt from its tracks). A scan sees
   each target at most once, which is what makes a one-to-one assignment right.
3. Scans are processed in time order. Every live track is predicted to every detection's own
   time and gated by the Mahalanobis distance of the innovation against a chi-square
   threshold (2 degrees of freedom for a fix, 1 for a bearing); the gate is widened along the
   track by the uncertainty of the sensor's clock relative to the track's other sensors. A
   Remote ID detection may only join a track with no serial or its own serial, and prefers
   its own. Global nearest neighbour: :func:`scipy.optimize.linear_sum_assignment` over the
   gated pairs; bearings that fit two tracks almost equally are left out.
4. Assigned detections update their tracks in one vectorised Kalman step (extended for
   bearings). States only move forward: a detection older than its track's state is compared
   with where the track was then. The clock estimator gets its along-track samples.
5. Unassigned fixes start tentative tracks — not inside a confirmed track's gate, not under
   ``start_min_confidence``. Bearings never start a track. ``confirm_hits`` position hits
   with a mean confidence of ``confirm_min_confidence`` confirm it; bearings keep a track
   alive but do not confirm it.
6. Two live tracks that stay close in position *and* velocity for ``merge_hold_s`` (serials
   not in conflict, never seen apart by one sensor at one instant) are one flight tracked
   twice: the one without a serial is merged into the one with it.
7. A confirmed track with no update for ``max_coast_s`` (or with only bearings for
   ``max_bearing_only_s``) is closed; a tentative one is dropped ``tentative_coast_s`` after
   its last position hit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped,unused-ignore]
from scipy.special import chdtri  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.tracking import kalman
from paridad.drones.tracking.clock import ClockBook, ClockEstimate
from paridad.drones.tracking.detections import (
    MSG_NUMBER,
    MSG_POSITION,
    MSG_RANGE,
    Detection,
    DetectionError,
)
from paridad.drones.tracking.frame import BORDER_LCC, LocalFrame
from paridad.drones.tracking.sensors import COUNTRIES, SensorRegistry
from paridad.i18n import N_

Array = NDArray[np.float64]

MSG_UNKNOWN_SENSOR = N_("{where}: the sensor '{sensor}' is not in the sensors file.")

_FORBIDDEN = 1e9
_L0 = 7  # first "last fed by country" column of the bank's per-track matrix
_RECENT_IDS = 1 << 16  # detection ids remembered to drop redelivered copies
_LATEST = 1e10  # POSIX seconds in the year 2286: later (or before 1970) is a broken clock
_ROUNDS = 8  # association rounds per scan (a target seen twice in one scan)
_STARTED = -2  # a scan's detection that started a track
_REVISIT_S = 0.1  # a sensor does not see one target twice within this
_REVISIT_MAX_S = 5.0  # longer gaps between one sensor's plots of a track are not its period
_FIRST_WINDOW_S = 0.2  # scan window until a sensor's period is known
_PERIOD_LEARN = 50  # scans a sensor's period is learnt from (then one in this many)
_SPEED_SMOOTHING = 0.1  # the average speed that weighs the clock estimator's samples
_RECENT_S = 2.0  # a track counts as "being updated" for merging when updated this recently


def _floats(values: list[Any]) -> Array:
    """Numbers as a float array, None (and anything that is not a number) as NaN,
    infinities as NaN too."""
    try:
        out = np.array([math.nan if v is None else v for v in values], dtype=float)
    except (TypeError, ValueError):
        out = np.array([_float(v) for v in values], dtype=float)
    out[~np.isfinite(out)] = np.nan
    return out


def _float(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _by_time(row: tuple[Any, ...]) -> float:
    return float(row[2])


def chi2_quantile(probability: float, dof: int) -> float:
    """The chi-square value a ``dof``-dimensional Gaussian stays under with ``probability``."""
    return float(chdtri(dof, 1.0 - probability))


@dataclass(frozen=True)
class TrackerConfig:
    """The tracker's parameters; the defaults suit Mavic-class drones seen at 1-3 s updates."""

    gate_probability: float = 0.9999  # chi-square gate: 18.4 for a fix, 15.1 for a bearing
    process_noise: float = 3.0  # white-acceleration spectral density, m²/s³
    confirm_hits: int = 3
    max_coast_s: float = 20.0
    tentative_coast_s: float = 5.0
    max_bearing_only_s: float = 60.0
    max_speed_mps: float = 45.0
    clock_offset_max_s: float = 5.0
    estimate_clock_offsets: bool = True
    reference_country: str | None = None  # None: the country with the most sensors
    clock_min_samples: int = 20
    clock_converged_s: float = 0.3
    clock_floor_s: float = 0.1  # sub-second jitter every clock keeps
    clock_min_speed_mps: float = 4.0
    clock_window_s: float = 5.0
    scan_window_s: float = 1.0  # the longest a scan may be (see Tracker._scans)
    start_min_confidence: float = 0.5
    confirm_min_confidence: float = 0.5  # the mean confidence of a track's position hits
    ignore_classes: tuple[str, ...] = ("bird", "aircraft", "vehicle")
    bearing_ambiguity: float = 6.0  # a bearing needs this much better fit than the runner-up
    merge_distance_m: float = 50.0  # two tracks this close ...
    merge_hold_s: float = 3.0
    merge_speed_mps: float = 3.0  # ... and velocities this close
    merge_interval_s: float = 1.0
    altitude_smoothing: float = 0.35
    projection: str = BORDER_LCC
    id_prefix: str = "trk-"

    def gate(self, dof: int) -> float:
        return chi2_quantile(self.gate_probability, dof)


@dataclass(frozen=True, slots=True)
class TrackUpdate:
    """One detection's effect on one track, with the filtered state after it."""

    track_id: str
    time: float
    lat: float
    lon: float
    altitude: float | None
    velocity_east: float
    velocity_north: float
    confirmed: bool
    serial: str | None
    sensors: tuple[str, ...]
    countries: tuple[str, ...]
    detection_id: str | None


@dataclass(eq=False)
class Track:
    """A flight as the tracker knows it: its filtered path and where the evidence came from.

    ``points`` are filtered positions ``(time, lat, lon, altitude)`` in time order once the
    track is closed; ``merged_ids`` names tracks that turned out to be this flight too.
    """

    id: str
    serial: str | None = None
    confirmed: bool = False
    points: list[tuple[float, float, float, float | None]] = field(default_factory=list)
    sensors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    detection_ids: list[str | None] = field(default_factory=list)
    first_time: float = 0.0
    last_time: float = 0.0
    closed: bool = False
    hits: int = 0
    merged_ids: list[str] = field(default_factory=list)
    merged_into: str | None = None


@dataclass(frozen=True)
class _SensorInfo:
    id: str
    country: str
    column: int  # the country's column in the per-track "last fed by" table
    x: float
    y: float
    north: float  # grid azimuth of true north at the sensor, radians
    r_var: float
    b_var: float


@dataclass
class _Scan:
    sensor: _SensorInfo
    rows: list[int]  # indices into the batch arrays
    start: float


@dataclass
class _Emitted:
    """Updates made by one scan, waiting for one inverse projection per batch."""

    tracks: list[Track]
    detections: list[Detection]
    times: Array
    states: Array
    altitudes: Array
    confirmed: NDArray[np.bool_]


class _Bank:
    """The live tracks' filter states in parallel arrays, so predicting and gating run over
    all of them at once."""

    def __init__(self, countries: int, capacity: int = 64) -> None:
        self.n = 0
        self.c = countries
        self._alloc(capacity)
        self.tracks: list[Track] = []

    def _alloc(self, capacity: int) -> None:
        def grow(old: NDArray[Any] | None, shape: tuple[int, ...], fill: Any, dtype: Any) -> Any:
            new = np.full(shape, fill, dtype=dtype)
            if old is not None:
                new[: self.n] = old[: self.n]
            return new

        get = self.__dict__.get
        self.X: Array = grow(get("X"), (capacity, 4), 0.0, float)
        self.P: Array = grow(get("P"), (capacity, 4, 4), 0.0, float)
        # The per-track numbers in one matrix, so an update gathers and scatters them once;
        # the named attributes are views into its columns.
        self.F: Array = grow(get("F"), (capacity, _L0 + self.c), 0.0, float)
        self.T: Array = self.F[:, 0]  # time of the state
        self.U: Array = self.F[:, 1]  # last update of any kind
        self.H: Array = self.F[:, 2]  # last position hit
        self.A: Array = self.F[:, 3]  # smoothed altitude (NaN: none yet)
        self.speed: Array = self.F[:, 4]  # average speed
        self.hits: Array = self.F[:, 5]  # position hits
        self.conf: Array = self.F[:, 6]  # sum of the position hits' confidences
        self.L: Array = self.F[:, _L0:]  # last fed by each country
        self.confirmed: NDArray[np.bool_] = grow(get("confirmed"), (capacity,), False, bool)
        self.serial: NDArray[np.int64] = grow(get("serial"), (capacity,), -1, np.int64)
        self.capacity = capacity

    def add(self, X: Array, P: Array, times: Array, tracks: list[Track]) -> NDArray[np.intp]:
        k = len(tracks)
        if self.n + k > self.capacity:
            self._alloc(max(2 * self.capacity, self.n + k))
        rows = np.arange(self.n, self.n + k)
        self.X[rows] = X
        self.P[rows] = P
        self.T[rows] = times
        self.U[rows] = times
        self.H[rows] = times
        self.A[rows] = np.nan
        self.speed[rows] = 0.0
        self.hits[rows] = 0
        self.conf[rows] = 0.0
        self.confirmed[rows] = False
        self.serial[rows] = -1
        self.L[rows] = -np.inf
        self.tracks.extend(tracks)
        self.n += k
        return rows

    def keep(self, mask: NDArray[np.bool_]) -> None:
        """Drop the rows where ``mask`` is False, preserving order."""
        n = self.n
        m = int(mask.sum())
        for name in ("X", "P", "F", "confirmed", "serial"):
            arr = getattr(self, name)
            arr[:m] = arr[:n][mask]
        self.tracks = [t for t, k in zip(self.tracks, mask.tolist(), strict=True) if k]
        self.n = m


class Tracker:
    """Fuses detections of both countries' sensors into tracks; see the module docstring."""

    def __init__(self, sensors: SensorRegistry, config: TrackerConfig | None = None) -> None:
        self.sensors = sensors
        self.config = cfg = config or TrackerConfig()
        self.frame = LocalFrame(cfg.projection)
        self.countries: tuple[str, ...] = tuple(
            sorted(set(COUNTRIES) | {s.country for s in sensors})
        )
        self._column = {c: i for i, c in enumerate(self.countries)}
        reference = cfg.reference_country or self._default_reference()
        self.clock = ClockBook(
            reference,
            max_s=cfg.clock_offset_max_s,
            min_samples=cfg.clock_min_samples,
            converged_s=cfg.clock_converged_s,
            enabled=cfg.estimate_clock_offsets,
        )
        self._bank = _Bank(len(self.countries))
        self._infos: dict[str, _SensorInfo] = {}
        self._serials: dict[str, int] = {}
        self._gate_fix = cfg.gate(2)
        self._gate_bearing = cfg.gate(1)
        self._speed_sigma = cfg.max_speed_mps / 3.0
        self._next_id = 1
        self._now = -math.inf
        self._last_merge = -math.inf
        self._merge_since: dict[tuple[str, str], tuple[float, float]] = {}  # first, last
        self._last_seen: dict[str, dict[str, float]] = {}  # track -> sensor -> last plot
        self._period: dict[str, float] = {}  # sensor -> how often it sees a target
        self._period_scans: dict[str, int] = {}
        self._distinct: dict[str, set[str]] = {}  # track id -> tracks seen apart from it
        # Pairs of live tracks near each other at the last merge check: only for them is
        # "seen apart" worth recording.
        self._near_pairs: list[tuple[str, str]] = []
        self._closed_pending: list[Track] = []
        self._finished: list[Track] = []
        self.rejected: list[DetectionError] = []
        self.ignored = 0
        self.duplicates = 0
        self._recent_ids: dict[tuple[str, str], None] = {}
        self.merges: list[tuple[str, str]] = []  # (absorbed, survivor)

    # -- public API ---------------------------------------------------------------------------

    @property
    def clock_offsets(self) -> dict[str, float]:
        """Estimated clock offset per sensor used so far, seconds (sensor time minus true
        time); the reference country's sensors read 0."""
        return self.clock.offsets()

    def clock_status(self) -> dict[str, ClockEstimate]:
        return dict(self.clock.estimates)

    @property
    def reference_country(self) -> str:
        return self.clock.reference_country

    def tracks(self) -> list[Track]:
        """The live tracks, tentative ones included."""
        return list(self._bank.tracks)

    def take_rejected(self) -> list[DetectionError]:
        """The detections rejected since the last call, with their reasons."""
        out, self.rejected = self.rejected, []
        return out

    def process(self, detections: Sequence[Detection]) -> list[TrackUpdate]:
        """Fuse a batch (roughly in time order, any size); one update per detection that
        joined or started a track, in processing order."""
        batch = self._prepare(detections)
        if batch is None:
            return []
        emitted: list[_Emitted] = []
        for scan in self._scans(batch):
            self._scan(scan, batch, emitted)
        updates = self._emit(emitted)
        if self._now - self._last_merge >= self.config.merge_interval_s:
            self._last_merge = self._now
            self._merge()
        return updates

    def close_stale(self, now: float) -> list[Track]:
        """Close the tracks whose time is up at ``now``; returns the confirmed ones closed
        since the last call (also those closed while processing)."""
        if now > self._now:
            self._now = now
        self._close_stale(now)
        out, self._closed_pending = self._closed_pending, []
        return out

    def finish(self) -> list[Track]:
        """Close every live track; returns every confirmed track this tracker ever made
        (tentative ones are discarded; merged ones live on inside their survivor)."""
        bank = self._bank
        if bank.n:
            self._close(np.ones(bank.n, dtype=bool))
        self._closed_pending = []
        return list(self._finished)

    # -- preparing a batch ----------------------------------------------------------------------

    def _default_reference(self) -> str:
        counts: dict[str, int] = {}
        for sensor in self.sensors:
            counts[sensor.country] = counts.get(sensor.country, 0) + 1
        if not counts:
            return self.countries[0]
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def _info(self, sensor_id: str) -> _SensorInfo | None:
        info = self._infos.get(sensor_id)
        if info is not None:
            return info
        sensor = self.sensors.get(sensor_id)
        if sensor is None:
            return None
        if sensor.country not in self._column:
            return None
        x, y = self.frame.to_xy(sensor.lat, sensor.lon)
        north = float(self.frame.north(sensor.lat, sensor.lon))
        info = _SensorInfo(
            id=sensor.id,
            country=sensor.country,
            column=self._column[sensor.country],
            x=float(x),
            y=float(y),
            north=north,
            r_var=sensor.position_error_m**2,
            b_var=math.radians(sensor.bearing_error_deg) ** 2,
        )
        self._infos[sensor_id] = info
        self.clock.estimate(sensor.id, sensor.country)
        return info

    def _reject(self, detection: Detection, msgid: str, **params: Any) -> None:
        where = detection.id or f"{detection.sensor}@{detection.time}"
        self.rejected.append(DetectionError(msgid, where=where, **params))

    def _prepare(self, detections: Sequence[Detection]) -> _Batch | None:
        """The batch's usable detections as arrays; the others rejected (with the reason),
        ignored (birds, aircraft, vehicles) or skipped (heartbeats, redelivered copies)."""
        ignore = self.config.ignore_classes
        infos_get = self._infos.get
        recent = self._recent_ids
        dets: list[Detection] = []
        infos: list[_SensorInfo] = []
        for d in detections:
            if d.__class__ is not Detection:
                continue  # a heartbeat: the registry's business, not the tracker's
            if d.id is not None:
                # Delivery is at least once: a detection seen again is not a second sighting.
                key = (d.sensor, d.id)
                if key in recent:
                    self.duplicates += 1
                    continue
                recent[key] = None
                if len(recent) > _RECENT_IDS:
                    del recent[next(iter(recent))]
            info = infos_get(d.sensor) or self._info(d.sensor)
            if info is None:
                self._reject(d, MSG_UNKNOWN_SENSOR, field="sensor", sensor=d.sensor)
                continue
            if d.classification in ignore:
                self.ignored += 1
                continue
            dets.append(d)
            infos.append(info)
        if not dets:
            return None
        times = _floats([d.time for d in dets])
        lat = _floats([d.lat for d in dets])
        lon = _floats([d.lon for d in dets])
        bearing = _floats([d.bearing for d in dets])
        with np.errstate(invalid="ignore"):
            good_time = (times >= 0.0) & (times <= _LATEST)
            fix = (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
        has_bearing = np.isfinite(bearing)
        valid = good_time & (fix | has_bearing)
        if not valid.all():
            for k in np.flatnonzero(~valid).tolist():
                d = dets[k]
                if not math.isfinite(times[k]):
                    self._reject(d, MSG_NUMBER, field="time", value=d.time)
                elif not good_time[k]:
                    self._reject(d, MSG_RANGE, field="time", low=0, high=_LATEST, value=d.time)
                else:
                    self._reject(d, MSG_POSITION, field="latitude")
            keep = np.flatnonzero(valid)
            dets = [dets[k] for k in keep.tolist()]
            infos = [infos[k] for k in keep.tolist()]
            times, lat, lon, bearing, fix = (
                times[keep],
                lat[keep],
                lon[keep],
                bearing[keep],
                fix[keep],
            )
            if not dets:
                return None
        x = np.full(len(dets), np.nan)
        y = np.full(len(dets), np.nan)
        if fix.any():
            x[fix], y[fix] = self.frame.to_xy(lat[fix], lon[fix])
        if not fix.all():
            north = np.array([i.north for i in infos])
            bearing = np.where(fix, 0.0, np.radians(bearing) + north)
        estimates = self.clock.estimates
        offsets = {sensor: estimates[sensor].offset for sensor in self._infos}
        times = times - np.array([offsets[i.id] for i in infos])
        alt = _floats([d.altitude for d in dets])
        serial = np.array(
            [-1 if d.serial is None else self._serial_code(d.serial) for d in dets], dtype=np.int64
        )
        conf = _floats([d.confidence for d in dets])
        return _Batch(dets, infos, fix, x, y, bearing, times, alt, serial, conf)

    def _serial_code(self, serial: str | None) -> int:
        if not serial:
            return -1
        code = self._serials.get(serial)
        if code is None:
            code = self._serials[serial] = len(self._serials)
        return code

    def _scans(self, batch: _Batch) -> list[_Scan]:
        """One sensor's detections within a scan window of the scan's first, in time order.

        The window is shorter than the time the sensor takes to see a target again (learnt
        from the tracks it feeds), so a scan sees each target once — all of a fast radar's
        targets in one sweep, a Remote ID receiver's differently phased drones in one
        second — and never more than ``scan_window_s``."""
        by_sensor: dict[str, list[int]] = {}
        for row, info in enumerate(batch.infos):
            by_sensor.setdefault(info.id, []).append(row)
        scans: list[_Scan] = []
        times = batch.times
        for rows in by_sensor.values():
            rows.sort(key=lambda r: times[r])
            info = batch.infos[rows[0]]
            window = self._window(info.id)
            current = _Scan(info, [rows[0]], float(times[rows[0]]))
            for row in rows[1:]:
                if times[row] - current.start > window:
                    scans.append(current)
                    current = _Scan(info, [], float(times[row]))
                current.rows.append(row)
            scans.append(current)
        scans.sort(key=lambda s: s.start)
        return scans

    def _window(self, sensor: str) -> float:
        period = self._period.get(sensor)
        if period is None:
            return _FIRST_WINDOW_S
        return min(self.config.scan_window_s, max(_REVISIT_S, 0.6 * period))

    # -- one scan --------------------------------------------------------------------------------

    def _clock_variance(self, info: _SensorInfo, t: float) -> Array:
        """Per live track: how unsure this sensor's time is relative to the track's time base.

        Only tracks recently fed by another country carry a relative offset; for them it is
        the sensor's own offset variance plus that of the other country's sensors."""
        bank = self._bank
        floor = self.config.clock_floor_s**2
        if not self.config.estimate_clock_offsets:
            return np.full(bank.n, floor)
        recent = (t - bank.L[: bank.n]) <= self.config.clock_window_s
        recent[:, info.column] = False
        country_var = np.array([self.clock.country_variance(c) for c in self.countries])
        other = np.max(np.where(recent, country_var[None, :], 0.0), axis=1)
        own = self.clock.estimates[info.id].variance
        return np.asarray(floor + recent.any(axis=1) * (own + other), dtype=float)

    def _scan(self, scan: _Scan, batch: _Batch, emitted: list[_Emitted]) -> None:
        """Associate one scan's detections, update their tracks and start new ones.

        A sensor faster than the scan window may see a target twice in one scan; the
        detections that were inside some gate but lost the assignment get further rounds
        against the updated tracks (never at the same instant as the detection a track just
        took), so they are used rather than turned into duplicate tracks."""
        cfg = self.config
        info = scan.sensor
        rows = np.array(scan.rows)
        t = batch.times[rows]
        t_max = float(t.max())
        if t_max > self._now:
            self._now = t_max
        self._close_stale(self._now)
        fix = batch.fix[rows]
        m = len(rows)
        assigned = np.full(m, -1, dtype=np.intp)
        blocked = np.zeros(m, dtype=bool)  # inside a confirmed track's gate
        pending = np.arange(m)
        t_min = float(t.min())
        can_start = fix & (batch.confidence[rows] >= cfg.start_min_confidence)
        spread = float(t.max()) - t_min >= _REVISIT_S
        for round_ in range(_ROUNDS):
            if not len(pending):
                break
            last = round_ == _ROUNDS - 1
            progressed = False
            if self._bank.n:
                cols, tracks, dt, cv, gated, near_confirmed = self._associate(
                    info, batch, rows[pending], t_min, revisit=round_ > 0
                )
                blocked[pending] |= near_confirmed
                if len(cols):
                    progressed = True
                    assigned[pending[cols]] = tracks
                    self._update(info, batch, rows[pending[cols]], tracks, dt, cv, emitted)
            else:
                gated = np.zeros(len(pending), dtype=bool)
            unassigned = assigned[pending] == -1
            # A detection that was inside a gate but lost may be the same target seen at
            # another instant of the scan: it gets another round against the updated tracks.
            retry = unassigned & gated & spread & (not last)
            # The others may start tracks — the earliest instant first, so that a fast
            # sensor's later plots of a new target join its track instead of doubling it.
            fresh = pending[unassigned & ~retry & can_start[pending] & ~blocked[pending]]
            if len(fresh):
                first = float(t[fresh].min())
                now = fresh if last else fresh[t[fresh] < first + _REVISIT_S]
                self._start(info, batch, rows[now], emitted)
                assigned[now] = _STARTED
                progressed = True
                retry |= np.isin(pending, fresh) & (assigned[pending] == -1)
            pending = pending[retry & (assigned[pending] == -1)]
            if not progressed:
                break

    def _associate(
        self, info: _SensorInfo, batch: _Batch, rows: NDArray[np.intp], t_min: float, revisit: bool
    ) -> tuple[
        NDArray[np.intp], NDArray[np.intp], Array, Array, NDArray[np.bool_], NDArray[np.bool_]
    ]:
        """Gate ``rows`` against every live track and solve the assignment.

        Returns the assigned columns, their tracks, time steps and clock variances, which
        columns were inside some gate, and which were inside a confirmed track's gate."""
        cfg = self.config
        bank = self._bank
        n = bank.n
        m = len(rows)
        t = batch.times[rows]
        fix = batch.fix[rows]
        det_serial = batch.serial[rows]
        cv = self._clock_variance(info, t_min)
        X, P, T = bank.X[:n], bank.P[:n], bank.T[:n]
        q = cfg.process_noise
        if fix.all():
            d2, dt = kalman.position_gate(
                X, P, T, batch.x[rows], batch.y[rows], t, info.r_var, cv, q
            )
            thr: Array | float = self._gate_fix
        elif not fix.any():
            d2, dt = kalman.bearing_gate(
                X, P, T, batch.bearing[rows], t, info.x, info.y, info.b_var, cv, q
            )
            thr = self._gate_bearing
        else:
            d2 = np.empty((n, m))
            dt = np.empty((n, m))
            fi = np.flatnonzero(fix)
            bi = np.flatnonzero(~fix)
            d2[:, fi], dt[:, fi] = kalman.position_gate(
                X, P, T, batch.x[rows[fi]], batch.y[rows[fi]], t[fi], info.r_var, cv, q
            )
            d2[:, bi], dt[:, bi] = kalman.bearing_gate(
                X, P, T, batch.bearing[rows[bi]], t[bi], info.x, info.y, info.b_var, cv, q
            )
            thr = np.where(fix, self._gate_fix, self._gate_bearing)
        allowed = (d2 <= thr) & (dt >= -(cfg.clock_offset_max_s + 2.0))
        if revisit:
            allowed &= np.abs(dt) >= _REVISIT_S
        cost = d2
        if (det_serial >= 0).any():
            track_serial = bank.serial[:n, None]
            allowed &= (
                (track_serial < 0)
                | (det_serial[None, :] < 0)
                | (track_serial == det_serial[None, :])
            )
            same = (track_serial >= 0) & (track_serial == det_serial[None, :])
            if same.any():
                # Remote ID names the drone: its own track is preferred whenever it can have
                # flown there, even outside the statistical gate.
                reach = cfg.max_speed_mps * np.abs(dt) + 3.0 * math.sqrt(info.r_var) + 100.0
                px = X[:, 0, None] + dt * X[:, 2, None]
                py = X[:, 1, None] + dt * X[:, 3, None]
                zx = np.where(fix, batch.x[rows], np.nan)[None, :]
                zy = np.where(fix, batch.y[rows], np.nan)[None, :]
                near = np.hypot(zx - px, zy - py) <= reach
                same_ok = same & (dt >= -(cfg.clock_offset_max_s + 2.0)) & (near | ~fix[None, :])
                if revisit:
                    same_ok &= np.abs(dt) >= _REVISIT_S
                allowed |= same_ok
                cost = np.where(same_ok, np.minimum(d2, thr) - thr - 1.0, d2)
        if not fix.all():
            allowed = self._unambiguous_bearings(allowed, cost, fix)
        gated: NDArray[np.bool_] = np.asarray(allowed.any(axis=0), dtype=bool)
        near_confirmed: NDArray[np.bool_] = np.asarray(
            (allowed & bank.confirmed[:n, None]).any(axis=0), dtype=bool
        )
        empty = np.zeros(0, dtype=np.intp)
        if not gated.any():
            return empty, empty, np.zeros(0), np.zeros(0), gated, near_confirmed
        if float(t.max()) - float(t.min()) >= _REVISIT_S:
            # A scan spanning several instants: each track first takes its earliest one, so
            # a target's own later plot is neither taken out of order nor left to another.
            first = np.where(allowed, t[None, :], np.inf).min(axis=1)
            allowed = allowed & (t[None, :] < first[:, None] + _REVISIT_S)
        rows_any = np.flatnonzero(allowed.any(axis=1))
        cols_any = np.flatnonzero(allowed.any(axis=0))
        sub_allowed = allowed[rows_any][:, cols_any]
        if (
            len(rows_any) == 1
            or len(cols_any) == 1
            or (sub_allowed.sum(axis=0).max() == 1 and sub_allowed.sum(axis=1).max() == 1)
        ):
            # No contention worth solving: at most one candidate per detection and per
            # track, or a single row/column (take the cheapest).
            sub = np.where(sub_allowed, cost[rows_any][:, cols_any], np.inf)
            if len(rows_any) == 1:
                r = np.zeros(1, dtype=np.intp)
                c = np.array([int(np.argmin(sub[0]))])
            elif len(cols_any) == 1:
                r = np.array([int(np.argmin(sub[:, 0]))])
                c = np.zeros(1, dtype=np.intp)
            else:
                r, c = np.nonzero(sub_allowed)
        else:
            sub = np.where(sub_allowed, cost[rows_any][:, cols_any], _FORBIDDEN)
            r, c = linear_sum_assignment(sub)
        ok = sub_allowed[r, c]
        cols = cols_any[c[ok]]
        tracks = rows_any[r[ok]]
        return cols, tracks, dt[tracks, cols], cv[tracks], gated, near_confirmed

    def _unambiguous_bearings(
        self, allowed: NDArray[np.bool_], cost: Array, fix: NDArray[np.bool_]
    ) -> NDArray[np.bool_]:
        """Drop bearings that fit two tracks almost equally well.

        A bearing is a line, and in a busy sky several tracks lie near it; guessing among
        them corrupts tracks, while leaving the bearing out only loses a little information.
        """
        bearing_cols = np.flatnonzero(~fix)
        sub = np.where(allowed[:, bearing_cols], cost[:, bearing_cols], np.inf)
        if sub.shape[0] < 2:
            return allowed
        two = np.partition(sub, 1, axis=0)[:2]
        with np.errstate(invalid="ignore"):
            gap = np.where(np.isfinite(two[1]), two[1] - two[0], np.inf)
        ambiguous = gap < self.config.bearing_ambiguity
        if ambiguous.any():
            allowed = allowed.copy()
            allowed[:, bearing_cols[ambiguous]] = False
        return allowed

    def _update(
        self,
        info: _SensorInfo,
        batch: _Batch,
        det_rows: NDArray[np.intp],
        tracks: NDArray[np.intp],
        dt: Array,
        cv: Array,
        emitted: list[_Emitted],
    ) -> None:
        """One vectorised Kalman step for every assigned (track, detection) pair of a scan
        (each track appears once), then the bookkeeping."""
        cfg = self.config
        bank = self._bank
        t = batch.times[det_rows]
        # States only move forward in time: a detection older than its track's state (a
        # sensor whose clock runs behind, corrected) is compared with where the track was.
        q = cfg.process_noise
        Xp, Pp = kalman.predict(bank.X[tracks], bank.P[tracks], np.maximum(dt, 0.0), q)
        lag = np.minimum(dt, 0.0)
        fix = batch.fix[det_rows]
        all_fix = bool(fix.all())
        if all_fix:
            Xn, Pn, info_s, score = kalman.update_position(
                Xp,
                Pp,
                batch.x[det_rows],
                batch.y[det_rows],
                info.r_var,
                cv,
                lag if bool((lag < 0.0).any()) else None,
                q,
            )
        else:
            Xn = np.empty_like(Xp)
            Pn = np.empty_like(Pp)
            info_s = np.zeros(len(tracks))
            score = np.zeros(len(tracks))
            f = np.flatnonzero(fix)
            b = np.flatnonzero(~fix)
            if len(f):
                Xn[f], Pn[f], info_s[f], score[f] = kalman.update_position(
                    Xp[f],
                    Pp[f],
                    batch.x[det_rows[f]],
                    batch.y[det_rows[f]],
                    info.r_var,
                    cv[f],
                    lag[f],
                    q,
                )
            Xn[b], Pn[b], info_s[b], score[b] = kalman.update_bearing(
                Xp[b],
                Pp[b],
                batch.bearing[det_rows[b]],
                info.x,
                info.y,
                info.b_var,
                cv[b],
                lag[b],
                q,
            )
        speed = np.hypot(Xn[:, 2], Xn[:, 3])
        fast = speed > cfg.max_speed_mps
        if fast.any():
            Xn[fast, 2:4] *= (cfg.max_speed_mps / speed[fast])[:, None]
            speed = np.minimum(speed, cfg.max_speed_mps)
        self._clock_samples(info, tracks, t, Xp[:, 2:4], info_s, score)
        m = bank.F[tracks]
        average = m[:, 4]
        m[:, 4] = np.where(average > 0, average + _SPEED_SMOOTHING * (speed - average), speed)
        np.maximum(m[:, 0], t, out=m[:, 0])
        np.maximum(m[:, 1], t, out=m[:, 1])
        column = _L0 + info.column
        np.maximum(m[:, column], t, out=m[:, column])
        confidence = batch.confidence[det_rows]
        if all_fix:
            np.maximum(m[:, 2], t, out=m[:, 2])
            m[:, 5] += 1.0
            m[:, 6] += confidence
        else:
            m[:, 2] = np.where(fix, np.maximum(m[:, 2], t), m[:, 2])
            m[:, 5] += fix
            m[:, 6] += np.where(fix, confidence, 0.0)
        hits = m[:, 5]
        alt = batch.altitude[det_rows]
        old = m[:, 3]
        smoothed = np.where(np.isnan(old), alt, old + cfg.altitude_smoothing * (alt - old))
        altitude = np.where(np.isnan(alt), old, smoothed)
        m[:, 3] = altitude
        bank.F[tracks] = m
        bank.X[tracks] = Xn
        bank.P[tracks] = Pn
        confirmed = bank.confirmed[tracks] | (
            (hits >= cfg.confirm_hits) & (m[:, 6] >= cfg.confirm_min_confidence * hits)
        )
        bank.confirmed[tracks] = confirmed
        det_serial = batch.serial[det_rows]
        if (det_serial >= 0).any():
            serial = bank.serial[tracks]
            bank.serial[tracks] = np.where(serial < 0, det_serial, serial)
        objs = [bank.tracks[i] for i in tracks.tolist()]
        dets = [batch.dets[r] for r in det_rows.tolist()]
        country = info.country
        seen = self._last_seen
        intervals: list[float] = []
        # A sensor's revisit period is learnt from its first scans, then checked now and then.
        scans = self._period_scans[info.id] = self._period_scans.get(info.id, 0) + 1
        learning = scans <= _PERIOD_LEARN or scans % _PERIOD_LEARN == 0
        for obj, det, time, c, h in zip(
            objs, dets, t.tolist(), confirmed.tolist(), hits.astype(int).tolist(), strict=True
        ):
            if det.sensor not in obj.sensors:
                obj.sensors = (*obj.sensors, det.sensor)
            if country not in obj.countries:
                obj.countries = (*obj.countries, country)
            if det.serial and obj.serial is None:
                obj.serial = det.serial
            obj.detection_ids.append(det.id)
            if time > obj.last_time:
                obj.last_time = time
            elif time < obj.first_time:
                obj.first_time = time
            obj.confirmed = c
            obj.hits = h
            mine = seen.get(obj.id)
            if mine is None:
                mine = seen[obj.id] = {}
            if learning:
                previous = mine.get(info.id)
                if previous is not None and 0.0 < time - previous < _REVISIT_MAX_S:
                    intervals.append(time - previous)
            mine[info.id] = time
        if intervals:
            # How often this sensor sees one target: its scans must be shorter than that.
            interval = float(np.median(intervals))
            old_period = self._period.get(info.id)
            self._period[info.id] = (
                interval if old_period is None else old_period + 0.2 * (interval - old_period)
            )
        emitted.append(_Emitted(objs, dets, t, Xn, altitude, confirmed))
        if len(tracks) > 1 and self._near_pairs:
            self._note_distinct(t, objs)

    def _note_distinct(self, times: Array, objs: list[Track]) -> None:
        """Tracks that one sensor saw apart at one instant are two targets, however alike.

        A flight tracked twice shares its sensors' plots between its two tracks — a sensor
        sees it once at any instant — while two drones flying together are both seen at the
        same instant. This is what keeps two spotters hovering side by side from being
        merged. Only pairs found near each other at the last merge check are looked at."""
        when = {obj.id: time for obj, time in zip(objs, times.tolist(), strict=True)}
        for a, b in self._near_pairs:
            ta = when.get(a)
            if ta is None:
                continue
            tb = when.get(b)
            if tb is not None and abs(ta - tb) < _REVISIT_S:
                self._distinct.setdefault(a, set()).add(b)
                self._distinct.setdefault(b, set()).add(a)

    def _forget(self, track_id: str) -> None:
        self._last_seen.pop(track_id, None)
        for other in self._distinct.pop(track_id, ()):
            self._distinct.get(other, set()).discard(track_id)
        for key in [k for k in self._merge_since if track_id in k]:
            del self._merge_since[key]

    def _note(self, track: Track, det: Detection, info: _SensorInfo, time: float) -> None:
        """The bookkeeping every hit needs: who saw it, which detection, the Remote ID serial."""
        if det.sensor not in track.sensors:
            track.sensors = (*track.sensors, det.sensor)
        if info.country not in track.countries:
            track.countries = (*track.countries, info.country)
        if det.serial and track.serial is None:
            track.serial = det.serial
        track.detection_ids.append(det.id)
        if time > track.last_time:
            track.last_time = time
        if time < track.first_time:
            track.first_time = time

    def _clock_samples(
        self,
        info: _SensorInfo,
        tracks: NDArray[np.intp],
        t: Array,
        predicted: Array,
        info_s: Array,
        score: Array,
    ) -> None:
        """Feed the sensor's clock estimate with the detections that can say something: on
        confirmed, moving tracks recently fed by an anchored clock of another country.

        Each sample's own estimate (score/information) projects the residual on the predicted
        velocity, which is unbiased to second order; but its *weight* is taken from the
        track's average speed, not the predicted one — a prediction that overshoots comes from
        a velocity that is too fast, and weighing by that speed would bias the offset."""
        cfg = self.config
        est = self.clock.estimates[info.id]
        if est.reference:
            return
        bank = self._bank
        anchored = np.array(
            [c != info.country and self.clock.country_anchored(c) for c in self.countries]
        )
        if not anchored.any():
            return
        recent = ((t[:, None] - bank.L[tracks]) <= cfg.clock_window_s) & anchored[None, :]
        average = bank.speed[tracks]
        use = (
            recent.any(axis=1)
            & (average >= cfg.clock_min_speed_mps)
            & bank.confirmed[tracks]
            & (info_s > 0)
        )
        if not use.any():
            return
        speed2 = np.einsum("ki,ki->k", predicted[use], predicted[use])
        ratio = average[use] ** 2 / np.maximum(speed2, 1e-9)
        self.clock.update(info.id, info_s[use] * ratio, score[use] * ratio)

    def _start(
        self, info: _SensorInfo, batch: _Batch, det_rows: NDArray[np.intp], emitted: list[_Emitted]
    ) -> None:
        cfg = self.config
        bank = self._bank
        t = batch.times[det_rows]
        X, P = kalman.initial_state(
            batch.x[det_rows], batch.y[det_rows], info.r_var, self._speed_sigma
        )
        dets = [batch.dets[r] for r in det_rows.tolist()]
        objs: list[Track] = []
        for det, time in zip(dets, t.tolist(), strict=True):
            track = Track(id=f"{cfg.id_prefix}{self._next_id:06d}", first_time=time, last_time=time)
            self._next_id += 1
            self._note(track, det, info, time)
            self._last_seen[track.id] = {info.id: time}
            objs.append(track)
        new = bank.add(X, P, t, objs)
        bank.hits[new] = 1
        bank.conf[new] = batch.confidence[det_rows]
        bank.L[new, info.column] = t
        bank.A[new] = batch.altitude[det_rows]
        bank.serial[new] = batch.serial[det_rows]
        confirmed = (bank.hits[new] >= cfg.confirm_hits) & (
            bank.conf[new] >= cfg.confirm_min_confidence
        )
        bank.confirmed[new] = confirmed
        for obj, c in zip(objs, confirmed.tolist(), strict=True):
            obj.confirmed = c
            obj.hits = 1
        emitted.append(_Emitted(objs, dets, t, X, bank.A[new].copy(), confirmed.copy()))

    # -- output ---------------------------------------------------------------------------------

    def _emit(self, emitted: list[_Emitted]) -> list[TrackUpdate]:
        """Turn the batch's updates into :class:`TrackUpdate` and track points, with one
        inverse projection for all of them."""
        if not emitted:
            return []
        states = np.concatenate([e.states for e in emitted])
        times = np.concatenate([e.times for e in emitted]).tolist()
        alts = np.concatenate([e.altitudes for e in emitted])
        confirmed = np.concatenate([e.confirmed for e in emitted]).tolist()
        lat, lon = self.frame.to_latlon(states[:, 0], states[:, 1])
        north = self.frame.north(lat, lon)
        cos, sin = np.cos(north), np.sin(north)
        v_east = (states[:, 2] * cos - states[:, 3] * sin).tolist()
        v_north = (states[:, 2] * sin + states[:, 3] * cos).tolist()
        alt_list: list[float | None] = [None if math.isnan(a) else a for a in alts.tolist()]
        tracks = [t for e in emitted for t in e.tracks]
        dets = [d for e in emitted for d in e.detections]
        out: list[TrackUpdate] = []
        append = out.append
        make = TrackUpdate
        rows = zip(
            tracks,
            dets,
            times,
            lat.tolist(),
            lon.tolist(),
            alt_list,
            v_east,
            v_north,
            confirmed,
            strict=True,
        )
        # In time order: scans are, but the detections a scan gives one track are not.
        in_order = bool(np.all(np.diff(np.asarray(times)) >= 0.0))
        for track, det, time, la, lo, alt, ve, vn, c in (
            rows if in_order else sorted(rows, key=_by_time)
        ):
            track.points.append((time, la, lo, alt))
            append(
                make(
                    track.id,
                    time,
                    la,
                    lo,
                    alt,
                    ve,
                    vn,
                    c,
                    track.serial,
                    track.sensors,
                    track.countries,
                    det.id,
                )
            )
        return out

    # -- ending and merging tracks -------------------------------------------------------------

    def _close_stale(self, now: float) -> None:
        cfg = self.config
        bank = self._bank
        n = bank.n
        if not n:
            return
        confirmed = bank.confirmed[:n]
        stale = np.where(
            confirmed,
            ((now - bank.U[:n]) > cfg.max_coast_s) | ((now - bank.H[:n]) > cfg.max_bearing_only_s),
            (now - bank.H[:n]) > cfg.tentative_coast_s,
        )
        if stale.any():
            self._close(stale)

    def _close(self, mask: NDArray[np.bool_]) -> None:
        bank = self._bank
        for i in np.flatnonzero(mask).tolist():
            track = bank.tracks[i]
            track.closed = True
            track.points.sort(key=lambda p: p[0])
            if track.confirmed:
                self._closed_pending.append(track)
                self._finished.append(track)
            self._forget(track.id)
        bank.keep(~mask)

    def _merge(self) -> None:
        """Merge pairs of live tracks that have been one flight for ``merge_hold_s``."""
        cfg = self.config
        bank = self._bank
        n = bank.n
        now = self._now
        if n < 2:
            self._merge_since.clear()
            self._near_pairs = []
            return
        active = (now - bank.U[:n]) <= _RECENT_S
        dt = now - bank.T[:n]
        Xp = bank.X[:n].copy()
        Xp[:, 0:2] += dt[:, None] * Xp[:, 2:4]
        dx = Xp[:, 0, None] - Xp[None, :, 0]
        dy = Xp[:, 1, None] - Xp[None, :, 1]
        serial = bank.serial[:n]
        compatible = (
            (serial[:, None] < 0) | (serial[None, :] < 0) | (serial[:, None] == serial[None, :])
        )
        close = (
            (np.hypot(dx, dy) <= cfg.merge_distance_m)
            & compatible
            & active[:, None]
            & active[None, :]
        )
        ids = [t.id for t in bank.tracks]
        near = np.argwhere(np.triu(np.hypot(dx, dy) <= 2.0 * cfg.merge_distance_m, 1))
        self._near_pairs = [(ids[i], ids[j]) for i, j in near.tolist()]
        close = np.triu(close, 1)
        pairs = np.argwhere(close)
        # Velocity estimates of tracks that share a flight's plots are noisy: the allowance
        # grows with their uncertainty, and one missed check does not restart the clock.
        vel_sigma = np.sqrt(0.5 * (bank.P[:n, 2, 2] + bank.P[:n, 3, 3]))
        current: dict[tuple[str, str], tuple[float, float]] = {}
        ready: list[tuple[int, int]] = []
        for i, j in pairs.tolist():
            key = (bank.tracks[i].id, bank.tracks[j].id)
            if key[1] in self._distinct.get(key[0], ()):
                continue
            # Evidence that the two are one flight: one sensor has been feeding both (but
            # never at one instant, or they would be distinct), or one is the Remote ID
            # track of a drone the other tracks without a serial. With it, velocities need
            # only agree within their uncertainty; without it, closely.
            allowance = cfg.merge_speed_mps
            if (serial[i] < 0) != (serial[j] < 0) or self._shared_sensor(key, now):
                allowance += 2.0 * math.hypot(vel_sigma[i], vel_sigma[j])
            if math.hypot(Xp[i, 2] - Xp[j, 2], Xp[i, 3] - Xp[j, 3]) > allowance:
                continue
            since, _ = self._merge_since.get(key, (now, now))
            current[key] = (since, now)
            if now - since >= cfg.merge_hold_s:
                ready.append((i, j))
        grace = 2.5 * cfg.merge_interval_s
        for key, (since, last) in self._merge_since.items():
            if key not in current and now - last <= grace:
                current[key] = (since, last)
        self._merge_since = current
        if not ready:
            return
        gone = np.zeros(n, dtype=bool)
        for i, j in ready:
            if gone[i] or gone[j]:
                continue
            keep, drop = (i, j) if self._rank(i) >= self._rank(j) else (j, i)
            self._absorb(keep, drop)
            gone[drop] = True
        bank.keep(~gone)

    def _shared_sensor(self, key: tuple[str, str], now: float) -> bool:
        a = self._last_seen.get(key[0], {})
        b = self._last_seen.get(key[1], {})
        recent = self.config.merge_hold_s + _RECENT_S
        return any(
            sensor in b and now - a[sensor] <= recent and now - b[sensor] <= recent for sensor in a
        )

    def _rank(self, i: int) -> tuple[bool, bool, int, float]:
        bank = self._bank
        track = bank.tracks[i]
        return (
            track.serial is not None,
            bool(bank.confirmed[i]),
            int(bank.hits[i]),
            -track.first_time,
        )

    def _absorb(self, keep: int, drop: int) -> None:
        bank = self._bank
        survivor, other = bank.tracks[keep], bank.tracks[drop]
        survivor.points = sorted(survivor.points + other.points, key=lambda p: p[0])
        survivor.sensors = (
            *survivor.sensors,
            *(s for s in other.sensors if s not in survivor.sensors),
        )
        survivor.countries = (
            *survivor.countries,
            *(c for c in other.countries if c not in survivor.countries),
        )
        survivor.detection_ids.extend(other.detection_ids)
        survivor.first_time = min(survivor.first_time, other.first_time)
        survivor.last_time = max(survivor.last_time, other.last_time)
        survivor.serial = survivor.serial or other.serial
        survivor.merged_ids.extend([other.id, *other.merged_ids])
        for partner in self._distinct.get(other.id, set()) - {survivor.id}:
            self._distinct.setdefault(survivor.id, set()).add(partner)
            self._distinct.setdefault(partner, set()).add(survivor.id)
        self._forget(other.id)
        other.merged_into = survivor.id
        other.closed = True
        if bank.T[drop] > bank.T[keep] + 1.0:
            bank.X[keep], bank.P[keep], bank.T[keep] = bank.X[drop], bank.P[drop], bank.T[drop]
        bank.hits[keep] += bank.hits[drop]
        bank.conf[keep] += bank.conf[drop]
        bank.confirmed[keep] |= bank.confirmed[drop]
        survivor.confirmed = bool(bank.confirmed[keep])
        if bank.serial[keep] < 0:
            bank.serial[keep] = bank.serial[drop]
        for name in ("U", "H"):
            arr = getattr(bank, name)
            arr[keep] = max(arr[keep], arr[drop])
        bank.L[keep] = np.maximum(bank.L[keep], bank.L[drop])
        if np.isnan(bank.A[keep]):
            bank.A[keep] = bank.A[drop]
        survivor.hits = int(bank.hits[keep])
        self.merges.append((other.id, survivor.id))


@dataclass
class _Batch:
    """A batch's valid detections as arrays (grid positions, grid bearings, corrected times)."""

    dets: list[Detection]
    infos: list[_SensorInfo]
    fix: NDArray[np.bool_]
    x: Array
    y: Array
    bearing: Array
    times: Array
    altitude: Array
    serial: NDArray[np.int64]
    confidence: Array
