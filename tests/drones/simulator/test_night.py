from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from paridad.drones.border import Border
from paridad.drones.simulator import (
    Night,
    NightConfig,
    SimulatorError,
    dense_stream,
    simulate_night,
)
from paridad.drones.simulator.records import side_lines
from tests.drones.simulator.conftest import SMALL


def test_a_seed_gives_the_same_night_and_another_seed_another(border: Border) -> None:
    tiny = replace(SMALL, flights=8, hours=1.0)
    first, again = simulate_night(tiny, border), simulate_night(tiny, border)
    for side in ("mx", "us"):
        assert side_lines(again, side) == side_lines(first, side)
    assert again.packs == first.packs
    assert [f.id for f in again.flights] == [f.id for f in first.flights]
    other = simulate_night(replace(tiny, seed=12), border)
    assert side_lines(other, "us") != side_lines(first, "us")
    assert [f.start for f in other.flights] != [f.start for f in first.flights]


def test_the_default_night_has_crossings_but_spotters_that_stay_south_dominate(
    default_night: Night,
) -> None:
    night = default_night
    assert len(night.flights) == 120
    crossing = [f for f in night.flights if night.crossings[f.id]]
    decided = [f for f in night.flights if any(c.outside_band for c in night.crossings[f.id])]
    staying = [f for f in night.flights if f.mission == "spotter" and not night.crossings[f.id]]
    assert decided, "no flight crossed beyond the ambiguity band"
    assert len(staying) > len(crossing)
    # Every payload run is planned across the line.
    assert all(f.planned_crossing for f in night.flights if f.mission == "payload")


def test_every_flight_is_seen_by_both_countries_somewhere(small_night: Night) -> None:
    """Mirrored sites: a flight near the line is in reach of both sides' sensors."""
    seen = {side: set(small_night.sides[side].detections.flight.tolist()) for side in ("mx", "us")}
    both = seen["mx"] & seen["us"]
    assert len(both) >= 0.8 * len(small_night.flights)


def test_false_alarms_birds_and_clutter(small_night: Night) -> None:
    rows = [small_night.sides[s].detections for s in ("mx", "us")]
    source = np.concatenate([r.source for r in rows])
    flight = np.concatenate([r.flight for r in rows])
    confidence = np.concatenate([r.confidence for r in rows])
    birds = source == 1
    clutter = source == 2
    assert birds.any() and clutter.any()
    assert np.all(flight[birds | clutter] == -1)
    assert np.all(flight[source == 0] >= 0)
    assert confidence[clutter].max() <= 0.3
    cls = np.concatenate([r.cls for r in rows])
    assert (cls[birds] == 1).mean() > 0.7  # most birds are called birds


def test_the_planted_outage_silences_one_sensor_for_15_minutes(small_night: Night) -> None:
    outage = small_night.outage
    assert outage is not None
    assert outage.end - outage.start == pytest.approx(900.0)
    index = next(i for i, s in enumerate(small_night.sensors) if s.id == outage.sensor)
    side = "us" if small_night.sensors[index].country == "US" else "mx"
    stream = small_night.sides[side]
    mine = stream.heartbeat_sensor == index
    beats = stream.heartbeat_t[mine]
    assert not np.any((beats >= outage.start) & (beats < outage.end))
    assert np.any(beats < outage.start) and np.any(beats >= outage.end)
    gaps = np.diff(beats)
    assert gaps.max() >= 900.0 - 10.0  # the silence the health monitor must notice
    own = stream.detections.sensor == index
    t = stream.detections.true_t[own]
    assert not np.any((t >= outage.start) & (t < outage.end))


def test_dense_stream_pushes_over_a_thousand_detections_per_second(border: Border) -> None:
    night = dense_stream(flights=60, duration_s=120.0, seed=3, border=border)
    assert len(night.flights) == 60
    start = night.config.window_start + 60.0  # every flight is up after the first minute
    t = np.concatenate([night.sides[s].detections.true_t for s in ("mx", "us")])
    busy = (t >= start) & (t < start + 120.0)
    assert busy.sum() / 120.0 >= 1_000
    assert all(f.start <= start and f.end >= start + 120.0 for f in night.flights)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"flights": -1}, ["-1"]),
        ({"hours": 0}, ["hours"]),
        ({"site_spacing_km": float("nan")}, ["site_spacing_km"]),
        ({"birds_per_hour": -2.0}, ["birds_per_hour"]),
        ({"sectors": ()}, ["sector"]),
        ({"sectors": ("San Diego", "Gotham")}, ["Gotham"]),
        ({"start": datetime(2026, 3, 14, 19, 0)}, ["time zone"]),
        ({"remote_id_share": 1.5}, ["remote_id_share"]),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    change: dict[str, object], words: list[str], border: Border
) -> None:
    config = replace(NightConfig(), **change)  # type: ignore[arg-type]
    with pytest.raises(SimulatorError) as err:
        simulate_night(config, border)
    for word in words:
        assert word in str(err.value)


def test_a_night_without_flights_still_has_sensors_heartbeats_and_false_alarms(
    border: Border,
) -> None:
    night = simulate_night(replace(SMALL, flights=0, hours=1.0), border)
    assert night.flights == []
    assert all(len(night.sides[s].heartbeat_t) > 0 for s in ("mx", "us"))
    assert all((night.sides[s].detections.flight == -1).all() for s in ("mx", "us"))


def test_config_round_trips_through_its_dict() -> None:
    config = replace(SMALL, us_clock_offset_s=3.5)
    assert NightConfig.from_dict(config.to_dict()) == config
