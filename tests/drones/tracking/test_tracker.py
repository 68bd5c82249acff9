"""The multi-sensor tracker on constructed scenes whose truth is known.

Scenes come from the benchmark's own small generator (:mod:`paridad.drones.tracking.bench`):
flights as sampled paths, sensors of both countries with their noise and clocks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import pytest
from pyproj import Geod

from paridad.drones.tracking import (
    Detection,
    DetectionError,
    Heartbeat,
    Sensor,
    SensorRegistry,
    Track,
    Tracker,
    TrackerConfig,
    TrackUpdate,
    bench,
)
from paridad.drones.tracking.bench import EPOCH, Flight, SimSensor, fly, observe, sim_sensor

MX_RADAR = sim_sensor("mx-radar", "radar", "MX", -2000.0, -1500.0)
US_RADAR = sim_sensor("us-radar", "radar", "US", 2000.0, 1500.0)


def run(
    detections: Sequence[Detection],
    sensors: Sequence[SimSensor],
    config: TrackerConfig | None = None,
    width: float = 1.0,
) -> tuple[Tracker, list[TrackUpdate], list[Track]]:
    tracker = Tracker(bench.registry(sensors), config)
    updates: list[TrackUpdate] = []
    for batch in bench.slices(detections, width):
        updates.extend(tracker.process(batch))
        tracker.close_stale(batch[-1].time)
    return tracker, updates, tracker.finish()


def owners(track: Track, truth: dict[str, str | None]) -> Counter[str | None]:
    return Counter(truth.get(d) if d else None for d in track.detection_ids)


def scene(
    flights: Sequence[Flight], sensors: Sequence[SimSensor], seed: int = 1
) -> tuple[list[Detection], dict[str, str | None]]:
    return observe(flights, sensors, np.random.default_rng(seed))


def _crossing(angle: float, lag_s: float) -> tuple[Flight, Flight]:
    """Two flights at 12 m/s through the point (0, 0): ``a`` at t = 60 s, ``b`` ``lag_s``
    later, their paths ``angle`` degrees apart."""
    a = fly("a", EPOCH, 120, -720.0, 0.0, 90.0, 12.0)
    heading = math.radians(90.0 + angle)
    back = 720.0 + 12.0 * lag_s
    b = fly(
        "b", EPOCH, 120, -back * math.sin(heading), -back * math.cos(heading), 90.0 + angle, 12.0
    )
    return a, b


@pytest.mark.parametrize("angle", [90.0, 35.0])
@pytest.mark.parametrize("width", [1.0, 0.05, 1000.0])
def test_two_crossing_flights_keep_their_identities(angle: float, width: float) -> None:
    # Crossing paths, 4 s apart at the crossing point: about 35 m at closest approach,
    # four sigmas of these radars' error — separable, so every detection must be right.
    sensors = [
        sim_sensor("mx-radar", "radar", "MX", -2000.0, -1500.0, position_error_m=8.0),
        sim_sensor("us-radar", "radar", "US", 2000.0, 1500.0, position_error_m=8.0),
    ]
    dets, truth = scene(_crossing(angle, 4.0), sensors)
    _, updates, tracks = run(dets, sensors, width=width)
    assert len(tracks) == 2
    majorities = {owners(t, truth).most_common(1)[0][0] for t in tracks}
    assert majorities == {"a", "b"}
    assert bench.score(tracks, truth)["purity"] == 1.0
    # Every detection was used once, whatever the batch size.
    assert len(updates) == len(dets) == sum(len(t.detection_ids) for t in tracks)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flights_at_the_same_point_at_once_keep_their_identities(seed: int) -> None:
    """When both are at the crossing together a few plots are a coin toss, but each track
    leaves the crossing with the flight it came in with."""
    dets, truth = scene(_crossing(90.0, 0.0), [MX_RADAR, US_RADAR], seed=seed)
    _, _, tracks = run(dets, [MX_RADAR, US_RADAR])
    assert len(tracks) == 2
    for track in tracks:
        ids = [d for d in track.detection_ids if d]
        before = Counter(truth[d] for d in ids[:40]).most_common(1)[0][0]
        after = Counter(truth[d] for d in ids[-40:]).most_common(1)[0][0]
        assert before == after
    assert bench.score(tracks, truth)["purity"] >= 0.97


def test_a_flight_seen_alternately_by_mx_and_us_sensors_is_one_track() -> None:
    flight = fly("f", EPOCH, 90, -500.0, 200.0, 100.0, 14.0)
    mx = sim_sensor("mx-camera", "camera", "MX", -1500.0, -1500.0, period_s=2.0)
    us = sim_sensor("us-radar", "radar", "US", 1500.0, 1500.0, period_s=2.0)
    dets, truth = scene([flight], [mx, us])
    assert {d.sensor for d in dets[:4]} == {"mx-camera", "us-radar"}
    _, updates, tracks = run(dets, [mx, us])
    assert len(tracks) == 1
    (track,) = tracks
    assert set(track.countries) == {"MX", "US"} and set(track.sensors) == {"mx-camera", "us-radar"}
    assert sorted(d for d in track.detection_ids if d) == sorted(truth)
    assert updates[-1].countries == track.countries and updates[-1].confirmed


def _offset_scene(offset: float) -> tuple[list[Detection], dict[str, str | None], list[SimSensor]]:
    sensors = [
        MX_RADAR,
        sim_sensor("us-radar", "radar", "US", 2000.0, 1500.0, clock_offset_s=offset),
    ]
    flights = [fly(f"f{k}", EPOCH, 150, -1500.0, -1200.0 + 400.0 * k, 80.0, 18.0) for k in range(3)]
    dets, truth = scene(flights, sensors)
    return dets, truth, sensors


NO_MERGE = 1e9  # merge_hold_s that never elapses: shows what association alone does


def test_an_uncorrected_clock_offset_fragments_the_flights() -> None:
    dets, truth, sensors = _offset_scene(3.0)
    config = TrackerConfig(estimate_clock_offsets=False, merge_hold_s=NO_MERGE)
    tracker, _, tracks = run(dets, sensors, config)
    # 3 s at 18 m/s is 54 m along the path: each side's detections make a track of their own.
    assert bench.score(tracks, truth)["fragmentation"] >= 1.5
    assert tracker.clock_offsets == {"mx-radar": 0.0, "us-radar": 0.0}
    # The merge step glues the pieces back together, again and again.
    tracker, _, tracks = run(dets, sensors, TrackerConfig(estimate_clock_offsets=False))
    assert len(tracker.merges) >= 3


def test_the_clock_offset_is_estimated_and_the_flights_are_whole() -> None:
    dets, truth, sensors = _offset_scene(3.0)
    config = TrackerConfig(reference_country="MX", merge_hold_s=NO_MERGE)
    tracker, _, tracks = run(dets, sensors, config)
    quality = bench.score(tracks, truth)
    assert quality["fragmentation"] == 1.0 and quality["purity"] == 1.0
    assert len(tracks) == 3
    assert tracker.clock_offsets["mx-radar"] == 0.0
    assert tracker.clock_offsets["us-radar"] == pytest.approx(3.0, abs=0.5)
    status = tracker.clock_status()["us-radar"]
    assert status.samples >= 20 and status.std < 0.3
    assert all(set(t.countries) == {"MX", "US"} for t in tracks)


def test_offsets_are_relative_to_the_reference_country() -> None:
    dets, _, sensors = _offset_scene(3.0)
    tracker, _, _ = run(dets, sensors, TrackerConfig(reference_country="US"))
    assert tracker.reference_country == "US"
    assert tracker.clock_offsets["us-radar"] == 0.0
    assert tracker.clock_offsets["mx-radar"] == pytest.approx(-3.0, abs=0.5)
    # Estimated the other way round internally: the clocks that run behind are the base.
    assert tracker.clock.base_country == "MX"
    # By default the country with more sensors is the reference (ties: alphabetical).
    assert Tracker(bench.registry(sensors)).reference_country == "MX"
    more_us = [*sensors, sim_sensor("us-camera", "camera", "US", 0.0, 900.0)]
    assert Tracker(bench.registry(more_us)).reference_country == "US"


RF_MX = sim_sensor("mx-rf", "rf", "MX", -2500.0, -1000.0, bearing_only=True, bearing_error_deg=2.0)
RF_US = sim_sensor("us-rf", "rf", "US", 2500.0, 1200.0, bearing_only=True, bearing_error_deg=2.0)


def test_bearings_alone_never_start_a_track() -> None:
    flight = fly("f", EPOCH, 60, -500.0, 0.0, 45.0, 10.0)
    dets, _ = scene([flight], [RF_MX, RF_US])
    assert dets and all(d.lat is None and d.bearing is not None for d in dets)
    tracker, updates, tracks = run(dets, [RF_MX, RF_US])
    assert updates == [] and tracks == [] and tracker.tracks() == []


@pytest.mark.parametrize("seed", [1, 2])
def test_bearings_carry_a_track_through_a_radar_gap(seed: int) -> None:
    # The radar loses the flight from 30 to 70 s (twice max_coast_s); meanwhile it turns
    # 90°, so coasting on its old velocity would end some 300 m off.
    flight = fly("f", EPOCH, 100, -600.0, -300.0, 60.0, 10.0, turns=[(40.0, 55.0, 6.0)])
    rng = np.random.default_rng(seed)
    radar: list[Detection] = []
    for start, end in ((EPOCH, EPOCH + 30), (EPOCH + 70, EPOCH + 100)):
        radar += observe([flight], [MX_RADAR], rng, start=start, end=end)[0]
    bearings, _ = observe([flight], [RF_MX, RF_US], rng)
    with_bearings = sorted(radar + bearings, key=lambda d: d.time)
    _, _, tracks = run(with_bearings, [MX_RADAR, RF_MX, RF_US])
    assert len(tracks) == 1  # kept: bearings bridge the gap
    (track,) = tracks
    assert {"mx-rf", "us-rf"} <= set(track.sensors)
    geod = Geod(ellps="WGS84")
    errors = []
    for t, lat, lon, _ in track.points:
        if EPOCH + 30 < t < EPOCH + 70:
            e, n = flight.at(np.array([t]))
            true_lat, true_lon = bench.to_latlon(e, n)
            errors.append(geod.inv(lon, lat, float(true_lon[0]), float(true_lat[0]))[2])
    assert len(errors) > 30 and float(np.median(errors)) < 120.0  # followed through the turn
    _, _, without = run(radar, [MX_RADAR])
    assert len(without) == 2  # without them the flight is lost and found again


def test_remote_id_and_radar_of_one_flight_are_one_track_with_the_serial() -> None:
    serial = "1581F5FKD229400A"
    flight = fly("f", EPOCH, 80, -400.0, -200.0, 30.0, 11.0, serial=serial)
    rid = sim_sensor("us-rid", "remote-id", "US", 0.0, 500.0, cooperative_only=True)
    # The radar sees the flight from the start; the receiver only from t = 20 s.
    radar_dets, truth = scene([flight], [MX_RADAR])
    rid_dets, rid_truth = observe(
        [flight], [rid], np.random.default_rng(2), start=EPOCH + 20, end=EPOCH + 80
    )
    dets = sorted(radar_dets + rid_dets, key=lambda d: d.time)
    _, updates, tracks = run(dets, [MX_RADAR, rid])
    assert len(tracks) == 1
    (track,) = tracks
    assert track.serial == serial and set(track.sensors) == {"mx-radar", "us-rid"}
    assert len(track.detection_ids) == len(truth) + len(rid_truth)
    assert updates[-1].serial == serial


def test_a_separate_radar_track_is_merged_into_the_remote_id_track() -> None:
    serial = "1581F5FKD229400B"
    flight = fly("f", EPOCH, 60, -400.0, -200.0, 30.0, 11.0, serial=serial)
    # For its first 12 s the drone's GNSS is still settling and its Remote ID fixes sit 70 m
    # off; both sensors claim a few metres of error, so the two cannot share a gate and each
    # starts a track of its own. Once the fixes agree, the two tracks are one flight.
    rid = sim_sensor(
        "us-rid", "remote-id", "US", 0.0, 500.0, cooperative_only=True, position_error_m=4.0
    )
    radar = sim_sensor("mx-radar", "radar", "MX", -2000.0, -1500.0, position_error_m=4.0)
    settling = fly("f", EPOCH, 60, -400.0 + 70.0, -200.0, 30.0, 11.0, serial=serial)
    radar_dets, _ = scene([flight], [radar])
    early, _ = observe([settling], [rid], np.random.default_rng(2), end=EPOCH + 12)
    late, _ = observe([flight], [rid], np.random.default_rng(3), start=EPOCH + 12)
    dets = sorted(radar_dets + early + late, key=lambda d: d.time)
    tracker = Tracker(bench.registry([radar, rid]))
    separate = False
    for batch in bench.slices(dets):
        tracker.process(batch)
        live = [t for t in tracker.tracks() if t.confirmed]
        separate |= len(live) == 2 and {t.serial for t in live} == {serial, None}
    assert separate  # the construction did make two tracks of one flight
    tracks = tracker.finish()
    assert len(tracker.merges) == 1
    assert len(tracks) == 1
    (track,) = tracks
    assert track.serial == serial and track.merged_ids == [tracker.merges[0][0]]
    assert set(track.sensors) == {"mx-radar", "us-rid"}
    assert len(track.detection_ids) == len(dets)


def test_two_remote_id_drones_flying_close_never_merge() -> None:
    a = fly("a", EPOCH, 120, -500.0, 0.0, 90.0, 10.0, serial="SERIAL-A")
    b = fly("b", EPOCH, 120, -500.0, 15.0, 90.0, 10.0, serial="SERIAL-B")  # 15 m apart
    rid = sim_sensor("mx-rid", "remote-id", "MX", 0.0, -400.0, cooperative_only=True)
    dets, truth = scene([a, b], [rid, MX_RADAR, US_RADAR])
    tracker, _, tracks = run(dets, [rid, MX_RADAR, US_RADAR])
    assert tracker.merges == []
    by_serial = {t.serial: t for t in tracks if t.serial}
    assert set(by_serial) == {"SERIAL-A", "SERIAL-B"}
    serial_of = {d.id: d.serial for d in dets}
    for serial, track in by_serial.items():
        heard = {serial_of[d] for d in track.detection_ids if d and serial_of[d]}
        assert heard == {serial}  # no Remote ID message ever joined the other drone's track
        flight = owners(track, truth).most_common(1)[0][0]
        assert flight == serial[-1].lower()


def test_coasting_and_deletion() -> None:
    flight = fly("f", EPOCH, 30, 0.0, 0.0, 0.0, 10.0)
    dets, _ = scene([flight], [MX_RADAR])
    tracker = Tracker(bench.registry([MX_RADAR]))
    tracker.process(dets)
    last = dets[-1].time
    (track,) = tracker.tracks()
    assert track.confirmed and not track.closed
    assert tracker.close_stale(last + 15.0) == []  # coasting
    assert tracker.tracks() == [track]
    assert tracker.close_stale(last + 21.0) == [track]  # max_coast_s = 20
    assert tracker.tracks() == [] and track.closed
    times = [p[0] for p in track.points]
    assert times == sorted(times)
    # Two stray plots make a tentative track that is dropped, never reported.
    lat, lon = bench.to_latlon(np.array([3000.0, 3005.0]), np.array([0.0, 0.0]))
    strays = [
        Detection("mx-radar", last + 30 + k, float(lat[k]), float(lon[k]), None, None)
        for k in range(2)
    ]
    updates = tracker.process(strays)
    assert len(updates) == 2 and not any(u.confirmed for u in updates)
    assert tracker.close_stale(last + 40) == [] and tracker.tracks() == []
    # A detection where the closed track was starts a new track under a new id.
    tracker.process(dets[-1:])
    assert [t.id for t in tracker.tracks()] != [track.id]
    assert tracker.finish() == [track]


def test_bad_detections_are_rejected_with_a_reason_and_others_skipped() -> None:
    flight = fly("f", EPOCH, 10, 0.0, 0.0, 0.0, 10.0)
    dets, _ = scene([flight], [MX_RADAR])
    tracker = Tracker(bench.registry([MX_RADAR]))
    junk: list[Detection | Heartbeat] = [
        Detection("ghost", EPOCH, 31.3, -110.9, None, None, id="g1"),
        Detection("mx-radar", EPOCH, float("nan"), -110.9, None, None, id="n1"),
        Detection("mx-radar", float("inf"), 31.3, -110.9, None, None, id="t1"),
        Detection("mx-radar", EPOCH, 31.3, -110.9, None, None, classification="bird"),
        Heartbeat("mx-radar", EPOCH),
    ]
    updates = tracker.process([*junk, *dets])  # type: ignore[list-item]
    assert len(updates) == len(dets)
    assert tracker.ignored == 1
    rejected = tracker.take_rejected()
    assert [(e.where, e.field) for e in rejected] == [
        ("g1", "sensor"),
        ("n1", "latitude"),
        ("t1", "time"),
    ]
    assert all(isinstance(e, DetectionError) for e in rejected)
    assert "ghost" in rejected[0].localized("en")
    assert tracker.take_rejected() == []


def test_updates_report_true_east_and_north_where_grid_north_differs() -> None:
    """At Tijuana grid north is 5° off true north; a flight due east must read due east."""
    geod = Geod(ellps="WGS84")
    lat0, lon0 = 32.52, -117.03
    sensor = Sensor("mx-radar-tij", "radar", "MX", 32.51, -117.02, 6000.0, position_error_m=1.0)
    rng = np.random.default_rng(4)
    dets = []
    for k in range(60):
        lon, lat, _ = geod.fwd(lon0, lat0, 90.0, 12.0 * k)
        lon, lat, _ = geod.fwd(lon, lat, rng.uniform(0, 360), abs(rng.normal(0, 1.0)))
        dets.append(Detection(sensor.id, EPOCH + k, lat, lon, None, 60.0 + k, id=str(k)))
    tracker = Tracker(SensorRegistry([sensor]))
    updates = tracker.process(dets)
    last = updates[-1]
    # Reading grid axes as true ones would put 1.1 m/s (5.3°) into the northward component;
    # the average over the last half minute keeps the filter's own noise out of the way.
    east = np.mean([u.velocity_east for u in updates[-30:]])
    north = np.mean([u.velocity_north for u in updates[-30:]])
    assert east == pytest.approx(12.0, abs=0.3)
    assert north == pytest.approx(0.0, abs=0.3)
    true_lon, true_lat, _ = geod.fwd(lon0, lat0, 90.0, 12.0 * 59)
    _, _, error = geod.inv(last.lon, last.lat, true_lon, true_lat)
    assert error < 3.0
    assert last.altitude is not None and 100.0 < last.altitude < 120.0  # smoothed, lagging
    assert last.detection_id == "59" and last.sensors == ("mx-radar-tij",)


def test_a_redelivered_detection_is_not_a_second_sighting() -> None:
    flight = fly("f", EPOCH, 20, 0.0, 0.0, 0.0, 10.0)
    dets, _ = scene([flight], [MX_RADAR])
    tracker = Tracker(bench.registry([MX_RADAR]))
    first = tracker.process(dets)
    (track,) = tracker.tracks()
    hits = track.hits
    assert tracker.process(dets[-5:]) == [] and tracker.process(dets[:1] * 3) == []
    assert tracker.duplicates == 8 and track.hits == hits
    assert len(first) == len(dets) == len(track.detection_ids)


def test_a_track_of_doubtful_plots_is_never_confirmed() -> None:
    """Clutter that a radar follows for a while: one plot sure enough to start a track, the
    rest weak. Its mean confidence stays under ``confirm_min_confidence``."""
    flight = fly("f", EPOCH, 30, 0.0, 0.0, 0.0, 5.0)
    dets, _ = scene([flight], [MX_RADAR])
    doubtful = [
        Detection(d.sensor, d.time, d.lat, d.lon, None, d.altitude, 0.6 if k == 0 else 0.3, id=d.id)
        for k, d in enumerate(dets)
    ]
    tracker = Tracker(bench.registry([MX_RADAR]))
    updates = tracker.process(doubtful)
    assert len(updates) == len(dets) and not any(u.confirmed for u in updates)
    assert tracker.finish() == []
    sure = Tracker(bench.registry([MX_RADAR]))
    assert sure.process(dets)[-1].confirmed and len(sure.finish()) == 1
