"""A night's records in the files' own words: JSON Lines built column by column.

A night holds hundreds of thousands of detections and heartbeats; one dict per record would
triple the time to write them, so each field is formatted for the whole column at once
(times in one numpy call) and the lines are assembled from those strings.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from paridad.drones.simulator.geometry import FloatArray
from paridad.drones.simulator.sensors import CLASSES

if TYPE_CHECKING:
    from paridad.drones.simulator.night import Night


def iso_times(t: FloatArray) -> list[str]:
    """ISO-8601 UTC with microseconds for many POSIX times at once."""
    micro = np.round(t * 1e6).astype("int64").astype("datetime64[us]")
    return [s + "Z" for s in np.datetime_as_string(micro, unit="us").tolist()]


def fixed(values: FloatArray, digits: int) -> list[str]:
    """Numbers with ``digits`` decimals as JSON text ('' for NaN: the field is left out)."""
    fmt = f"%.{digits}f"
    return [fmt % v if v == v else "" for v in values.tolist()]


def side_lines(night: Night, side: str, *, heartbeats: bool = True) -> list[str]:
    """The side's ``detections.jsonl`` lines, in the order of the times written (a heartbeat
    after the detections of the same instant). Built column by column: a night holds hundreds
    of thousands of records, and one dict per record would triple the writing time."""
    stream = night.sides[side]
    rows = stream.detections
    names = [s.id for s in night.sensors]
    sensor = [names[i] for i in rows.sensor.tolist()]
    times = iso_times(stream.clock_t)
    lat, lon = fixed(rows.lat, 7), fixed(rows.lon, 7)
    where = [f',"latitude":{a},"longitude":{b}' if a else "" for a, b in zip(lat, lon, strict=True)]
    bearing = [f',"bearing":{v}' if v else "" for v in fixed(rows.bearing, 2)]
    alt = [f',"altitude":{v}' if v else "" for v in fixed(rows.alt, 1)]
    conf = fixed(rows.confidence, 3)
    cls = [CLASSES[i] for i in rows.cls.tolist()]
    serials = [f.drone.serial for f in night.flights]
    serial = [
        f',"serial":"{serials[f]}"' if b >= 0 else ""
        for f, b in zip(rows.flight.tolist(), rows.broadcast.tolist(), strict=True)
    ]
    lines = [
        f'{{"id":"{i}","sensor":"{s}","time":"{t}"{w}{b}{a},"confidence":{c},'
        f'"classification":"{k}"{r}}}'
        for i, s, t, w, b, a, c, k, r in zip(
            stream.ids, sensor, times, where, bearing, alt, conf, cls, serial, strict=True
        )
    ]
    if not heartbeats:
        return lines
    beats = [
        f'{{"sensor":"{names[s]}","time":"{t}","kind":"heartbeat"}}'
        for s, t in zip(
            stream.heartbeat_sensor.tolist(), iso_times(stream.heartbeat_clock_t), strict=True
        )
    ]
    order = np.argsort(np.concatenate([stream.clock_t, stream.heartbeat_clock_t]), kind="stable")
    both = lines + beats
    return [both[i] for i in order.tolist()]


def side_records(night: Night, side: str, *, heartbeats: bool = True) -> Iterator[dict[str, Any]]:
    """The side's records as dicts, in file order."""
    for line in side_lines(night, side, heartbeats=heartbeats):
        yield orjson.loads(line)
