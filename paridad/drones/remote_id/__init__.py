"""Open Drone ID (ASTM F3411, ASD-STAN EN 4709-002) messages: decode what drones broadcast over
Bluetooth and Wi-Fi, and encode it for the tests and the simulator. See ``docs/remote-id.md``.

The transports that carry these bytes (BLE advertising, Wi-Fi beacons and NAN frames) are
unwrapped elsewhere; this package starts at the 25-byte message and the message pack.
"""

from __future__ import annotations

from paridad.drones.remote_id.auth import assemble_authentication
from paridad.drones.remote_id.decode import decode, decode_message
from paridad.drones.remote_id.encode import encode, encode_pack
from paridad.drones.remote_id.errors import RemoteIdError
from paridad.drones.remote_id.fields import LATEST_VERSION, MESSAGE_SIZE
from paridad.drones.remote_id.hex_input import read_hex_lines
from paridad.drones.remote_id.messages import (
    Authentication,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
)

__all__ = [
    "LATEST_VERSION",
    "MESSAGE_SIZE",
    "Authentication",
    "BasicId",
    "Location",
    "Message",
    "OperatorId",
    "RemoteIdError",
    "SelfId",
    "System",
    "assemble_authentication",
    "decode",
    "decode_message",
    "encode",
    "encode_pack",
    "read_hex_lines",
]
