"""A file of Remote ID traffic to decoded messages: captures (pcap, pcapng) or hex text.

The format is recognised by its first bytes (the pcap magic in either byte order, micro- or
nanosecond; the pcapng section header), anything else is read as hex lines. Every frame
ends in exactly one of three places, and the :class:`DecodeSummary` counts them:

- decoded: each message becomes a :class:`Decoded` (a pack gives several, same frame number);
- rejected: a damaged record, a truncated or inconsistent transport wrapper, or bytes the codec
  refuses become a :class:`Rejected` with the reason, in the user's language, and the file goes
  on (DESIGN.md: a bad row is quarantined with its reason, never dropped silently);
- skipped: a sound frame that is not Remote ID (another network's beacon, a phone's
  advertisement) is only counted.

Only a file that cannot be read at all raises (missing, a folder, a truncated pcap header,
binary data that is no capture).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.drones.remote_id import Message, RemoteIdError, decode, read_hex_lines
from paridad.drones.remote_id.captures import (
    CaptureFrame,
    capture_format,
    iso_utc,
    read_capture,
)
from paridad.drones.remote_id.transports import OdidPayload, TransportError, parse_frame
from paridad.errors import ParidadError
from paridad.i18n import N_, Lang, translate

MSG_NO_FILE = N_("No such file: {path}")
MSG_FOLDER = N_("{path} is a folder, not a file.")
MSG_UNREADABLE = N_("Cannot read {path}: {reason}")
MSG_NOT_TRAFFIC = N_("{path} is neither a capture (pcap, pcapng) nor a text file of hex messages.")
MSG_LINKTYPE = N_(
    "Frames of link type {linktype} are not read (Wi-Fi: 105, 127; Bluetooth: 187, 201, 251, "
    "256, 272)."
)

_PACK_TYPE = 0xF
_MESSAGE_SIZE = 25
_SNIFF_BYTES = 65_536
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


class DecodeFileError(ParidadError):
    """A traffic file that cannot be read at all, or a frame of a link type that is not read."""


@dataclass(frozen=True, slots=True)
class Decoded:
    """One message and where it came from. ``frame`` is the frame's position in the file (for
    hex files, the line number); a capture gives the receive time and the transport."""

    frame: int
    message: Message
    received_at: str | None = None
    transport: str | None = None
    transmitter: str | None = None
    counter: int | None = None
    rssi: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out = self.message.to_dict()
        out.update(
            received_at=self.received_at,
            transport=self.transport,
            transmitter=self.transmitter,
            counter=self.counter,
        )
        if self.rssi is not None:
            out["rssi"] = self.rssi
        out["frame"] = self.frame
        return out


@dataclass(frozen=True, slots=True)
class Rejected:
    """A frame (or one payload of it) that could not be decoded, and why."""

    frame: int
    reason: ParidadError
    received_at: str | None = None
    transport: str | None = None
    transmitter: str | None = None

    def to_dict(self, lang: Lang | None = None) -> dict[str, Any]:
        """The reason rendered in ``lang`` and also as message id and parameters, so a
        quarantine can store it and show it later in the other language."""
        return {
            "frame": self.frame,
            "reason": self.reason.localized(lang),
            **self.reason.as_record(),
            "received_at": self.received_at,
            "transport": self.transport,
            "transmitter": self.transmitter,
        }


@dataclass
class DecodeSummary:
    """What became of a file's frames: read = decoded frames + rejected + skipped, where a frame
    carrying several payloads may count in more than one."""

    format: str = ""
    frames: int = 0
    messages: int = 0
    skipped: int = 0
    rejected: Counter[str] = field(default_factory=Counter)

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "frames": self.frames,
            "messages": self.messages,
            "rejected": self.rejected_total,
            "rejected_by_reason": dict(self.rejected),
            "skipped": self.skipped,
        }

    @staticmethod
    def reason_label(msgid: str, lang: Lang | None = None) -> str:
        """A reason without its particulars ("… declares … bytes"), to head a count."""
        return _PLACEHOLDER.sub("…", translate(msgid, lang))


def decode_file(path: Path, summary: DecodeSummary | None = None) -> Iterator[Decoded | Rejected]:
    """Decoded messages and rejected frames of the file at ``path``, in file order; counts go
    to ``summary`` when one is given. Raises :class:`DecodeFileError` (or the capture reader's
    error) before yielding anything when the file cannot be read at all."""
    tally = summary if summary is not None else DecodeSummary()
    head = _head(Path(path))
    kind = capture_format(head)
    tally.format = kind or "hex"
    items = _capture(Path(path), tally) if kind else _hex(Path(path), head, tally)
    for item in items:
        if isinstance(item, Decoded):
            tally.messages += 1
        else:
            tally.rejected[item.reason.msgid] += 1
        yield item


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_SNIFF_BYTES)
    except FileNotFoundError as exc:
        raise DecodeFileError(MSG_NO_FILE, path=path) from exc
    except IsADirectoryError as exc:
        raise DecodeFileError(MSG_FOLDER, path=path) from exc
    except OSError as exc:
        raise DecodeFileError(MSG_UNREADABLE, path=path, reason=exc.strerror or exc) from exc


def _hex(path: Path, head: bytes, tally: DecodeSummary) -> Iterator[Decoded | Rejected]:
    if not _looks_like_text(head):
        raise DecodeFileError(MSG_NOT_TRAFFIC, path=path)
    for line, item in read_hex_lines(path):
        tally.frames += 1
        if isinstance(item, RemoteIdError):
            yield Rejected(line, item)
            continue
        try:
            messages = decode(item)
        except RemoteIdError as exc:
            yield Rejected(line, exc)
            continue
        for message in messages:
            yield Decoded(line, message)


def _looks_like_text(head: bytes) -> bool:
    """No NUL byte and valid UTF-8 (a character cut by the sniffing window is allowed)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and len(head) == _SNIFF_BYTES
    return True


def _capture(path: Path, tally: DecodeSummary) -> Iterator[Decoded | Rejected]:
    for item in read_capture(path):
        tally.frames += 1
        if not isinstance(item, CaptureFrame):
            yield Rejected(item.index, item.error)
            continue
        received = iso_utc(item.time_ns) if item.time_ns is not None else None
        outcomes = parse_frame(item.linktype, item.data)
        if outcomes is None:
            yield Rejected(
                item.index, DecodeFileError(MSG_LINKTYPE, linktype=item.linktype), received
            )
            continue
        if not outcomes:
            tally.skipped += 1
            continue
        for outcome in outcomes:
            if isinstance(outcome, TransportError):
                yield Rejected(item.index, outcome, received)
            else:
                yield from _payload(item.index, received, outcome)


def _payload(
    frame: int, received: str | None, wrapped: OdidPayload
) -> Iterator[Decoded | Rejected]:
    try:
        messages = decode(unpadded(wrapped.payload))
    except RemoteIdError as exc:
        yield Rejected(frame, exc, received, wrapped.transport, wrapped.transmitter)
        return
    for message in messages:
        yield Decoded(
            frame,
            message,
            received,
            wrapped.transport,
            wrapped.transmitter,
            wrapped.counter,
            wrapped.rssi,
        )


def unpadded(payload: bytes) -> bytes:
    """A message pack cut to the length its header declares. Bluetooth 5 transmitters pad
    packs to a fixed size (the public sample sends 228 bytes for packs of 5), and the
    reference decoder reads only the declared messages; the codec wants exact lengths."""
    if len(payload) < 3 or payload[0] >> 4 != _PACK_TYPE or payload[1] != _MESSAGE_SIZE:
        return payload
    declared = 3 + payload[2] * _MESSAGE_SIZE
    return payload[:declared] if payload[2] > 0 and declared < len(payload) else payload
