"""``replay``: a small simulated night streamed into two paired nodes whose servers are down —
each node tracks its own sensors, stores its alerts, and what the partner should get waits in
the outbox (nothing lost)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.drones.alerts.listing import list_alerts
from paridad.drones.replay import ReplayError, replay
from paridad.drones.simulator import NightConfig, read_truth, simulate_night, write_night
from paridad.exchange.context import Exchange
from paridad.exchange.pairing import pair
from paridad.node import Node


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("night") / "night"
    write_night(
        simulate_night(NightConfig(seed=3, flights=6, hours=1.0, sectors=("Tucson",))), path
    )
    return path


def test_replay_tracks_alerts_and_queues_the_handoff(night: Path, tmp_path: Path) -> None:
    mx = Node.init(tmp_path / "mx", "MX", "SEDENA", name="mx-sedena")
    us = Node.init(tmp_path / "us", "US", "CBP", name="us-cbp")
    pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2", template="border-security")
    summary = replay(night, {"mx": mx.path, "us": us.path})
    assert summary.bus == "memory"
    for side, node in (("mx", mx), ("us", us)):
        s = summary.sides[side]
        lines = (night / side / "detections.jsonl").read_text().splitlines()
        heartbeats = sum(1 for line in lines if '"heartbeat"' in line)
        assert s.stats.detections + s.stats.heartbeats == len(lines)
        assert s.stats.detections == len(lines) - heartbeats
        assert s.tracks >= 1
        with Exchange(node) as ex:
            own = list_alerts(ex)
            assert len(own) == s.handed_off == sum(s.stats.alerts.values())
            pending = ex.db.query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
            assert (pending[0][0] > 0) == (s.handed_off > 0)
    assert sum(s.handed_off for s in summary.sides.values()) > 0
    # The planted outage: its sensor went silent (stale or offline: the watch samples health
    # once a batch, and a replay at full speed packs minutes into one), then came back.
    outage = read_truth(night).outage
    assert outage is not None
    silent = summary.sides["mx" if outage.sensor.startswith("MX") else "us"]
    seen = [(old, new) for sensor, old, new, _ in silent.stats.health if sensor == outage.sensor]
    assert any(old == "online" and new in ("stale", "offline") for old, new in seen)
    assert seen[-1][1] == "online" or outage.end >= read_truth(night).end


def test_a_folder_that_is_not_a_night_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match=r"no sensors\.yaml"):
        replay(tmp_path, {"mx": tmp_path})
    (tmp_path / "sensors.yaml").write_text("[]", encoding="utf-8")
    with pytest.raises(ReplayError, match="no detections for MX"):
        replay(tmp_path, {"mx": tmp_path})
