from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
import yaml
from pyproj import Geod

from paridad.drones.simulator import Night, Truth
from paridad.drones.tracking import Detection, Heartbeat, read_detections

SIDES = ("mx", "us")


def posix(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def records(night_dir: Path, side: str) -> list[dict[str, Any]]:
    lines = (night_dir / side / "detections.jsonl").read_bytes().splitlines()
    return [orjson.loads(line) for line in lines]  # every line is one JSON object


@pytest.fixture(scope="module")
def sensors(night_dir: Path) -> dict[str, dict[str, Any]]:
    entries = yaml.safe_load((night_dir / "sensors.yaml").read_text(encoding="utf-8"))
    return {e["id"]: e for e in entries}


def test_the_folder_holds_the_contracts_files(night_dir: Path) -> None:
    names = {p.relative_to(night_dir).as_posix() for p in night_dir.rglob("*") if p.is_file()}
    assert {
        "sensors.yaml",
        "truth.json",
        "truth_paths.jsonl",
        "truth_detections.csv",
        "mx/detections.jsonl",
        "us/detections.jsonl",
        "mx/remote_id.jsonl",
        "us/remote_id.jsonl",
    } <= names
    truth = orjson.loads((night_dir / "truth.json").read_bytes())
    assert "truth_paths.jsonl" in truth["README"]
    assert truth["seed"] == truth["config"]["seed"]


def test_ids_are_unique_and_every_detection_maps_to_a_flight_or_to_none(
    night_dir: Path, truth: Truth
) -> None:
    ids: list[str] = []
    for side in SIDES:
        ids += [r["id"] for r in records(night_dir, side) if r.get("kind") != "heartbeat"]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(truth.detections)
    flights = set(truth.flights)
    assert all(f is None or f in flights for f in truth.detection_flight.values())
    origin = truth.detections[ids[0]]
    assert origin.id == ids[0] and origin.flight == truth.detection_flight[ids[0]]
    assert origin.source in ("flight", "bird", "clutter", "noise")


def test_each_side_file_is_in_time_order_and_holds_only_its_own_sensors(
    night_dir: Path, sensors: dict[str, dict[str, Any]]
) -> None:
    for side in SIDES:
        recs = records(night_dir, side)
        times = [posix(r["time"]) for r in recs]
        assert times == sorted(times)
        assert {sensors[r["sensor"]]["country"] for r in recs} == {side.upper()}
        assert all(r["time"].endswith("Z") and "." in r["time"] for r in recs)
        beats = [r for r in recs if r.get("kind") == "heartbeat"]
        assert beats and all(set(r) == {"sensor", "time", "kind"} for r in beats)


def test_the_tracker_reads_every_record(night_dir: Path) -> None:
    for side in SIDES:
        items = list(read_detections(night_dir / side / "detections.jsonl"))
        assert all(isinstance(i, Detection | Heartbeat) for i in items), next(
            i for i in items if not isinstance(i, Detection | Heartbeat)
        )
        assert any(isinstance(i, Detection) and i.bearing is not None for i in items)


def test_remote_id_detections_carry_the_flights_serial(night_dir: Path, truth: Truth) -> None:
    seen = 0
    for side in SIDES:
        for rec in records(night_dir, side):
            if "serial" not in rec:
                continue
            flight = truth.detection_flight[rec["id"]]
            assert flight is not None
            assert rec["serial"] == truth.flights[flight].serial
            seen += 1
    assert seen > 0
    cooperative = {f.serial for f in truth.flights.values() if f.remote_id}
    assert cooperative and None not in cooperative


def test_rf_bearings_point_at_the_drone(
    night_dir: Path, truth: Truth, sensors: dict[str, dict[str, Any]]
) -> None:
    geod = Geod(ellps="WGS84")
    checked = 0
    for side in SIDES:
        for rec in records(night_dir, side):
            if "bearing" not in rec:
                continue
            sensor = sensors[rec["sensor"]]
            assert sensor["type"] == "rf"
            flight = truth.detection_flight[rec["id"]]
            if flight is None:  # a stray bearing: nothing to point at
                continue
            at = truth.detection_truth.time[truth.detection_truth.index[rec["id"]]]
            lat, lon, _ = truth.flights[flight].position_at(at)
            azimuth = geod.inv(sensor["longitude"], sensor["latitude"], float(lon), float(lat))[0]
            error = (rec["bearing"] - azimuth + 180.0) % 360.0 - 180.0
            assert abs(error) <= 4 * sensor["bearing_error_deg"], (rec, azimuth)
            checked += 1
    assert checked > 100


def test_rf_position_fixes_come_from_half_the_rf_sensors(
    night_dir: Path, sensors: dict[str, dict[str, Any]]
) -> None:
    rf = {k for k, v in sensors.items() if v["type"] == "rf"}
    fixing: set[str] = set()
    for side in SIDES:
        for rec in records(night_dir, side):
            if rec.get("sensor") in rf and "latitude" in rec:
                assert "bearing" in rec
                fixing.add(rec["sensor"])
    assert fixing and len(fixing) <= (len(rf) + 1) // 2


def test_the_us_clocks_run_ahead_by_the_configured_offset(
    night_dir: Path, truth: Truth, small_night: Night
) -> None:
    offset = small_night.config.us_clock_offset_s
    jitter = small_night.config.clock_jitter_s
    index = truth.detection_truth.index
    for side, expected in (("us", offset), ("mx", small_night.config.mx_clock_offset_s)):
        recs = [r for r in records(night_dir, side) if "id" in r]
        written = np.array([posix(r["time"]) for r in recs])
        true = truth.detection_truth.time[[index[r["id"]] for r in recs]]
        skew = written - true
        assert np.all(np.abs(skew - expected) <= jitter + 0.03)
        # Each sensor's own offset, as the truth records it, to within the stamp jitter.
        own = np.array([truth.sensors[r["sensor"]]["clock_offset_s"] for r in recs])
        assert np.all(np.abs(skew - own) <= 0.03)
    assert abs(float(np.median(skew))) < 0.2  # Mexico's clocks: no planted offset


def test_heartbeats_come_every_heartbeat_s(
    night_dir: Path, sensors: dict[str, dict[str, Any]], truth: Truth
) -> None:
    beats: dict[str, list[float]] = {}
    for side in SIDES:
        for rec in records(night_dir, side):
            if rec.get("kind") == "heartbeat":
                beats.setdefault(rec["sensor"], []).append(posix(rec["time"]))
    assert set(beats) == set(sensors)
    silent = truth.outage.sensor if truth.outage else None
    for sensor, times in beats.items():
        gaps = np.diff(times)
        period = sensors[sensor]["heartbeat_s"]
        if sensor == silent:
            assert gaps.max() >= 890.0
            gaps = gaps[gaps < 100]
        assert np.allclose(gaps, period, atol=1e-3), sensor
