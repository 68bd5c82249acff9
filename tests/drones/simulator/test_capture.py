from __future__ import annotations

from pathlib import Path

import orjson

from paridad.drones.remote_id.decode_file import Decoded, Rejected, decode_file
from paridad.drones.simulator.capture import drone_mac, rssi_dbm


def test_the_capture_holds_each_heard_pack_once_and_decodes(night_dir: Path) -> None:
    for side in ("mx", "us"):
        frames = [
            orjson.loads(line)
            for line in (night_dir / side / "remote_id.jsonl").read_bytes().splitlines()
        ]
        packs = {f["hex"] for f in frames}
        items = list(decode_file(night_dir / side / "remote_id.pcapng"))
        rejected = [i for i in items if isinstance(i, Rejected)]
        assert not rejected, rejected[:3]
        decoded = [i.to_dict() for i in items if isinstance(i, Decoded)]
        # Four messages a pack, one beacon per distinct pack the side heard.
        assert packs and len(decoded) == 4 * len(packs)
        assert all(d["uas_id"] for d in decoded if d["type"] == "basic_id")
        assert {d["transport"] for d in decoded} == {"wifi-beacon"}
        assert all(d["rssi"] is not None and d["received_at"] for d in decoded)


def test_drone_macs_are_stable_and_locally_administered() -> None:
    mac = drone_mac("D0001")
    assert mac == drone_mac("D0001") != drone_mac("D0002")
    first = int(mac.split(":")[0], 16)
    assert first & 0x02 and not first & 0x01


def test_signal_strength_falls_with_distance() -> None:
    assert rssi_dbm(5) == -40
    assert rssi_dbm(100) < rssi_dbm(50) < rssi_dbm(20)
    assert rssi_dbm(1e9) == -95
