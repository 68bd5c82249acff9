"""Decoding a whole file: every message of every transport comes out with its transport,
sender, counter, signal and receive time; damaged frames are reported with their reason and
the file goes on; frames that are not Remote ID are counted; only unreadable files raise."""

from __future__ import annotations

import struct
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.remote_id import (
    BasicId,
    Location,
    OperatorId,
    SelfId,
    encode,
    encode_pack,
)
from paridad.drones.remote_id.captures import (
    MSG_BLOCK_DAMAGED,
    MSG_PCAP_HEADER_SHORT,
    CaptureError,
    time_ns,
    write_capture,
)
from paridad.drones.remote_id.decode_file import (
    MSG_FOLDER,
    MSG_LINKTYPE,
    MSG_NO_FILE,
    MSG_NOT_TRAFFIC,
    Decoded,
    DecodeFileError,
    DecodeSummary,
    Rejected,
    decode_file,
    unpadded,
)
from paridad.drones.remote_id.errors import MSG_NOT_HEX, MSG_PACK_COUNT, MSG_PACK_FIT
from paridad.drones.remote_id.transports import (
    BT_EXTENDED,
    BT_LEGACY,
    LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
    LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
    LINKTYPE_IEEE802_11,
    LINKTYPE_IEEE802_11_RADIOTAP,
    LINKTYPE_NORDIC_BLE,
    MSG_BEACON_IE_CUT,
    WIFI_BEACON,
    WIFI_NAN,
    ble_service_data,
    build_beacon_frame,
    build_ble_extended_pdu,
    build_ble_legacy_pdu,
    build_ble_ll_phdr,
    build_hci_advertising_report,
    build_nan_action_frame,
    build_nordic_ble,
    build_radiotap,
)

START = datetime(2026, 3, 14, 2, 30, 0, 250_000, tzinfo=UTC)
T0 = time_ns(START)
SERIAL = "1581F5FKD229J00A00B5"
DRONE = "60:60:1f:aa:bb:cc"
PHONE = "02:11:22:33:44:55"


def pack() -> bytes:
    return encode_pack(
        [
            BasicId(id_type="serial_number", ua_type="helicopter_or_multirotor", uas_id=SERIAL),
            Location(status="airborne", latitude=32.5401, longitude=-117.0295, height_m=80.0),
            OperatorId(operator_id="MEX-OP-0042"),
        ]
    )


def location() -> bytes:
    return encode(Location(status="airborne", latitude=32.5402, longitude=-117.0296))


def other_beacon() -> bytes:
    """A home router's beacon: SSID and rates, no Remote ID."""
    header = struct.pack("<BBH6s6s6sH", 0x80, 0, 0, b"\xff" * 6, bytes(6), bytes(6), 0)
    return header + struct.pack("<QHH", 0, 100, 0x0401) + bytes.fromhex("0004686f6d65 010182")


def phone_advertisement() -> bytes:
    """A phone's ADV_IND with flags and manufacturer data: Bluetooth, but not Remote ID."""
    data = bytes.fromhex("020106 05ff4c000215")
    return build_ble_ll_phdr(bytes([0x40, 6 + len(data)]) + bytes(6) + data, rssi=-40)


# (link type, frame, transport, transmitter, counter, rssi, messages); None = not Remote ID.
def mixed_frames() -> list[tuple[int, bytes, str | None, str | None, int, int | None, int]]:
    legacy = build_ble_legacy_pdu(location(), mac=DRONE, counter=11)
    extended = build_ble_extended_pdu(pack(), mac=DRONE, counter=12)
    beacon = build_beacon_frame(pack(), mac=DRONE, counter=13, ssid="RID-1581")
    return [
        (
            LINKTYPE_IEEE802_11_RADIOTAP,
            build_radiotap(beacon, rssi=-61),
            WIFI_BEACON,
            DRONE,
            13,
            -61,
            3,
        ),
        (
            LINKTYPE_IEEE802_11_RADIOTAP,
            build_radiotap(other_beacon(), rssi=-30),
            None,
            None,
            0,
            None,
            0,
        ),
        (
            LINKTYPE_IEEE802_11_RADIOTAP,
            build_radiotap(build_nan_action_frame(pack(), mac=DRONE, counter=14), rssi=-62),
            WIFI_NAN,
            DRONE,
            14,
            -62,
            3,
        ),
        (LINKTYPE_IEEE802_11, beacon, WIFI_BEACON, DRONE, 13, None, 3),
        (
            LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
            build_ble_ll_phdr(legacy, rssi=-70),
            BT_LEGACY,
            DRONE,
            11,
            -70,
            1,
        ),
        (LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, phone_advertisement(), None, None, 0, None, 0),
        (
            LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
            build_ble_ll_phdr(extended, channel=10, rssi=-88, coded=True),
            BT_EXTENDED,
            DRONE,
            12,
            -88,
            3,
        ),
        (
            LINKTYPE_NORDIC_BLE,
            build_nordic_ble(extended, rssi=-77, coded=True),
            BT_EXTENDED,
            DRONE,
            12,
            -77,
            3,
        ),
        (
            LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
            build_hci_advertising_report(legacy[8:], mac=DRONE, rssi=-71),
            BT_LEGACY,
            DRONE,
            11,
            -71,
            1,
        ),
        (
            LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
            build_hci_advertising_report(
                ble_service_data(pack(), 15), mac=DRONE, rssi=-72, extended=True
            ),
            BT_EXTENDED,
            DRONE,
            15,
            -72,
            3,
        ),
    ]


def write_mixed(
    path: Path, *, big_endian: bool = False, nanoseconds: bool = False
) -> list[tuple[int, bytes, str | None, str | None, int, int | None, int]]:
    frames = mixed_frames()
    write_capture(
        path,
        [
            (T0 + i * 1_000_000_001, linktype, frame)
            for i, (linktype, frame, *_) in enumerate(frames)
        ],
        big_endian=big_endian,
        nanoseconds=nanoseconds,
    )
    return frames


@pytest.mark.parametrize(("big_endian", "nanoseconds"), [(False, False), (True, True)])
def test_every_transport_is_decoded_with_its_metadata(
    tmp_path: Path, big_endian: bool, nanoseconds: bool
) -> None:
    path = tmp_path / "night.pcapng"
    frames = write_mixed(path, big_endian=big_endian, nanoseconds=nanoseconds)
    summary = DecodeSummary()
    items = list(decode_file(path, summary))
    assert all(isinstance(item, Decoded) for item in items), [
        i for i in items if isinstance(i, Rejected)
    ]
    decoded = [item for item in items if isinstance(item, Decoded)]
    for index, (_lt, _frame, transport, transmitter, counter, rssi, count) in enumerate(frames, 1):
        mine = [d for d in decoded if d.frame == index]
        assert len(mine) == count, index
        when = T0 + (index - 1) * 1_000_000_001
        expected_time = datetime.fromtimestamp(when // 10**9, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        # Microseconds, unless the capture resolves (and the time has) a part below them.
        sub_micro = nanoseconds and when % 1000
        fraction = f"{when % 10**9:09d}" if sub_micro else f"{when % 10**9 // 1000:06d}"
        for d in mine:
            assert (d.transport, d.transmitter, d.counter, d.rssi) == (
                transport,
                transmitter,
                counter,
                rssi,
            )
            assert d.received_at == f"{expected_time}.{fraction}Z"
    serials = {d.message.uas_id for d in decoded if isinstance(d.message, BasicId)}
    assert serials == {SERIAL}
    assert summary.to_dict() == {
        "format": "pcapng",
        "frames": len(frames),
        "messages": sum(f[6] for f in frames),
        "rejected": 0,
        "rejected_by_reason": {},
        "skipped": 2,
    }


def test_to_dict_is_the_message_plus_where_it_came_from(tmp_path: Path) -> None:
    path = tmp_path / "one.pcapng"
    write_mixed(path)
    first = next(item for item in decode_file(path) if isinstance(item, Decoded))
    row = first.to_dict()
    assert row["type"] == "basic_id" and row["uas_id"] == SERIAL
    assert {k: row[k] for k in ("transport", "transmitter", "counter", "rssi", "frame")} == {
        "transport": WIFI_BEACON,
        "transmitter": DRONE,
        "counter": 13,
        "rssi": -61,
        "frame": 1,
    }
    assert row["received_at"] == "2026-03-14T02:30:00.250000Z"
    no_rssi = next(
        item for item in decode_file(path) if isinstance(item, Decoded) and item.frame == 4
    )
    assert "rssi" not in no_rssi.to_dict()


def test_a_pcap_in_the_other_byte_order_with_nanoseconds(tmp_path: Path) -> None:
    path = tmp_path / "beacons.pcap"
    frames = [
        (
            T0 + i * 100_000_007,
            LINKTYPE_IEEE802_11_RADIOTAP,
            build_radiotap(build_beacon_frame(pack(), mac=DRONE, counter=i), rssi=-50 - i),
        )
        for i in range(5)
    ]
    write_capture(path, frames, fmt="pcap", big_endian=True, nanoseconds=True)
    assert path.read_bytes()[:4] == b"\xa1\xb2\x3c\x4d"
    summary = DecodeSummary()
    decoded = [item for item in decode_file(path, summary) if isinstance(item, Decoded)]
    assert summary.format == "pcap" and summary.messages == 15
    assert [d.counter for d in decoded[::3]] == [0, 1, 2, 3, 4]
    assert decoded[3].received_at == "2026-03-14T02:30:00.350000007Z"
    assert decoded[3].rssi == -51


def test_a_corrupted_block_in_the_middle_is_reported_and_the_rest_decoded(tmp_path: Path) -> None:
    path = tmp_path / "damaged.pcapng"
    write_mixed(path)
    data = bytearray(path.read_bytes())
    # Walk the blocks to the third packet block and break its trailing length.
    pos, packets = 0, 0
    while True:
        kind, length = struct.unpack_from("<II", data, pos)
        if kind == 6:
            packets += 1
            if packets == 3:
                struct.pack_into("<I", data, pos + length - 4, 1)
                break
        pos += length
    path.write_bytes(bytes(data))
    summary = DecodeSummary()
    items = list(decode_file(path, summary))
    rejected = [item for item in items if isinstance(item, Rejected)]
    assert [(r.frame, r.reason.msgid) for r in rejected] == [(3, MSG_BLOCK_DAMAGED)]
    decoded_frames = sorted({item.frame for item in items if isinstance(item, Decoded)})
    assert decoded_frames == [1, 4, 5, 7, 8, 9, 10]
    assert summary.frames == 10 and summary.rejected == {MSG_BLOCK_DAMAGED: 1}


def test_malformed_wrappers_and_payloads_are_rejected_with_reasons(tmp_path: Path) -> None:
    beacon = build_beacon_frame(pack(), mac=DRONE, counter=1)
    empty_pack = bytes.fromhex("f21900") + bytes(25)
    padded = pack() + bytes(228 - len(pack()))  # BT5 transmitters pad packs (public sample)
    frames = [
        (T0, LINKTYPE_IEEE802_11, beacon[:-30]),  # vendor element cut short
        (T0 + 1, LINKTYPE_IEEE802_11, build_beacon_frame(empty_pack, mac=DRONE, counter=2)),
        (T0 + 2, LINKTYPE_IEEE802_11, build_beacon_frame(pack()[:-5], mac=DRONE, counter=3)),
        (
            T0 + 3,
            LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
            build_ble_ll_phdr(build_ble_extended_pdu(padded, mac=DRONE, counter=4)),
        ),
        (T0 + 4, 1, b"\x00" * 60),  # Ethernet: a link type that is not read
    ]
    path = tmp_path / "bad.pcapng"
    write_capture(path, frames)
    summary = DecodeSummary()
    items = list(decode_file(path, summary))
    rejected = [(r.frame, r.reason.msgid, r.transport) for r in items if isinstance(r, Rejected)]
    assert rejected == [
        (1, MSG_BEACON_IE_CUT, None),
        (2, MSG_PACK_COUNT, WIFI_BEACON),
        (3, MSG_PACK_FIT, WIFI_BEACON),
        (5, MSG_LINKTYPE, None),
    ]
    assert [d.frame for d in items if isinstance(d, Decoded)] == [4, 4, 4]
    assert summary.frames == 5 and summary.messages == 3 and summary.rejected_total == 4
    reason = next(r for r in items if isinstance(r, Rejected)).to_dict()
    assert reason["msgid"] == MSG_BEACON_IE_CUT and reason["frame"] == 1
    assert "declares" in reason["reason"] and reason["received_at"].endswith("Z")


def test_unpadded_cuts_only_what_the_pack_header_does_not_declare() -> None:
    packed = pack()
    assert unpadded(packed + bytes(150)) == packed
    assert unpadded(packed) == packed
    assert unpadded(location()) == location()  # a single message is left alone
    assert unpadded(b"\xf2\x19\x00" + bytes(50)) == b"\xf2\x19\x00" + bytes(
        50
    )  # count 0: codec decides


def test_a_hex_file_with_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "traffic.hex"
    path.write_text(
        "# receiver RX-07\n"
        f"{pack().hex(' ')}\n"
        "not hex at all\n"
        "\n"
        f"{encode(SelfId(description='Recreational')).hex(':')}\n"
        "12 26 24\n",
        encoding="utf-8",
    )
    summary = DecodeSummary()
    items = list(decode_file(path, summary))
    decoded = [(d.frame, d.message.to_dict()["type"]) for d in items if isinstance(d, Decoded)]
    assert decoded == [(2, "basic_id"), (2, "location"), (2, "operator_id"), (5, "self_id")]
    rejected = [(r.frame, r.reason.msgid) for r in items if isinstance(r, Rejected)]
    assert rejected[0] == (3, MSG_NOT_HEX) and rejected[1][0] == 6
    first = next(d for d in items if isinstance(d, Decoded)).to_dict()
    assert (first["received_at"], first["transport"], first["counter"]) == (None, None, None)
    assert summary.format == "hex" and summary.frames == 4 and summary.skipped == 0


def test_an_empty_file_has_no_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.pcapng"
    path.write_bytes(b"")
    summary = DecodeSummary()
    assert list(decode_file(path, summary)) == []
    assert (summary.format, summary.frames) == ("hex", 0)


def test_unreadable_files_raise_with_a_clear_reason(tmp_path: Path) -> None:
    cases = {
        tmp_path / "missing.pcap": MSG_NO_FILE,
        tmp_path: MSG_FOLDER,
    }
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4)
    cases[binary] = MSG_NOT_TRAFFIC
    for path, msgid in cases.items():
        with pytest.raises(DecodeFileError) as caught:
            list(decode_file(path))
        assert caught.value.msgid == msgid
        assert str(path) in caught.value.localized("en")
    truncated = tmp_path / "short.pcap"
    truncated.write_bytes(b"\xd4\xc3\xb2\xa1\x02\x00\x04\x00")
    with pytest.raises(CaptureError) as short:
        list(decode_file(truncated))
    assert short.value.msgid == MSG_PCAP_HEADER_SHORT


def test_reason_labels_hide_the_particulars() -> None:
    assert (
        DecodeSummary.reason_label(MSG_PACK_FIT, "en")
        == "Message pack: … messages need … bytes, got …."
    )


@settings(max_examples=120, deadline=None)
@given(
    tail=st.binary(max_size=300),
    linktype=st.sampled_from([105, 127, 187, 201, 251, 256, 272, 1]),
    nanoseconds=st.booleans(),
)
def test_random_packets_never_raise(tail: bytes, linktype: int, nanoseconds: bool) -> None:
    """Random blocks after a sound header (times out of any calendar included): every item is
    a Decoded or a Rejected, and the counts add up."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.pcapng"
        write_capture(path, [(T0, linktype, tail[:40])], nanoseconds=nanoseconds)
        with path.open("ab") as fh:
            epb = struct.pack(
                "<IIIIIII",
                6,
                32 + 4 * ((len(tail) + 3) // 4),
                0,
                0xFFFFFFFF,
                0,
                len(tail),
                len(tail),
            )
            fh.write(epb + tail + bytes(-len(tail) % 4) + epb[4:8] + tail)
        summary = DecodeSummary()
        items = list(decode_file(path, summary))
    assert all(isinstance(item, Decoded | Rejected) for item in items)
    assert summary.messages == sum(isinstance(item, Decoded) for item in items)
    assert summary.rejected_total == sum(isinstance(item, Rejected) for item in items)
