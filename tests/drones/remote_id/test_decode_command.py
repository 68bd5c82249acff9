"""``paridad drones decode FILE`` as a user runs it: JSON Lines out, reasons and a summary on
stderr (or in files), exit 0 with rejected frames, exit 2 for a file that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from paridad.cli.drone_commands import drones_group
from paridad.drones.remote_id import BasicId, Location, encode_pack
from paridad.drones.remote_id.captures import write_capture
from paridad.drones.remote_id.transports import (
    LINKTYPE_IEEE802_11,
    LINKTYPE_IEEE802_11_RADIOTAP,
    MSG_BEACON_IE_CUT,
    build_beacon_frame,
    build_radiotap,
)
from paridad.i18n import set_lang

MAC = "60:60:1f:aa:bb:cc"
T0 = 1_773_455_400_000_000_000  # 2026-03-14T02:30:00Z


def invoke(*args: str) -> Result:
    return CliRunner().invoke(drones_group(), ["decode", *args])


def capture(path: Path) -> Path:
    pack = encode_pack(
        [
            BasicId(
                id_type="serial_number",
                ua_type="helicopter_or_multirotor",
                uas_id="1581F5FKD229J00A00B5",
            ),
            Location(status="airborne", latitude=32.5401, longitude=-117.0295),
        ]
    )
    good = build_radiotap(build_beacon_frame(pack, mac=MAC, counter=9), rssi=-58)
    cut = build_beacon_frame(pack, mac=MAC, counter=10)[:-12]
    write_capture(
        path,
        [
            (T0, LINKTYPE_IEEE802_11_RADIOTAP, good),
            (T0 + 10**9, LINKTYPE_IEEE802_11, cut),
            (T0 + 2 * 10**9, LINKTYPE_IEEE802_11_RADIOTAP, good),
        ],
    )
    return path


def test_decode_prints_json_lines_and_a_summary(tmp_path: Path) -> None:
    result = invoke(str(capture(tmp_path / "night.pcapng")))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["frame"], r["type"]) for r in rows] == [
        (1, "basic_id"),
        (1, "location"),
        (3, "basic_id"),
        (3, "location"),
    ]
    assert rows[0]["received_at"] == "2026-03-14T02:30:00.000000Z"
    assert (rows[0]["transport"], rows[0]["transmitter"], rows[0]["counter"], rows[0]["rssi"]) == (
        "wifi-beacon",
        MAC,
        9,
        -58,
    )
    assert "Frame 2: The Open Drone ID element of a Wi-Fi beacon declares" in result.stderr
    assert "3 frames read (pcapng): 4 messages decoded, 1 rejected, 0 skipped" in result.stderr


def test_out_and_errors_files(tmp_path: Path) -> None:
    out, errors = tmp_path / "messages.jsonl", tmp_path / "rejected.jsonl"
    result = invoke(
        str(capture(tmp_path / "night.pcapng")), "--out", str(out), "--errors", str(errors)
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    (rejected,) = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert rejected["frame"] == 2 and rejected["msgid"] == MSG_BEACON_IE_CUT
    # OUI (3) + type + counter + a pack of two (3 + 2 × 25) = 58 declared, 12 of them cut.
    assert rejected["params"] == {"declared": "58", "available": "46"}
    assert "1 rejected" in result.stderr


def test_a_file_that_cannot_be_read_exits_2_without_creating_outputs(tmp_path: Path) -> None:
    out = tmp_path / "messages.jsonl"
    result = invoke(str(tmp_path / "missing.pcapng"), "--out", str(out))
    assert result.exit_code == 2
    assert "No such file" in result.stderr
    assert not out.exists()
    short = tmp_path / "short.pcap"
    short.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00")
    assert invoke(str(short)).exit_code == 2


def test_errors_speak_spanish() -> None:
    set_lang("es")
    result = CliRunner().invoke(drones_group(), ["decode", "/nonexistent/night.pcapng"])
    assert result.exit_code == 2
    assert "No existe el archivo: /nonexistent/night.pcapng" in result.stderr


def test_hex_input_has_no_transport(tmp_path: Path) -> None:
    path = tmp_path / "lines.hex"
    path.write_text("12202d3e0420bd5c25401c190d0000c10834084a0339300100\nzz\n", encoding="utf-8")
    result = invoke(str(path))
    assert result.exit_code == 0
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert (row["type"], row["frame"], row["transport"], row["received_at"]) == (
        "location",
        1,
        None,
        None,
    )
    assert row["latitude"] == 62.683472
    assert "Frame 2:" in result.stderr
    assert "2 frames read (hex): 1 messages decoded, 1 rejected" in result.stderr
