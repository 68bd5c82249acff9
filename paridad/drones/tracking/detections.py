"""Sensor detections as they arrive from either country: JSON Lines or CSV, one record each.

A record is a *detection* (a position, or only a bearing from an RF direction finder) or a
*heartbeat* (a sensor saying it is alive). Reading never stops at a bad record: the record
becomes a :class:`DetectionError` that names where it was (``path:line``) and which field was
wrong, and the good records around it still come through — the caller quarantines the errors
(nothing is dropped silently). Whether the sensor is known is *not* checked here: a detection
is well formed or not on its own; the tracker rejects detections from sensors it does not know.

Positions are WGS84 degrees, times ISO-8601 with an explicit UTC offset (a time without one is
ambiguous across the border's four time zones, so it is an error), turned into POSIX seconds.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_REQUIRED = N_("{where}: the field '{field}' is required.")
MSG_NUMBER = N_("{where}: the field '{field}' is not a number: {value}")
MSG_RANGE = N_("{where}: the field '{field}' must be between {low} and {high}: {value}")
MSG_POSITIVE = N_("{where}: the field '{field}' must be greater than zero: {value}")
MSG_TEXT = N_("{where}: the field '{field}' must be text: {value}")
MSG_CHOICE = N_("{where}: the field '{field}' must be one of {choices}: {value}")
MSG_TIME = N_("{where}: the field '{field}' is not an ISO-8601 time: {value}")
MSG_TIME_OFFSET = N_(
    "{where}: the time in '{field}' has no UTC offset (write Z or +00:00): {value}"
)
MSG_PAIR = N_("{where}: latitude and longitude go together; '{field}' is missing.")
MSG_POSITION = N_("{where}: a detection needs a position (latitude and longitude) or a bearing.")
MSG_JSON = N_("{where}: not a JSON object: {reason}")
MSG_CSV = N_("{where}: not valid CSV: {reason}")
MSG_ENCODING = N_("{where}: the line is not UTF-8 text.")
MSG_NO_FILE = N_("No such file: {path}")
MSG_UNREADABLE = N_("Cannot read {path}: {reason}")

CLASSIFICATIONS = ("drone", "bird", "aircraft", "vehicle", "unknown")
KINDS = ("detection", "heartbeat")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")


class DetectionError(ParidadError):
    """A record that is not a valid detection: where it was, which field, and why.

    ``where`` is language-neutral (``path:line``, or whatever the caller named the source, e.g.
    a bus subject), so the same error renders in Spanish or English from its stored form.
    """

    def __init__(
        self,
        msgid: str,
        *,
        where: str,
        field: str | None = None,
        line: int | None = None,
        **params: Any,
    ) -> None:
        self.where = where
        self.field = field
        self.line = line
        super().__init__(msgid, where=where, field=field or "", **params)


@dataclass(frozen=True, slots=True)
class Detection:
    """One sighting of something in the air by one sensor, time in POSIX seconds (UTC).

    Either ``lat``/``lon`` (a position fix) or ``bearing`` (degrees clockwise from true north,
    seen from the sensor) is set; with both, the position is used.
    """

    sensor: str
    time: float
    lat: float | None
    lon: float | None
    bearing: float | None
    altitude: float | None
    confidence: float = 1.0
    classification: str | None = None
    serial: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A sensor's keep-alive: it is working even when it sees nothing."""

    sensor: str
    time: float


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(obj: Mapping[str, Any], field: str, where: str) -> float | None:
    value = obj.get(field)
    if _absent(value):
        return None
    if isinstance(value, bool):
        raise DetectionError(MSG_NUMBER, where=where, field=field, value=value)
    try:
        number = float(value.strip() if isinstance(value, str) else value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DetectionError(MSG_NUMBER, where=where, field=field, value=value) from None
    if not math.isfinite(number):
        raise DetectionError(MSG_NUMBER, where=where, field=field, value=value)
    return number


def _bounded(
    obj: Mapping[str, Any], field: str, where: str, low: float, high: float
) -> float | None:
    number = _number(obj, field, where)
    if number is not None and not low <= number <= high:
        raise DetectionError(
            MSG_RANGE, where=where, field=field, low=low, high=high, value=obj.get(field)
        )
    return number


def _text(obj: Mapping[str, Any], field: str, where: str) -> str | None:
    value = obj.get(field)
    if _absent(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DetectionError(MSG_TEXT, where=where, field=field, value=value)
    return str(value).strip()


def parse_time(value: Any, where: str, field: str = "time") -> float:
    """ISO-8601 with an offset (``Z`` allowed) to POSIX seconds."""
    if _absent(value):
        raise DetectionError(MSG_REQUIRED, where=where, field=field)
    if not isinstance(value, str):
        raise DetectionError(MSG_TIME, where=where, field=field, value=value)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise DetectionError(MSG_TIME, where=where, field=field, value=value) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DetectionError(MSG_TIME_OFFSET, where=where, field=field, value=value)
    return moment.timestamp()


def parse_detection(obj: Mapping[str, Any], where: str) -> Detection | Heartbeat:
    """One record (a JSON object or a CSV row) to a detection or a heartbeat.

    Raises :class:`DetectionError` naming the field and the reason.
    """
    sensor = _text(obj, "sensor", where)
    if sensor is None:
        raise DetectionError(MSG_REQUIRED, where=where, field="sensor")
    kind = (_text(obj, "kind", where) or "detection").lower()
    if kind not in KINDS:
        raise DetectionError(
            MSG_CHOICE, where=where, field="kind", choices=", ".join(KINDS), value=obj.get("kind")
        )
    time = parse_time(obj.get("time"), where)
    if kind == "heartbeat":
        return Heartbeat(sensor=sensor, time=time)
    lat = _bounded(obj, "latitude", where, -90.0, 90.0)
    lon = _bounded(obj, "longitude", where, -180.0, 180.0)
    if (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        raise DetectionError(MSG_PAIR, where=where, field=missing)
    bearing = _number(obj, "bearing", where)
    if lat is None and bearing is None:
        raise DetectionError(MSG_POSITION, where=where, field="latitude")
    confidence = _bounded(obj, "confidence", where, 0.0, 1.0)
    classification = _text(obj, "classification", where)
    if classification is not None:
        classification = classification.lower()
        if classification not in CLASSIFICATIONS:
            raise DetectionError(
                MSG_CHOICE,
                where=where,
                field="classification",
                choices=", ".join(CLASSIFICATIONS),
                value=obj.get("classification"),
            )
    return Detection(
        sensor=sensor,
        time=time,
        lat=lat,
        lon=lon,
        bearing=None if bearing is None else bearing % 360.0,
        altitude=_number(obj, "altitude", where),
        confidence=1.0 if confidence is None else confidence,
        classification=classification,
        serial=_text(obj, "serial", where),
        id=_text(obj, "id", where),
    )


Item = Detection | Heartbeat | DetectionError


def _is_jsonl(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return True
    if suffix == ".csv":
        return False
    return head.lstrip()[:1] == b"{"


def read_detections(path: Path) -> Iterator[Item]:
    """Every record of a JSON Lines or CSV file, in file order, bad ones as errors.

    The format comes from the extension (``.jsonl``/``.ndjson``/``.json``, ``.csv``), else
    from the first byte. A missing or unreadable file raises :class:`ParidadError` at once.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise ParidadError(MSG_NO_FILE, path=str(path)) from None
    except OSError as exc:
        raise ParidadError(
            MSG_UNREADABLE, path=str(path), reason=exc.strerror or str(exc)
        ) from None
    return _read(path, handle)


def _read(path: Path, handle: Any) -> Iterator[Item]:
    with handle:
        try:
            head = handle.peek(64) if hasattr(handle, "peek") else b""
        except OSError as exc:
            raise ParidadError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
        if _is_jsonl(path, head):
            yield from _jsonl(path, handle)
        else:
            yield from _csv(path, handle)


def _jsonl(path: Path, lines: Iterable[bytes]) -> Iterator[Item]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield DetectionError(MSG_JSON, where=where, line=number, reason=str(exc))
            continue
        if not isinstance(obj, dict):
            yield DetectionError(MSG_JSON, where=where, line=number, reason=type(obj).__name__)
            continue
        try:
            yield parse_detection(obj, where)
        except DetectionError as exc:
            exc.line = number
            yield exc


class _Lines:
    """Decodes a byte stream line by line for :mod:`csv`, remembering the line number, so a
    stray non-UTF-8 byte costs one row, not the whole file."""

    def __init__(self, path: Path, lines: Iterable[bytes]) -> None:
        self.path = path
        self.lines = iter(lines)
        self.number = 0
        self.errors: list[DetectionError] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        while True:
            raw = next(self.lines)
            self.number += 1
            try:
                return raw.decode("utf-8-sig" if self.number == 1 else "utf-8")
            except UnicodeDecodeError:
                self.errors.append(
                    DetectionError(
                        MSG_ENCODING, where=f"{self.path}:{self.number}", line=self.number
                    )
                )


def _csv(path: Path, lines: Iterable[bytes]) -> Iterator[Item]:
    source = _Lines(path, lines)
    reader = csv.reader(source)
    header: list[str] | None = None
    while True:
        failure: DetectionError | None = None
        try:
            row: list[str] | None = next(reader)
        except StopIteration:
            row = None
        except csv.Error as exc:
            row = []
            failure = DetectionError(
                MSG_CSV, where=f"{path}:{source.number}", line=source.number, reason=str(exc)
            )
        yield from source.errors
        source.errors.clear()
        if failure is not None:
            yield failure
        if row is None:
            break
        if not row or not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            continue
        number = source.number
        where = f"{path}:{number}"
        record = dict(zip(header, row, strict=False))
        try:
            yield parse_detection(record, where)
        except DetectionError as exc:
            exc.line = number
            yield exc
