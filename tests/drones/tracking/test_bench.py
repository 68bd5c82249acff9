"""The benchmark runs end to end on a small scene and scores what it should."""

from __future__ import annotations

import orjson
import pytest

from paridad.drones.tracking import Track
from paridad.drones.tracking.bench import main, measure, score


def test_measure_reports_throughput_and_quality() -> None:
    result = measure(3000, 10, 3)
    assert result["n"] == 3000 and result["flights"] == 10
    assert isinstance(result["per_second"], float) and result["per_second"] > 0
    # Quality on a light scene: nearly every detection on the right track, one track each.
    assert isinstance(result["purity"], float) and result["purity"] >= 0.97
    assert result["fragmentation"] == pytest.approx(1.0, abs=0.2)
    assert result["coverage"] == 1.0
    offsets = result["clock_offsets"]
    assert isinstance(offsets, dict) and offsets["mx-radar-1"] == 0.0
    assert offsets["us-radar-1"] == pytest.approx(2.0, abs=0.5)  # the planted offset


def test_score_counts_purity_fragmentation_and_coverage() -> None:
    truth = {"1": "a", "2": "a", "3": "a", "4": "b", "5": None, "6": "c"}
    tracks = [
        Track("t1", detection_ids=["1", "2", "4"]),  # a, with one of b's
        Track("t2", detection_ids=["3"]),  # a again: a is in two tracks
        Track("t3", detection_ids=["5", None]),  # clutter only
    ]
    result = score(tracks, truth)
    assert result["purity"] == pytest.approx((2 + 1 + 2) / 6)
    assert result["fragmentation"] == 2.0  # only flight a has tracks, two of them
    assert result["coverage"] == pytest.approx(1 / 3)


def test_the_command_line_prints_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--detections", "500", "--flights", "4", "--seed", "2"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and orjson.loads(out[0])["bench"] == "drone-tracker"
