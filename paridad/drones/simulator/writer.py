"""A night folder: the files the replay, the tracker and the benchmark read.

::

    sensors.yaml                 both countries' sensors (the tracker's registry)
    mx/detections.jsonl          Mexico's detections and heartbeats, by its clocks' time
    us/detections.jsonl          the same for the US (clocks ``us_clock_offset_s`` ahead)
    mx/remote_id.jsonl           Remote ID frames Mexico's receivers heard (message pack hex)
    us/remote_id.jsonl
    mx/remote_id.pcapng          the same packs as Wi-Fi beacons (radiotap), each once
    us/remote_id.pcapng
    truth.json                   config, seed, flights, crossings, hotspots, sensors' clocks
    truth_paths.jsonl            each flight's true path, one sample per second
    truth_detections.csv         detection id -> flight (empty: false alarm), true time/place

Records are built column by column (:mod:`paridad.drones.simulator.records`), so a night of a
few hundred thousand records writes in a few seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import orjson
import yaml

from paridad.drones.simulator.capture import write_capture
from paridad.drones.simulator.night import SIDES, Night
from paridad.drones.simulator.records import fixed, iso_times, side_lines
from paridad.drones.simulator.sensors import SOURCES
from paridad.drones.simulator.truth import (
    DETECTION_COLUMNS,
    DETECTIONS_FILE,
    PATHS_FILE,
    TRUTH_FILE,
    iso,
)

README = (
    "A simulated night of drone flights along the US-Mexico border (paridad.drones.simulator)."
    " sensors.yaml: both countries' sensors. {mx,us}/detections.jsonl: each country's own"
    " sensors' detections and heartbeats (kind=heartbeat), sorted by the time the sensor's clock"
    " wrote; US clocks run config.us_clock_offset_s ahead (each sensor's exact offset is in"
    " sensors[].clock_offset_s). {mx,us}/remote_id.jsonl: Remote ID message packs heard (hex)."
    " truth.json: config, seed, window, sensors' clocks, the planted outage, hotspots with their"
    " reuse, flights with their true crossings (outside_band: a crossing watch following the"
    " true path would decide it). truth_paths.jsonl: per flight, [POSIX seconds, latitude,"
    " longitude, metres above take-off] every second. truth_detections.csv: detection id ->"
    " flight (empty for false alarms: birds, clutter, RF noise), source and true time (the true"
    " place of a flight's detection is its path at that time)."
)


def write_night(night: Night, directory: Path) -> None:
    """Write the night folder (created if needed; files of an earlier night are replaced)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    sensors = [s.entry() for s in night.sensors]
    (directory / "sensors.yaml").write_text(
        "# Sensors of both countries for a simulated night (paridad.drones.simulator).\n"
        + yaml.safe_dump(sensors, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    for side in SIDES:
        folder = directory / side
        folder.mkdir(exist_ok=True)
        lines = side_lines(night, side)
        (folder / "detections.jsonl").write_text(
            "\n".join(lines) + ("\n" if lines else ""), encoding="utf-8"
        )
        frames = remote_id_frames(night, side)
        with (folder / "remote_id.jsonl").open("wb") as fh:
            for frame in frames:
                fh.write(orjson.dumps(frame))
                fh.write(b"\n")
        write_capture(folder / "remote_id.pcapng", night, side)
    _write_truth(night, directory)


def remote_id_frames(night: Night, side: str) -> list[dict[str, Any]]:
    """Every Remote ID pack the side's receivers heard: receive time (the receiver's clock),
    receiver, message pack hex."""
    stream = night.sides[side]
    rows = stream.detections
    heard = np.flatnonzero(rows.broadcast >= 0)
    times = iso_times(stream.clock_t[heard])
    names = [s.id for s in night.sensors]
    return [
        {
            "time": times[k],
            "receiver": names[int(rows.sensor[i])],
            "hex": night.packs[int(rows.broadcast[i])],
        }
        for k, i in enumerate(heard)
    ]


def _write_truth(night: Night, directory: Path) -> None:
    config = night.config
    counts: dict[str, dict[str, int]] = {}
    for side in SIDES:
        rows = night.sides[side].detections
        counts[side] = {"detections": len(rows), "heartbeats": len(night.sides[side].heartbeat_t)}
        for code, name in enumerate(SOURCES):
            counts[side][name] = int((rows.source == code).sum())
    per_flight: dict[int, dict[str, int]] = {}
    for side in SIDES:
        idx, n = np.unique(night.sides[side].detections.flight, return_counts=True)
        for f, c in zip(idx.tolist(), n.tolist(), strict=True):
            if f >= 0:
                per_flight.setdefault(f, {"mx": 0, "us": 0})[side] = c
    flights = []
    for i, f in enumerate(night.flights):
        flights.append(
            {
                "id": f.id,
                "sector": f.sector,
                "mission": f.mission,
                "drone": f.drone.key,
                "manufacturer": f.drone.manufacturer,
                "model": f.drone.model,
                "ua_type": f.drone.ua_type,
                "serial": f.drone.serial,
                "remote_id": f.drone.remote_id,
                "operator_id": f.drone.operator_id,
                "hotspot": f.hotspot,
                "operator": _point(f.operator),
                "launch": _point(f.launch),
                "landing": _point(f.landing),
                "start": iso(f.start),
                "end": iso(f.end),
                "one_way": f.one_way,
                "planned_crossing": f.planned_crossing,
                "speed_mps": round(f.speed_mps, 2),
                "height_m": round(f.height_m, 1),
                "crossings": [c.to_dict() for c in night.crossings[f.id]],
                "detections": per_flight.get(i, {"mx": 0, "us": 0}),
            }
        )
    hotspots = [
        {
            "id": h.id,
            "sector": h.sector,
            "latitude": round(h.lat, 7),
            "longitude": round(h.lon, 7),
            "distance_m": round(h.distance_m, 1),
            "drones": [d.key for d in h.drones],
            "flights": len(h.flights),
            "flight_ids": h.flights,
        }
        for h in night.hotspots
    ]
    sectors = [
        {
            "name": s.site.name,
            "code": s.site.code,
            "places": s.site.places,
            "latitude": s.site.lat,
            "longitude": s.site.lon,
            "stretch_km": config.stretch_km,
        }
        for s in night.stretches.values()
    ]
    truth = {
        "README": README,
        "format": 1,
        "seed": config.seed,
        "config": config.to_dict(),
        "window": {"start": iso(config.window_start), "end": iso(config.window_end)},
        "sectors": sectors,
        "sensors": [s.truth() for s in night.sensors],
        "outage": night.outage.to_dict() if night.outage else None,
        "hotspots": hotspots,
        "flights": flights,
        "counts": counts,
    }
    (directory / TRUTH_FILE).write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2))
    with (directory / PATHS_FILE).open("wb") as fh:
        for f in night.flights:
            path = np.column_stack(
                [np.round(f.t, 3), np.round(f.lat, 7), np.round(f.lon, 7), np.round(f.alt, 1)]
            )
            fh.write(orjson.dumps({"flight": f.id, "path": path.tolist()}))
            fh.write(b"\n")
    names = [s.id for s in night.sensors]
    flight_ids = [f.id for f in night.flights]
    out = [",".join(DETECTION_COLUMNS)]
    for side in SIDES:
        stream = night.sides[side]
        rows = stream.detections
        out += [
            f"{i},{side},{names[s]},{flight_ids[f] if f >= 0 else ''},{SOURCES[k]},{t}"
            for i, s, f, k, t in zip(
                stream.ids,
                rows.sensor.tolist(),
                rows.flight.tolist(),
                rows.source.tolist(),
                fixed(rows.true_t, 6),
                strict=True,
            )
        ]
    (directory / DETECTIONS_FILE).write_text("\n".join(out) + "\n", encoding="utf-8")


def _point(p: tuple[float, float]) -> dict[str, float]:
    return {"latitude": round(p[0], 7), "longitude": round(p[1], 7)}
