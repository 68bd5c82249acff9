"""``paridad drones simulate|tracks|replay|alerts`` as an operator runs them, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paridad.exchange.pairing import pair
from paridad.node import Node
from tests.cli.run import run


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from paridad.drones.simulator import NightConfig, simulate_night, write_night

    path = tmp_path_factory.mktemp("cli-night") / "night"
    config = NightConfig(
        seed=5,
        flights=6,
        hours=1.0,
        sectors=("Tucson",),
        penetration_median_m=1500.0,
        crossing_share=0.6,
    )
    write_night(simulate_night(config), path)
    return path


def test_simulate_writes_a_night(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(
        capsys, "drones", "simulate", str(tmp_path / "n"), "--flights", "3", "--hours", "1"
    )
    assert code == 0 and "Night written" in out
    assert (tmp_path / "n" / "sensors.yaml").is_file()
    assert (tmp_path / "n" / "mx" / "detections.jsonl").stat().st_size > 0


def test_tracks_fuses_both_countries_and_exports(
    capsys: pytest.CaptureFixture[str], night: Path, tmp_path: Path
) -> None:
    geojson, kml, report = tmp_path / "t.geojson", tmp_path / "t.kml", tmp_path / "r.md"
    args = [
        "drones",
        "tracks",
        str(night / "mx" / "detections.jsonl"),
        str(night / "us" / "detections.jsonl"),
        "--sensors",
        str(night / "sensors.yaml"),
        "--geojson",
        str(geojson),
        "--kml",
        str(kml),
        "--report",
        str(report),
    ]
    code, out, _ = run(capsys, *args, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["tracks"] >= 1 and data["crossings"] == len(data["crossing_events"]) >= 2
    directions = {c["direction"] for c in data["crossing_events"]}
    assert directions <= {"mx-to-us", "us-to-mx"}
    layers = {f["properties"]["kind"] for f in json.loads(geojson.read_text())["features"]}
    assert {"track", "crossing"} <= layers
    assert kml.read_text().startswith("<?xml")
    code, out, _ = run(capsys, "--lang", "es", *args)
    assert code == 0
    assert "Hacia el norte" in out or "Hacia el sur" in out
    assert "detecciones" in out and "trazas" in out


def test_tracks_reports_bad_records_and_goes_on(
    capsys: pytest.CaptureFixture[str], night: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.jsonl"
    good = (night / "mx" / "detections.jsonl").read_text().splitlines()
    bad.write_text("\n".join([*good[:50], "{oops", '{"sensor": "x"}', *good[50:]]) + "\n")
    code, out, err = run(
        capsys, "drones", "tracks", str(bad), "--sensors", str(night / "sensors.yaml")
    )
    assert code == 0
    assert "2 records rejected" in out
    assert "line 51" in err.lower() or "51" in err


def test_replay_then_alerts_on_both_nodes(
    capsys: pytest.CaptureFixture[str], night: Path, tmp_path: Path
) -> None:
    mx = Node.init(tmp_path / "mx", "MX", "SEDENA", name="mx-sedena")
    us = Node.init(tmp_path / "us", "US", "CBP", name="us-cbp")
    pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2", template="border-security")
    code, out, _ = run(
        capsys,
        "drones",
        "replay",
        str(night),
        "--mx",
        str(mx.path),
        "--us",
        str(us.path),
        "--json",
    )
    assert code == 0
    summary = json.loads(out)
    stored = summary["sides"]["mx"]["stored_alerts"] + summary["sides"]["us"]["stored_alerts"]
    assert stored > 0
    code, out, _ = run(capsys, "drones", "alerts", "--node", str(mx.path), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == summary["sides"]["mx"]["stored_alerts"]
    assert all(r["from"] is None for r in rows)


def test_replay_needs_a_node(capsys: pytest.CaptureFixture[str], night: Path) -> None:
    code, _, err = run(capsys, "drones", "replay", str(night))
    assert code != 0 and "--mx" in err
