"""Hex traffic files: one message or message pack per line, as receivers and dissectors print
them (``12 26 24 …``, ``12:26:24…`` or ``122624…``).

``#`` starts a comment (a whole line or the rest of one) and blank lines are skipped. A line
that is not hex is yielded as an error with its line number instead of stopping the file, so a
caller can quarantine it and go on: one bad line never costs the rest of a capture.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from paridad.drones.remote_id.errors import (
    MSG_NOT_HEX,
    MSG_ODD_HEX,
    MSG_UNREADABLE,
    RemoteIdError,
)

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_SHOWN = 40  # characters of a bad line quoted in its error


def read_hex_lines(path: Path) -> Iterator[tuple[int, bytes | RemoteIdError]]:
    """``(line number, bytes)`` for each data line, ``(line number, error)`` for a line that
    is not an even number of hex digits; raises :class:`RemoteIdError` if the file cannot be
    read at all."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise RemoteIdError(MSG_UNREADABLE, path=path, reason=exc.strerror or str(exc)) from exc
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        digits = "".join(text.split()).replace(":", "")
        if not set(digits) <= _HEX_DIGITS:
            shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
            yield number, RemoteIdError(MSG_NOT_HEX, line=number, text=repr(shown))
        elif len(digits) % 2:
            yield number, RemoteIdError(MSG_ODD_HEX, line=number, count=len(digits))
        else:
            yield number, bytes.fromhex(digits)
