"""Capture files: pcap (either byte order, micro- or nanosecond) and pcapng, read and written.

Receivers at the border record what they hear with tcpdump, Wireshark, an nRF sniffer or a
phone's Bluetooth log; all of these write pcap or pcapng. Reading keeps the promise every
ingest path in Paridad keeps (DESIGN.md, "nothing lost"): a damaged record or block in the
middle of a file is reported as a :class:`DamagedFrame` with its reason and reading resumes
at the next record that checks out, instead of ending the file there (which is what dpkt's
own readers, and Wireshark, do). Only a file with no readable header at all raises.

dpkt parses the section and interface blocks (their options carry the timestamp resolution and
offset) and builds the blocks the writers emit; the framing (block lengths, the search for the
next sound block after damage) is done here, because that is where a reader must not give up.
The files are memory-mapped, so a capture of gigabytes is read without loading it.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

import dpkt  # type: ignore[import-untyped, unused-ignore]

from paridad.errors import ParidadError
from paridad.i18n import N_

CaptureFormat = Literal["pcap", "pcapng"]

MSG_UNREADABLE = N_("Cannot read {path}: {reason}")
MSG_PCAP_HEADER_SHORT = N_(
    "The pcap file header is cut short: {length} bytes, a pcap file starts with 24."
)
MSG_PCAP_BAD_MAGIC = N_("This is not a pcap file: it starts with {magic}.")
MSG_PCAPNG_HEADER_SHORT = N_(
    "The pcapng section header is cut short or damaged at byte {offset}; nothing can be read."
)
MSG_RECORD_DAMAGED = N_(
    "The record header at byte {offset} is not valid; reading resumes at the next sound record."
)
MSG_RECORD_CUT = N_(
    "The file ends inside a record at byte {offset}: {declared} bytes declared, {available} left."
)
MSG_BLOCK_DAMAGED = N_(
    "The pcapng block at byte {offset} is damaged (type {kind}, length {length}); reading "
    "resumes at the next sound block."
)
MSG_BLOCK_CUT = N_(
    "The file ends inside a pcapng block at byte {offset} ({declared} bytes declared, "
    "{available} left)."
)
MSG_UNKNOWN_INTERFACE = N_(
    "The packet at byte {offset} refers to interface {interface}, which the file does not describe."
)
MSG_BAD_INTERFACE = N_(
    "The interface description at byte {offset} is too short or malformed; its packets cannot "
    "be read."
)

_PCAP_MAGIC = {
    b"\xd4\xc3\xb2\xa1": ("<", False),
    b"\xa1\xb2\xc3\xd4": (">", False),
    b"\x4d\x3c\xb2\xa1": ("<", True),
    b"\xa1\xb2\x3c\x4d": (">", True),
}
_PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
_BOM = {b"\x4d\x3c\x2b\x1a": "<", b"\x1a\x2b\x3c\x4d": ">"}

_BT_SHB = 0x0A0D0D0A
_BT_IDB = 0x00000001
_BT_PB = 0x00000002  # obsolete packet block
_BT_SPB = 0x00000003
_BT_NRB = 0x00000004
_BT_ISB = 0x00000005
_BT_EPB = 0x00000006
_BT_DSB = 0x0000000A
_KNOWN_BLOCKS = frozenset(
    {_BT_SHB, _BT_IDB, _BT_PB, _BT_SPB, _BT_NRB, _BT_ISB, _BT_EPB, _BT_DSB, 0x0BAD, 0x40000BAD}
)
_PACKET_BLOCKS = frozenset({_BT_PB, _BT_SPB, _BT_EPB})

_MAX_RECORD = 16 * 1024 * 1024  # no link type has frames this large; a bigger length is damage
_RESYNC_MAX_GAP_S = 86_400  # a record more than a day from its neighbour is not the next one


class CaptureError(ParidadError):
    """A capture file, or a record in one, that cannot be read."""


@dataclass(frozen=True, slots=True)
class CaptureFrame:
    """One captured frame: its 1-based position among the file's frames, the link type of its
    interface, the bytes, and the capture time in nanoseconds since the Unix epoch (None when
    the file records none: pcapng simple packet blocks)."""

    index: int
    linktype: int
    data: bytes
    time_ns: int | None


@dataclass(frozen=True, slots=True)
class DamagedFrame:
    """A record or block that could not be read; it takes one position in the numbering."""

    index: int
    error: CaptureError


CaptureItem = CaptureFrame | DamagedFrame


def capture_format(head: bytes) -> CaptureFormat | None:
    """``pcap`` or ``pcapng`` from a file's first four bytes, None for anything else."""
    if head[:4] in _PCAP_MAGIC:
        return "pcap"
    if head[:4] == _PCAPNG_MAGIC:
        return "pcapng"
    return None


def read_capture(path: Path) -> Iterator[CaptureItem]:
    """The frames of a pcap or pcapng file, in order; raises :class:`CaptureError` when the
    file cannot be opened or has no readable header."""
    try:
        with Path(path).open("rb") as fh:
            size = fh.seek(0, 2)
            if size == 0:
                raise CaptureError(MSG_PCAP_HEADER_SHORT, length=0)
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
                yield from read_capture_bytes(view)
    except OSError as exc:
        raise CaptureError(MSG_UNREADABLE, path=path, reason=exc.strerror or str(exc)) from exc


def read_capture_bytes(data: bytes | mmap.mmap) -> Iterator[CaptureItem]:
    """The frames of a capture held in memory (or memory-mapped)."""
    kind = capture_format(bytes(data[:4]))
    if kind == "pcapng":
        yield from _read_pcapng(data)
    elif kind == "pcap":
        yield from _read_pcap(data)
    elif len(data) < 4:
        raise CaptureError(MSG_PCAP_HEADER_SHORT, length=len(data))
    else:
        raise CaptureError(MSG_PCAP_BAD_MAGIC, magic=bytes(data[:4]).hex(" "))


# ---------------------------------------------------------------------------------------------
# pcap
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PcapLayout:
    endian: str
    fraction: int  # units of the sub-second field per second
    snaplen: int

    def plausible(self, data: bytes | mmap.mmap, pos: int, last_s: int | None) -> bool:
        """Whether a record header could start at ``pos``: a sub-second field in range, a
        length within the snapshot length and not above the original length, a time near
        the previous record's, and a body that fits the file."""
        if pos + 16 > len(data):
            return False
        seconds, frac, caplen, origlen = struct.unpack_from(self.endian + "IIII", data, pos)
        if frac >= self.fraction or caplen > self.limit or caplen > origlen:
            return False
        if origlen > _MAX_RECORD or pos + 16 + caplen > len(data):
            return False
        return last_s is None or abs(seconds - last_s) <= _RESYNC_MAX_GAP_S

    @property
    def limit(self) -> int:
        return min(max(self.snaplen, 262_144), _MAX_RECORD)


def _read_pcap(data: bytes | mmap.mmap) -> Iterator[CaptureItem]:
    if len(data) < 24:
        raise CaptureError(MSG_PCAP_HEADER_SHORT, length=len(data))
    endian, nano = _PCAP_MAGIC[bytes(data[:4])]
    snaplen, network = struct.unpack_from(endian + "II", data, 16)
    linktype = network & 0xFFFF  # the upper bits may carry FCS information
    layout = _PcapLayout(endian, 1_000_000_000 if nano else 1_000_000, snaplen)
    scale = 1 if nano else 1000
    pos, index, last_s = 24, 0, None
    while pos < len(data):
        index += 1
        if pos + 16 > len(data):
            yield _damaged(
                index, MSG_RECORD_CUT, offset=pos, declared=16, available=len(data) - pos
            )
            return
        seconds, frac, caplen, _origlen = struct.unpack_from(endian + "IIII", data, pos)
        if frac >= layout.fraction or caplen > layout.limit:
            yield _damaged(index, MSG_RECORD_DAMAGED, offset=pos)
            resumed = _resync_pcap(data, pos + 1, layout, last_s)
            if resumed is None:
                return
            pos = resumed
            continue
        end = pos + 16 + caplen
        if end > len(data):
            yield _damaged(
                index, MSG_RECORD_CUT, offset=pos, declared=caplen, available=len(data) - pos - 16
            )
            return
        yield CaptureFrame(
            index, linktype, bytes(data[pos + 16 : end]), seconds * 10**9 + frac * scale
        )
        last_s = seconds
        pos = end


def _resync_pcap(
    data: bytes | mmap.mmap, start: int, layout: _PcapLayout, last_s: int | None
) -> int | None:
    """The first offset from ``start`` where a plausible record begins and is followed by
    another plausible record (or the end of the file): the heuristic pcapfix uses."""
    for pos in range(start, len(data) - 15):
        if not layout.plausible(data, pos, last_s):
            continue
        caplen = struct.unpack_from(layout.endian + "I", data, pos + 8)[0]
        after = pos + 16 + caplen
        seconds = struct.unpack_from(layout.endian + "I", data, pos)[0]
        if after == len(data) or layout.plausible(data, after, seconds):
            return pos
    return None


def _damaged(index: int, msgid: str, **params: object) -> DamagedFrame:
    return DamagedFrame(index, CaptureError(msgid, **params))


# ---------------------------------------------------------------------------------------------
# pcapng
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Interface:
    linktype: int
    units_per_second: int  # if_tsresol
    offset_s: int  # if_tsoffset

    def time_ns(self, high: int, low: int) -> int:
        ticks = (high << 32) | low
        return ticks * 10**9 // self.units_per_second + self.offset_s * 10**9


def _read_pcapng(data: bytes | mmap.mmap) -> Iterator[CaptureItem]:
    endian = _section_endian(data, 0)
    if endian is None or not _sound_block(data, 0, endian):
        raise CaptureError(MSG_PCAPNG_HEADER_SHORT, offset=0)
    interfaces: list[_Interface] = []
    pos, index = 0, 0
    while pos < len(data):
        if pos + 12 > len(data):
            index += 1
            yield _damaged(index, MSG_BLOCK_CUT, offset=pos, declared=12, available=len(data) - pos)
            return
        kind = struct.unpack_from(endian + "I", data, pos)[0]
        if kind == _BT_SHB:
            endian = _section_endian(data, pos) or endian
        length = struct.unpack_from(endian + "I", data, pos + 4)[0]
        if not _sound_block(data, pos, endian):
            index += 1
            resumed = _resync_pcapng(data, pos + 4, endian, len(interfaces))
            if resumed is None and length >= 12 and pos + length > len(data):
                yield _damaged(
                    index, MSG_BLOCK_CUT, offset=pos, declared=length, available=len(data) - pos
                )
                return
            yield _damaged(
                index, MSG_BLOCK_DAMAGED, offset=pos, kind=f"0x{kind:08x}", length=length
            )
            if resumed is None:
                return
            pos = resumed
            continue
        block = bytes(data[pos : pos + length])
        if kind == _BT_SHB:
            interfaces = []
        elif kind == _BT_IDB:
            interface = _interface(block, endian, pos)
            if isinstance(interface, CaptureError):
                # Keep the numbering of interfaces: packets on it will be reported.
                interfaces.append(_Interface(-1, 10**6, 0))
                index += 1
                yield DamagedFrame(index, interface)
            else:
                interfaces.append(interface)
        elif kind in _PACKET_BLOCKS:
            index += 1
            yield _packet(block, kind, endian, interfaces, index, pos)
        pos += length


def _section_endian(data: bytes | mmap.mmap, pos: int) -> str | None:
    if pos + 12 > len(data) or bytes(data[pos : pos + 4]) != _PCAPNG_MAGIC:
        return None
    return _BOM.get(bytes(data[pos + 8 : pos + 12]))


def _sound_block(data: bytes | mmap.mmap, pos: int, endian: str) -> bool:
    """Length at least 12, a multiple of 4, inside the file, and repeated at the block's end."""
    if pos + 12 > len(data):
        return False
    length: int = struct.unpack_from(endian + "I", data, pos + 4)[0]
    if length < 12 or length % 4 or pos + length > len(data):
        return False
    trailer: int = struct.unpack_from(endian + "I", data, pos + length - 4)[0]
    return trailer == length


def _resync_pcapng(data: bytes | mmap.mmap, start: int, endian: str, interfaces: int) -> int | None:
    """The next 4-aligned offset where a block of a known type checks out (its lengths agree;
    a packet names a described interface and fits its block; a section header has its
    byte-order magic)."""
    for pos in range(start + (-start % 4), len(data) - 11, 4):
        kind = struct.unpack_from(endian + "I", data, pos)[0]
        if kind not in _KNOWN_BLOCKS:
            continue
        if kind == _BT_SHB:
            section = _section_endian(data, pos)
            if section is not None and _sound_block(data, pos, section):
                return pos
            continue
        if not _sound_block(data, pos, endian):
            continue
        length = struct.unpack_from(endian + "I", data, pos + 4)[0]
        if kind == _BT_EPB:
            if length < 32:
                continue
            iface, _h, _l, caplen = struct.unpack_from(endian + "IIII", data, pos + 8)
            if iface >= interfaces or caplen > length - 32:
                continue
        return pos
    return None


def _interface(block: bytes, endian: str, pos: int) -> _Interface | CaptureError:
    """Link type, timestamp resolution (option 9) and offset (option 14), read by dpkt."""
    cls = (
        dpkt.pcapng.InterfaceDescriptionBlockLE
        if endian == "<"
        else dpkt.pcapng.InterfaceDescriptionBlock
    )
    try:
        idb = cls(block)
        units, offset = 10**6, 0
        for option in getattr(idb, "opts", []):
            if option.code == dpkt.pcapng.PCAPNG_OPT_IF_TSRESOL and option.data:
                value = option.data[0]
                units = 2 ** (value & 0x7F) if value & 0x80 else 10 ** (value & 0x7F)
            elif option.code == dpkt.pcapng.PCAPNG_OPT_IF_TSOFFSET and len(option.data) >= 8:
                offset = struct.unpack_from(endian + "q", option.data)[0]
        return _Interface(int(idb.linktype), units, int(offset))
    except (dpkt.Error, struct.error, ValueError, IndexError):
        return CaptureError(MSG_BAD_INTERFACE, offset=pos)


def _packet(
    block: bytes, kind: int, endian: str, interfaces: list[_Interface], index: int, pos: int
) -> CaptureItem:
    """Enhanced, simple or (obsolete) packet block. Their fixed fields are read directly: a
    packet's options (comments, flags) never decide whether its bytes can be used."""
    length = len(block)
    if kind == _BT_SPB:
        if length < 16 or not interfaces:
            return _damaged(index, MSG_UNKNOWN_INTERFACE, offset=pos, interface=0)
        origlen = struct.unpack_from(endian + "I", block, 8)[0]
        body = block[12 : min(12 + origlen, length - 4)]
        return CaptureFrame(index, interfaces[0].linktype, body, None)
    if length < 32:
        return _damaged(index, MSG_BLOCK_DAMAGED, offset=pos, kind=f"0x{kind:08x}", length=length)
    if kind == _BT_EPB:
        iface, high, low, caplen = struct.unpack_from(endian + "IIII", block, 8)
    else:
        iface, _drops, high, low, caplen = struct.unpack_from(endian + "HHIII", block, 8)
    if caplen > length - 32:
        return _damaged(index, MSG_BLOCK_DAMAGED, offset=pos, kind=f"0x{kind:08x}", length=length)
    if iface >= len(interfaces) or interfaces[iface].linktype < 0:
        return _damaged(index, MSG_UNKNOWN_INTERFACE, offset=pos, interface=iface)
    interface = interfaces[iface]
    return CaptureFrame(
        index, interface.linktype, block[28 : 28 + caplen], interface.time_ns(high, low)
    )


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


class PcapngWriter:
    """A pcapng writer (one section, interfaces added as link types appear) in either byte
    order and with micro- or nanosecond timestamps; dpkt builds the blocks. dpkt's own
    ``pcapng.Writer`` writes only the machine's byte order, which is why this exists."""

    def __init__(
        self, fh: BinaryIO, *, big_endian: bool = False, nanoseconds: bool = False
    ) -> None:
        self._fh = fh
        self._le = not big_endian
        self._nano = nanoseconds
        self._interfaces: dict[int, int] = {}
        pcapng = dpkt.pcapng
        option = pcapng.PcapngOptionLE if self._le else pcapng.PcapngOption
        shb = pcapng.SectionHeaderBlockLE if self._le else pcapng.SectionHeaderBlock
        opts = [option(code=pcapng.PCAPNG_OPT_SHB_USERAPPL, data=b"paridad"), option(code=0)]
        fh.write(bytes(shb(opts=opts)))

    def interface(self, linktype: int) -> int:
        """The interface number for ``linktype``, described on first use."""
        if linktype not in self._interfaces:
            pcapng = dpkt.pcapng
            option = pcapng.PcapngOptionLE if self._le else pcapng.PcapngOption
            idb = (
                pcapng.InterfaceDescriptionBlockLE if self._le else pcapng.InterfaceDescriptionBlock
            )
            opts = [option(code=0)]
            if self._nano:
                opts = [option(code=pcapng.PCAPNG_OPT_IF_TSRESOL, data=bytes([9])), *opts]
            self._fh.write(bytes(idb(linktype=linktype, snaplen=0, opts=opts)))
            self._interfaces[linktype] = len(self._interfaces)
        return self._interfaces[linktype]

    def write(self, data: bytes, *, linktype: int, time_ns: int) -> None:
        iface = self.interface(linktype)
        ticks = time_ns if self._nano else time_ns // 1000
        epb = dpkt.pcapng.EnhancedPacketBlockLE if self._le else dpkt.pcapng.EnhancedPacketBlock
        block = epb(
            iface_id=iface, ts_high=ticks >> 32, ts_low=ticks & 0xFFFFFFFF, pkt_data=bytes(data)
        )
        self._fh.write(bytes(block))


class PcapWriter:
    """A classic pcap writer: one link type per file, either byte order, µs or ns."""

    def __init__(
        self,
        fh: BinaryIO,
        *,
        linktype: int,
        big_endian: bool = False,
        nanoseconds: bool = False,
        snaplen: int = 262_144,
    ) -> None:
        self._fh = fh
        self._endian = ">" if big_endian else "<"
        self._nano = nanoseconds
        self.linktype = linktype
        magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
        fh.write(struct.pack(self._endian + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))

    def write(self, data: bytes, *, linktype: int, time_ns: int) -> None:
        if linktype != self.linktype:
            raise ValueError(f"a pcap file holds one link type ({self.linktype}), not {linktype}")
        seconds, rest = divmod(time_ns, 10**9)
        frac = rest if self._nano else rest // 1000
        self._fh.write(struct.pack(self._endian + "IIII", seconds, frac, len(data), len(data)))
        self._fh.write(data)


def write_capture(
    path: Path,
    frames: Iterable[tuple[int, int, bytes]],
    *,
    fmt: CaptureFormat = "pcapng",
    big_endian: bool = False,
    nanoseconds: bool = False,
) -> int:
    """Write ``(time_ns, linktype, data)`` frames to ``path``; returns how many were written.
    A pcap file takes its link type from the first frame."""
    count = 0
    with Path(path).open("wb") as fh:
        writer: PcapngWriter | PcapWriter | None = None
        if fmt == "pcapng":
            writer = PcapngWriter(fh, big_endian=big_endian, nanoseconds=nanoseconds)
        for time_ns, linktype, data in frames:
            if writer is None:
                writer = PcapWriter(
                    fh, linktype=linktype, big_endian=big_endian, nanoseconds=nanoseconds
                )
            writer.write(data, linktype=linktype, time_ns=time_ns)
            count += 1
    return count


def time_ns(moment: datetime) -> int:
    """Nanoseconds since the Unix epoch for an aware datetime (naive ones are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def iso_utc(nanoseconds: int) -> str | None:
    """ISO-8601 UTC with a ``Z``: microseconds, or nanoseconds when the time has a part below
    them; None for a time no calendar date can hold (a damaged timestamp)."""
    seconds, rest = divmod(nanoseconds, 10**9)
    try:
        base = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    except (OverflowError, ValueError, OSError):
        return None
    fraction = f"{rest // 1000:06d}" if rest % 1000 == 0 else f"{rest:09d}"
    return f"{base}.{fraction}Z"
