"""Messages to bytes, for the tests and the flight simulator.

The quantisation is the reference library's (see :mod:`paridad.drones.remote_id.fields`), so a
simulated transmitter is indistinguishable from a real one and ``decode_message(encode(m))``
returns ``m`` rounded to the grid of each field. A value outside a field's range is refused
with :class:`RemoteIdError` rather than clipped: a simulator that believes it sent 300 m/s
should hear about it. Reserved bits and bytes are written as zeros.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from datetime import datetime

from paridad.drones.remote_id import vocabularies as voc
from paridad.drones.remote_id.errors import (
    MSG_ENCODE_HEX,
    MSG_ENCODE_PACK_COUNT,
    MSG_ENCODE_RANGE,
    MSG_ENCODE_TOO_LONG,
    MSG_ENCODE_VERSION,
    RemoteIdError,
)
from paridad.drones.remote_id.fields import (
    ALTITUDE_MAX,
    ALTITUDE_MIN,
    ALTITUDE_OFFSET,
    ALTITUDE_STEP,
    AREA_COUNT_MAX,
    AREA_RADIUS_MAX,
    AREA_RADIUS_STEP,
    AUTH_MAX_PAGES,
    AUTH_MAX_PAGES_V0,
    AUTH_PAGE_DATA,
    AUTH_PAGE_ZERO_DATA,
    DIRECTION_INVALID,
    EPOCH_2019,
    ID_SIZE,
    LATITUDE_MAX,
    LATLON_SCALE,
    LONGITUDE_MAX,
    MAX_VERSION,
    MESSAGE_SIZE,
    PACK_MAX_MESSAGES,
    SPEED_HIGH_OFFSET,
    SPEED_HIGH_STEP,
    SPEED_INVALID_CODE,
    SPEED_LOW_STEP,
    SPEED_MAX,
    TEXT_SIZE,
    TIMESTAMP_ACCURACY_STEP,
    TIMESTAMP_INVALID,
    TIMESTAMP_MAX_TENTHS,
    TYPE_PACK,
    UINT32_MAX,
    VSPEED_INVALID_CODE,
    VSPEED_MAX,
    VSPEED_STEP,
    iso_utc,
    round_half_away,
    seconds_since_2019,
)
from paridad.drones.remote_id.messages import (
    Authentication,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)

_BASIC_ID = struct.Struct("<BB20s3x")
_LOCATION = struct.Struct("<BBBBbiiHHHBBHBx")
_AUTH_PAGE_ZERO = struct.Struct("<BBBBI17s")
_AUTH_PAGE = struct.Struct("<BB23s")
_SELF_ID = struct.Struct("<BB23s")
_SYSTEM = struct.Struct("<BBiiHBHHBHIx")
_OPERATOR_ID = struct.Struct("<BB20s3x")


def encode(message: Message) -> bytes:
    """The 25 bytes of ``message``, in its ``protocol_version``."""
    header = _header(message.CODE, message.protocol_version)
    if isinstance(message, BasicId):
        return _basic_id(header, message)
    if isinstance(message, Location):
        return _location(header, message)
    if isinstance(message, Authentication):
        return _authentication(header, message)
    if isinstance(message, SelfId):
        return _self_id(header, message)
    if isinstance(message, System):
        return _system(header, message)
    return _operator_id(header, message)


def encode_pack(messages: Sequence[Message], *, protocol_version: int | None = None) -> bytes:
    """A message pack of 1-9 messages. The pack header carries ``protocol_version``, by default
    the newest version among the messages (a pack of version-0 messages starts ``F0``)."""
    if not 1 <= len(messages) <= PACK_MAX_MESSAGES:
        raise RemoteIdError(MSG_ENCODE_PACK_COUNT, count=len(messages))
    if protocol_version is None:
        protocol_version = max(message.protocol_version for message in messages)
    header = bytes([_header(TYPE_PACK, protocol_version), MESSAGE_SIZE, len(messages)])
    return header + b"".join(encode(message) for message in messages)


def _header(code: int, version: int) -> int:
    _check("protocol_version", version, 0, MAX_VERSION)
    return (code << 4) | version


def _check(field: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise RemoteIdError(MSG_ENCODE_RANGE, field=field, value=value, low=low, high=high)


def _padded(raw: bytes, size: int, field: str) -> bytes:
    if len(raw) > size:
        raise RemoteIdError(MSG_ENCODE_TOO_LONG, field=field, length=len(raw), limit=size)
    return raw.ljust(size, b"\0")


def _text(value: str, size: int, field: str) -> bytes:
    return _padded(value.encode("utf-8"), size, field)


def _altitude(value: float | None, field: str) -> int:
    """Truncated to the 0.5 m step below, as the reference library does; None is -1000 m."""
    if value is None:
        return 0
    _check(field, value, ALTITUDE_MIN, ALTITUDE_MAX)
    return math.floor((value + ALTITUDE_OFFSET) / ALTITUDE_STEP)


def _position(lat: float | None, lon: float | None, names: tuple[str, str]) -> tuple[int, int]:
    """Rounded to 1e-7 degree; None (either) is the standard's 0/0."""
    if lat is None or lon is None:
        return 0, 0
    _check(names[0], lat, -LATITUDE_MAX, LATITUDE_MAX)
    _check(names[1], lon, -LONGITUDE_MAX, LONGITUDE_MAX)
    return round_half_away(lat * LATLON_SCALE), round_half_away(lon * LATLON_SCALE)


def _since_2019(value: datetime | None, field: str) -> int:
    if value is None:
        return 0
    seconds = seconds_since_2019(value)
    if not 0 <= seconds <= UINT32_MAX:
        raise RemoteIdError(
            MSG_ENCODE_RANGE,
            field=field,
            value=iso_utc(value),
            low=iso_utc(EPOCH_2019),
            high="2155-02-07T06:28:15Z",
        )
    return seconds


def _basic_id(header: int, message: BasicId) -> bytes:
    version = message.protocol_version
    id_type = voc.ID_TYPE.code(message.id_type, version)
    ua_type = voc.UA_TYPE.code(message.ua_type, version)
    if message.id_type not in voc.BINARY_ID_TYPES:
        raw = _text(message.uas_id, ID_SIZE, "uas_id")
    else:
        try:
            raw = _padded(bytes.fromhex(message.uas_id), ID_SIZE, "uas_id")
        except ValueError:
            raise RemoteIdError(MSG_ENCODE_HEX, field="uas_id", value=message.uas_id) from None
    return _BASIC_ID.pack(header, (id_type << 4) | ua_type, raw)


def _direction(value: float | None) -> tuple[int, int]:
    """(code, east/west bit): rounded to the degree; 0-179 as is, 180-359 as 180 plus code."""
    if value is None:
        degrees = DIRECTION_INVALID
    else:
        _check("direction_deg", value, 0, 360)
        degrees = round_half_away(value) % 360
    return (degrees - 180, 1) if degrees >= 180 else (degrees, 0)


def _speed(value: float | None) -> tuple[int, int]:
    """(code, multiplier bit): 0.25 m/s steps up to 63.75 m/s, then 0.75 m/s steps."""
    if value is None:
        return SPEED_INVALID_CODE, 1
    _check("speed_horizontal_mps", value, 0, SPEED_MAX)
    if value <= SPEED_HIGH_OFFSET:
        return math.floor(value / SPEED_LOW_STEP + 0.5), 0
    return math.floor((value - SPEED_HIGH_OFFSET) / SPEED_HIGH_STEP + 0.5), 1


def _vertical_speed(value: float | None) -> int:
    """0.5 m/s steps, truncated towards zero as the reference library does."""
    if value is None:
        return VSPEED_INVALID_CODE
    _check("speed_vertical_mps", value, -VSPEED_MAX, VSPEED_MAX)
    return int(value / VSPEED_STEP)


def _location(header: int, message: Location) -> bytes:
    version = message.protocol_version
    status = voc.STATUS.code(message.status, version)
    height_type = voc.HEIGHT_TYPE.code(message.height_type, version)
    direction, east_west = _direction(message.direction_deg)
    speed, multiplier = _speed(message.speed_horizontal_mps)
    lat, lon = _position(message.latitude, message.longitude, ("latitude", "longitude"))
    if message.timestamp_s is None:
        timestamp = TIMESTAMP_INVALID
    else:
        _check("timestamp_s", message.timestamp_s, 0, TIMESTAMP_MAX_TENTHS / 10)
        timestamp = math.floor(message.timestamp_s * 10 + 0.5)
    ts_accuracy = 0
    if message.timestamp_accuracy_s is not None:
        ts_accuracy = math.floor(message.timestamp_accuracy_s / TIMESTAMP_ACCURACY_STEP + 0.5)
        if not 1 <= ts_accuracy <= 15:
            raise RemoteIdError(
                MSG_ENCODE_RANGE,
                field="timestamp_accuracy_s",
                value=message.timestamp_accuracy_s,
                low=0.1,
                high=1.5,
            )
    accuracy_vh = (voc.VERTICAL_ACCURACY.code(message.vertical_accuracy, version) << 4) | (
        voc.HORIZONTAL_ACCURACY.code(message.horizontal_accuracy, version)
    )
    accuracy_bs = (voc.BARO_ACCURACY.code(message.baro_accuracy, version) << 4) | (
        voc.SPEED_ACCURACY.code(message.speed_accuracy, version)
    )
    return _LOCATION.pack(
        header,
        (status << 4) | (height_type << 2) | (east_west << 1) | multiplier,
        direction,
        speed,
        _vertical_speed(message.speed_vertical_mps),
        lat,
        lon,
        _altitude(message.altitude_pressure_m, "altitude_pressure_m"),
        _altitude(message.altitude_geodetic_m, "altitude_geodetic_m"),
        _altitude(message.height_m, "height_m"),
        accuracy_vh,
        accuracy_bs,
        timestamp,
        ts_accuracy,
    )


def _authentication(header: int, message: Authentication) -> bytes:
    """Page 0 writes its header fields (None reads 0); other pages ignore them."""
    version = message.protocol_version
    auth_type = voc.AUTH_TYPE.code(message.auth_type, version)
    max_pages = AUTH_MAX_PAGES_V0 if version == 0 else AUTH_MAX_PAGES
    _check("page", message.page, 0, max_pages - 1)
    types = (auth_type << 4) | message.page
    if message.page:
        return _AUTH_PAGE.pack(header, types, _padded(message.data, AUTH_PAGE_DATA, "data"))
    last = message.last_page_index or 0
    _check("last_page_index", last, 0, max_pages - 1)
    capacity = AUTH_PAGE_ZERO_DATA + last * AUTH_PAGE_DATA
    length = message.length or 0
    _check("length", length, 0, min(capacity, 255))
    return _AUTH_PAGE_ZERO.pack(
        header,
        types,
        last + 1 if version == 0 else last,  # version 0 sends the page count
        length,
        _since_2019(message.timestamp, "timestamp"),
        _padded(message.data, AUTH_PAGE_ZERO_DATA, "data"),
    )


def _self_id(header: int, message: SelfId) -> bytes:
    kind = voc.DESCRIPTION_TYPE.code(message.description_type, message.protocol_version)
    return _SELF_ID.pack(header, kind, _text(message.description, TEXT_SIZE, "description"))


def _system(header: int, message: System) -> bytes:
    """``category_eu``/``class_eu`` are written only for the EU classification (None reads
    "undeclared"); a field the message's version does not have is refused, not dropped."""
    version = message.protocol_version
    location_type = voc.OPERATOR_LOCATION_TYPE.code(message.operator_location_type, version)
    classification = voc.CLASSIFICATION_TYPE.code(message.classification_type, version)
    classes = 0
    if message.classification_type == "eu":
        classes = (voc.CATEGORY_EU.code(message.category_eu or "undeclared", version) << 4) | (
            voc.CLASS_EU.code(message.class_eu or "undeclared", version)
        )
    for field, value, since in (
        ("operator_altitude_m", message.operator_altitude_m, 1),
        ("timestamp", message.timestamp, 2),
    ):
        if value is not None and version < since:
            shown = iso_utc(value) if isinstance(value, datetime) else value
            raise RemoteIdError(
                MSG_ENCODE_VERSION, field=field, value=shown, version=version, since=since
            )
    _check("area_count", message.area_count, 0, AREA_COUNT_MAX)
    _check("area_radius_m", message.area_radius_m, 0, AREA_RADIUS_MAX)
    lat, lon = _position(
        message.operator_latitude,
        message.operator_longitude,
        ("operator_latitude", "operator_longitude"),
    )
    return _SYSTEM.pack(
        header,
        (classification << 2) | location_type,
        lat,
        lon,
        message.area_count,
        math.floor(message.area_radius_m / AREA_RADIUS_STEP),
        _altitude(message.area_ceiling_m, "area_ceiling_m"),
        _altitude(message.area_floor_m, "area_floor_m"),
        classes,
        _altitude(message.operator_altitude_m, "operator_altitude_m"),
        _since_2019(message.timestamp, "timestamp"),
    )


def _operator_id(header: int, message: OperatorId) -> bytes:
    kind = voc.OPERATOR_ID_TYPE.code(message.operator_id_type, message.protocol_version)
    return _OPERATOR_ID.pack(header, kind, _text(message.operator_id, ID_SIZE, "operator_id"))
