"""Encoding for the simulator: the reference library's rounding, the invalid markers for None,
and a clear refusal (not clipping) for anything the format cannot carry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paridad.drones.remote_id import (
    Authentication,
    BasicId,
    Location,
    Message,
    OperatorId,
    RemoteIdError,
    SelfId,
    System,
    decode,
    encode,
    encode_pack,
)
from paridad.drones.remote_id.errors import (
    MSG_ENCODE_HEX,
    MSG_ENCODE_NAME,
    MSG_ENCODE_PACK_COUNT,
    MSG_ENCODE_RANGE,
    MSG_ENCODE_TOO_LONG,
    MSG_ENCODE_VERSION,
)


def test_none_encodes_as_the_standards_invalid_markers() -> None:
    data = encode(Location())
    assert data.hex() == "1203b5ff7e00000000000000000000000000000000ffff0000"
    # flags 03: E/W and multiplier set; b5 = 181 (361 deg); ff = 255 m/s; 7e = 63 m/s;
    # zero position and altitudes (-1000 m); ffff: no timestamp.


def test_rounding_follows_the_reference_library() -> None:
    """Direction, speed, position and time round; vertical speed and altitudes truncate."""
    message = Location(
        direction_deg=179.5,
        speed_horizontal_mps=0.125,
        speed_vertical_mps=-0.99,
        latitude=-0.00000005,
        longitude=0.00000015,
        altitude_geodetic_m=0.49,
        timestamp_s=0.05,
    )
    data = encode(message)
    assert data[1] & 0b10 and data[2] == 0  # 179.5 rounds to 180: E/W bit, code 0
    assert data[3] == 1  # 0.125 / 0.25 = 0.5 rounds up
    assert data[4] == 0xFF  # -0.99 truncates towards zero: -1 x 0.5 m/s
    assert int.from_bytes(data[5:9], "little", signed=True) == -1  # halves away from zero
    assert int.from_bytes(data[9:13], "little", signed=True) == 2
    assert int.from_bytes(data[15:17], "little") == 2000  # 1000.49 / 0.5 = 2000.98 -> 2000
    assert int.from_bytes(data[21:23], "little") == 1  # 0.05 s -> 1 tenth


def test_the_top_of_each_range_encodes() -> None:
    data = encode(
        Location(
            direction_deg=360,
            speed_horizontal_mps=254.25,
            speed_vertical_mps=62,
            altitude_geodetic_m=31767.5,
            timestamp_s=3600,
        )
    )
    assert (data[2], data[1] & 0b10) == (0, 0)  # 360 is north again
    assert (data[3], data[1] & 1) == (254, 1)
    assert data[4] == 124
    assert data[15:17] == b"\xff\xff"
    assert int.from_bytes(data[21:23], "little") == 36_000


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (Location(speed_horizontal_mps=254.5), "speed_horizontal_mps"),
        (Location(speed_horizontal_mps=-1), "speed_horizontal_mps"),
        (Location(speed_vertical_mps=62.5), "speed_vertical_mps"),
        (Location(direction_deg=361), "direction_deg"),
        (Location(latitude=91, longitude=0), "latitude"),
        (Location(latitude=0, longitude=-181), "longitude"),
        (Location(height_m=-1000.5), "height_m"),
        (Location(timestamp_s=3600.1), "timestamp_s"),
        (Location(timestamp_accuracy_s=1.6), "timestamp_accuracy_s"),
        (Location(timestamp_accuracy_s=0.01), "timestamp_accuracy_s"),
        (System(area_radius_m=2551), "area_radius_m"),
        (System(area_count=70_000), "area_count"),
        (System(timestamp=datetime(2018, 12, 31, tzinfo=UTC)), "timestamp"),
        (Authentication(page=16), "page"),
        (Authentication(protocol_version=0, page=5), "page"),
        (Authentication(page=0, last_page_index=1, length=41), "length"),
        (BasicId(protocol_version=16), "protocol_version"),
    ],
)
def test_values_outside_a_fields_range_are_refused(message: Message, field: str) -> None:
    with pytest.raises(RemoteIdError) as caught:
        encode(message)
    assert caught.value.msgid == MSG_ENCODE_RANGE
    assert caught.value.params["field"] == field


@pytest.mark.parametrize(
    ("message", "msgid", "field"),
    [
        (Location(status="hovering"), MSG_ENCODE_NAME, "status"),
        (Location(status="reserved_5"), MSG_ENCODE_NAME, "status"),  # reserved in version 2
        (
            Location(protocol_version=1, status="remote_id_system_failure"),
            MSG_ENCODE_VERSION,
            "status",
        ),
        (
            SelfId(protocol_version=0, description_type="emergency"),
            MSG_ENCODE_VERSION,
            "description_type",
        ),
        (SelfId(description_type="private_200"), MSG_ENCODE_NAME, "description_type"),
        (
            System(protocol_version=0, operator_altitude_m=20.0),
            MSG_ENCODE_VERSION,
            "operator_altitude_m",
        ),
        (
            System(protocol_version=1, timestamp=datetime(2025, 1, 1, tzinfo=UTC)),
            MSG_ENCODE_VERSION,
            "timestamp",
        ),
        (BasicId(id_type="utm_assigned_uuid", uas_id="not hex"), MSG_ENCODE_HEX, "uas_id"),
        (BasicId(id_type="serial_number", uas_id="X" * 21), MSG_ENCODE_TOO_LONG, "uas_id"),
        (OperatorId(operator_id="MEX-" * 6), MSG_ENCODE_TOO_LONG, "operator_id"),
        (SelfId(description="Vigilancia fronteriza ñ"), MSG_ENCODE_TOO_LONG, "description"),
        (Authentication(page=1, data=bytes(24)), MSG_ENCODE_TOO_LONG, "data"),
    ],
)
def test_names_versions_and_lengths_are_checked(message: Message, msgid: str, field: str) -> None:
    with pytest.raises(RemoteIdError) as caught:
        encode(message)
    assert (caught.value.msgid, caught.value.params["field"]) == (msgid, field)


def test_naive_datetimes_are_taken_as_utc() -> None:
    aware = encode(System(timestamp=datetime(2025, 12, 11, 17, 30, tzinfo=UTC)))
    assert encode(System(timestamp=datetime(2025, 12, 11, 17, 30))) == aware
    assert int.from_bytes(aware[20:24], "little") == 219_173_400


def test_reserved_names_encode_only_in_unknown_versions() -> None:
    data = encode(Location(protocol_version=3, status="reserved_9"))
    assert data[0] == 0x13 and data[1] >> 4 == 9


def test_binary_ids_are_hex_and_text_ids_are_utf8() -> None:
    uuid = encode(BasicId(id_type="utm_assigned_uuid", uas_id="00ff"))
    assert uuid[2:4] == b"\x00\xff" and uuid[4:] == bytes(21)
    serial = encode(BasicId(id_type="serial_number", ua_type="aeroplane", uas_id="1581F5"))
    assert serial[:2] == b"\x02\x11" and serial[2:8] == b"1581F5"


def test_system_writes_the_eu_class_only_for_the_eu_classification() -> None:
    eu = encode(System(classification_type="eu", category_eu="open", class_eu="class_1"))
    assert eu[1] == 0b100 and eu[17] == 0x12
    undeclared = encode(System(category_eu="open", class_eu="class_1"))
    assert undeclared[17] == 0


def test_packs_take_the_newest_version_unless_told() -> None:
    old: list[Message] = [BasicId(protocol_version=0), OperatorId(protocol_version=0)]
    assert encode_pack(old)[:3] == b"\xf0\x19\x02"
    assert encode_pack(old, protocol_version=2)[0] == 0xF2
    assert [m.protocol_version for m in decode(encode_pack(old, protocol_version=2))] == [0, 0]


@pytest.mark.parametrize("count", [0, 10])
def test_packs_hold_one_to_nine_messages(count: int) -> None:
    with pytest.raises(RemoteIdError) as caught:
        encode_pack([SelfId()] * count)
    assert caught.value.msgid == MSG_ENCODE_PACK_COUNT
    assert str(caught.value) == f"Cannot encode a message pack of {count} messages: 1 to 9 fit."
