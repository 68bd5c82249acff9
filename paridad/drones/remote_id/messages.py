"""The six Open Drone ID messages as frozen dataclasses, in SI units.

Fields hold what the standard means, not its codes: metres, m/s, degrees, seconds, UTC
datetimes, lower_snake names for enumerations, and None where the standard's "invalid, no
value or unknown" marker was sent. Every field has a default (the invalid marker, or the
enumeration's "none"/"unknown"), so the simulator builds a message by naming only what it knows.
``to_dict`` gives the same content as JSON-ready values for logs, stores and the workbench.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar

from paridad.drones.remote_id import vocabularies as voc
from paridad.drones.remote_id.fields import (
    LATEST_VERSION,
    TYPE_AUTHENTICATION,
    TYPE_BASIC_ID,
    TYPE_LOCATION,
    TYPE_OPERATOR_ID,
    TYPE_SELF_ID,
    TYPE_SYSTEM,
    as_utc,
    iso_utc,
)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


@dataclass(frozen=True, kw_only=True)
class _Message:
    """What every message shares: its protocol version (the header's low nibble)."""

    TYPE: ClassVar[str]
    CODE: ClassVar[int]

    protocol_version: int = LATEST_VERSION

    @property
    def unknown_version(self) -> bool:
        """A version newer than this decoder knows: decoded with the version-2 layout, as
        receivers are expected to, and flagged so that nobody trusts it blindly."""
        return self.protocol_version > LATEST_VERSION

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.TYPE,
            "protocol_version": self.protocol_version,
            "unknown_version": self.unknown_version,
        }
        for field in fields(self):
            if field.name != "protocol_version":
                out[field.name] = _json(getattr(self, field.name))
        out.update(self._derived())
        return out

    def _derived(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, kw_only=True)
class BasicId(_Message):
    """Who the aircraft is. ``uas_id`` is text for serial numbers (ANSI/CTA-2063-A), CAA
    registrations and the "none" type; for the binary kinds (UTM-assigned UUID, specific
    session ID) it is the lowercase hex of the 20 bytes without their trailing zero padding.
    A reserved ID type (from a newer version) is read as text."""

    TYPE: ClassVar[str] = "basic_id"
    CODE: ClassVar[int] = TYPE_BASIC_ID

    id_type: str = "none"
    ua_type: str = "none"
    uas_id: str = ""


@dataclass(frozen=True, kw_only=True)
class Location(_Message):
    """Where the aircraft is and how it moves. ``timestamp_s`` is seconds after the full UTC
    hour (the message carries no date or hour; see :meth:`time_at`)."""

    TYPE: ClassVar[str] = "location"
    CODE: ClassVar[int] = TYPE_LOCATION

    status: str = "undeclared"
    height_type: str = "above_takeoff"
    direction_deg: float | None = None
    speed_horizontal_mps: float | None = None
    speed_vertical_mps: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    altitude_pressure_m: float | None = None
    altitude_geodetic_m: float | None = None
    height_m: float | None = None
    horizontal_accuracy: str = "unknown"
    vertical_accuracy: str = "unknown"
    baro_accuracy: str = "unknown"
    speed_accuracy: str = "unknown"
    timestamp_s: float | None = None
    timestamp_accuracy_s: float | None = None

    def _derived(self) -> dict[str, Any]:
        return {
            "horizontal_accuracy_m": voc.HORIZONTAL_ACCURACY.value(self.horizontal_accuracy),
            "vertical_accuracy_m": voc.VERTICAL_ACCURACY.value(self.vertical_accuracy),
            "baro_accuracy_m": voc.BARO_ACCURACY.value(self.baro_accuracy),
            "speed_accuracy_mps": voc.SPEED_ACCURACY.value(self.speed_accuracy),
        }

    def time_at(self, received: datetime) -> datetime | None:
        """The absolute UTC time of the fix: the hour that puts ``timestamp_s`` nearest to
        ``received`` (a receiver's clock; naive means UTC), so a fix sent at 10:59:59.9 and
        heard at 11:00:00.2 lands in the 10 o'clock hour."""
        if self.timestamp_s is None:
            return None
        received = as_utc(received)
        hour = received.replace(minute=0, second=0, microsecond=0)
        candidates = [hour + timedelta(hours=h, seconds=self.timestamp_s) for h in (-1, 0, 1)]
        return min(candidates, key=lambda moment: abs((moment - received).total_seconds()))


@dataclass(frozen=True, kw_only=True)
class Authentication(_Message):
    """One page of authentication data. Page 0 carries the authentication type's header
    (``last_page_index``, ``length`` in bytes, ``timestamp``) and 17 data bytes; pages 1-15
    carry 23 data bytes each and None in the header fields. Join the pages with
    :func:`paridad.drones.remote_id.auth.assemble_authentication`."""

    TYPE: ClassVar[str] = "authentication"
    CODE: ClassVar[int] = TYPE_AUTHENTICATION

    auth_type: str = "none"
    page: int = 0
    last_page_index: int | None = None
    length: int | None = None
    timestamp: datetime | None = None
    data: bytes = b""


@dataclass(frozen=True, kw_only=True)
class SelfId(_Message):
    """The operator's free-text description of the flight (23 bytes)."""

    TYPE: ClassVar[str] = "self_id"
    CODE: ClassVar[int] = TYPE_SELF_ID

    description_type: str = "text"
    description: str = ""


@dataclass(frozen=True, kw_only=True)
class System(_Message):
    """Where the operator (or the take-off point) is, the operating area, the EU class of the
    aircraft, and from version 2 the time the message was made. ``category_eu`` and
    ``class_eu`` are None unless ``classification_type`` is ``eu``; ``operator_altitude_m`` is
    None before version 1 and ``timestamp`` None before version 2 (those bytes were reserved)."""

    TYPE: ClassVar[str] = "system"
    CODE: ClassVar[int] = TYPE_SYSTEM

    operator_location_type: str = "takeoff"
    classification_type: str = "undeclared"
    operator_latitude: float | None = None
    operator_longitude: float | None = None
    area_count: int = 1
    area_radius_m: int = 0
    area_ceiling_m: float | None = None
    area_floor_m: float | None = None
    category_eu: str | None = None
    class_eu: str | None = None
    operator_altitude_m: float | None = None
    timestamp: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class OperatorId(_Message):
    """The operator's registration number (20 bytes of text)."""

    TYPE: ClassVar[str] = "operator_id"
    CODE: ClassVar[int] = TYPE_OPERATOR_ID

    operator_id_type: str = "operator_id"
    operator_id: str = ""


Message = BasicId | Location | Authentication | SelfId | System | OperatorId
