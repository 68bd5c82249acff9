"""Bytes off the air to messages: one 25-byte message, or a message pack of up to nine.

Decoding is strict about structure and lenient about content, as a receiver at the border must
be: a wrong length, an unknown type, a reserved enumeration value, a number outside the
standard's range or an identifier that is not text means the bytes are not a conforming
message (a truncated frame, a misaligned capture, another protocol), and they are refused with
the reason. A value the standard marks "invalid, no value or unknown" (0/0 for a position,
-1000 m, 255 m/s, 361 degrees, 0xFFFF for the timestamp) is legal and becomes None. Reserved
bits and bytes are ignored, as the standard asks of receivers. Nothing but
:class:`RemoteIdError` escapes, whatever the bytes.
"""

from __future__ import annotations

import struct
from datetime import datetime, timedelta

from paridad.drones.remote_id import vocabularies as voc
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
    MSG_UNKNOWN_TYPE,
    RemoteIdError,
)
from paridad.drones.remote_id.fields import (
    AREA_RADIUS_STEP,
    AUTH_MAX_PAGES,
    AUTH_MAX_PAGES_V0,
    AUTH_PAGE_DATA,
    AUTH_PAGE_ZERO_DATA,
    DIRECTION_INVALID,
    DIRECTION_MAX,
    EPOCH_2019,
    LATITUDE_MAX,
    LONGITUDE_MAX,
    MESSAGE_SIZE,
    PACK_HEADER_SIZE,
    PACK_MAX_MESSAGES,
    SPEED_HIGH_OFFSET,
    SPEED_HIGH_STEP,
    SPEED_INVALID_CODE,
    SPEED_LOW_STEP,
    TIMESTAMP_ACCURACY_STEP,
    TIMESTAMP_INVALID,
    TIMESTAMP_MAX_TENTHS,
    TYPE_AUTHENTICATION,
    TYPE_BASIC_ID,
    TYPE_LOCATION,
    TYPE_OPERATOR_ID,
    TYPE_PACK,
    TYPE_SELF_ID,
    TYPE_SYSTEM,
    VSPEED_INVALID_CODE,
    VSPEED_MAX,
    VSPEED_STEP,
    altitude,
    latlon,
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

_BASIC_ID = struct.Struct("<BB20s3s")
_LOCATION = struct.Struct("<BBBBbiiHHHBBHBB")
_AUTH_PAGE_ZERO = struct.Struct("<BBBBI17s")
_AUTH_PAGE = struct.Struct("<BB23s")
_SELF_ID = struct.Struct("<BB23s")
_SYSTEM = struct.Struct("<BBiiHBHHBHIB")
_OPERATOR_ID = struct.Struct("<BB20s3s")


def decode(data: bytes) -> list[Message]:
    """One 25-byte message, or a message pack (header type 0xF, message size 25, 1-9
    messages), as a list of messages in their order. Bytes after a pack's last message are
    ignored: Bluetooth 5 transmitters pad every pack to the 228 bytes of a full one."""
    data = bytes(data)
    if not data:
        raise RemoteIdError(MSG_EMPTY)
    if data[0] >> 4 == TYPE_PACK:
        return _decode_pack(data)
    return [_decode_one(data, 0)]


def decode_message(data: bytes) -> Message:
    """Exactly one 25-byte message (not a pack)."""
    return _decode_one(bytes(data), 0)


def _decode_pack(data: bytes) -> list[Message]:
    if len(data) < PACK_HEADER_SIZE:
        raise RemoteIdError(MSG_PACK_SHORT, length=len(data))
    size, count = data[1], data[2]
    if size != MESSAGE_SIZE:
        raise RemoteIdError(MSG_PACK_SIZE, size=size)
    if not 1 <= count <= PACK_MAX_MESSAGES:
        raise RemoteIdError(MSG_PACK_COUNT, count=count)
    expected = PACK_HEADER_SIZE + count * MESSAGE_SIZE
    if len(data) < expected:
        raise RemoteIdError(MSG_PACK_FIT, count=count, expected=expected, length=len(data))
    out: list[Message] = []
    for index in range(count):
        start = PACK_HEADER_SIZE + index * MESSAGE_SIZE
        chunk = data[start : start + MESSAGE_SIZE]
        if chunk[0] >> 4 == TYPE_PACK:
            raise RemoteIdError(MSG_NESTED_PACK, index=index)
        out.append(_decode_one(chunk, index))
    return out


def _decode_one(data: bytes, index: int) -> Message:
    if len(data) != MESSAGE_SIZE:
        raise RemoteIdError(MSG_LENGTH, index=index, length=len(data))
    kind, version = data[0] >> 4, data[0] & 0x0F
    if kind == TYPE_BASIC_ID:
        return _basic_id(data, version, index)
    if kind == TYPE_LOCATION:
        return _location(data, version, index)
    if kind == TYPE_AUTHENTICATION:
        return _authentication(data, version, index)
    if kind == TYPE_SELF_ID:
        return _self_id(data, version, index)
    if kind == TYPE_SYSTEM:
        return _system(data, version, index)
    if kind == TYPE_OPERATOR_ID:
        return _operator_id(data, version, index)
    if kind == TYPE_PACK:
        raise RemoteIdError(MSG_PACK_NOT_MESSAGE, index=index)
    raise RemoteIdError(MSG_UNKNOWN_TYPE, index=index, kind=f"0x{kind:X}")


def _text(raw: bytes, field: str, index: int, *, strict: bool) -> str:
    """C-string text: it ends at the first NUL. Identifiers must be exact or refused, since a
    replaced character would match the wrong registration; free text is shown with U+FFFD
    where a byte is not UTF-8 (ASCII, which the standard asks for, is a subset)."""
    raw = raw.split(b"\0", 1)[0]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        if strict:
            raise RemoteIdError(MSG_NOT_TEXT, index=index, field=field) from None
        return raw.decode("utf-8", errors="replace")


def _moment(seconds: int) -> datetime | None:
    """Seconds since 2019-01-01 UTC; 0 is "not set" (no transmitter of these versions existed
    at that instant, and the reference library initialises the field to 0)."""
    return EPOCH_2019 + timedelta(seconds=seconds) if seconds else None


def _check(field: str, value: float, low: float, high: float, index: int) -> None:
    if not low <= value <= high:
        raise RemoteIdError(
            MSG_OUT_OF_RANGE, index=index, field=field, value=value, low=low, high=high
        )


def _position(
    lat_code: int, lon_code: int, names: tuple[str, str], index: int
) -> tuple[float | None, float | None]:
    lat, lon = latlon(lat_code, lon_code)
    if lat is not None and lon is not None:
        _check(names[0], lat, -LATITUDE_MAX, LATITUDE_MAX, index)
        _check(names[1], lon, -LONGITUDE_MAX, LONGITUDE_MAX, index)
    return lat, lon


def _basic_id(data: bytes, version: int, index: int) -> BasicId:
    _, types, raw_id, _ = _BASIC_ID.unpack(data)
    id_type = voc.ID_TYPE.name(types >> 4, version, index)
    ua_type = voc.UA_TYPE.name(types & 0x0F, version, index)
    if id_type in voc.BINARY_ID_TYPES:
        uas_id = raw_id.rstrip(b"\0").hex()
    else:
        uas_id = _text(raw_id, "uas_id", index, strict=True)
    return BasicId(protocol_version=version, id_type=id_type, ua_type=ua_type, uas_id=uas_id)


def _location(data: bytes, version: int, index: int) -> Location:
    (
        _,
        flags,
        direction_code,
        speed_code,
        vspeed_code,
        lat_code,
        lon_code,
        pressure,
        geodetic,
        height,
        vh_accuracy,
        bs_accuracy,
        timestamp,
        ts_accuracy,
        _,
    ) = _LOCATION.unpack(data)
    status = voc.STATUS.name(flags >> 4, version, index)
    height_type = voc.HEIGHT_TYPE.name((flags >> 2) & 1, version, index)

    degrees = float(direction_code + (180 if flags & 0b10 else 0))
    direction: float | None = None
    if degrees != DIRECTION_INVALID:
        _check("direction_deg", degrees, 0, DIRECTION_MAX, index)
        direction = degrees

    speed: float | None
    if flags & 1:
        speed = speed_code * SPEED_HIGH_STEP + SPEED_HIGH_OFFSET
        if speed_code == SPEED_INVALID_CODE:
            speed = None
    else:
        speed = speed_code * SPEED_LOW_STEP

    vspeed: float | None = None
    if vspeed_code != VSPEED_INVALID_CODE:
        vspeed = vspeed_code * VSPEED_STEP
        _check("speed_vertical_mps", vspeed, -VSPEED_MAX, VSPEED_MAX, index)

    lat, lon = _position(lat_code, lon_code, ("latitude", "longitude"), index)

    seconds: float | None = None
    if timestamp != TIMESTAMP_INVALID:
        seconds = timestamp / 10
        _check("timestamp_s", seconds, 0, TIMESTAMP_MAX_TENTHS / 10, index)
    ts_code = ts_accuracy & 0x0F

    return Location(
        protocol_version=version,
        status=status,
        height_type=height_type,
        direction_deg=direction,
        speed_horizontal_mps=speed,
        speed_vertical_mps=vspeed,
        latitude=lat,
        longitude=lon,
        altitude_pressure_m=altitude(pressure),
        altitude_geodetic_m=altitude(geodetic),
        height_m=altitude(height),
        horizontal_accuracy=voc.HORIZONTAL_ACCURACY.name(vh_accuracy & 0x0F, version, index),
        vertical_accuracy=voc.VERTICAL_ACCURACY.name(vh_accuracy >> 4, version, index),
        baro_accuracy=voc.BARO_ACCURACY.name(bs_accuracy >> 4, version, index),
        speed_accuracy=voc.SPEED_ACCURACY.name(bs_accuracy & 0x0F, version, index),
        timestamp_s=seconds,
        timestamp_accuracy_s=round(ts_code * TIMESTAMP_ACCURACY_STEP, 1) if ts_code else None,
    )


def _authentication(data: bytes, version: int, index: int) -> Authentication:
    auth_type = voc.AUTH_TYPE.name(data[1] >> 4, version, index)
    page = data[1] & 0x0F
    max_pages = AUTH_MAX_PAGES_V0 if version == 0 else AUTH_MAX_PAGES
    _check("page", page, 0, max_pages - 1, index)
    if page:
        (_, _, payload) = _AUTH_PAGE.unpack(data)
        return Authentication(
            protocol_version=version, auth_type=auth_type, page=page, data=payload
        )
    _, _, pages_byte, length, seconds, payload = _AUTH_PAGE_ZERO.unpack(data)
    if version == 0:
        # F3411-19 sent the number of pages here; later versions send the last page's index.
        _check("page_count", pages_byte, 1, AUTH_MAX_PAGES_V0, index)
        last = pages_byte - 1
    else:
        _check("last_page_index", pages_byte, 0, AUTH_MAX_PAGES - 1, index)
        last = pages_byte
    capacity = AUTH_PAGE_ZERO_DATA + last * AUTH_PAGE_DATA
    if length > capacity:
        raise RemoteIdError(
            MSG_AUTH_LENGTH, index=index, length=length, last=last, capacity=capacity
        )
    return Authentication(
        protocol_version=version,
        auth_type=auth_type,
        page=0,
        last_page_index=last,
        length=length,
        timestamp=_moment(seconds),
        data=payload,
    )


def _self_id(data: bytes, version: int, index: int) -> SelfId:
    _, kind, raw = _SELF_ID.unpack(data)
    return SelfId(
        protocol_version=version,
        description_type=voc.DESCRIPTION_TYPE.name(kind, version, index),
        description=_text(raw, "description", index, strict=False),
    )


def _system(data: bytes, version: int, index: int) -> System:
    (
        _,
        flags,
        lat_code,
        lon_code,
        area_count,
        radius,
        ceiling,
        floor,
        classes,
        operator_altitude,
        seconds,
        _,
    ) = _SYSTEM.unpack(data)
    classification = voc.CLASSIFICATION_TYPE.name((flags >> 2) & 0b111, version, index)
    category = class_eu = None
    if classification == "eu":
        category = voc.CATEGORY_EU.name(classes >> 4, version, index)
        class_eu = voc.CLASS_EU.name(classes & 0x0F, version, index)
    lat, lon = _position(lat_code, lon_code, ("operator_latitude", "operator_longitude"), index)
    return System(
        protocol_version=version,
        operator_location_type=voc.OPERATOR_LOCATION_TYPE.name(flags & 0b11, version, index),
        classification_type=classification,
        operator_latitude=lat,
        operator_longitude=lon,
        area_count=area_count,
        area_radius_m=radius * AREA_RADIUS_STEP,
        area_ceiling_m=altitude(ceiling),
        area_floor_m=altitude(floor),
        category_eu=category,
        class_eu=class_eu,
        operator_altitude_m=altitude(operator_altitude) if version >= 1 else None,
        timestamp=_moment(seconds) if version >= 2 else None,
    )


def _operator_id(data: bytes, version: int, index: int) -> OperatorId:
    _, kind, raw, _ = _OPERATOR_ID.unpack(data)
    return OperatorId(
        protocol_version=version,
        operator_id_type=voc.OPERATOR_ID_TYPE.name(kind, version, index),
        operator_id=_text(raw, "operator_id", index, strict=True),
    )
