from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml
from pyproj import Geod

from paridad.drones.border import Border
from paridad.drones.simulator import Night
from paridad.drones.simulator.sensors import TYPE_SPECS, p_detect, scan_times
from paridad.drones.tracking import SensorRegistry


def test_sensors_yaml_is_the_trackers_registry(night_dir: Path, small_night: Night) -> None:
    entries = yaml.safe_load((night_dir / "sensors.yaml").read_text(encoding="utf-8"))
    assert len(entries) == len(small_night.sensors)
    registry = SensorRegistry.load(night_dir / "sensors.yaml")
    for entry in entries:
        sensor = registry.get(entry["id"])
        assert sensor is not None
        assert entry["type"] in TYPE_SPECS
        assert entry["country"] in ("MX", "US")
        assert ("bearing_error_deg" in entry) == (entry["type"] == "rf")
    kinds = {(e["country"], e["type"]) for e in entries}
    assert kinds == {(c, t) for c in ("MX", "US") for t in TYPE_SPECS}


def test_each_country_watches_from_its_own_side_in_mirrored_pairs(
    small_night: Night, border: Border
) -> None:
    sensors = small_night.sensors
    lat = np.array([s.lat for s in sensors])
    lon = np.array([s.lon for s in sensors])
    d = border.signed_distance_m(lat, lon)
    us = np.array([s.country == "US" for s in sensors])
    assert np.all(d[us] > 0) and np.all(d[~us] < 0)
    geod = Geod(ellps="WGS84")
    masts_us = [s for s in sensors if s.country == "US" and s.type == "rf"]
    masts_mx = [s for s in sensors if s.country == "MX" and s.type == "rf"]
    for a in masts_us:  # every US site has a Mexican partner site a few km away
        gaps = [geod.inv(a.lon, a.lat, b.lon, b.lat)[2] for b in masts_mx]
        assert min(gaps) <= 5_500.0


def test_detection_probability_falls_with_range(small_night: Night) -> None:
    radar = next(s for s in small_night.sensors if s.type == "radar")
    r = np.linspace(0, 1.5 * radar.range_m, 50)
    p = p_detect(radar, r)
    assert np.all(np.diff(p) <= 1e-12)
    assert p[0] > 0.9 * radar.pd_max
    assert float(p_detect(radar, np.array([0.7 * radar.range_m]))[0]) == (radar.pd_max / 2)
    assert p[-1] == 0.0


def test_scan_times_keep_the_sensors_cadence(small_night: Night) -> None:
    rf = next(s for s in small_night.sensors if s.type == "rf")
    t = scan_times(rf, 1_000.3, 1_100.0)
    assert t[0] >= 1_000.3 and t[-1] <= 1_100.0
    assert np.allclose(np.diff(t), rf.interval_s)
    assert np.allclose((t - rf.phase_s) / rf.interval_s, np.round((t - rf.phase_s) / rf.interval_s))


def test_missed_detections_thin_the_far_part_of_a_path(small_night: Night) -> None:
    """Of a radar's scans of flights, the near ones are mostly reported and the far ones
    mostly missed."""
    near_hit = near_all = far_hit = far_all = 0
    outage = small_night.outage
    for si, sensor in enumerate(small_night.sensors):
        if sensor.type != "radar":
            continue
        side = small_night.sides["us" if sensor.country == "US" else "mx"]
        rows = side.detections
        for fi, flight in enumerate(small_night.flights):
            if flight.sector != sensor.sector:
                continue
            ts = scan_times(sensor, flight.start, flight.end)
            x, y, alt = flight.at(ts)
            r = np.sqrt((x - sensor.x) ** 2 + (y - sensor.y) ** 2 + alt**2)
            got = np.round(rows.true_t[(rows.sensor == si) & (rows.flight == fi)], 6)
            hit = np.isin(np.round(ts, 6), got)
            air = alt >= 3
            if outage is not None and outage.sensor == sensor.id:  # silent for a while
                air &= (ts < outage.start) | (ts >= outage.end)
            near = air & (r < 0.4 * sensor.range_m)
            far = air & (r > 0.95 * sensor.range_m) & (r < 1.3 * sensor.range_m)
            near_hit += int(hit[near].sum())
            near_all += int(near.sum())
            far_hit += int(hit[far].sum())
            far_all += int(far.sum())
    assert near_all and far_all
    assert near_hit / near_all > 0.8
    assert far_hit / far_all < 0.2
