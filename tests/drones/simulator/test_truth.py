from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import orjson
import pytest

from paridad.drones.border import Border, CrossingWatch
from paridad.drones.simulator import Night, SimulatorError, Truth, read_truth
from paridad.drones.simulator.truth import crossings_along


def test_truth_crossings_are_the_sign_changes_of_the_border_distance(
    truth: Truth, border: Border
) -> None:
    seen = 0
    for flight in truth.flights.values():
        t, lat, lon = flight.path[:, 0], flight.path[:, 1], flight.path[:, 2]
        d = border.signed_distance_m(lat, lon)
        flips = np.flatnonzero((d[1:] > 0) != (d[:-1] > 0))
        assert len(flips) == len(flight.crossings), flight.id
        for i, crossing in zip(flips, flight.crossings, strict=True):
            assert t[i] <= crossing.time <= t[i + 1]
            assert crossing.direction == ("mx-to-us" if d[i + 1] > 0 else "us-to-mx")
            assert abs(float(border.signed_distance_m(crossing.lat, crossing.lon))) < 15.0
            seen += 1
    assert seen > 0


def test_outside_band_crossings_are_what_the_crossing_watch_reports(
    small_night: Night, border: Border
) -> None:
    watch = CrossingWatch(border)
    ids = [f.id for f in small_night.flights for _ in f.t]
    events = watch.update_many(
        ids,
        np.concatenate([f.t for f in small_night.flights]),
        np.concatenate([f.lat for f in small_night.flights]),
        np.concatenate([f.lon for f in small_night.flights]),
    )
    theirs = sorted((e.track_id, round(e.time, 6), e.direction) for e in events)
    ours = sorted(
        (c.flight, round(c.time, 6), c.direction)
        for crossings in small_night.crossings.values()
        for c in crossings
        if c.outside_band
    )
    assert ours == theirs
    assert ours, "the small night should hold decided crossings"
    inside = [c for cs in small_night.crossings.values() for c in cs if not c.outside_band]
    assert inside, "and crossings the band leaves undecided"


def test_the_band_rule_on_a_constructed_path() -> None:
    """Out past the band, jitter over the line inside it, back out: two decided crossings,
    and the jitter's extra sign changes stay undecided."""
    d = np.array([-900, -300, 50, -20, 30, 600, 900, 200, -10, 5, -700], dtype=float)
    t = np.arange(len(d), dtype=float)
    band = np.full(len(d), 500.0)
    got = crossings_along("F", t, t * 0, t * 0, d, band)
    assert [c.direction for c in got] == [
        "mx-to-us",
        "us-to-mx",
        "mx-to-us",
        "us-to-mx",
        "mx-to-us",
        "us-to-mx",
    ]
    assert [c.outside_band for c in got] == [False, False, True, False, False, True]
    assert got[2].time == pytest.approx(3 + 20 / 50)


def test_the_folder_reads_back(small_night: Night, truth: Truth) -> None:
    assert truth.seed == small_night.config.seed
    assert set(truth.flights) == {f.id for f in small_night.flights}
    assert set(truth.hotspots) == {h.id for h in small_night.hotspots}
    for flight in small_night.flights:
        read = truth.flights[flight.id]
        assert read.serial == flight.drone.serial
        assert read.remote_id == flight.drone.remote_id
        assert len(read.crossings) == len(small_night.crossings[flight.id])
        assert read.path.shape == (len(flight.t), 4)
        assert np.allclose(read.path[:, 1], flight.lat, atol=1e-7)
    n = sum(len(s.detections) for s in small_night.sides.values())
    assert len(truth.detections) == n
    flights = list(truth.detection_flight.values())
    assert None in flights and any(v is not None for v in flights)
    assert truth.outage is not None and small_night.outage is not None
    assert truth.outage.sensor == small_night.outage.sensor
    hotspot = next(iter(truth.hotspots.values()))
    assert all(truth.flights[f].hotspot == hotspot.id for f in hotspot.flights)


def _copy(night_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "night"
    shutil.copytree(night_dir, target)
    return target


def test_a_folder_without_truth_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SimulatorError) as err:
        read_truth(tmp_path)
    assert "truth.json" in str(err.value)


def test_broken_truth_files_name_the_file_and_the_fault(night_dir: Path, tmp_path: Path) -> None:
    folder = _copy(night_dir, tmp_path)
    (folder / "truth.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "truth.json" in str(err.value)

    folder = _copy(night_dir, tmp_path / "b")
    data = orjson.loads((folder / "truth.json").read_bytes())
    del data["flights"][0]["mission"]
    (folder / "truth.json").write_bytes(orjson.dumps(data))
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "mission" in str(err.value)


def test_broken_paths_and_detection_rows_name_the_line(night_dir: Path, tmp_path: Path) -> None:
    folder = _copy(night_dir, tmp_path)
    lines = (folder / "truth_paths.jsonl").read_text(encoding="utf-8").splitlines()
    lines[2] = '{"flight": "F0003", "path": [[1, 2, 3]]}'
    (folder / "truth_paths.jsonl").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "Line 3" in str(err.value) and "truth_paths.jsonl" in str(err.value)

    folder = _copy(night_dir, tmp_path / "c")
    csv = folder / "truth_detections.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    good = rows[4]
    cells = good.split(",")
    cells[3] = "F9999"
    rows[4] = ",".join(cells)
    csv.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "Row 5" in str(err.value) and "F9999" in str(err.value)

    rows[4] = good.rsplit(",", 1)[0] + ",soon"
    csv.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "Row 5" in str(err.value) and "soon" in str(err.value)

    csv.write_text("id,flight\n" + "\n".join(rows[1:]), encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "header" in str(err.value)


def test_missing_files_and_short_rows_are_named(night_dir: Path, tmp_path: Path) -> None:
    folder = _copy(night_dir, tmp_path)
    (folder / "truth_paths.jsonl").unlink()
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "truth_paths.jsonl" in str(err.value)

    folder = _copy(night_dir, tmp_path / "d")
    csv = folder / "truth_detections.csv"
    rows = csv.read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].rsplit(",", 2)[0]
    csv.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(SimulatorError) as err:
        read_truth(folder)
    assert "Row 3" in str(err.value) and "columns" in str(err.value)
