"""The reference vectors (tests/drones/remote_id/vectors.json) decode to the documented values,
field by field, and the documented inputs encode to exactly the documented bytes."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from paridad.drones.remote_id import (
    Authentication,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
    assemble_authentication,
    decode,
    decode_message,
    encode,
    encode_pack,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "vectors.json").read_text(encoding="utf-8")
)
BY_NAME: dict[str, dict[str, Any]] = {v["name"]: v for v in VECTORS["vectors"]}
CLASSES: dict[str, type[Message]] = {
    cls.__name__: cls for cls in (BasicId, Location, Authentication, SelfId, System, OperatorId)
}


def _build(spec: dict[str, Any]) -> Message:
    """A message from the documented inputs, as the reference program was given them."""
    fields = dict(spec["fields"])
    if "timestamp" in fields:
        fields["timestamp"] = datetime.fromisoformat(fields["timestamp"].replace("Z", "+00:00"))
    if "data" in fields:
        fields["data"] = bytes.fromhex(fields["data"])
    return CLASSES[spec["class"]](**fields)


def test_the_vectors_cite_their_source() -> None:
    assert "opendroneid-core-c" in VECTORS["source"]
    assert "test/test_inout.c" in VECTORS["source"]
    assert "wireshark-dissector" in VECTORS["source"]
    assert all(v["origin"] for v in VECTORS["vectors"])


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_vector_decodes_to_the_documented_values(name: str) -> None:
    vector = BY_NAME[name]
    message = decode_message(bytes.fromhex(vector["hex"]))
    assert message.to_dict() == vector["expected"]
    # decode() of a lone message is the same message in a list.
    assert decode(bytes.fromhex(vector["hex"])) == [message]


@pytest.mark.parametrize("name", sorted(n for n, v in BY_NAME.items() if "encode_from" in v))
def test_documented_inputs_encode_to_the_documented_bytes(name: str) -> None:
    vector = BY_NAME[name]
    assert encode(_build(vector["encode_from"])).hex() == vector["hex"]


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_decoded_vector_encodes_back_to_its_bytes(name: str) -> None:
    data = bytes.fromhex(BY_NAME[name]["hex"])
    assert encode(decode_message(data)) == data


def test_spot_checks_from_the_research_notes() -> None:
    """domain.md A.2: direction 36 + 180 = 216, 22 x 0.25 = 5.5 m/s, 5.25 m/s truncates to 5."""
    location = decode_message(bytes.fromhex(BY_NAME["inout_location"]["hex"]))
    assert isinstance(location, Location)
    assert location.direction_deg == 216
    assert location.speed_horizontal_mps == 5.5
    assert location.speed_vertical_mps == 5.0
    assert location.latitude == 45.539309
    assert location.altitude_pressure_m == 100  # unlike the librid vector, a real value


def test_the_pack_of_the_reference_program() -> None:
    pack = VECTORS["pack"]
    data = bytes.fromhex(pack["header"]) + b"".join(
        bytes.fromhex(BY_NAME[name]["hex"]) for name in pack["messages"]
    )
    messages = decode(data)
    assert [m.to_dict() for m in messages] == [
        BY_NAME[name]["expected"] for name in pack["messages"]
    ]
    assert encode_pack(messages) == data


def test_the_authentication_pages_join_into_the_documented_data() -> None:
    spec = VECTORS["authentication"]
    pages = [decode_message(bytes.fromhex(BY_NAME[name]["hex"])) for name in spec["pages"]]
    assert all(isinstance(page, Authentication) for page in pages)
    joined = assemble_authentication(p for p in pages if isinstance(p, Authentication))
    assert joined == spec["expected"]
    assert bytes.fromhex(joined["data"]) == b"12345678901234567" + b"12345678901234567890123"


def test_the_documented_example_is_what_the_decoder_prints() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "remote-id.md"
    example = docs.read_text(encoding="utf-8").split("## Example", 1)[1]
    block = example.split("```json", 1)[1].split("```", 1)[0]
    message = decode_message(bytes.fromhex(BY_NAME["inout_location"]["hex"]))
    assert json.loads(block) == message.to_dict()
    assert BY_NAME["inout_location"]["hex"] in example
