"""Reading detections: JSON Lines and CSV, every malformed record reported with its line and
field while the good records around it still come through."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from paridad.drones.tracking import (
    Detection,
    DetectionError,
    Heartbeat,
    parse_detection,
    read_detections,
)
from paridad.errors import ParidadError

T0 = "2026-03-14T03:00:00Z"
POSIX0 = datetime(2026, 3, 14, 3, 0, tzinfo=UTC).timestamp()
GOOD = {"sensor": "mx-radar-1", "time": T0, "latitude": 31.33, "longitude": -110.94}


def _jsonl(tmp_path: Path, records: list[object | str], name: str = "d.jsonl") -> Path:
    lines = [r if isinstance(r, str) else orjson.dumps(r).decode() for r in records]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_jsonl_records_of_every_kind(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path,
        [
            {**GOOD, "id": "a", "altitude": 80, "confidence": 0.7, "classification": "Drone"},
            {"sensor": "us-rf-1", "time": "2026-03-13T21:00:01-06:00", "bearing": 370.5},
            {"sensor": "us-rid-1", "time": T0, **{k: GOOD[k] for k in ("latitude", "longitude")},
             "serial": "1581F5FKD229400", "id": 7},
            {"sensor": "mx-radar-1", "time": T0, "kind": "heartbeat"},
        ],
    )  # fmt: skip
    items = list(read_detections(path))
    assert items[0] == Detection(
        "mx-radar-1", POSIX0, 31.33, -110.94, None, 80.0, 0.7, "drone", None, "a"
    )
    rf = items[1]
    assert isinstance(rf, Detection)
    assert rf.time == POSIX0 + 1.0  # the -06:00 offset is honoured
    assert rf.lat is None and rf.bearing == pytest.approx(10.5)  # folded into [0, 360)
    assert rf.confidence == 1.0
    rid = items[2]
    assert isinstance(rid, Detection) and rid.serial == "1581F5FKD229400" and rid.id == "7"
    assert items[3] == Heartbeat("mx-radar-1", POSIX0)


def test_good_csv_with_empty_cells_and_a_heartbeat(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text(
        "sensor,time,latitude,longitude,bearing,altitude,confidence,classification,serial,id,kind\n"
        f"mx-radar-1,{T0},31.33,-110.94,,80,0.9,drone,,r1,\n"
        f"us-rf-1,{T0},,,45,,,,,r2,\n"
        f"us-rf-1,{T0},,,,,,,,,heartbeat\n",
        encoding="utf-8",
    )
    items = list(read_detections(path))
    assert items == [
        Detection("mx-radar-1", POSIX0, 31.33, -110.94, None, 80.0, 0.9, "drone", None, "r1"),
        Detection("us-rf-1", POSIX0, None, None, 45.0, None, 1.0, None, None, "r2"),
        Heartbeat("us-rf-1", POSIX0),
    ]


MALFORMED: list[tuple[str, object, str | None]] = [
    ("bad json", '{"sensor": "x", "time": ', None),
    ("not an object", "[1, 2, 3]", None),
    ("missing sensor", {k: v for k, v in GOOD.items() if k != "sensor"}, "sensor"),
    ("missing time", {k: v for k, v in GOOD.items() if k != "time"}, "time"),
    ("unparseable time", {**GOOD, "time": "yesterday at nine"}, "time"),
    ("numeric time", {**GOOD, "time": 1773457200}, "time"),
    ("time without offset", {**GOOD, "time": "2026-03-14T03:00:00"}, "time"),
    ("latitude out of range", {**GOOD, "latitude": 91.0}, "latitude"),
    ("longitude out of range", {**GOOD, "longitude": -181}, "longitude"),
    ("latitude without longitude", {**GOOD, "longitude": None}, "longitude"),
    ("no position and no bearing", {"sensor": "s", "time": T0, "altitude": 5}, "latitude"),
    ("non-numeric latitude", {**GOOD, "latitude": "north"}, "latitude"),
    ("non-numeric altitude", {**GOOD, "altitude": "high"}, "altitude"),
    ("boolean bearing", {"sensor": "s", "time": T0, "bearing": True}, "bearing"),
    ("infinite bearing", {"sensor": "s", "time": T0, "bearing": "inf"}, "bearing"),
    ("confidence above one", {**GOOD, "confidence": 1.5}, "confidence"),
    ("negative confidence", {**GOOD, "confidence": -0.1}, "confidence"),
    ("unknown classification", {**GOOD, "classification": "balloon"}, "classification"),
    ("unknown kind", {**GOOD, "kind": "status"}, "kind"),
    ("serial not text", {**GOOD, "serial": {"a": 1}}, "serial"),
]


@pytest.mark.parametrize(("case", "record", "field"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_jsonl_record_is_an_error_and_reading_goes_on(
    tmp_path: Path, case: str, record: object, field: str | None
) -> None:
    path = _jsonl(tmp_path, [{**GOOD, "id": "before"}, record, {**GOOD, "id": "after"}])
    items = list(read_detections(path))
    assert [type(i) for i in items] == [Detection, DetectionError, Detection], case
    error = items[1]
    assert isinstance(error, DetectionError)
    assert error.line == 2
    assert error.field == field
    message = error.localized("en")
    assert f"{path}:2" in message
    if field is not None:
        assert field in message
    assert [i.id for i in items if isinstance(i, Detection)] == ["before", "after"]


CSV_MALFORMED = [
    ("missing time", "mx-radar-1,,31.3,-110.9,", "time"),
    ("bad latitude", f"mx-radar-1,{T0},abc,-110.9,", "latitude"),
    ("confidence out of range", f"mx-radar-1,{T0},31.3,-110.9,2", "confidence"),
    ("no position", f"mx-radar-1,{T0},,,", "latitude"),
]


@pytest.mark.parametrize(("case", "row", "field"), CSV_MALFORMED, ids=[c[0] for c in CSV_MALFORMED])
def test_a_malformed_csv_row_names_its_line_and_field(
    tmp_path: Path, case: str, row: str, field: str
) -> None:
    path = tmp_path / "d.csv"
    good = f"mx-radar-1,{T0},31.3,-110.9,0.5"
    path.write_text(
        f"sensor,time,latitude,longitude,confidence\n{good}\n{row}\n{good}\n", encoding="utf-8"
    )
    items = list(read_detections(path))
    assert [type(i) for i in items] == [Detection, DetectionError, Detection], case
    error = items[1]
    assert isinstance(error, DetectionError)
    assert (error.line, error.field) == (3, field)
    assert f"{path}:3" in str(error)


def test_a_line_that_is_not_utf8_costs_only_that_row(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(
        b"sensor,time,latitude,longitude\n"
        + f"a,{T0},31.3,-110.9\n".encode()
        + b"b,\xff\xfe,31.3,-110.9\n"
        + f"c,{T0},31.3,-110.9\n".encode()
    )
    items = list(read_detections(path))
    assert [type(i) for i in items] == [Detection, DetectionError, Detection]
    assert isinstance(items[1], DetectionError) and items[1].line == 3


def test_format_is_sniffed_when_the_extension_does_not_say(tmp_path: Path) -> None:
    jsonl = _jsonl(tmp_path, [GOOD], name="feed.txt")
    csv = tmp_path / "feed.dat"
    csv.write_text(f"sensor,time,latitude,longitude\ns,{T0},31.3,-110.9\n", encoding="utf-8")
    assert all(isinstance(i, Detection) for i in read_detections(jsonl))
    assert [i.sensor for i in read_detections(csv) if isinstance(i, Detection)] == ["s"]


def test_a_missing_file_raises_at_once(tmp_path: Path) -> None:
    with pytest.raises(ParidadError) as info:
        read_detections(tmp_path / "nope.jsonl")
    assert "nope.jsonl" in str(info.value)


def test_an_unknown_sensor_is_not_a_parsing_error() -> None:
    # Whether a sensor exists is the tracker's question; the record itself is well formed.
    parsed = parse_detection({**GOOD, "sensor": "never-registered"}, "bus")
    assert isinstance(parsed, Detection) and parsed.sensor == "never-registered"


def test_parse_detection_raises_with_the_callers_where() -> None:
    with pytest.raises(DetectionError) as info:
        parse_detection({"sensor": "s", "time": "nonsense"}, "drones.mx")
    assert info.value.where == "drones.mx" and info.value.field == "time"
    assert info.value.as_record()["params"]["field"] == "time"
