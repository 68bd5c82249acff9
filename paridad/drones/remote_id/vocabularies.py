"""The standard's enumerations as documented vocabularies of lower_snake names.

Each code carries the protocol version that introduced it, so a value a transmitter of that
version could not have sent (status 4 in a version-1 message, say) is refused with its reason.
Codes the standard leaves to private use come out as ``private_<n>``. Reserved codes are refused
in versions 0-2, whose every value is known; in a later version they come out as
``reserved_<n>``, because that version may have defined them (the reference receivers decode
newer versions as far as they can rather than drop them).
"""

from __future__ import annotations

from collections.abc import Mapping

from paridad.drones.remote_id.errors import (
    MSG_ENCODE_NAME,
    MSG_ENCODE_VERSION,
    MSG_RESERVED,
    MSG_TOO_NEW,
    RemoteIdError,
)
from paridad.drones.remote_id.fields import LATEST_VERSION

PRIVATE = "private_"
RESERVED = "reserved_"


class Vocabulary:
    """Codes of one field, their names, and the version that introduced each code."""

    def __init__(
        self,
        field: str,
        names: list[str],
        *,
        bits: int,
        since: Mapping[int, int] | None = None,
        private: range | None = None,
        values: list[float | None] | None = None,
    ) -> None:
        self.field = field
        self.names = tuple(names)
        self.bits = bits
        self.since = dict(since or {})
        self.private = private
        self.values = tuple(values) if values is not None else None
        self._codes = {name: code for code, name in enumerate(names)}

    def name(self, code: int, version: int, index: int) -> str:
        """The name of ``code`` in a message of protocol ``version``; refuses what that version
        forbids."""
        if code < len(self.names):
            since = self.since.get(code, 0)
            if version < since:
                raise RemoteIdError(
                    MSG_TOO_NEW,
                    index=index,
                    field=self.field,
                    value=code,
                    since=since,
                    version=version,
                )
            return self.names[code]
        if self.private is not None and code in self.private:
            return f"{PRIVATE}{code}"
        if version > LATEST_VERSION:
            return f"{RESERVED}{code}"
        raise RemoteIdError(MSG_RESERVED, index=index, field=self.field, value=code)

    def code(self, name: str, version: int) -> int:
        """The code to transmit for ``name`` in protocol ``version``."""
        code = self._codes.get(name)
        if code is None:
            code = self._numbered(name, version)
        since = self.since.get(code, 0)
        if code < len(self.names) and version < since:
            raise RemoteIdError(
                MSG_ENCODE_VERSION, field=self.field, value=name, version=version, since=since
            )
        return code

    def value(self, name: str) -> float | None:
        """The metres (or m/s) an accuracy class stands for; None for unknown or reserved."""
        code = self._codes.get(name)
        if self.values is None or code is None:
            return None
        return self.values[code]

    def _numbered(self, name: str, version: int) -> int:
        for prefix, allowed in (
            (PRIVATE, self.private),
            (RESERVED, version > LATEST_VERSION),
        ):
            digits = name.removeprefix(prefix)
            if digits != name and digits.isdigit():
                code = int(digits)
                in_range = code < (1 << self.bits)
                if isinstance(allowed, range):
                    if code in allowed:
                        return code
                elif (
                    allowed
                    and in_range
                    and code >= len(self.names)
                    and (self.private is None or code not in self.private)
                ):
                    return code
        raise RemoteIdError(
            MSG_ENCODE_NAME, field=self.field, value=name, allowed=", ".join(self.names)
        )


ID_TYPE = Vocabulary(
    "id_type",
    [
        "none",
        "serial_number",  # ANSI/CTA-2063-A
        "caa_registration_id",
        "utm_assigned_uuid",
        "specific_session_id",
    ],
    bits=4,
    since={4: 1},
)
UA_TYPE = Vocabulary(
    "ua_type",
    [
        "none",
        "aeroplane",
        "helicopter_or_multirotor",
        "gyroplane",
        "hybrid_lift",
        "ornithopter",
        "glider",
        "kite",
        "free_balloon",
        "captive_balloon",
        "airship",
        "free_fall_parachute",
        "rocket",
        "tethered_powered_aircraft",
        "ground_obstacle",
        "other",
    ],
    bits=4,
)
STATUS = Vocabulary(
    "status",
    ["undeclared", "ground", "airborne", "emergency", "remote_id_system_failure"],
    bits=4,
    since={4: 2},
)
HEIGHT_TYPE = Vocabulary("height_type", ["above_takeoff", "above_ground"], bits=1)
NM = 1852.0
HORIZONTAL_ACCURACY = Vocabulary(
    "horizontal_accuracy",
    [
        "unknown",
        "lt_10_nm",
        "lt_4_nm",
        "lt_2_nm",
        "lt_1_nm",
        "lt_0_5_nm",
        "lt_0_3_nm",
        "lt_0_1_nm",
        "lt_0_05_nm",
        "lt_30_m",
        "lt_10_m",
        "lt_3_m",
        "lt_1_m",
    ],
    bits=4,
    values=[None, 10 * NM, 4 * NM, 2 * NM, NM, 926.0, 555.6, 185.2, 92.6, 30.0, 10.0, 3.0, 1.0],
)
_VERTICAL_NAMES = ["unknown", "lt_150_m", "lt_45_m", "lt_25_m", "lt_10_m", "lt_3_m", "lt_1_m"]
_VERTICAL_VALUES: list[float | None] = [None, 150.0, 45.0, 25.0, 10.0, 3.0, 1.0]
VERTICAL_ACCURACY = Vocabulary(
    "vertical_accuracy", _VERTICAL_NAMES, bits=4, values=_VERTICAL_VALUES
)
BARO_ACCURACY = Vocabulary("baro_accuracy", _VERTICAL_NAMES, bits=4, values=_VERTICAL_VALUES)
SPEED_ACCURACY = Vocabulary(
    "speed_accuracy",
    ["unknown", "lt_10_mps", "lt_3_mps", "lt_1_mps", "lt_0_3_mps"],
    bits=4,
    values=[None, 10.0, 3.0, 1.0, 0.3],
)
AUTH_TYPE = Vocabulary(
    "auth_type",
    [
        "none",
        "uas_id_signature",
        "operator_id_signature",
        "message_set_signature",
        "network_remote_id",
        "specific_authentication",
    ],
    bits=4,
    since={5: 1},
    private=range(0xA, 0x10),
)
DESCRIPTION_TYPE = Vocabulary(
    "description_type",
    ["text", "emergency", "extended_status"],
    bits=8,
    since={1: 2, 2: 2},
    private=range(201, 256),
)
OPERATOR_LOCATION_TYPE = Vocabulary(
    "operator_location_type", ["takeoff", "live_gnss", "fixed"], bits=2
)
CLASSIFICATION_TYPE = Vocabulary("classification_type", ["undeclared", "eu"], bits=3)
CATEGORY_EU = Vocabulary("category_eu", ["undeclared", "open", "specific", "certified"], bits=4)
CLASS_EU = Vocabulary(
    "class_eu",
    [
        "undeclared",
        "class_0",
        "class_1",
        "class_2",
        "class_3",
        "class_4",
        "class_5",
        "class_6",
    ],
    bits=4,
)
OPERATOR_ID_TYPE = Vocabulary("operator_id_type", ["operator_id"], bits=8, private=range(201, 256))

# Basic ID types whose 20 bytes are binary; the others are text (serial numbers, CAA
# registrations, and "none", which real transmitters fill with a text ID too).
BINARY_ID_TYPES = frozenset({"utm_assigned_uuid", "specific_session_id"})
