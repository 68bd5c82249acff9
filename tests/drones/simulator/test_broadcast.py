from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import pytest

from paridad.drones.remote_id import BasicId, Location, OperatorId, System, decode
from paridad.drones.simulator import Night, Truth
from paridad.drones.simulator.broadcast import gauss_markov, quantise_altitude, quantise_latlon

SIDES = ("mx", "us")


def test_frames_decode_to_the_flights_serial_and_true_position(
    night_dir: Path, truth: Truth, small_night: Night
) -> None:
    detections = {}
    for side in SIDES:
        for line in (night_dir / side / "detections.jsonl").read_bytes().splitlines():
            rec = orjson.loads(line)
            if "serial" in rec:
                detections[(rec["sensor"], rec["time"])] = rec
    sigma = small_night.config.remote_id_sigma_m
    frames = 0
    for side in SIDES:
        for line in (night_dir / side / "remote_id.jsonl").read_bytes().splitlines():
            frame = orjson.loads(line)
            messages = decode(bytes.fromhex(frame["hex"]))
            basic, location, system, operator = messages
            assert isinstance(basic, BasicId) and isinstance(location, Location)
            assert isinstance(system, System) and isinstance(operator, OperatorId)
            assert basic.id_type == "serial_number"
            # The frame is the one behind a detection of the same receiver at the same time.
            rec = detections[(frame["receiver"], frame["time"])]
            assert basic.uas_id == rec["serial"]
            assert location.latitude == pytest.approx(rec["latitude"], abs=1e-7)
            assert location.longitude == pytest.approx(rec["longitude"], abs=1e-7)
            assert location.height_m == pytest.approx(rec["altitude"], abs=0.05)
            # The drone said where it was, give or take its GNSS error.
            flight = truth.flights[truth.detection_flight[rec["id"]] or ""]
            assert flight.serial == basic.uas_id
            received = datetime.fromisoformat(frame["time"].replace("Z", "+00:00"))
            sent = location.time_at(received)
            assert sent is not None
            lat, lon, _ = flight.position_at(sent.timestamp())
            assert location.latitude is not None and location.longitude is not None
            north = (location.latitude - float(lat)) * 111_000
            east = (location.longitude - float(lon)) * 111_000 * np.cos(np.radians(float(lat)))
            assert np.hypot(north, east) < 6 * sigma
            # Heard within a few hundredths of a second of being sent, by the receiver's clock.
            lag = (received - sent).total_seconds() - truth.sensors[frame["receiver"]][
                "clock_offset_s"
            ]
            assert -0.03 <= lag <= 0.06
            assert system.operator_latitude == pytest.approx(flight.operator[0], abs=1e-7)
            assert system.operator_longitude == pytest.approx(flight.operator[1], abs=1e-7)
            assert (
                system.timestamp is not None
                and abs(system.timestamp.timestamp() - sent.timestamp()) <= 1.0
            )
            assert operator.operator_id.startswith("FA3")
            frames += 1
    assert frames > 50


def test_every_remote_id_detection_has_its_frame(night_dir: Path) -> None:
    for side in SIDES:
        heard = {
            (r["sensor"], r["time"])
            for r in map(
                orjson.loads, (night_dir / side / "detections.jsonl").read_bytes().splitlines()
            )
            if "serial" in r
        }
        frames = {
            (f["receiver"], f["time"])
            for f in map(
                orjson.loads, (night_dir / side / "remote_id.jsonl").read_bytes().splitlines()
            )
        }
        assert heard == frames


def test_quantisation_matches_the_encoding() -> None:
    values = np.array([32.12345675, -117.00000005, 0.0, 25.5])
    assert quantise_latlon(values).tolist() == [32.1234568, -117.0000001, 0.0, 25.5]
    assert quantise_altitude(np.array([80.74, 80.5, 0.2])).tolist() == [80.5, 80.5, 0.0]


def test_gnss_error_has_the_configured_spread_and_wanders_slowly() -> None:
    e = gauss_markov(np.random.default_rng(4), 200_000, 12.5, 1.0)
    assert float(np.std(e)) == pytest.approx(12.5, rel=0.1)
    step = np.diff(e)
    assert float(np.std(step)) < 3.0  # a slow wander, not 12.5 m of white noise a second


def test_receive_times_are_utc(night_dir: Path) -> None:
    line = (night_dir / "mx" / "remote_id.jsonl").read_bytes().splitlines()[0]
    moment = datetime.fromisoformat(orjson.loads(line)["time"].replace("Z", "+00:00"))
    assert moment.tzinfo is not None and moment.utcoffset() == UTC.utcoffset(None)
