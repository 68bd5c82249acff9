"""The sensors file and sensor health."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from paridad.drones.tracking import Sensor, SensorError, SensorRegistry

ENTRY = {
    "id": "us-rf-1",
    "type": "rf",
    "country": "US",
    "latitude": 31.35,
    "longitude": -110.95,
    "range_m": 4000,
}


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "sensors.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_load_fills_defaults_by_type(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            ENTRY,
            {**ENTRY, "id": "mx-rid-1", "type": "remote-id", "country": "mx", "heartbeat_s": 5},
            {**ENTRY, "id": "mx-radar-1", "type": "radar", "position_error_m": 8.5},
        ],
    )
    registry = SensorRegistry.load(path)
    assert len(registry) == 3 and "us-rf-1" in registry
    rf = registry.get("us-rf-1")
    assert rf == Sensor("us-rf-1", "rf", "US", 31.35, -110.95, 4000.0, 10.0, 30.0, 3.0)
    rid = registry.get("mx-rid-1")
    assert rid is not None and (rid.country, rid.heartbeat_s, rid.position_error_m) == (
        "MX",
        5.0,
        12.5,
    )
    radar = registry.get("mx-radar-1")
    assert radar is not None and radar.position_error_m == 8.5
    assert registry.get("nope") is None


def test_a_mapping_with_a_sensors_list_is_accepted(tmp_path: Path) -> None:
    assert len(SensorRegistry.load(_write(tmp_path, {"sensors": [ENTRY]}))) == 1


BAD = [
    ("missing id", {k: v for k, v in ENTRY.items() if k != "id"}, "id"),
    ("unknown type", {**ENTRY, "type": "sonar"}, "type"),
    ("unknown country", {**ENTRY, "country": "CA"}, "country"),
    ("missing latitude", {k: v for k, v in ENTRY.items() if k != "latitude"}, "latitude"),
    ("latitude out of range", {**ENTRY, "latitude": 100}, "latitude"),
    ("non-numeric range", {**ENTRY, "range_m": "far"}, "range_m"),
    ("negative range", {**ENTRY, "range_m": -5}, "range_m"),
    ("zero heartbeat", {**ENTRY, "heartbeat_s": 0}, "heartbeat_s"),
    ("negative bearing error", {**ENTRY, "bearing_error_deg": -1}, "bearing_error_deg"),
]


@pytest.mark.parametrize(("case", "entry", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_entry_names_the_entry_and_the_field(
    tmp_path: Path, case: str, entry: dict[str, object], field: str
) -> None:
    path = _write(tmp_path, [{**ENTRY, "id": "first"}, entry])
    with pytest.raises(SensorError) as info:
        SensorRegistry.load(path)
    message = info.value.localized("en")
    assert f"{path} #2" in message, case
    assert field in message
    assert info.value.params["field"] == field


def test_duplicate_ids_and_files_that_are_not_lists(tmp_path: Path) -> None:
    with pytest.raises(SensorError, match="appears twice"):
        SensorRegistry.load(_write(tmp_path, [ENTRY, ENTRY]))
    with pytest.raises(SensorError, match="list of sensors"):
        SensorRegistry.load(_write(tmp_path, {"radar": 1}))
    with pytest.raises(SensorError, match="mapping"):
        SensorRegistry.load(_write(tmp_path, ["just a string"]))
    broken = tmp_path / "broken.yaml"
    broken.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SensorError, match="Cannot read"):
        SensorRegistry.load(broken)
    with pytest.raises(SensorError, match="No such file"):
        SensorRegistry.load(tmp_path / "missing.yaml")


def test_health_goes_online_stale_offline_and_back_with_heartbeats() -> None:
    registry = SensorRegistry(
        [
            Sensor("a", "radar", "MX", 31.3, -110.9, 5000.0, heartbeat_s=10.0),
            Sensor("b", "rf", "US", 31.4, -110.9, 5000.0, heartbeat_s=10.0),
        ]
    )
    assert registry.health(0.0) == {"a": "offline", "b": "offline"}  # never heard
    assert registry.changes(0.0) == []
    registry.heard("a", 100.0)
    registry.heard("b", 100.0)
    registry.heard("ghost", 100.0)  # unknown sensors are not tracked here
    assert registry.changes(105.0) == [("a", "offline", "online"), ("b", "offline", "online")]
    assert registry.changes(106.0) == []  # told once
    registry.heard("b", 110.0)  # b keeps its heartbeat, a falls silent
    registry.heard("a", 90.0)  # an older time does not make it younger
    assert registry.last_heard("a") == 100.0
    assert registry.health(115.0) == {"a": "stale", "b": "online"}
    assert registry.changes(115.0) == [("a", "online", "stale")]
    assert registry.health(130.0)["a"] == "stale"  # 3 x heartbeat is still stale
    assert registry.changes(131.0) == [("a", "stale", "offline"), ("b", "online", "stale")]
    registry.heard("a", 200.0)
    assert registry.changes(201.0) == [("a", "offline", "online"), ("b", "stale", "offline")]


def test_health_thresholds_can_follow_the_deployment() -> None:
    registry = SensorRegistry(
        [Sensor("a", "radar", "MX", 31.3, -110.9, 5000.0)], online_factor=3, stale_factor=12
    )
    registry.heard("a", 0.0)
    assert [registry.state("a", t) for t in (29.0, 31.0, 119.0, 121.0)] == [
        "online",
        "stale",
        "stale",
        "offline",
    ]
