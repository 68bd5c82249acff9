"""The over-the-air wrappers around an Open Drone ID payload, built and taken apart.

A Remote ID broadcaster never sends a bare 25-byte message: it wraps a message (Bluetooth 4
legacy advertising) or a message pack (Wi-Fi beacon, Wi-Fi NaN, Bluetooth 5 extended
advertising) in a transport, with a one-byte message counter. Receivers capture these frames
with a link-layer header of their own (radiotap for Wi-Fi, a pseudo-header or an HCI event for
Bluetooth). This module knows those layouts (ASTM F3411-22 §5.4, the Wi-Fi Alliance NaN
specification, the Bluetooth Core specification) and nothing about the messages inside, which
are the codec's business.

Parsing a captured frame gives a list of outcomes: an :class:`OdidPayload` (payload bytes plus
who sent it, the counter and the signal strength when the capture says), or a
:class:`TransportError` when the frame announces Open Drone ID (the ASD-STAN OUI, the NaN
service ID, the 0xFFFA service data) but its wrapper is truncated or inconsistent. An empty
list means the frame is simply not Remote ID (another beacon, an ACK, a phone's
advertisement): the caller counts it and moves on. A frame whose own link header is broken is
an error too, because nothing can be said about it and silently dropping it would lose it.
Nothing here raises on bad input.

The builders are for tests and the simulator; they raise ``ValueError`` on arguments no
transmitter could send (a programming error, not user input).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from paridad.errors import ParidadError
from paridad.i18n import N_

# The transports, as they appear in the decoder's output.
WIFI_BEACON = "wifi-beacon"
WIFI_NAN = "wifi-nan"
BT_LEGACY = "bt4-legacy"
BT_EXTENDED = "bt5-extended"
TRANSPORTS = (WIFI_BEACON, WIFI_NAN, BT_LEGACY, BT_EXTENDED)

# Link types (tcpdump.org LINKTYPE_* values) this module parses.
LINKTYPE_IEEE802_11 = 105
LINKTYPE_IEEE802_11_RADIOTAP = 127
LINKTYPE_BLUETOOTH_HCI_H4 = 187
LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR = 201
LINKTYPE_BLUETOOTH_LE_LL = 251
LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR = 256
LINKTYPE_NORDIC_BLE = 272

# Wi-Fi beacon: vendor-specific element 221 with the ASD-STAN OUI and the Open Drone ID type.
ASD_STAN_OUI = b"\xfa\x0b\xbc"
ODID_VENDOR_TYPE = 0x0D
BEACON_SIGNATURE = ASD_STAN_OUI + bytes([ODID_VENDOR_TYPE])
# Wi-Fi NaN: Wi-Fi Alliance OUI, NaN OUI type, and the service ID (a hash of
# "org.opendroneid.remoteid").
WFA_OUI = b"\x50\x6f\x9a"
NAN_OUI_TYPE = 0x13
NAN_SERVICE_ID = bytes.fromhex("8869199d9209")
NAN_NETWORK_ID = bytes.fromhex("516f9a010000")  # destination of NaN service discovery frames
NAN_CLUSTER_ID = bytes.fromhex("506f9a0100ff")  # fixed by ASTM F3411 for Remote ID
# Bluetooth: service data (AD type 0x16) for the 16-bit UUID 0xFFFA, application code 0x0D.
AD_SERVICE_DATA_16 = 0x16
ODID_UUID = b"\xfa\xff"  # 0xFFFA, little-endian on air
ODID_APP_CODE = 0x0D
BLE_SIGNATURE = bytes([AD_SERVICE_DATA_16]) + ODID_UUID + bytes([ODID_APP_CODE])
BLE_ADV_ACCESS_ADDRESS = 0x8E89BED6
BLE_ADV_CRC_INIT = 0x555555
BLE_LEGACY_ADV_DATA_MAX = 31

_BROADCAST = b"\xff" * 6
_WIFI_CHANNEL_6_MHZ = 2437

MSG_LINK_HEADER_SHORT = N_(
    "The capture's {header} header is cut short: it needs {needed} bytes, the frame has {length}."
)
MSG_BAD_CHECKSUM = N_(
    "The receiver marked this {transport} frame as damaged (bad checksum); it is not decoded."
)
MSG_BEACON_IE_CUT = N_(
    "The Open Drone ID element of a Wi-Fi beacon declares {declared} bytes but only "
    "{available} remain in the frame."
)
MSG_WRAPPER_TOO_SHORT = N_(
    "The {transport} wrapper holds {length} bytes: too few for a message counter and a message."
)
MSG_NAN_ATTRIBUTE_CUT = N_(
    "The NaN service descriptor of Open Drone ID declares {declared} bytes but only "
    "{available} remain in the frame."
)
MSG_NAN_NO_SERVICE_INFO = N_(
    "The NaN service descriptor of Open Drone ID carries no service information."
)
MSG_NAN_SERVICE_INFO_CUT = N_(
    "The NaN service information declares {declared} bytes but the descriptor has only "
    "{available} left."
)
MSG_BLE_AD_CUT = N_(
    "The Open Drone ID service data of a Bluetooth advertisement declares {declared} bytes but "
    "only {available} remain in the packet."
)
MSG_BLE_HEADER_CUT = N_(
    "The extended header of a Bluetooth advertisement declares {declared} bytes but only "
    "{available} remain in the packet."
)
MSG_HCI_REPORT_CUT = N_(
    "A Bluetooth advertising report inside an HCI event is cut short at byte {offset}."
)


class TransportError(ParidadError):
    """A frame that carries (or announces) Open Drone ID but cannot be unwrapped."""


@dataclass(frozen=True, slots=True)
class OdidPayload:
    """What a frame carried: the payload for the codec and what the transport says about it.

    ``payload`` is one 25-byte message or a message pack, as sent; ``transmitter`` is the
    sender's MAC address (``aa:bb:cc:dd:ee:ff``), or None for an anonymous Bluetooth 5
    advertisement; ``rssi`` is in dBm, when the capture header records it.
    """

    payload: bytes
    transport: str
    transmitter: str | None
    counter: int
    rssi: int | None = None


Outcome = OdidPayload | TransportError


def format_mac(raw: bytes) -> str:
    """``aa:bb:cc:dd:ee:ff``, the way both Wireshark and the Remote ID apps print addresses."""
    return ":".join(f"{b:02x}" for b in raw)


def parse_mac(text: str) -> bytes:
    """The six bytes of ``aa:bb:cc:dd:ee:ff`` (also accepts ``-`` or no separators)."""
    raw = bytes.fromhex(text.replace(":", "").replace("-", ""))
    if len(raw) != 6:
        raise ValueError(f"not a MAC address: {text!r}")
    return raw


def _ble_address(on_air: bytes) -> str:
    """Bluetooth sends addresses least significant byte first; people read them the other way."""
    return format_mac(on_air[::-1])


def _u16(buf: bytes, offset: int) -> int:
    value: int = struct.unpack_from("<H", buf, offset)[0]
    return value


# ---------------------------------------------------------------------------------------------
# Wi-Fi: 802.11 management frames
# ---------------------------------------------------------------------------------------------

_FC_BEACON = 0x80
_FC_PROBE_RESPONSE = 0x50
_FC_ACTION = 0xD0
_MGMT_HEADER = 24
_BEACON_FIXED = 12  # timestamp (8), beacon interval (2), capability (2)
_IE_VENDOR = 0xDD
_NAN_ATTR_SERVICE_DESCRIPTOR = 0x03
_NAN_ATTR_SERVICE_DESCRIPTOR_EXT = 0x0E


def parse_80211(frame: bytes, *, rssi: int | None = None, damaged: bool = False) -> list[Outcome]:
    """Open Drone ID inside one 802.11 frame (no radiotap header, no FCS)."""
    if len(frame) < _MGMT_HEADER:
        return _wifi_fragment(frame)
    fc, flags = frame[0], frame[1]
    if fc & 0x0C:  # not a management frame
        return []
    if flags & 0x40:  # protected: nothing readable
        return []
    header = _MGMT_HEADER + (4 if flags & 0x80 else 0)  # +HT control when the order bit is set
    transmitter = format_mac(frame[10:16])
    subtype = fc & 0xF0
    if subtype in (_FC_BEACON, _FC_PROBE_RESPONSE):
        outcomes = _beacon_elements(frame[header + _BEACON_FIXED :], transmitter, rssi)
        transport = WIFI_BEACON
    elif subtype == _FC_ACTION:
        outcomes = _nan_action(frame[header:], transmitter, rssi)
        transport = WIFI_NAN
    else:
        return []
    return _mark_damaged(outcomes, damaged, transport)


def _wifi_fragment(frame: bytes) -> list[Outcome]:
    """A frame shorter than a management header: a control frame, unless it shows ODID."""
    if BEACON_SIGNATURE in frame or NAN_SERVICE_ID in frame:
        return [
            TransportError(
                MSG_LINK_HEADER_SHORT, header="802.11", needed=_MGMT_HEADER, length=len(frame)
            )
        ]
    return []


def _mark_damaged(outcomes: list[Outcome], damaged: bool, transport: str) -> list[Outcome]:
    """A frame the receiver flagged with a bad checksum is reported, never decoded."""
    if damaged and outcomes:
        return [TransportError(MSG_BAD_CHECKSUM, transport=transport)]
    return outcomes


def _beacon_elements(elements: bytes, transmitter: str, rssi: int | None) -> list[Outcome]:
    out: list[Outcome] = []
    pos = 0
    while pos + 2 <= len(elements):
        element_id, length = elements[pos], elements[pos + 1]
        body = elements[pos + 2 : pos + 2 + length]
        cut = len(body) < length
        if element_id == _IE_VENDOR and _starts_like(body, BEACON_SIGNATURE, cut):
            if cut:
                out.append(TransportError(MSG_BEACON_IE_CUT, declared=length, available=len(body)))
            elif length < len(BEACON_SIGNATURE) + 2:
                out.append(
                    TransportError(MSG_WRAPPER_TOO_SHORT, transport=WIFI_BEACON, length=length)
                )
            else:
                out.append(OdidPayload(body[5:], WIFI_BEACON, transmitter, body[4], rssi))
        if cut:
            break
        pos += 2 + length
    return out


def _starts_like(body: bytes, signature: bytes, cut: bool) -> bool:
    """``body`` begins with ``signature``; when the element is cut short, a visible prefix of
    at least the OUI is enough to know it was meant to be Open Drone ID."""
    if body[: len(signature)] == signature:
        return True
    return cut and len(body) >= 3 and signature.startswith(body)


def _nan_action(body: bytes, transmitter: str, rssi: int | None) -> list[Outcome]:
    """A NaN service discovery frame: public action, vendor specific, WFA OUI, type 0x13."""
    if len(body) < 6 or body[0] != 0x04 or body[1] != 0x09:
        return []
    if body[2:5] != WFA_OUI or body[5] != NAN_OUI_TYPE:
        return []
    attributes = body[6:]
    out: list[Outcome] = []
    pos = 0
    while pos + 3 <= len(attributes):
        attribute_id = attributes[pos]
        length = _u16(attributes, pos + 1)
        value = attributes[pos + 3 : pos + 3 + length]
        cut = len(value) < length
        if attribute_id == _NAN_ATTR_SERVICE_DESCRIPTOR and _starts_like(
            value, NAN_SERVICE_ID, cut
        ):
            if cut:
                out.append(
                    TransportError(MSG_NAN_ATTRIBUTE_CUT, declared=length, available=len(value))
                )
            else:
                out.append(_nan_service_descriptor(value, transmitter, rssi))
        if cut:
            break
        pos += 3 + length
    return out


def _nan_service_descriptor(value: bytes, transmitter: str, rssi: int | None) -> Outcome:
    """Service ID (6), instance (1), requestor instance (1), control (1), then the optional
    fields the control bits announce, in the order the NaN specification lists them."""
    if len(value) < 9:
        return TransportError(MSG_NAN_NO_SERVICE_INFO)
    control = value[8]
    pos = 9
    if control & 0x40:  # binding bitmap
        pos += 2
    for bit in (0x04, 0x08):  # matching filter, service response filter: length + bytes
        if control & bit:
            if pos >= len(value):
                return TransportError(MSG_NAN_NO_SERVICE_INFO)
            pos += 1 + value[pos]
    if not control & 0x10 or pos >= len(value):
        return TransportError(MSG_NAN_NO_SERVICE_INFO)
    declared = value[pos]
    info = value[pos + 1 : pos + 1 + declared]
    if len(info) < declared:
        return TransportError(MSG_NAN_SERVICE_INFO_CUT, declared=declared, available=len(info))
    if declared < 2:
        return TransportError(MSG_WRAPPER_TOO_SHORT, transport=WIFI_NAN, length=declared)
    return OdidPayload(info[1:], WIFI_NAN, transmitter, info[0], rssi)


def build_beacon_frame(
    payload: bytes,
    *,
    mac: str,
    counter: int,
    ssid: str = "",
    interval_tu: int = 100,
    tsf: int = 0,
) -> bytes:
    """An 802.11 beacon carrying ``payload`` (a message pack) in the ASD-STAN vendor element,
    laid out as opendroneid-core-c's ``odid_wifi_build_message_pack_beacon_frame`` does: to
    broadcast, from ``mac`` with ``mac`` as BSSID, short preamble and short slot time, the
    SSID, one supported rate (6 Mbit/s), then the vendor element."""
    ssid_bytes = ssid.encode("ascii")
    if len(ssid_bytes) > 32:
        raise ValueError("an SSID holds at most 32 bytes")
    vendor_body = BEACON_SIGNATURE + bytes([_byte(counter)]) + payload
    if len(vendor_body) > 255:
        raise ValueError(f"payload of {len(payload)} bytes does not fit one vendor element")
    source = parse_mac(mac)
    header = struct.pack("<BBH6s6s6sH", _FC_BEACON, 0, 0, _BROADCAST, source, source, 0)
    fixed = struct.pack("<QHH", tsf, interval_tu, 0x0420)
    return b"".join(
        (
            header,
            fixed,
            bytes([0x00, len(ssid_bytes)]) + ssid_bytes,
            bytes([0x01, 0x01, 0x8C]),
            bytes([_IE_VENDOR, len(vendor_body)]) + vendor_body,
        )
    )


def build_nan_action_frame(payload: bytes, *, mac: str, counter: int) -> bytes:
    """A NaN service discovery frame carrying ``payload`` as the Open Drone ID service
    information, followed by the service descriptor extension whose update indicator is the
    counter (the layout of opendroneid-core-c's NaN action frame)."""
    info = bytes([_byte(counter)]) + payload
    if len(info) > 255:
        raise ValueError(f"payload of {len(payload)} bytes does not fit the service information")
    descriptor = NAN_SERVICE_ID + bytes([0x01, 0x00, 0x10, len(info)]) + info
    extension = struct.pack("<BHBHB", _NAN_ATTR_SERVICE_DESCRIPTOR_EXT, 4, 0x01, 0x0200, counter)
    header = struct.pack(
        "<BBH6s6s6sH", _FC_ACTION, 0, 0, NAN_NETWORK_ID, parse_mac(mac), NAN_CLUSTER_ID, 0
    )
    return b"".join(
        (
            header,
            bytes([0x04, 0x09]) + WFA_OUI + bytes([NAN_OUI_TYPE]),
            struct.pack("<BH", _NAN_ATTR_SERVICE_DESCRIPTOR, len(descriptor)) + descriptor,
            extension,
        )
    )


def _byte(value: int) -> int:
    if not 0 <= value <= 255:
        raise ValueError(f"{value} does not fit one byte")
    return value


# ---------------------------------------------------------------------------------------------
# Radiotap (LINKTYPE 127)
# ---------------------------------------------------------------------------------------------

# Field number -> (alignment, size) for the fields up to the antenna signal, the only one read.
_RADIOTAP_FIELDS = {0: (8, 8), 1: (1, 1), 2: (1, 1), 3: (2, 4), 4: (1, 2), 5: (1, 1)}
_RADIOTAP_FLAG_FCS = 0x10
_RADIOTAP_FLAG_BAD_FCS = 0x40


def parse_radiotap(frame: bytes) -> list[Outcome]:
    """Strip a radiotap header (reading the antenna signal and the FCS flags) and parse the
    802.11 frame behind it. Fields are read only inside the header's declared length: some
    capture tools write headers whose last field overruns it."""
    if len(frame) < 8:
        return [
            TransportError(MSG_LINK_HEADER_SHORT, header="radiotap", needed=8, length=len(frame))
        ]
    length = _u16(frame, 2)
    if length < 8 or length > len(frame):
        return [
            TransportError(
                MSG_LINK_HEADER_SHORT, header="radiotap", needed=max(length, 8), length=len(frame)
            )
        ]
    header = frame[:length]
    present: list[int] = []
    pos = 4
    while pos + 4 <= length:
        word: int = struct.unpack_from("<I", header, pos)[0]
        present.append(word)
        pos += 4
        if not word & 0x80000000:
            break
    flags = 0
    rssi: int | None = None
    first = present[0] if present else 0
    for bit in range(6):
        if not first & (1 << bit):
            continue
        align, size = _RADIOTAP_FIELDS[bit]
        pos += -pos % align
        if pos + size > length:
            break
        if bit == 1:
            flags = header[pos]
        elif bit == 5:
            rssi = struct.unpack_from("<b", header, pos)[0]
        pos += size
    body = frame[length:]
    if flags & _RADIOTAP_FLAG_FCS and len(body) >= 4:
        body = body[:-4]
    return parse_80211(body, rssi=rssi, damaged=bool(flags & _RADIOTAP_FLAG_BAD_FCS))


def build_radiotap(
    frame: bytes, *, rssi: int | None = None, freq_mhz: int = _WIFI_CHANNEL_6_MHZ
) -> bytes:
    """Prepend a radiotap header with the flags, the channel (2.4 GHz OFDM) and, when given,
    the antenna signal in dBm; no FCS follows the frame."""
    present = (1 << 1) | (1 << 3) | ((1 << 5) if rssi is not None else 0)
    fields = struct.pack("<BxHH", 0, freq_mhz, 0x00C0)  # flags, pad to 2, channel, 2 GHz|OFDM
    if rssi is not None:
        fields += struct.pack("<b", rssi)
    return struct.pack("<BBHI", 0, 0, 8 + len(fields), present) + fields + frame


# ---------------------------------------------------------------------------------------------
# Bluetooth LE: link-layer advertising PDUs and their AD structures
# ---------------------------------------------------------------------------------------------

_PDU_ADV_IND = 0x0
_PDU_ADV_NONCONN_IND = 0x2
_PDU_SCAN_RSP = 0x4
_PDU_ADV_SCAN_IND = 0x6
_PDU_ADV_EXT = 0x7
_LEGACY_WITH_DATA = (_PDU_ADV_IND, _PDU_ADV_NONCONN_IND, _PDU_SCAN_RSP, _PDU_ADV_SCAN_IND)
# Extended header flag -> size of the field it announces, in the order they follow.
_EXT_FIELDS = ((0x01, 6), (0x02, 6), (0x04, 1), (0x08, 2), (0x10, 3), (0x20, 18), (0x40, 1))


def parse_ad_structures(
    data: bytes, *, transport: str, transmitter: str | None, rssi: int | None
) -> list[Outcome]:
    """Open Drone ID service data in a run of AD structures (length, type, value)."""
    out: list[Outcome] = []
    pos = 0
    while pos < len(data):
        length = data[pos]
        if length == 0:  # the rest is padding
            break
        value = data[pos + 1 : pos + 1 + length]
        cut = len(value) < length
        if _starts_like_ble(value, cut):
            if cut:
                out.append(TransportError(MSG_BLE_AD_CUT, declared=length, available=len(value)))
            elif length < len(BLE_SIGNATURE) + 2:
                out.append(
                    TransportError(MSG_WRAPPER_TOO_SHORT, transport=transport, length=length)
                )
            else:
                out.append(OdidPayload(value[5:], transport, transmitter, value[4], rssi))
        if cut:
            break
        pos += 1 + length
    return out


def _starts_like_ble(value: bytes, cut: bool) -> bool:
    if value[:4] == BLE_SIGNATURE:
        return True
    # Service data for 0xFFFA cut before (or at) the application code.
    return cut and len(value) >= 3 and BLE_SIGNATURE.startswith(value)


def parse_ble_pdu(pdu: bytes, *, rssi: int | None = None, damaged: bool = False) -> list[Outcome]:
    """Open Drone ID in one advertising-channel PDU (2-byte header, payload; no access address,
    no CRC). Legacy PDUs are Bluetooth 4 transport, ADV_EXT_IND/AUX_ADV_IND Bluetooth 5."""
    if len(pdu) < 2:
        return _ble_fragment(pdu)
    pdu_type = pdu[0] & 0x0F
    body = pdu[2 : 2 + pdu[1]]
    if pdu_type in _LEGACY_WITH_DATA:
        if len(body) < 6:
            return _ble_fragment(body)
        outcomes = parse_ad_structures(
            body[6:], transport=BT_LEGACY, transmitter=_ble_address(body[:6]), rssi=rssi
        )
        return _mark_damaged(outcomes, damaged, BT_LEGACY)
    if pdu_type == _PDU_ADV_EXT:
        return _mark_damaged(_extended_pdu(body, rssi), damaged, BT_EXTENDED)
    return []


def _ble_fragment(data: bytes) -> list[Outcome]:
    if BLE_SIGNATURE in data:
        return [
            TransportError(MSG_LINK_HEADER_SHORT, header="Bluetooth LE", needed=8, length=len(data))
        ]
    return []


def _extended_pdu(body: bytes, rssi: int | None) -> list[Outcome]:
    """The common extended advertising payload: extended header (length in the low 6 bits of
    the first byte, then flags and the fields they announce), then the advertising data."""
    if not body:
        return []
    header_length = body[0] & 0x3F
    header = body[1 : 1 + header_length]
    if len(header) < header_length:
        if BLE_SIGNATURE in body:
            return [
                TransportError(MSG_BLE_HEADER_CUT, declared=header_length, available=len(header))
            ]
        return []
    transmitter: str | None = None
    if header:
        flags, pos = header[0], 1
        for bit, size in _EXT_FIELDS:
            if flags & bit:
                if bit == 0x01 and pos + 6 <= len(header):
                    transmitter = _ble_address(header[pos : pos + 6])
                pos += size
        if pos > len(header):
            if BLE_SIGNATURE in body:
                return [TransportError(MSG_BLE_HEADER_CUT, declared=pos, available=len(header))]
            return []
    data = body[1 + header_length :]
    return parse_ad_structures(data, transport=BT_EXTENDED, transmitter=transmitter, rssi=rssi)


def ble_service_data(payload: bytes, counter: int) -> bytes:
    """The AD structure that carries Open Drone ID: length, 0x16, UUID 0xFFFA, app code 0x0D,
    the counter, the payload."""
    value = BLE_SIGNATURE + bytes([_byte(counter)]) + payload
    if len(value) > 255:
        raise ValueError(f"payload of {len(payload)} bytes does not fit one AD structure")
    return bytes([len(value)]) + value


def build_ble_legacy_pdu(message: bytes, *, mac: str, counter: int) -> bytes:
    """ADV_NONCONN_IND from a random address with one 25-byte message: the 31-byte legacy
    advertising data has room for nothing else (no flags, no pack)."""
    data = ble_service_data(message, counter)
    if len(data) > BLE_LEGACY_ADV_DATA_MAX:
        raise ValueError(f"legacy advertising data holds 31 bytes, not {len(data)}")
    payload = parse_mac(mac)[::-1] + data
    return bytes([_PDU_ADV_NONCONN_IND | 0x40, len(payload)]) + payload


def build_ble_extended_pdu(payload: bytes, *, mac: str | None, counter: int, adi: int = 0) -> bytes:
    """AUX_ADV_IND (non-connectable, non-scannable) with the advertiser address (unless
    ``mac`` is None) and the advertising data info, carrying a message pack."""
    flags = 0x08
    fields = b""
    if mac is not None:
        flags |= 0x01
        fields += parse_mac(mac)[::-1]
    fields += struct.pack("<H", adi)
    header = bytes([flags]) + fields
    body = bytes([len(header)]) + header + ble_service_data(payload, counter)
    if len(body) > 255:
        raise ValueError(f"payload of {len(payload)} bytes does not fit one AUX_ADV_IND")
    return bytes([_PDU_ADV_EXT | 0x40, len(body)]) + body


def ble_crc(pdu: bytes, init: int = BLE_ADV_CRC_INIT) -> bytes:
    """The 24-bit link-layer CRC (polynomial x²⁴+x¹⁰+x⁹+x⁶+x⁴+x³+x+1), bytes as sent on air.

    The register runs least significant bit first, so it is kept bit-reversed: the preset is
    reversed once and the polynomial is applied in its reflected form."""
    state = int(f"{init:024b}"[::-1], 2)
    for byte in pdu:
        for shift in range(8):
            feedback = (state ^ (byte >> shift)) & 1
            state >>= 1
            if feedback:
                state ^= 0xDA6000
    return state.to_bytes(3, "little")


def ble_link_layer_packet(pdu: bytes, *, coded: bool = False) -> bytes:
    """Access address, coding indicator (LE Coded PHY only), PDU, CRC: a packet as a sniffer
    records it without the preamble."""
    ci = b"\x00" if coded else b""
    return struct.pack("<I", BLE_ADV_ACCESS_ADDRESS) + ci + pdu + ble_crc(pdu)


def _link_layer(packet: bytes, *, coded: bool, rssi: int | None, damaged: bool) -> list[Outcome]:
    """Access address (and CI), then the PDU whose length byte says where the CRC starts."""
    start = 4 + (1 if coded else 0)
    if len(packet) < start:
        return _ble_fragment(packet)
    if struct.unpack_from("<I", packet, 0)[0] != BLE_ADV_ACCESS_ADDRESS:
        return []  # a data-channel packet: connections never carry Remote ID
    return parse_ble_pdu(packet[start:], rssi=rssi, damaged=damaged)


# ---------------------------------------------------------------------------------------------
# Bluetooth capture headers
# ---------------------------------------------------------------------------------------------

_PHDR_LENGTH = 10
_PHDR_SIGNAL_VALID = 0x0002
_PHDR_CRC_CHECKED = 0x0400
_PHDR_CRC_VALID = 0x0800
_PHY_CODED = 2


def parse_ble_ll_phdr(frame: bytes) -> list[Outcome]:
    """LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: channel, signal, noise, access-address offenses,
    reference access address, flags (signal valid, CRC checked/valid, PHY), then the packet."""
    if len(frame) < _PHDR_LENGTH:
        return [
            TransportError(
                MSG_LINK_HEADER_SHORT, header="Bluetooth LE", needed=_PHDR_LENGTH, length=len(frame)
            )
        ]
    signal: int = struct.unpack_from("<b", frame, 1)[0]
    flags = _u16(frame, 8)
    rssi = signal if flags & _PHDR_SIGNAL_VALID else None
    damaged = bool(flags & _PHDR_CRC_CHECKED) and not flags & _PHDR_CRC_VALID
    coded = (flags >> 14) & 0x3 == _PHY_CODED
    return _link_layer(frame[_PHDR_LENGTH:], coded=coded, rssi=rssi, damaged=damaged)


def build_ble_ll_phdr(
    pdu: bytes, *, channel: int = 37, rssi: int | None = None, coded: bool = False
) -> bytes:
    """A LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR record: dewhitened, CRC checked and valid."""
    flags = 0x0001 | _PHDR_CRC_CHECKED | _PHDR_CRC_VALID
    if rssi is not None:
        flags |= _PHDR_SIGNAL_VALID
    if coded:
        flags |= _PHY_CODED << 14
    header = struct.pack(
        "<BbbBIH", channel, rssi if rssi is not None else 0, 0, 0, BLE_ADV_ACCESS_ADDRESS, flags
    )
    return header + ble_link_layer_packet(pdu, coded=coded)


def parse_ble_ll(frame: bytes) -> list[Outcome]:
    """LINKTYPE_BLUETOOTH_LE_LL: the packet alone (no RSSI, CRC unchecked, 1M/2M PHY)."""
    return _link_layer(frame, coded=False, rssi=None, damaged=False)


_NORDIC_EVENT_PACKETS = (0x02, 0x06)  # EVENT_PACKET_ADV_PDU, EVENT_PACKET_DATA_PDU


def parse_nordic_ble(frame: bytes) -> list[Outcome]:
    """LINKTYPE_NORDIC_BLE (nRF Sniffer, the format of the public BT5 Remote ID sample): board
    ID, payload length (1 byte in protocol 1, 2 bytes after), protocol version, packet
    counter, packet ID, then for packet events a header of ``hlen`` bytes with flags (bit 0
    CRC OK, bits 4-6 PHY), channel, RSSI (magnitude, negative dBm), event counter and
    timestamp, then the link-layer packet."""
    if len(frame) < 8:
        return [
            TransportError(MSG_LINK_HEADER_SHORT, header="nRF Sniffer", needed=8, length=len(frame))
        ]
    version = frame[3]
    if frame[6] not in _NORDIC_EVENT_PACKETS or version not in (1, 2, 3):
        return []
    header_length = frame[7]
    start = 7 + header_length
    if header_length < 4 or len(frame) < start:
        return [
            TransportError(
                MSG_LINK_HEADER_SHORT, header="nRF Sniffer", needed=start, length=len(frame)
            )
        ]
    flags = frame[8]
    rssi = -frame[10]
    coded = (flags >> 4) & 0x7 == _PHY_CODED
    return _link_layer(frame[start:], coded=coded, rssi=rssi, damaged=not flags & 0x01)


def build_nordic_ble(
    pdu: bytes, *, channel: int = 37, rssi: int = -60, coded: bool = False, packet_counter: int = 0
) -> bytes:
    """A LINKTYPE_NORDIC_BLE record (protocol version 3, advertising PDU event, CRC OK)."""
    packet = ble_link_layer_packet(pdu, coded=coded)
    flags = 0x01 | ((_PHY_CODED if coded else 0) << 4)
    event = struct.pack("<BBBBHI", 10, flags, channel, -rssi & 0xFF, 0, 0)
    payload = event + packet
    return struct.pack("<BHBHB", 0, len(payload), 3, packet_counter, 0x02) + payload


_H4_EVENT = 0x04
_HCI_LE_META = 0x3E
_LE_ADVERTISING_REPORT = 0x02
_LE_EXTENDED_ADVERTISING_REPORT = 0x0D
_HCI_RSSI_UNAVAILABLE = 127
_EXT_REPORT_FIXED = 23  # event type (2) to direct address (6), before the data length


def parse_hci_h4(frame: bytes, *, phdr: bool) -> list[Outcome]:
    """LINKTYPE_BLUETOOTH_HCI_H4(_WITH_PHDR): (direction, 4 bytes) + H4 packet type + HCI.
    Advertising reports arrive as LE Meta events: legacy reports (Bluetooth 4 PDUs) and
    extended reports, whose event type says whether the PDU was legacy or extended."""
    offset = 4 if phdr else 0
    if len(frame) < offset + 1:
        return [
            TransportError(
                MSG_LINK_HEADER_SHORT, header="HCI H4", needed=offset + 1, length=len(frame)
            )
        ]
    packet = frame[offset:]
    if packet[0] != _H4_EVENT or len(packet) < 4 or packet[1] != _HCI_LE_META:
        return []
    params = packet[3 : 3 + packet[2]]
    subevent = params[0] if params else None
    if subevent == _LE_ADVERTISING_REPORT:
        return _legacy_reports(params)
    if subevent == _LE_EXTENDED_ADVERTISING_REPORT:
        return _extended_reports(params)
    return []


def _hci_rssi(value: int) -> int | None:
    signed = value - 256 if value > 127 else value
    return None if signed == _HCI_RSSI_UNAVAILABLE else signed


def _hci_reports(
    params: bytes,
    fixed: int,
    trailer: int,
    parse: Callable[[bytes, bytes, bytes], list[Outcome]],
) -> list[Outcome]:
    """Reports one after another (as Linux's btmon reads them; the same as the specification's
    parallel arrays for the usual single report): ``fixed`` bytes, data length, data, then
    ``trailer`` bytes (the RSSI of a legacy report)."""
    out: list[Outcome] = []
    if len(params) < 2:
        return out
    pos = 2
    for _ in range(params[1]):
        if pos + fixed + 1 > len(params):
            out.extend(_cut_report(params, pos))
            break
        length = params[pos + fixed]
        end = pos + fixed + 1 + length
        if end + trailer > len(params):
            out.extend(_cut_report(params, pos))
            break
        out.extend(
            parse(
                params[pos : pos + fixed],
                params[pos + fixed + 1 : end],
                params[end : end + trailer],
            )
        )
        pos = end + trailer
    return out


def _cut_report(params: bytes, pos: int) -> list[Outcome]:
    if BLE_SIGNATURE[:3] in params[pos:]:
        return [TransportError(MSG_HCI_REPORT_CUT, offset=pos)]
    return []


def _legacy_reports(params: bytes) -> list[Outcome]:
    """Event type (1), address type (1), address (6), data length, data, RSSI (1)."""

    def parse(head: bytes, data: bytes, tail: bytes) -> list[Outcome]:
        return parse_ad_structures(
            data, transport=BT_LEGACY, transmitter=_ble_address(head[2:8]), rssi=_hci_rssi(tail[0])
        )

    return _hci_reports(params, 8, 1, parse)


def _extended_reports(params: bytes) -> list[Outcome]:
    """Event type (2: bit 4 = legacy PDU), address type, address (6), primary and secondary
    PHY, SID, TX power, RSSI, periodic interval (2), direct address type and address (6), data
    length, data."""

    def parse(head: bytes, data: bytes, tail: bytes) -> list[Outcome]:
        event_type = _u16(head, 0)
        transport = BT_LEGACY if event_type & 0x10 else BT_EXTENDED
        anonymous = head[2] == 0xFF
        transmitter = None if anonymous else _ble_address(head[3:9])
        return parse_ad_structures(
            data, transport=transport, transmitter=transmitter, rssi=_hci_rssi(head[13])
        )

    return _hci_reports(params, _EXT_REPORT_FIXED, 0, parse)


def build_hci_advertising_report(
    adv_data: bytes, *, mac: str, rssi: int = -60, extended: bool = False, phdr: bool = True
) -> bytes:
    """An HCI LE Meta event with one advertising report, as a host's Bluetooth stack logs it
    (LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR when ``phdr``: direction 1 = received)."""
    address = parse_mac(mac)[::-1]
    if extended:
        report = (
            struct.pack(
                "<HB6sBBBbbHB6sB",
                0x0000,
                0x01,
                address,
                0x01,
                0x03,
                0x00,
                127,
                rssi,
                0,
                0x00,
                b"\x00" * 6,
                len(adv_data),
            )
            + adv_data
        )
        subevent = _LE_EXTENDED_ADVERTISING_REPORT
    else:
        report = struct.pack("<BB6sB", 0x03, 0x01, address, len(adv_data)) + adv_data
        report += struct.pack("<b", rssi)
        subevent = _LE_ADVERTISING_REPORT
    params = bytes([subevent, 1]) + report
    if len(params) > 255:
        raise ValueError("advertising data too long for one HCI event")
    event = bytes([_H4_EVENT, _HCI_LE_META, len(params)]) + params
    return (struct.pack(">I", 1) if phdr else b"") + event


# ---------------------------------------------------------------------------------------------
# Dispatch by link type
# ---------------------------------------------------------------------------------------------

_PARSERS: dict[int, Callable[[bytes], list[Outcome]]] = {
    LINKTYPE_IEEE802_11: parse_80211,
    LINKTYPE_IEEE802_11_RADIOTAP: parse_radiotap,
    LINKTYPE_BLUETOOTH_HCI_H4: lambda frame: parse_hci_h4(frame, phdr=False),
    LINKTYPE_BLUETOOTH_HCI_H4_WITH_PHDR: lambda frame: parse_hci_h4(frame, phdr=True),
    LINKTYPE_BLUETOOTH_LE_LL: parse_ble_ll,
    LINKTYPE_BLUETOOTH_LE_LL_WITH_PHDR: parse_ble_ll_phdr,
    LINKTYPE_NORDIC_BLE: parse_nordic_ble,
}
SUPPORTED_LINKTYPES = frozenset(_PARSERS)


def parse_frame(linktype: int, frame: bytes) -> list[Outcome] | None:
    """The Open Drone ID outcomes of one captured frame, or None when the link type is not one
    this module reads (the caller reports that once per interface)."""
    parser = _PARSERS.get(linktype)
    return None if parser is None else parser(frame)
