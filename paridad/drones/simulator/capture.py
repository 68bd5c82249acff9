"""The Remote ID packs a side heard, as a Wi-Fi capture (pcapng, radiotap + 802.11 beacon).

Real receivers log what they hear as packet captures; writing the simulator's frames the same
way lets ``paridad drones decode`` and the capture reader run on a simulated night. Each pack
the side heard is written once, at the first receiver's clock time, inside the ASD-STAN vendor
element of a beacon from the drone's own (simulated, locally administered) MAC address, with
the signal strength the nearest receiver would have measured.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from paridad.drones.remote_id.captures import write_capture as write_frames
from paridad.drones.remote_id.transports import build_beacon_frame, build_radiotap

if TYPE_CHECKING:
    from paridad.drones.simulator.night import Night

LINKTYPE_RADIOTAP = 127


def drone_mac(key: str) -> str:
    """A stable, locally administered unicast MAC for a simulated drone."""
    digest = bytearray(hashlib.sha256(key.encode("utf-8")).digest()[:6])
    digest[0] = (digest[0] | 0x02) & 0xFE
    return ":".join(f"{b:02x}" for b in digest)


def rssi_dbm(range_m: float) -> int:
    """Free-space-like fall-off from -40 dBm at 10 m, floored at -95 dBm."""
    return int(max(-95.0, -40.0 - 20.0 * math.log10(max(range_m, 10.0) / 10.0)))


def write_capture(path: Path, night: Night, side: str) -> int:
    """Write the side's heard packs; returns the number of frames."""
    stream = night.sides[side]
    rows = stream.detections
    heard = np.flatnonzero(rows.broadcast >= 0)
    first: dict[int, int] = {}
    for i in heard.tolist():  # rows are in time order: the first hearing wins
        first.setdefault(int(rows.broadcast[i]), i)
    counters: dict[str, int] = {}
    frames: list[tuple[int, int, bytes]] = []
    for g, i in sorted(first.items(), key=lambda kv: kv[1]):
        flight = night.flights[int(rows.flight[i])]
        sensor = night.sensors[int(rows.sensor[i])]
        mac = drone_mac(flight.drone.key)
        counter = counters.get(mac, 0)
        counters[mac] = (counter + 1) % 256
        x, y, alt = flight.at(np.asarray([rows.true_t[i]]))
        distance = float(np.sqrt((x[0] - sensor.x) ** 2 + (y[0] - sensor.y) ** 2 + alt[0] ** 2))
        beacon = build_beacon_frame(bytes.fromhex(night.packs[g]), mac=mac, counter=counter)
        frame = build_radiotap(beacon, rssi=rssi_dbm(distance))
        frames.append((round(float(stream.clock_t[i]) * 1e9), LINKTYPE_RADIOTAP, frame))
    return write_frames(path, frames)
