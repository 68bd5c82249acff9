"""The protocols fit the tracker's Track and the border's CrossingEvent (mypy checks the
assignments below; the test runs them through an analysis), and malformed fixes are dropped
and counted."""

from __future__ import annotations

import json
import math

from paridad.drones.analytics import hotspots, incident_report, to_geojson
from paridad.drones.analytics.protocols import (
    CrossingLike,
    Fix,
    PathLike,
    Skipped,
    clean_points,
    names,
    valid_crossings,
)
from paridad.drones.border.crossings import CrossingEvent
from paridad.drones.border.ports import Port
from paridad.drones.tracking import Track
from tests.drones.analytics.fakes import FakeCrossing


def test_real_tracks_and_crossings_fit_the_protocols() -> None:
    points: list[tuple[float, float, float, float | None]] = [
        (1_700_000_000.0 + i, 32.53 + i * 1e-4, -117.02, 50.0) for i in range(20)
    ]
    tracks: list[PathLike] = [
        Track(id=f"t{i}", serial="SN", points=list(points), sensors=("rf-1",), countries=("MX",))
        for i in range(2)
    ]
    port = Port("2504", "San Ysidro", "El Chaparral", 32.54, -117.03, "US-CA", "MX-BCN")
    event = CrossingEvent(
        "t0", 1_700_000_010.0, 32.534, -117.02, "mx-to-us", port, 700.0, 50.0, "San Diego"
    )
    crossings: list[CrossingLike] = [event]
    found = hotspots(tracks, crossings=crossings)
    assert found and found[0].tracks == 2 and sum(h.crossings for h in found) == 1
    doc = to_geojson(tracks, crossings)
    json.dumps(doc, allow_nan=False)
    crossing = next(f for f in doc["features"] if f["properties"]["kind"] == "crossing")
    assert crossing["properties"]["port"]["code"] == "2504"
    assert "`t0`" in incident_report(tracks, crossings, lang="en")


def test_clean_points_drops_and_counts_what_cannot_be_a_fix() -> None:
    raw: list[object] = [
        (3.0, 32.0, -117.0, 10.0),
        (1.0, 32.0, -117.0, None),
        (2.0, 32.0, -117.0),  # no altitude element: accepted
        (4.0, 32.0, -117.0, math.nan),  # NaN altitude: kept without one
        (5.0, math.nan, -117.0, 1.0),
        (6.0, 32.0, math.inf, 1.0),
        (math.nan, 32.0, -117.0, 1.0),
        (7.0, 91.0, -117.0, 1.0),
        (8.0, 32.0, -181.0, 1.0),
        ("9", "32", "-117", "1"),  # numbers as text: accepted
        (10.0, None, -117.0, 1.0),
        (11.0, 32.0),
        "garbage",
        None,
        (True, 32.0, -117.0, 1.0),
    ]
    fixes, dropped = clean_points(raw)
    assert [f.time for f in fixes] == [1.0, 2.0, 3.0, 4.0, 9.0]
    assert fixes[3] == Fix(4.0, 32.0, -117.0, None)
    assert dropped == len(raw) - 5
    assert clean_points(None) == ([], 0)
    assert clean_points(42) == ([], 1)


def test_valid_crossings_keeps_finite_ones_in_time_order() -> None:
    skipped = Skipped()
    kept = valid_crossings(
        [
            FakeCrossing("b", 20.0, 32.0, -117.0),
            FakeCrossing("a", 10.0, 32.0, -117.0),
            FakeCrossing("x", math.nan, 32.0, -117.0),
            FakeCrossing("y", 5.0, 32.0, math.inf),
        ],
        skipped,
    )
    assert [c.track_id for c in kept] == ["a", "b"]
    assert skipped.crossings == 2 and skipped.total == 2


def test_names_accepts_any_collection() -> None:
    assert names(("b", "a")) == ("b", "a")
    assert names({"b", "a"}) == ("a", "b")
    assert names("MX") == ("MX",)
    assert names(None) == ()
