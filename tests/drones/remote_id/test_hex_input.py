"""Hex traffic files: comments, blank lines and separators are tolerated; a bad line is an
error with its line number and the lines after it are still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.drones.remote_id import RemoteIdError, decode, read_hex_lines
from paridad.drones.remote_id.errors import MSG_NOT_HEX, MSG_ODD_HEX, MSG_UNREADABLE

LOCATION = "122624160a42bf241b6ed1b4b69808ac0870086b53150e0200"
SELF_ID = "320044726f6e65735255533a205265616c2045737461746500"


def test_a_capture_file_with_comments_separators_and_a_bad_line(tmp_path: Path) -> None:
    spaced = " ".join(LOCATION[i : i + 2] for i in range(0, len(LOCATION), 2))
    colons = ":".join(SELF_ID[i : i + 2] for i in range(0, len(SELF_ID), 2)).upper()
    path = tmp_path / "capture.hex"
    path.write_text(
        "# Open Drone ID heard at the San Ysidro port of entry\n"
        f"{spaced}\n"
        "\n"
        f"{colons}   # Self-ID\n"
        "12 26 zz 16\n"
        "f2 19 0\n"
        f"\tf2 19 02 {LOCATION} {SELF_ID}\n",
        encoding="utf-8",
    )
    rows = list(read_hex_lines(path))
    assert [number for number, _ in rows] == [2, 4, 5, 6, 7]
    assert rows[0][1] == bytes.fromhex(LOCATION)
    assert rows[1][1] == bytes.fromhex(SELF_ID)
    bad, odd = rows[2][1], rows[3][1]
    assert isinstance(bad, RemoteIdError) and isinstance(odd, RemoteIdError)
    assert (bad.msgid, bad.params["line"]) == (MSG_NOT_HEX, 5)
    assert str(bad) == "Line 5: '12 26 zz 16' is not hexadecimal."
    assert (odd.msgid, odd.params) == (MSG_ODD_HEX, {"line": 6, "count": 5})
    pack = rows[4][1]
    assert isinstance(pack, bytes)
    assert [m.TYPE for m in decode(pack)] == ["location", "self_id"]


def test_long_bad_lines_are_shortened_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(b"\xff\xfe" + b"g" * 100 + b"\n")
    ((number, error),) = list(read_hex_lines(path))
    assert number == 1 and isinstance(error, RemoteIdError)
    assert len(str(error)) < 80 and "…" in str(error)


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RemoteIdError) as caught:
        list(read_hex_lines(tmp_path / "missing.hex"))
    assert caught.value.msgid == MSG_UNREADABLE
    assert "missing.hex" in str(caught.value)
