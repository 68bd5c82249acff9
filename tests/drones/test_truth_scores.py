"""The drone benchmark's scoring against planted truth: an oracle that reports exactly the
true tracks and crossings scores 1.0, and each kind of mistake costs what it should."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import pytest

from paridad.drones.border import Border, CrossingWatch
from paridad.drones.fusion import FusionResult
from paridad.drones.simulator import NightConfig, Truth, read_truth, simulate_night, write_night
from paridad.drones.tracking import Track
from paridad.drones.truth_scores import crossing_scores, majority_flights


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> Truth:
    path = tmp_path_factory.mktemp("scoring") / "night"
    config = NightConfig(
        seed=5,
        flights=8,
        hours=1.0,
        sectors=("Tucson",),
        penetration_median_m=1500.0,
        crossing_share=0.6,
    )
    write_night(simulate_night(config), path)
    return read_truth(path)


def oracle(truth: Truth) -> FusionResult:
    """One track per flight on its true path, with every detection of that flight, and the
    crossings the crossing watch sees on the true paths."""
    by_flight: dict[str, list[str]] = defaultdict(list)
    for detection_id, origin in truth.detections.items():
        if origin.flight:
            by_flight[origin.flight].append(detection_id)
    result = FusionResult()
    watch = CrossingWatch(Border.load())
    for flight in truth.flights.values():
        points: list[tuple[float, float, float, float | None]] = [
            (float(t), float(la), float(lo), float(al)) for t, la, lo, al in flight.path
        ]
        result.tracks.append(
            Track(
                id=flight.id,
                confirmed=True,
                points=points,
                detection_ids=list(by_flight[flight.id]),
            )
        )
        path = flight.path
        result.crossings.extend(
            watch.update_many([flight.id] * len(path), path[:, 0], path[:, 1], path[:, 2])
        )
    return result


def test_the_oracle_scores_one(truth: Truth) -> None:
    result = oracle(truth)
    owners, purity = majority_flights(result, truth)
    assert purity == 1.0
    assert all(owners[t.id] == t.id for t in result.tracks)
    scores = crossing_scores(result, truth, owners)
    assert scores["crossings_true"] >= 2
    assert scores["crossing_precision"] == 1.0 and scores["crossing_recall"] == 1.0
    assert scores["crossings_false"] == 0


def test_a_missed_crossing_costs_recall_and_a_wrong_one_precision(truth: Truth) -> None:
    result = oracle(truth)
    owners, _ = majority_flights(result, truth)
    n = crossing_scores(result, truth, owners)["crossings_true"]
    dropped = result.crossings.pop(0)
    scores = crossing_scores(result, truth, owners)
    assert scores["crossing_recall"] == pytest.approx((n - 1) / n, abs=1e-4)
    assert scores["crossing_precision"] == 1.0
    wrong = dataclasses.replace(
        dropped, direction="us-to-mx" if dropped.direction == "mx-to-us" else "mx-to-us"
    )
    late = dataclasses.replace(dropped, time=dropped.time + 3600)
    result.crossings += [wrong, late]
    scores = crossing_scores(result, truth, owners)
    assert scores["crossings_false"] == 2
    assert scores["crossing_precision"] == pytest.approx((n - 1) / (n + 1), abs=1e-4)


def test_a_track_mixing_two_flights_lowers_purity(truth: Truth) -> None:
    result = oracle(truth)
    first, second = result.tracks[0], result.tracks[1]
    first.detection_ids += second.detection_ids[: len(first.detection_ids) // 2]
    result.tracks.remove(second)
    _, purity = majority_flights(result, truth)
    assert 0.5 < purity < 1.0
