"""Transports: every wrapper round-trips through its parser with the right transport, sender,
counter and signal; the beacon builder reproduces the reference implementation's frame; every
malformed wrapper is reported (or skipped) with its reason, never with an exception."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.remote_id import (
    BasicId,
    Location,
    OperatorId,
    System,
    encode,
    encode_pack,
)
from paridad.drones.remote_id.transports import (
    BLE_ADV_ACCESS_ADDRESS,
    BT_EXTENDED,
    BT_LEGACY,
    LINKTYPE_BLUETOOTH_HCI_H4,
    LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR,
    LINKTYPE_BLUETOOTH_LE_LL,
    LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR,
    LINKTYPE_IEEE802_11,
    LINKTYPE_IEEE802_11_RADIOTAP,
    LINKTYPE_NORDIC_BLE,
    MSG_BAD_CHECKSUM,
    MSG_BEACON_IE_CUT,
    MSG_BLE_AD_CUT,
    MSG_BLE_HEADER_CUT,
    MSG_HCI_REPORT_CUT,
    MSG_LINK_HEADER_SHORT,
    MSG_NAN_ATTRIBUTE_CUT,
    MSG_NAN_NO_SERVICE_INFO,
    MSG_NAN_SERVICE_INFO_CUT,
    MSG_WRAPPER_TOO_SHORT,
    SUPPORTED_LINKTYPES,
    WIFI_BEACON,
    WIFI_NAN,
    OdidPayload,
    Outcome,
    TransportError,
    ble_crc,
    ble_link_layer_packet,
    ble_service_data,
    build_beacon_frame,
    build_ble_extended_pdu,
    build_ble_legacy_pdu,
    build_ble_ll_phdr,
    build_hci_advertising_report,
    build_nan_action_frame,
    build_nordic_ble,
    build_radiotap,
    parse_80211,
    parse_ble_pdu,
    parse_frame,
    parse_radiotap,
)

MAC = "60:60:1f:aa:bb:cc"


def sample_pack() -> bytes:
    """Basic ID, Location and Operator ID of a drone near Tijuana, as a pack (78 bytes)."""
    return encode_pack(
        [
            BasicId(
                id_type="serial_number",
                ua_type="helicopter_or_multirotor",
                uas_id="1581F5FKD229J00A00B5",
            ),
            Location(status="airborne", latitude=32.5401, longitude=-117.0295, height_m=80.0),
            OperatorId(operator_id="MEX-OP-0042"),
        ]
    )


def sample_message() -> bytes:
    return encode(Location(status="airborne", latitude=32.5401, longitude=-117.0295))


def only_payload(outcomes: list[Outcome]) -> OdidPayload:
    assert len(outcomes) == 1, outcomes
    assert isinstance(outcomes[0], OdidPayload), outcomes[0]
    return outcomes[0]


def only_error(outcomes: list[Outcome]) -> TransportError:
    assert len(outcomes) == 1, outcomes
    assert isinstance(outcomes[0], TransportError), outcomes[0]
    return outcomes[0]


# --- the reference beacon (opendroneid-core-c test/unit_odid_wifi_beacon.cpp) ----------------

# The expected bytes of the reference test, written from its expectedBuffer: management header
# (beacon, broadcast, source and BSSID = the MAC), TSF forced to all ones by the test, interval
# 100 TU, capability 0x0420, SSID "testSSID_0123456789A", one rate (6 Mbit/s), the vendor
# element dd 53 fa 0b bc 0d, counter 0x55, pack header f2 19 03, the Basic ID (serial, hybrid
# lift, "USS-Enterprise") and the first two bytes of the Location message. Frame length 146.
REFERENCE_BEACON_PREFIX = bytes.fromhex(
    "8000 0000 ffffffffffff 123456214365 123456214365 0000"
    " ffffffffffffffff 6400 2004"
    " 0014 74657374535349445f30313233343536373839 41 01018c"
    " dd53 fa0bbc 0d 55 f21903"
    " 0214 5553532d456e7465727072697365 000000000000 000000"
    " 1220"
)


def test_beacon_builder_reproduces_the_reference_frame() -> None:
    pack = encode_pack(
        [
            BasicId(id_type="serial_number", ua_type="hybrid_lift", uas_id="USS-Enterprise"),
            Location(
                status="airborne",
                direction_deg=0.25,
                speed_horizontal_mps=62.0,
                speed_vertical_mps=62.0,
            ),
            System(timestamp=datetime(2019, 1, 1, tzinfo=UTC) + timedelta(seconds=0x12345678)),
        ]
    )
    frame = build_beacon_frame(
        pack,
        mac="12:34:56:21:43:65",
        counter=0x55,
        ssid="testSSID_0123456789A",
        interval_tu=100,
        tsf=2**64 - 1,
    )
    assert len(REFERENCE_BEACON_PREFIX) == 98
    assert len(frame) == 146
    assert frame[:98] == REFERENCE_BEACON_PREFIX


# --- round trips ------------------------------------------------------------------------------


def test_beacon_round_trip_through_radiotap_and_plain_80211() -> None:
    pack = sample_pack()
    frame = build_beacon_frame(pack, mac=MAC, counter=7, ssid="RID")
    got = only_payload(parse_radiotap(build_radiotap(frame, rssi=-61)))
    assert got == OdidPayload(pack, WIFI_BEACON, MAC, 7, -61)
    plain = only_payload(parse_frame(LINKTYPE_IEEE802_11, frame) or [])
    assert (plain.payload, plain.rssi) == (pack, None)


def test_nan_round_trip_and_layout() -> None:
    pack = sample_pack()
    frame = build_nan_action_frame(pack, mac=MAC, counter=201)
    assert frame[0] == 0xD0  # action frame
    assert frame[4:10] == bytes.fromhex("516f9a010000")  # NaN network ID
    assert frame[16:22] == bytes.fromhex("506f9a0100ff")  # cluster ID fixed by ASTM
    body = frame[24:]
    assert body[:6] == bytes.fromhex("0409506f9a13")
    assert body[6] == 0x03 and struct.unpack_from("<H", body, 7)[0] == 10 + 1 + len(pack)
    assert body[9:15] == bytes.fromhex("8869199d9209")
    assert body[-7:] == bytes.fromhex("0e0400010002c9")  # extension: update indicator = counter
    got = only_payload(parse_radiotap(build_radiotap(frame, rssi=-40)))
    assert got == OdidPayload(pack, WIFI_NAN, MAC, 201, -40)


def test_ble_legacy_round_trip_through_every_bluetooth_link_type() -> None:
    message = sample_message()
    pdu = build_ble_legacy_pdu(message, mac=MAC, counter=3)
    assert len(pdu) == 2 + 6 + 31  # header, AdvA, a full legacy advertising payload
    frames = {
        LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: (build_ble_ll_phdr(pdu, rssi=-70), -70),
        LINKTYPE_BLUETOOTH_LE_LL: (ble_link_layer_packet(pdu), None),
        LINKTYPE_NORDIC_BLE: (build_nordic_ble(pdu, rssi=-55), -55),
        LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: (
            build_hci_advertising_report(pdu[8:], mac=MAC, rssi=-80),
            -80,
        ),
        LINKTYPE_BLUETOOTH_HCI_H4: (
            build_hci_advertising_report(pdu[8:], mac=MAC, rssi=-81, phdr=False),
            -81,
        ),
    }
    for linktype, (frame, rssi) in frames.items():
        got = only_payload(parse_frame(linktype, frame) or [])
        assert got == OdidPayload(message, BT_LEGACY, MAC, 3, rssi), linktype


def test_ble_extended_round_trip_on_the_coded_phy() -> None:
    pack = sample_pack()
    pdu = build_ble_extended_pdu(pack, mac=MAC, counter=250, adi=0x1234)
    for frame in (
        build_ble_ll_phdr(pdu, channel=10, rssi=-90, coded=True),
        build_nordic_ble(pdu, channel=10, rssi=-90, coded=True),
    ):
        assert frame.count(struct.pack("<I", BLE_ADV_ACCESS_ADDRESS)) >= 1
        linktype = (
            LINKTYPE_NORDIC_BLE
            if frame[0] == 0 and frame[3] == 3
            else LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR
        )
        got = only_payload(parse_frame(linktype, frame) or [])
        assert got == OdidPayload(pack, BT_EXTENDED, MAC, 250, -90)


def test_ble_extended_without_address_and_through_hci() -> None:
    pack = sample_pack()
    anonymous = only_payload(parse_ble_pdu(build_ble_extended_pdu(pack, mac=None, counter=1)))
    assert (anonymous.transmitter, anonymous.transport) == (None, BT_EXTENDED)
    report = build_hci_advertising_report(
        ble_service_data(pack, 9), mac=MAC, rssi=-66, extended=True
    )
    got = only_payload(parse_frame(LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, report) or [])
    assert got == OdidPayload(pack, BT_EXTENDED, MAC, 9, -66)


def test_crc_agrees_with_the_specification_shift_register() -> None:
    """The reflected, byte-oriented CRC against a literal transcription of the specification's
    LFSR (Core Vol 6 Part B §3.1.1: 24 positions preset to 0x555555 with the LSB in position 0,
    data LSB first, taps after positions 0, 2, 3, 5, 8, 9, sent from position 23)."""

    def shift_register(pdu: bytes) -> bytes:
        reg = [(0x555555 >> i) & 1 for i in range(24)]
        for byte in pdu:
            for k in range(8):
                feedback = ((byte >> k) & 1) ^ reg[23]
                reg = [feedback, *reg[:23]]
                for tap in (1, 3, 4, 6, 9, 10):
                    reg[tap] ^= feedback
        bits = [reg[23 - j] for j in range(24)]
        return bytes(sum(bits[8 * b + k] << k for k in range(8)) for b in range(3))

    for pdu in (
        b"",
        b"\x00",
        sample_message(),
        build_ble_legacy_pdu(sample_message(), mac=MAC, counter=0),
    ):
        assert ble_crc(pdu) == shift_register(pdu)


def test_builders_refuse_what_no_transmitter_can_send() -> None:
    with pytest.raises(ValueError):
        build_ble_legacy_pdu(sample_pack(), mac=MAC, counter=0)  # a pack does not fit BT4
    with pytest.raises(ValueError):
        build_beacon_frame(b"\x00" * 251, mac=MAC, counter=0)
    with pytest.raises(ValueError):
        build_beacon_frame(sample_pack(), mac=MAC, counter=256)
    with pytest.raises(ValueError):
        build_beacon_frame(sample_pack(), mac="60:60:1f", counter=0)


# --- frames that are not Remote ID: skipped --------------------------------------------------


def _beacon_with_elements(elements: bytes) -> bytes:
    header = struct.pack(
        "<BBH6s6s6sH", 0x80, 0, 0, b"\xff" * 6, bytes(range(6)), bytes(range(6)), 0
    )
    return header + struct.pack("<QHH", 0, 100, 0x0420) + elements


def test_other_frames_are_not_remote_id() -> None:
    assert parse_80211(_beacon_with_elements(bytes.fromhex("0004686f6d65"))) == []  # SSID only
    assert parse_80211(bytes.fromhex("d4000000") + bytes(range(6))) == []  # an ACK
    wrong_type = bytes.fromhex("dd0a fa0bbc 0e 01 f019010000")  # ASD-STAN OUI, type 0x0E
    assert parse_80211(_beacon_with_elements(wrong_type)) == []
    other_vendor = bytes.fromhex("dd0a 0050f2 0d 01 f019010000")
    assert parse_80211(_beacon_with_elements(other_vendor)) == []
    # A NaN frame for another service.
    nan = bytearray(build_nan_action_frame(sample_pack(), mac=MAC, counter=1))
    nan[24 + 9] ^= 0xFF
    assert parse_80211(bytes(nan)) == []
    # Bluetooth: manufacturer data, another service's data, a wrong application code.
    for data in (
        bytes.fromhex("05ff4c000215"),
        bytes.fromhex("0516aafe1234"),
        bytes.fromhex("0616faff0e0100"),
    ):
        pdu = bytes([0x42, 6 + len(data)]) + bytes(6) + data
        assert parse_ble_pdu(pdu) == []
    # A data-channel packet (not the advertising access address).
    assert (
        parse_frame(
            LINKTYPE_BLUETOOTH_LE_LL, struct.pack("<I", 0x12345678) + b"\x01\x00" + bytes(3)
        )
        == []
    )
    assert parse_frame(1, b"\x00" * 20) is None  # Ethernet is not read at all
    assert LINKTYPE_IEEE802_11_RADIOTAP in SUPPORTED_LINKTYPES


# --- malformed wrappers: reported with the reason -----------------------------------------


def test_truncated_vendor_element_is_reported() -> None:
    frame = build_beacon_frame(sample_pack(), mac=MAC, counter=1)
    error = only_error(parse_80211(frame[:-20]))
    assert error.msgid == MSG_BEACON_IE_CUT
    assert error.params == {
        "declared": 5 + len(sample_pack()),
        "available": 5 + len(sample_pack()) - 20,
    }
    # Cut inside the OUI type: the OUI alone announces Open Drone ID.
    cut_early = _beacon_with_elements(bytes.fromhex("dd53fa0bbc"))
    assert only_error(parse_80211(cut_early)).msgid == MSG_BEACON_IE_CUT
    # Complete but empty: OUI, type and counter, no message.
    empty = _beacon_with_elements(bytes.fromhex("dd05fa0bbc0d07"))
    assert only_error(parse_80211(empty)).msgid == MSG_WRAPPER_TOO_SHORT


def test_nan_descriptor_problems_are_reported() -> None:
    frame = build_nan_action_frame(sample_pack(), mac=MAC, counter=1)
    extension = 7
    assert only_error(parse_80211(frame[: -extension - 10])).msgid == MSG_NAN_ATTRIBUTE_CUT
    no_info = bytearray(frame)
    no_info[24 + 9 + 8] = 0x00  # service control without "service info present"
    assert only_error(parse_80211(bytes(no_info))).msgid == MSG_NAN_NO_SERVICE_INFO
    long_info = bytearray(frame)
    long_info[24 + 9 + 9] += 5  # service info longer than the attribute
    assert only_error(parse_80211(bytes(long_info))).msgid == MSG_NAN_SERVICE_INFO_CUT


def test_ble_ad_structure_past_the_end_is_reported() -> None:
    pdu = bytearray(build_ble_legacy_pdu(sample_message(), mac=MAC, counter=1))
    pdu[8] += 4  # the AD structure claims 4 more bytes than the packet has
    error = only_error(parse_ble_pdu(bytes(pdu)))
    assert error.msgid == MSG_BLE_AD_CUT
    assert error.params == {"declared": 34, "available": 30}
    short = bytes([0x42, 6 + 6]) + bytes(6) + bytes.fromhex("0516faff0d01")  # no message
    assert only_error(parse_ble_pdu(short)).msgid == MSG_WRAPPER_TOO_SHORT
    ext = bytearray(build_ble_extended_pdu(sample_pack(), mac=MAC, counter=1))
    ext[2] = 0x3F  # extended header length 63: past the end of the header fields
    cut = only_error(parse_ble_pdu(bytes(ext[: 2 + 40])))
    assert cut.msgid == MSG_BLE_HEADER_CUT


def test_damaged_frames_are_reported_not_decoded() -> None:
    pdu = build_ble_legacy_pdu(sample_message(), mac=MAC, counter=1)
    frame = bytearray(build_ble_ll_phdr(pdu, rssi=-50))
    struct.pack_into("<H", frame, 8, 0x0401 | 0x0002)  # CRC checked, not valid
    error = only_error(parse_frame(LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR, bytes(frame)) or [])
    assert (error.msgid, error.params) == (MSG_BAD_CHECKSUM, {"transport": BT_LEGACY})
    nordic = bytearray(build_nordic_ble(pdu))
    nordic[8] &= 0xFE  # CRC not OK
    assert (
        only_error(parse_frame(LINKTYPE_NORDIC_BLE, bytes(nordic)) or []).msgid == MSG_BAD_CHECKSUM
    )
    beacon = build_radiotap(build_beacon_frame(sample_pack(), mac=MAC, counter=1))
    bad_fcs = bytearray(beacon)
    bad_fcs[8] = 0x40  # radiotap flags: failed FCS check
    assert only_error(parse_radiotap(bytes(bad_fcs))).msgid == MSG_BAD_CHECKSUM


def test_radiotap_fcs_is_stripped_and_short_headers_reported() -> None:
    frame = build_beacon_frame(sample_pack(), mac=MAC, counter=4)
    with_fcs = bytearray(build_radiotap(frame + b"\xde\xad\xbe\xef"))
    with_fcs[8] = 0x10  # radiotap flags: FCS at the end
    assert only_payload(parse_radiotap(bytes(with_fcs))).payload == sample_pack()
    too_long = bytearray(build_radiotap(frame))
    struct.pack_into("<H", too_long, 2, len(too_long) + 1)
    error = only_error(parse_radiotap(bytes(too_long)))
    assert error.msgid == MSG_LINK_HEADER_SHORT and error.params["header"] == "radiotap"
    assert only_error(parse_radiotap(b"\x00\x00")).msgid == MSG_LINK_HEADER_SHORT


def test_hci_report_cut_short_is_reported() -> None:
    report = build_hci_advertising_report(ble_service_data(sample_message(), 2), mac=MAC)
    assert only_error(
        parse_frame(LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, report[:-10]) or []
    ).msgid in (
        MSG_HCI_REPORT_CUT,
        MSG_BLE_AD_CUT,
    )
    assert parse_frame(LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR, report[:7]) == []  # no report at all


# --- nothing raises ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), subtype=st.sampled_from([0x80, 0x50, 0xD0]))
def test_random_beacon_bodies_never_raise(body: bytes, subtype: int) -> None:
    header = struct.pack(
        "<BBH6s6s6sH", subtype, 0, 0, b"\xff" * 6, bytes(range(6)), bytes(range(6)), 0
    )
    for outcome in parse_80211(header + body):
        assert isinstance(outcome, OdidPayload | TransportError)
        if isinstance(outcome, OdidPayload):
            assert outcome.payload and outcome.payload in body


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=300),
    prefix=st.sampled_from(
        [b"", bytes.fromhex("dd"), bytes.fromhex("fa0bbc0d"), bytes.fromhex("1e16faff0d")]
    ),
    linktype=st.sampled_from(sorted(SUPPORTED_LINKTYPES)),
)
def test_random_frames_of_every_link_type_never_raise(
    body: bytes, prefix: bytes, linktype: int
) -> None:
    outcomes = parse_frame(linktype, prefix + body)
    assert outcomes is not None
    assert all(isinstance(o, OdidPayload | TransportError) for o in outcomes)
