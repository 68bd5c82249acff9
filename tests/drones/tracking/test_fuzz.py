"""Whatever arrives, the tracker does not fall over: random batches never raise."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paridad.drones.tracking import Detection, Tracker, TrackerConfig, bench
from paridad.drones.tracking.bench import EPOCH, sim_sensor

SENSORS = [
    sim_sensor("mx-radar", "radar", "MX", -1000.0, -1000.0),
    sim_sensor("us-rf", "rf", "US", 1000.0, 1000.0, bearing_only=True),
    sim_sensor("us-rid", "remote-id", "US", 0.0, 500.0, cooperative_only=True),
]
numbers = st.floats(allow_nan=True, allow_infinity=True, width=64)
near_lat = st.one_of(st.none(), st.floats(31.31, 31.35), numbers)
near_lon = st.one_of(st.none(), st.floats(-110.96, -110.92), numbers)

detection = st.builds(
    Detection,
    sensor=st.sampled_from(["mx-radar", "us-rf", "us-rid", "nobody"]),
    time=st.one_of(st.floats(EPOCH, EPOCH + 120), numbers),
    lat=near_lat,
    lon=near_lon,
    bearing=st.one_of(st.none(), st.floats(0, 360), numbers),
    altitude=st.one_of(st.none(), numbers),
    confidence=st.floats(0, 1),
    classification=st.sampled_from([None, "drone", "bird", "unknown"]),
    serial=st.sampled_from([None, "SER-1", "SER-2"]),
    id=st.one_of(st.none(), st.text(max_size=4)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=st.lists(st.lists(detection, max_size=25), max_size=6),
    confirm=st.integers(1, 4),
)
def test_random_batches_never_raise(batches: list[list[Detection]], confirm: int) -> None:
    tracker = Tracker(bench.registry(SENSORS), TrackerConfig(confirm_hits=confirm))
    seen = 0
    for batch in batches:
        updates = tracker.process(batch)
        seen += len(batch)
        assert len(updates) <= len(batch)
        for update in updates:
            assert math.isfinite(update.lat) and math.isfinite(update.lon)
        finite = [d.time for d in batch if math.isfinite(d.time)]
        tracker.close_stale(max(finite, default=EPOCH))
    tracks = tracker.finish()
    assert all(t.confirmed and t.closed for t in tracks)
    assert len(tracker.rejected) + tracker.ignored <= seen
