"""Capture files: what we write, dpkt reads back identically and so do we (pcap in both byte
orders and resolutions, pcapng in both byte orders); what dpkt writes, we read; a damaged
record or block in the middle costs that frame only; only a file with no readable header
raises."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import dpkt  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.remote_id.captures import (
    MSG_BAD_INTERFACE,
    MSG_BLOCK_CUT,
    MSG_BLOCK_DAMAGED,
    MSG_PCAP_BAD_MAGIC,
    MSG_PCAP_HEADER_SHORT,
    MSG_PCAPNG_HEADER_SHORT,
    MSG_RECORD_CUT,
    MSG_RECORD_DAMAGED,
    MSG_UNKNOWN_INTERFACE,
    CaptureError,
    CaptureFrame,
    DamagedFrame,
    PcapngWriter,
    capture_format,
    iso_utc,
    read_capture,
    read_capture_bytes,
    time_ns,
    write_capture,
)

T0 = time_ns(datetime(2026, 3, 14, 2, 30, 0, tzinfo=UTC)) + 123_456_789
FRAMES = [
    (T0, 127, b"\x00\x00\x08\x00\x00\x00\x00\x00radiotap frame one"),
    (T0 + 1_000_000_001, 127, b"\x00\x00\x08\x00\x00\x00\x00\x00frame two"),
    (T0 + 2_500_000_000, 256, bytes(range(40))),
]


def frames_of(items: list[CaptureFrame | DamagedFrame]) -> list[CaptureFrame]:
    out = [item for item in items if isinstance(item, CaptureFrame)]
    return out


def pcapng_bytes(frames: list[tuple[int, int, bytes]], **options: bool) -> bytes:
    fh = io.BytesIO()
    writer = PcapngWriter(fh, **options)
    for when, linktype, data in frames:
        writer.write(data, linktype=linktype, time_ns=when)
    return fh.getvalue()


@pytest.mark.parametrize(
    ("big_endian", "nanoseconds"), [(False, False), (True, True), (True, False), (False, True)]
)
def test_pcapng_round_trip(tmp_path: Path, big_endian: bool, nanoseconds: bool) -> None:
    path = tmp_path / "cap.pcapng"
    assert write_capture(path, FRAMES, big_endian=big_endian, nanoseconds=nanoseconds) == 3
    head = path.read_bytes()[:12]
    assert capture_format(head) == "pcapng"
    assert head[8:12] == (b"\x1a\x2b\x3c\x4d" if big_endian else b"\x4d\x3c\x2b\x1a")
    items = list(read_capture(path))
    assert [(f.index, f.linktype, f.data) for f in frames_of(items)] == [
        (i, lt, data) for i, (_, lt, data) in enumerate(FRAMES, 1)
    ]
    resolution = 1 if nanoseconds else 1000
    assert [f.time_ns for f in frames_of(items)] == [
        when // resolution * resolution for when, _, _ in FRAMES
    ]


@pytest.mark.parametrize(
    ("big_endian", "nanoseconds"), [(False, False), (True, True), (True, False), (False, True)]
)
def test_pcap_round_trip_and_dpkt_agrees(
    tmp_path: Path, big_endian: bool, nanoseconds: bool
) -> None:
    path = tmp_path / "cap.pcap"
    wifi = [frame for frame in FRAMES if frame[1] == 127]
    write_capture(path, wifi, fmt="pcap", big_endian=big_endian, nanoseconds=nanoseconds)
    magic = path.read_bytes()[:4]
    assert capture_format(magic) == "pcap"
    ours = frames_of(list(read_capture(path)))
    resolution = 1 if nanoseconds else 1000
    assert [(f.linktype, f.data, f.time_ns) for f in ours] == [
        (127, data, when // resolution * resolution) for when, _, data in wifi
    ]
    # dpkt, an independent reader, sees the same file.
    with path.open("rb") as fh:
        reader = dpkt.pcap.Reader(fh)
        assert reader.datalink() == 127
        # dpkt gives nanosecond files' times as Decimal, microsecond ones as float.
        theirs = [
            (int(ts * 10**9) if isinstance(ts, Decimal) else round(ts * 1e6) * 1000, bytes(buf))
            for ts, buf in reader
        ]
    assert theirs == [(f.time_ns, f.data) for f in ours]


def test_dpkt_reads_our_pcapng_and_we_read_dpkts(tmp_path: Path) -> None:
    ours = pcapng_bytes(FRAMES[:2])
    theirs = [(ts, bytes(buf)) for ts, buf in dpkt.pcapng.Reader(io.BytesIO(ours))]
    assert [buf for _, buf in theirs] == [data for _, _, data in FRAMES[:2]]
    assert theirs[0][0] == pytest.approx(FRAMES[0][0] / 1e9, abs=1e-6)
    # And the other way: dpkt's own writer (machine byte order, microseconds).
    fh = io.BytesIO()
    writer = dpkt.pcapng.Writer(fh, linktype=127)
    writer.writepkt(b"from dpkt", ts=1_700_000_000.25)
    frames = frames_of(list(read_capture_bytes(fh.getvalue())))
    assert [(f.linktype, f.data, f.time_ns) for f in frames] == [
        (127, b"from dpkt", 1_700_000_000_250_000_000)
    ]


def _block_offsets(data: bytes) -> list[int]:
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        pos += struct.unpack_from("<I", data, pos + 4)[0]
    return offsets


@pytest.mark.parametrize("damage", ["leading length", "trailing length", "huge length", "type"])
def test_a_damaged_block_in_the_middle_costs_that_frame_only(damage: str) -> None:
    data = bytearray(pcapng_bytes(FRAMES))
    blocks = _block_offsets(bytes(data))
    # SHB, IDB(127), EPB, EPB, IDB(256), EPB: damage the second packet.
    middle = blocks[3]
    length = struct.unpack_from("<I", data, middle + 4)[0]
    if damage == "leading length":
        struct.pack_into("<I", data, middle + 4, length + 8)
    elif damage == "trailing length":
        struct.pack_into("<I", data, middle + length - 4, 7)
    elif damage == "huge length":
        struct.pack_into("<I", data, middle + 4, 0xFFFFFFF0)
    else:
        struct.pack_into("<I", data, middle, 0xDEADBEEF)
        struct.pack_into("<I", data, middle + length - 4, 5)
    items = list(read_capture_bytes(bytes(data)))
    assert [type(item).__name__ for item in items] == [
        "CaptureFrame",
        "DamagedFrame",
        "CaptureFrame",
    ]
    damaged = items[1]
    assert isinstance(damaged, DamagedFrame)
    assert damaged.index == 2
    assert damaged.error.msgid == MSG_BLOCK_DAMAGED
    assert damaged.error.params["offset"] == middle
    assert [f.data for f in frames_of(items)] == [FRAMES[0][2], FRAMES[2][2]]
    assert frames_of(items)[1].linktype == 256  # the interface after the damage was read


def test_a_truncated_pcapng_ends_with_one_damaged_frame() -> None:
    data = pcapng_bytes(FRAMES)
    items = list(read_capture_bytes(data[:-10]))
    assert len(frames_of(items)) == 2
    last = items[-1]
    assert isinstance(last, DamagedFrame) and last.error.msgid == MSG_BLOCK_CUT
    assert last.index == 3


def test_packets_on_an_undescribed_interface_are_reported() -> None:
    data = bytearray(pcapng_bytes(FRAMES[:1]))
    epb = _block_offsets(bytes(data))[2]
    struct.pack_into("<I", data, epb + 8, 5)  # interface 5 of 1
    (item,) = list(read_capture_bytes(bytes(data)))
    assert isinstance(item, DamagedFrame) and item.error.msgid == MSG_UNKNOWN_INTERFACE
    assert item.error.params["interface"] == 5


def test_a_broken_interface_description_is_reported_and_its_packets_too() -> None:
    """A sound block too short to be an interface description (no snapshot length)."""
    data = pcapng_bytes(FRAMES[:1])
    _shb, idb, epb = _block_offsets(data)
    short_idb = struct.pack("<IIHHI", 1, 16, 127, 0, 16)
    items = list(read_capture_bytes(data[:idb] + short_idb + data[epb:]))
    assert [type(i).__name__ for i in items] == ["DamagedFrame", "DamagedFrame"]
    first, second = items
    assert isinstance(first, DamagedFrame) and first.error.msgid == MSG_BAD_INTERFACE
    assert first.error.params["offset"] == idb
    assert isinstance(second, DamagedFrame) and second.error.msgid == MSG_UNKNOWN_INTERFACE


def test_timestamp_resolution_offset_and_simple_packets() -> None:
    """if_tsresol as a power of two, if_tsoffset in seconds, and a simple packet block (which
    has no time at all), in a file built block by block with dpkt."""
    ng = dpkt.pcapng
    opts = [
        ng.PcapngOptionLE(code=ng.PCAPNG_OPT_IF_TSRESOL, data=bytes([0x80 | 10])),
        ng.PcapngOptionLE(code=ng.PCAPNG_OPT_IF_TSOFFSET, data=struct.pack("<q", 1_000)),
        ng.PcapngOptionLE(code=0),
    ]
    ticks = 5 * 1024 + 512  # 5.5 s in units of 1/1024 s
    epb = ng.EnhancedPacketBlockLE(iface_id=0, ts_high=0, ts_low=ticks, pkt_data=b"timed")
    spb_data = b"untimed!"
    spb = (
        struct.pack("<III", 3, 16 + len(spb_data), len(spb_data))
        + spb_data
        + struct.pack("<I", 16 + len(spb_data))
    )
    data = (
        bytes(ng.SectionHeaderBlockLE())
        + bytes(ng.InterfaceDescriptionBlockLE(linktype=105, snaplen=0, opts=opts))
        + bytes(epb)
        + spb
    )
    timed, untimed = frames_of(list(read_capture_bytes(data)))
    assert (timed.data, timed.time_ns) == (b"timed", 1_005_500_000_000)
    assert (untimed.data, untimed.linktype, untimed.time_ns) == (spb_data, 105, None)


def test_a_damaged_pcap_record_in_the_middle_costs_that_frame_only(tmp_path: Path) -> None:
    path = tmp_path / "cap.pcap"
    wifi = [(T0 + i * 10**9, 127, bytes([i]) * (20 + i)) for i in range(4)]
    write_capture(path, wifi, fmt="pcap")
    data = bytearray(path.read_bytes())
    second = 24 + 16 + 20
    struct.pack_into("<I", data, second + 8, 0x7FFFFFFF)  # an impossible captured length
    items = list(read_capture_bytes(bytes(data)))
    assert [type(i).__name__ for i in items] == [
        "CaptureFrame",
        "DamagedFrame",
        "CaptureFrame",
        "CaptureFrame",
    ]
    damaged = items[1]
    assert isinstance(damaged, DamagedFrame) and damaged.error.msgid == MSG_RECORD_DAMAGED
    assert [f.data for f in frames_of(items)] == [wifi[0][2], wifi[2][2], wifi[3][2]]
    assert [f.index for f in frames_of(items)] == [1, 3, 4]


def test_a_truncated_pcap_ends_with_one_damaged_frame(tmp_path: Path) -> None:
    path = tmp_path / "cap.pcap"
    write_capture(path, [frame for frame in FRAMES if frame[1] == 127], fmt="pcap")
    items = list(read_capture_bytes(path.read_bytes()[:-3]))
    assert len(frames_of(items)) == 1
    last = items[-1]
    assert isinstance(last, DamagedFrame) and last.error.msgid == MSG_RECORD_CUT


def test_files_without_a_readable_header_raise(tmp_path: Path) -> None:
    with pytest.raises(CaptureError) as short:
        list(read_capture_bytes(b"\xd4\xc3\xb2\xa1\x02\x00"))
    assert short.value.msgid == MSG_PCAP_HEADER_SHORT
    with pytest.raises(CaptureError) as ng:
        list(read_capture_bytes(b"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00garbage-bom!"))
    assert ng.value.msgid == MSG_PCAPNG_HEADER_SHORT
    with pytest.raises(CaptureError) as magic:
        list(read_capture_bytes(b"GIF89a..."))
    assert magic.value.msgid == MSG_PCAP_BAD_MAGIC
    with pytest.raises(CaptureError):
        list(read_capture(tmp_path / "missing.pcap"))


def test_iso_utc_keeps_the_capture_resolution() -> None:
    assert iso_utc(1_700_000_000_250_000_000) == "2023-11-14T22:13:20.250000Z"
    assert iso_utc(1_700_000_000_000_000_001) == "2023-11-14T22:13:20.000000001Z"
    assert time_ns(datetime(1970, 1, 1, 0, 0, 1, 5)) == 1_000_005_000


def test_a_pcap_holds_one_link_type(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_capture(tmp_path / "x.pcap", FRAMES, fmt="pcap")


@settings(max_examples=200, deadline=None)
@given(tail=st.binary(max_size=400))
def test_random_bytes_after_the_headers_never_raise(tail: bytes) -> None:
    head = pcapng_bytes([])
    head += bytes(dpkt.pcapng.InterfaceDescriptionBlockLE(linktype=127, snaplen=0))
    for item in read_capture_bytes(head + tail):
        assert isinstance(item, CaptureFrame | DamagedFrame)
    pcap_head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 127)
    for item in read_capture_bytes(pcap_head + tail):
        assert isinstance(item, CaptureFrame | DamagedFrame)
