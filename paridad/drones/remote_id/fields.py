"""Sizes, scale factors and "invalid" markers of Open Drone ID fields (ASTM F3411-22a,
ASD-STAN EN 4709-002), as the reference library ``opendroneid-core-c`` applies them.

The encoder reproduces the reference library's quantisation exactly (rounding for direction,
horizontal speed, latitude/longitude and the Location timestamp; truncation for vertical speed,
altitudes and the area radius), so that its published test vectors encode byte for byte and
our simulator transmits what a real module would.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

MESSAGE_SIZE = 25
PACK_HEADER_SIZE = 3
PACK_MAX_MESSAGES = 9
ID_SIZE = 20
TEXT_SIZE = 23

# Protocol versions: 0 = ASTM F3411-19, 1 = ASD-STAN prEN 4709-002 P1 / F3411 v1.1,
# 2 = ASTM F3411-22a. Later versions are decoded with the version-2 layout and flagged.
LATEST_VERSION = 2
MAX_VERSION = 15

TYPE_BASIC_ID = 0x0
TYPE_LOCATION = 0x1
TYPE_AUTHENTICATION = 0x2
TYPE_SELF_ID = 0x3
TYPE_SYSTEM = 0x4
TYPE_OPERATOR_ID = 0x5
TYPE_PACK = 0xF

# Authentication pages: page 0 carries 17 data bytes, pages 1-15 carry 23 each. Version 0
# (F3411-19) allowed five pages and byte 2 of page 0 was a page *count*; from version 1 it is
# the index of the last page.
AUTH_PAGE_ZERO_DATA = 17
AUTH_PAGE_DATA = 23
AUTH_MAX_PAGES = 16
AUTH_MAX_PAGES_V0 = 5

# Absolute timestamps (Authentication page 0, System from version 2) count seconds from here.
EPOCH_2019 = datetime(2019, 1, 1, tzinfo=UTC)
UINT32_MAX = 0xFFFF_FFFF

# Location/Vector.
DIRECTION_MAX = 359
DIRECTION_INVALID = 361
SPEED_LOW_STEP = 0.25
SPEED_HIGH_STEP = 0.75
SPEED_HIGH_OFFSET = 255 * SPEED_LOW_STEP  # 63.75 m/s: where the 0.75 m/s steps begin
SPEED_MAX = 254.25
SPEED_INVALID_CODE = 255  # with the multiplier bit set: 255 m/s
VSPEED_STEP = 0.5
VSPEED_MAX = 62.0
VSPEED_INVALID_CODE = 126  # 63 m/s
LATITUDE_MAX = 90.0
LONGITUDE_MAX = 180.0
LATLON_SCALE = 10_000_000  # codes are 1e-7 degree
TIMESTAMP_MAX_TENTHS = 36_000  # tenths of a second after the hour
TIMESTAMP_INVALID = 0xFFFF
TIMESTAMP_ACCURACY_STEP = 0.1

# Altitudes and heights: code * 0.5 - 1000 m; code 0 (-1000 m) means invalid.
ALTITUDE_STEP = 0.5
ALTITUDE_OFFSET = 1000.0
ALTITUDE_MIN = -1000.0
ALTITUDE_MAX = 65535 * ALTITUDE_STEP - ALTITUDE_OFFSET  # 31767.5 m

# System.
AREA_RADIUS_STEP = 10
AREA_RADIUS_MAX = 255 * AREA_RADIUS_STEP  # 2550 m
AREA_COUNT_MAX = 0xFFFF


def round_half_away(value: float) -> int:
    """C's ``round``/``roundf``: halves go away from zero (Python's ``round`` goes to even)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def altitude(code: int) -> float | None:
    return None if code == 0 else code * ALTITUDE_STEP - ALTITUDE_OFFSET


def latlon(lat_code: int, lon_code: int) -> tuple[float | None, float | None]:
    """0/0 is the standard's "no position", not a point in the Gulf of Guinea."""
    if lat_code == 0 and lon_code == 0:
        return None, None
    return lat_code / LATLON_SCALE, lon_code / LATLON_SCALE


def as_utc(value: datetime) -> datetime:
    """Remote ID speaks UTC; a datetime without a zone is taken to be UTC already (not the
    machine's local time, which would shift a border crossing by hours)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def seconds_since_2019(value: datetime) -> int:
    """Whole seconds from 2019-01-01 UTC (fractions are dropped, as a uint32 field must)."""
    return math.floor((as_utc(value) - EPOCH_2019).total_seconds())


def iso_utc(value: datetime) -> str:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")
