"""A hand-made flight across the straight Arizona stretch of the line, seen by one Mexican and
one US radar, as the JSON lines sensors publish."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import orjson
import yaml

LON = -110.5
LINE_LAT = 31.33250  # within a few metres of the reference line at LON
M_PER_DEG = 110_870.0
T0 = datetime(2026, 3, 14, 7, 0, tzinfo=UTC).timestamp()

SENSORS = [
    {
        "id": "MX-R1",
        "type": "radar",
        "country": "MX",
        "latitude": 31.31,
        "longitude": -110.49,
        "range_m": 8000,
        "position_error_m": 15,
    },
    {
        "id": "US-R1",
        "type": "radar",
        "country": "US",
        "latitude": 31.35,
        "longitude": -110.51,
        "range_m": 8000,
        "position_error_m": 15,
    },
]


def write_sensors(path: Path) -> Path:
    path.write_text(yaml.safe_dump(SENSORS), encoding="utf-8")
    return path


def crossing_lines(seed: int = 3, start_m: float = -2500, end_m: float = 2500) -> list[bytes]:
    """A flight north at 12 m/s, one plot a second from each radar, in time order."""
    rng = random.Random(seed)
    out: list[bytes] = []
    steps = int((end_m - start_m) / 12)
    for i in range(steps):
        t = T0 + i
        north = start_m + 12 * i
        for sensor in ("MX-R1", "US-R1"):
            lat = LINE_LAT + (north + rng.gauss(0, 10)) / M_PER_DEG
            lon = LON + rng.gauss(0, 10) / 95_000
            record = {
                "id": f"{sensor}-{i}",
                "sensor": sensor,
                "time": datetime.fromtimestamp(t, UTC).isoformat(),
                "latitude": round(lat, 7),
                "longitude": round(lon, 7),
                "altitude": 80.0,
                "classification": "drone",
            }
            out.append(orjson.dumps(record))
    return out
