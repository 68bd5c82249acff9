"""Decoding: invalid-but-legal values become None, protocol versions are honoured, and every
malformed input is refused with its reason, never with another exception."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.remote_id import (
    Authentication,
    BasicId,
    Location,
    OperatorId,
    RemoteIdError,
    SelfId,
    System,
    decode,
    decode_message,
    encode,
)
from paridad.drones.remote_id.errors import (
    MSG_AUTH_LENGTH,
    MSG_EMPTY,
    MSG_LENGTH,
    MSG_NESTED_PACK,
    MSG_NOT_TEXT,
    MSG_OUT_OF_RANGE,
    MSG_PACK_COUNT,
    MSG_PACK_FIT,
    MSG_PACK_NOT_MESSAGE,
    MSG_PACK_SHORT,
    MSG_PACK_SIZE,
    MSG_RESERVED,
    MSG_TOO_NEW,
    MSG_UNKNOWN_TYPE,
)

LOCATION = bytes.fromhex("122624160a42bf241b6ed1b4b69808ac0870086b53150e0200")
OPERATOR = bytes.fromhex("52003938373635343332313030313233343536373839000000")
LOCATION_LAYOUT = struct.Struct("<BBBBbiiHHHBBHBB")


def _location(**changes: int) -> bytes:
    """The reference Location message with some raw fields replaced."""
    names = [
        "header",
        "flags",
        "direction",
        "speed",
        "vspeed",
        "lat",
        "lon",
        "pressure",
        "geodetic",
        "height",
        "acc_vh",
        "acc_bs",
        "timestamp",
        "ts_accuracy",
        "reserved",
    ]
    values = dict(zip(names, LOCATION_LAYOUT.unpack(LOCATION), strict=True))
    values.update(changes)
    return LOCATION_LAYOUT.pack(*(values[n] for n in names))


def _refused(data: bytes) -> RemoteIdError:
    with pytest.raises(RemoteIdError) as caught:
        decode(data)
    return caught.value


# Invalid-but-legal values -------------------------------------------------------------------


def test_the_standards_invalid_markers_become_none() -> None:
    data = _location(
        flags=0x00 | 0b11,  # undeclared; E/W bit and speed multiplier set
        direction=181,  # with E/W: 361 degrees
        speed=255,  # with multiplier: 255 m/s
        vspeed=126,  # 63 m/s
        lat=0,
        lon=0,
        pressure=0,
        geodetic=0,
        height=0,
        acc_vh=0,
        acc_bs=0,
        timestamp=0xFFFF,
        ts_accuracy=0,
    )
    message = decode_message(data)
    assert isinstance(message, Location)
    assert message.status == "undeclared"
    for name in (
        "direction_deg",
        "speed_horizontal_mps",
        "speed_vertical_mps",
        "latitude",
        "longitude",
        "altitude_pressure_m",
        "altitude_geodetic_m",
        "height_m",
        "timestamp_s",
        "timestamp_accuracy_s",
    ):
        assert getattr(message, name) is None, name
    summary = message.to_dict()
    assert summary["horizontal_accuracy"] == "unknown"
    assert summary["horizontal_accuracy_m"] is None
    assert summary["speed_accuracy_mps"] is None


def test_a_zero_latitude_alone_is_the_equator_not_invalid() -> None:
    message = decode_message(_location(lat=0, lon=-1229663890))
    assert isinstance(message, Location)
    assert (message.latitude, message.longitude) == (0.0, -122.966389)


def test_speed_scales_switch_at_the_multiplier() -> None:
    slow = decode_message(_location(flags=0x20, speed=255))
    fast = decode_message(_location(flags=0x21, speed=254))
    assert isinstance(slow, Location) and isinstance(fast, Location)
    assert slow.speed_horizontal_mps == 63.75
    assert fast.speed_horizontal_mps == 254.25


def test_direction_without_the_east_west_bit_and_vertical_speed_sign() -> None:
    message = decode_message(_location(flags=0x20, direction=200, vspeed=-124))
    assert isinstance(message, Location)
    assert message.direction_deg == 200
    assert message.speed_vertical_mps == -62.0


def test_location_time_at_picks_the_hour_nearest_the_receiver() -> None:
    message = Location(timestamp_s=3599.9)
    heard = datetime(2025, 9, 26, 11, 0, 0, 200_000, tzinfo=UTC)
    assert message.time_at(heard) == datetime(2025, 9, 26, 10, 59, 59, 900_000, tzinfo=UTC)
    assert Location(timestamp_s=60.0).time_at(heard) == datetime(2025, 9, 26, 11, 1, tzinfo=UTC)
    assert Location().time_at(heard) is None
    tijuana = heard.astimezone(timezone(timedelta(hours=-8)))  # same instant, local clock
    assert message.time_at(tijuana) == message.time_at(heard.replace(tzinfo=None))


# Protocol versions -------------------------------------------------------------------------


def test_a_version_above_2_is_decoded_with_the_version_2_layout_and_flagged() -> None:
    data = bytes([0x13]) + _location(flags=0x56)[1:]  # status 5: reserved in versions 0-2
    message = decode_message(data)
    assert isinstance(message, Location)
    summary = message.to_dict()
    assert summary["protocol_version"] == 3
    assert summary["unknown_version"] is True
    assert summary["status"] == "reserved_5"
    assert summary["latitude"] == 45.539309
    assert encode(message) == data
    assert decode_message(LOCATION).to_dict()["unknown_version"] is False


def test_a_reserved_value_in_a_known_version_is_refused() -> None:
    error = _refused(bytes([0x12]) + _location(flags=0x56)[1:])
    assert error.msgid == MSG_RESERVED
    assert error.params == {"index": 0, "field": "status", "value": 5}
    assert str(error) == "Message 0: status has the reserved value 5."


def test_a_value_newer_than_the_messages_version_is_refused() -> None:
    """Status 4 (Remote ID system failure) exists from version 2."""
    assert decode_message(bytes([0x12]) + _location(flags=0x46)[1:]).to_dict()["status"] == (
        "remote_id_system_failure"
    )
    error = _refused(bytes([0x11]) + _location(flags=0x46)[1:])
    assert error.msgid == MSG_TOO_NEW
    assert error.params["since"] == 2 and error.params["version"] == 1


@pytest.mark.parametrize(
    ("header", "kind", "expected"),
    [
        (0x32, 1, "emergency"),
        (0x32, 2, "extended_status"),
        (0x32, 201, "private_201"),
        (0x33, 100, "reserved_100"),
    ],
)
def test_self_id_description_types(header: int, kind: int, expected: str) -> None:
    message = decode_message(bytes([header, kind]) + b"Survey".ljust(23, b"\0"))
    assert isinstance(message, SelfId)
    assert (message.description_type, message.description) == (expected, "Survey")


@pytest.mark.parametrize(
    ("data", "msgid"),
    [
        (bytes([0x31, 1]) + bytes(23), MSG_TOO_NEW),  # emergency text: version 2 on
        (bytes([0x32, 100]) + bytes(23), MSG_RESERVED),
        (bytes([0x52, 7]) + bytes(23), MSG_RESERVED),  # operator ID type 1-200 reserved
        (bytes([0x02, 0x52]) + bytes(23), MSG_RESERVED),  # ID type 5 reserved
        (bytes([0x00, 0x42]) + bytes(23), MSG_TOO_NEW),  # specific session ID: version 1 on
        (bytes([0x40, 0x0C]) + bytes(23), MSG_RESERVED),  # classification type 3
        (bytes([0x40, 0x03]) + bytes(23), MSG_RESERVED),  # operator location type 3
        (bytes([0x22, 0x60]) + bytes(23), MSG_RESERVED),  # auth type 6
        (bytes([0x20, 0x50]) + bytes(23), MSG_TOO_NEW),  # specific authentication: v1 on
    ],
)
def test_reserved_and_too_new_codes_are_refused(data: bytes, msgid: str) -> None:
    assert _refused(data).msgid == msgid


def test_system_fields_follow_the_version() -> None:
    """Operator altitude exists from version 1 and the timestamp from version 2; before, their
    bytes were reserved and are not read."""
    body = bytes.fromhex("04a6bf241bd2d1b4b62300073109230824f907003fab0100")
    v0, v1, v2 = (decode_message(bytes([0x40 | v]) + body) for v in (0, 1, 2))
    assert isinstance(v0, System) and isinstance(v1, System) and isinstance(v2, System)
    assert (v0.operator_altitude_m, v0.timestamp) == (None, None)
    assert (v1.operator_altitude_m, v1.timestamp) == (20.5, None)
    assert v2.timestamp == datetime(2019, 11, 21, 1, 46, 40, tzinfo=UTC)
    assert v0.category_eu == "specific"  # the EU classification is read in every version


def test_the_eu_class_is_none_unless_the_classification_is_eu() -> None:
    body = bytes.fromhex("00a6bf241bd2d1b4b62300073109230824f907003fab0100")
    message = decode_message(bytes([0x42]) + body)
    assert isinstance(message, System)
    assert message.classification_type == "undeclared"
    assert (message.category_eu, message.class_eu) == (None, None)


def test_version_0_authentication_counts_pages() -> None:
    """F3411-19 sent the number of pages in byte 2; later versions send the last index."""
    body = bytes([0x10, 2, 40]) + struct.pack("<I", 5) + bytes(17)
    v0, v1 = decode_message(bytes([0x20]) + body), decode_message(bytes([0x21]) + body)
    assert isinstance(v0, Authentication) and isinstance(v1, Authentication)
    assert (v0.last_page_index, v1.last_page_index) == (1, 2)
    assert encode(v0) == bytes([0x20]) + body
    assert _refused(bytes([0x20, 0x10, 0, 0]) + bytes(21)).params["field"] == "page_count"
    assert _refused(bytes([0x20, 0x15]) + bytes(23)).params["field"] == "page"  # v0: 5 pages
    page_15 = decode_message(bytes([0x22, 0x1F]) + bytes(23))
    assert isinstance(page_15, Authentication) and page_15.page == 15


def test_an_authentication_length_beyond_its_pages_is_refused() -> None:
    error = _refused(bytes([0x22, 0x10, 1, 41]) + bytes(21))
    assert error.msgid == MSG_AUTH_LENGTH
    assert error.params["capacity"] == 40


# Text -------------------------------------------------------------------------------------


def test_identifiers_must_be_text_but_free_text_is_shown_with_replacements() -> None:
    bad_id = OPERATOR[:2] + b"GBR\xff" + OPERATOR[6:]
    error = _refused(bad_id)
    assert (error.msgid, error.params["field"]) == (MSG_NOT_TEXT, "operator_id")
    assert _refused(bytes([0x02, 0x12]) + b"\xc3(" + bytes(21)).params["field"] == "uas_id"
    self_id = decode_message(bytes([0x32, 0]) + b"Vigilancia \xff".ljust(23, b"\0"))
    assert isinstance(self_id, SelfId)
    assert self_id.description == "Vigilancia \ufffd"
    utf8 = decode_message(bytes([0x32, 0]) + "Inspección".encode().ljust(23, b"\0"))
    assert isinstance(utf8, SelfId) and utf8.description == "Inspección"


def test_text_ends_at_the_first_nul_and_binary_ids_are_hex() -> None:
    operator = decode_message(bytes([0x52, 0]) + b"MEX-OP-1\0junk".ljust(23, b"\0"))
    assert isinstance(operator, OperatorId) and operator.operator_id == "MEX-OP-1"
    uuid = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    basic = decode_message(bytes([0x02, 0x32]) + uuid.ljust(23, b"\0"))
    assert isinstance(basic, BasicId)
    assert (basic.id_type, basic.uas_id) == ("utm_assigned_uuid", uuid.hex())
    none_type = decode_message(bytes([0x00, 0x00]) + b"MFG1A0123456789".ljust(23, b"\0"))
    assert isinstance(none_type, BasicId) and none_type.uas_id == "MFG1A0123456789"


# Malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize(("length"), [1, 24, 26, 50])
def test_a_message_of_the_wrong_length_is_refused(length: int) -> None:
    data = (LOCATION * 2)[:length]
    for call in (decode, decode_message):
        with pytest.raises(RemoteIdError) as caught:
            call(data)
        assert caught.value.msgid == MSG_LENGTH
        assert caught.value.params == {"index": 0, "length": length}
    assert str(caught.value) == f"Message 0: length {length}, expected 25 bytes."


def test_unknown_types_and_empty_input_are_refused() -> None:
    error = _refused(bytes([0x72]) + bytes(24))
    assert (error.msgid, error.params["kind"]) == (MSG_UNKNOWN_TYPE, "0x7")
    assert _refused(b"").msgid == MSG_EMPTY
    with pytest.raises(RemoteIdError) as caught:
        decode_message(bytes([0xF2]) + bytes(24))
    assert caught.value.msgid == MSG_PACK_NOT_MESSAGE


@pytest.mark.parametrize(
    ("data", "msgid", "value"),
    [
        (_location(flags=0x22, direction=200), "direction_deg", 380.0),
        (_location(vspeed=127), "speed_vertical_mps", 63.5),
        (_location(vspeed=-125), "speed_vertical_mps", -62.5),
        (_location(lat=900_000_001), "latitude", 90.0000001),
        (_location(lon=-1_800_000_001), "longitude", -180.0000001),
        (_location(timestamp=36_001), "timestamp_s", 3600.1),
    ],
)
def test_numbers_outside_the_standards_range_are_refused(
    data: bytes, msgid: str, value: float
) -> None:
    error = _refused(data)
    assert error.msgid == MSG_OUT_OF_RANGE
    assert (error.params["field"], error.params["value"]) == (msgid, value)


def test_reserved_accuracy_classes_are_refused() -> None:
    assert _refused(_location(acc_vh=0x0D)).params["field"] == "horizontal_accuracy"
    assert _refused(_location(acc_vh=0x70)).params["field"] == "vertical_accuracy"
    assert _refused(_location(acc_bs=0x05)).params["field"] == "speed_accuracy"


def test_pack_headers_are_checked() -> None:
    two = LOCATION + OPERATOR
    assert len(decode(bytes([0xF2, 25, 2]) + two)) == 2
    assert _refused(bytes([0xF2, 25])).msgid == MSG_PACK_SHORT
    assert _refused(bytes([0xF2, 24, 2]) + two).msgid == MSG_PACK_SIZE
    assert _refused(bytes([0xF2, 25, 0]) + two).msgid == MSG_PACK_COUNT
    assert _refused(bytes([0xF2, 25, 10]) + two * 5).params["count"] == 10
    short = _refused(bytes([0xF2, 25, 3]) + two)
    assert (short.msgid, short.params) == (
        MSG_PACK_FIT,
        {"count": 3, "expected": 78, "length": 53},
    )
    nested = _refused(bytes([0xF2, 25, 2]) + LOCATION + bytes([0xF2]) + bytes(24))
    assert (nested.msgid, nested.params["index"]) == (MSG_NESTED_PACK, 1)


def test_a_bad_message_in_a_pack_names_its_position() -> None:
    error = _refused(bytes([0xF0, 25, 2]) + LOCATION + OPERATOR[:2] + b"\xff" + OPERATOR[3:])
    assert (error.msgid, error.params["index"]) == (MSG_NOT_TEXT, 1)
    assert str(error).startswith("Message 1: ")


def test_padding_after_a_packs_messages_is_ignored() -> None:
    """Bluetooth 5 transmitters pad every pack to the 228 bytes of a full one."""
    padded = (bytes([0xF0, 25, 2]) + LOCATION + OPERATOR).ljust(228, b"\0")
    assert [m.TYPE for m in decode(padded)] == ["location", "operator_id"]


# Whatever the bytes, the only exception is RemoteIdError -----------------------------------


@settings(max_examples=400)
@given(st.binary(max_size=260))
def test_random_bytes_decode_or_raise_remote_id_error(data: bytes) -> None:
    try:
        messages = decode(data)
    except RemoteIdError as error:
        assert error.msgid
    else:
        assert 1 <= len(messages) <= 9


_HEADERS = st.sampled_from([0x00, 0x01, 0x02, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22])
_HEADERS |= st.sampled_from([0x30, 0x32, 0x40, 0x41, 0x42, 0x4F, 0x50, 0x52, 0x62, 0xF2])


@settings(max_examples=600)
@given(_HEADERS, st.binary(min_size=24, max_size=24))
def test_random_messages_of_real_types_decode_stably_or_raise(header: int, body: bytes) -> None:
    """A message that decodes re-encodes to bytes that decode to the same message."""
    try:
        message = decode_message(bytes([header]) + body)
    except RemoteIdError as error:
        assert error.msgid
        return
    try:
        again = encode(message)
    except RemoteIdError:
        # Only free text with replacement characters can outgrow its 23 bytes.
        assert isinstance(message, SelfId) and "\ufffd" in message.description
        return
    assert decode_message(again) == message


@settings(max_examples=200)
@given(st.integers(0, 15), st.integers(0, 255), st.integers(0, 255), st.binary(max_size=240))
def test_random_packs_decode_or_raise(version: int, size: int, count: int, rest: bytes) -> None:
    try:
        messages = decode(bytes([0xF0 | version, size, count]) + rest)
    except RemoteIdError as error:
        assert error.msgid
    else:
        assert len(messages) == count and size == 25
