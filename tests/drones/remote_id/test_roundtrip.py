"""Round trips: any valid message of any type, encoded and decoded, comes back equal within the
quantisation of each field, and a decoded message is a fixed point (encoding it again gives the
same bytes).

The quantisation, field by field (what ``decode_message(encode(m))`` may change):

========================  ==========  =================================================
field                     step        rule
========================  ==========  =================================================
latitude, longitude       1e-7 deg    nearest (halves away from zero); 0/0 reads None
direction_deg             1 deg       nearest, 360 wraps to 0
speed_horizontal_mps      0.25 m/s    nearest, up to 63.75 m/s; 0.75 m/s above
speed_vertical_mps        0.5 m/s     truncated towards zero
altitudes, heights        0.5 m       truncated downwards; below -999.5 m reads None
timestamp_s               0.1 s       nearest
timestamp_accuracy_s      0.1 s       nearest
area_radius_m             10 m        truncated downwards
timestamps (datetimes)    1 s         truncated downwards; 2019-01-01T00:00:00Z reads None
text, enums, counts       exact
========================  ==========  =================================================
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.remote_id import (
    Authentication,
    BasicId,
    Location,
    Message,
    OperatorId,
    SelfId,
    System,
    decode,
    decode_message,
    encode,
    encode_pack,
)
from paridad.drones.remote_id import vocabularies as voc
from paridad.drones.remote_id.fields import EPOCH_2019
from paridad.drones.remote_id.vocabularies import Vocabulary

EPS = 1e-9
Check = Callable[[Any, Any], bool]


def nearest(step: float) -> Check:
    return lambda sent, got: abs(got - sent) <= step / 2 + EPS


def downwards(step: float) -> Check:
    return lambda sent, got: -EPS <= sent - got < step + EPS


def towards_zero(step: float) -> Check:
    return lambda sent, got: abs(got) <= abs(sent) + EPS and abs(sent - got) < step + EPS


def degrees(sent: float, got: float) -> bool:
    return abs((got - sent + 180) % 360 - 180) <= 0.5 + EPS


def horizontal_speed(sent: float, got: float) -> bool:
    return nearest(0.25 if sent <= 63.75 else 0.75)(sent, got)


def seconds(sent: datetime, got: datetime) -> bool:
    return 0 <= (sent - got).total_seconds() < 1


ALTITUDE = downwards(0.5)
QUANTISATION: dict[str, Check] = {
    "latitude": nearest(1e-7),
    "longitude": nearest(1e-7),
    "operator_latitude": nearest(1e-7),
    "operator_longitude": nearest(1e-7),
    "direction_deg": degrees,
    "speed_horizontal_mps": horizontal_speed,
    "speed_vertical_mps": towards_zero(0.5),
    "altitude_pressure_m": ALTITUDE,
    "altitude_geodetic_m": ALTITUDE,
    "height_m": ALTITUDE,
    "area_ceiling_m": ALTITUDE,
    "area_floor_m": ALTITUDE,
    "operator_altitude_m": ALTITUDE,
    "timestamp_s": nearest(0.1),
    "timestamp_accuracy_s": nearest(0.1),
    "area_radius_m": downwards(10),
    "timestamp": seconds,
}
# Values that land on the standard's "invalid" code read back as None.
BECOMES_NONE: dict[str, Callable[[Any], bool]] = {
    name: (lambda sent: sent < -999.5)
    for name in (
        "altitude_pressure_m",
        "altitude_geodetic_m",
        "height_m",
        "area_ceiling_m",
        "area_floor_m",
        "operator_altitude_m",
    )
}
BECOMES_NONE["timestamp"] = lambda sent: (sent - EPOCH_2019).total_seconds() < 1


def assert_round_trip(sent: Message, got: Message) -> None:
    assert type(got) is type(sent)
    lat_names = [n for n in ("latitude", "operator_latitude") if hasattr(sent, n)]
    for field in fields(sent):
        name = field.name
        a, b = getattr(sent, name), getattr(got, name)
        if a is None or b is None:
            if b is None and a is not None:
                if name in lat_names or name.replace("longitude", "latitude") in lat_names:
                    pair = (
                        name.replace("longitude", "latitude"),
                        name.replace("latitude", "longitude"),
                    )
                    assert all(abs(getattr(sent, n)) < 0.5e-7 + EPS for n in pair), name
                    continue
                assert name in BECOMES_NONE and BECOMES_NONE[name](a), (name, a)
                continue
            assert a is None and b is None, (name, a, b)
        elif name in QUANTISATION:
            assert QUANTISATION[name](a, b), (name, a, b)
        else:
            assert a == b, (name, a, b)


def allowed_names(vocab: Vocabulary, version: int) -> list[str]:
    names = [n for code, n in enumerate(vocab.names) if vocab.since.get(code, 0) <= version]
    if vocab.private is not None:
        names += [f"private_{code}" for code in (vocab.private.start, vocab.private.stop - 1)]
    if version > 2 and len(vocab.names) < (1 << vocab.bits):
        names.append(f"reserved_{len(vocab.names)}")
    return names


def enum(vocab: Vocabulary, version: int) -> st.SearchStrategy[str]:
    return st.sampled_from(allowed_names(vocab, version))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def real(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def text(limit: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(blacklist_characters="\0", codec="utf-8"), max_size=limit).filter(
        lambda value: len(value.encode()) <= limit
    )


VERSIONS = st.integers(0, 15)
ALTITUDES = maybe(real(-1000, 31767.5))
MOMENTS = st.datetimes(datetime(2019, 1, 1), datetime(2150, 12, 31), timezones=st.just(UTC))


@st.composite
def basic_ids(draw: st.DrawFn) -> BasicId:
    version = draw(VERSIONS)
    id_type = draw(enum(voc.ID_TYPE, version))
    if id_type in voc.BINARY_ID_TYPES:
        uas_id = draw(st.binary(max_size=20)).rstrip(b"\0").hex()
    else:
        uas_id = draw(text(20))
    return BasicId(
        protocol_version=version,
        id_type=id_type,
        ua_type=draw(enum(voc.UA_TYPE, version)),
        uas_id=uas_id,
    )


@st.composite
def locations(draw: st.DrawFn) -> Location:
    version = draw(VERSIONS)
    position = draw(maybe(st.tuples(real(-90, 90), real(-180, 180))))
    return Location(
        protocol_version=version,
        status=draw(enum(voc.STATUS, version)),
        height_type=draw(enum(voc.HEIGHT_TYPE, version)),
        direction_deg=draw(maybe(real(0, 360))),
        speed_horizontal_mps=draw(maybe(real(0, 254.25))),
        speed_vertical_mps=draw(maybe(real(-62, 62))),
        latitude=position[0] if position else None,
        longitude=position[1] if position else None,
        altitude_pressure_m=draw(ALTITUDES),
        altitude_geodetic_m=draw(ALTITUDES),
        height_m=draw(ALTITUDES),
        horizontal_accuracy=draw(enum(voc.HORIZONTAL_ACCURACY, version)),
        vertical_accuracy=draw(enum(voc.VERTICAL_ACCURACY, version)),
        baro_accuracy=draw(enum(voc.BARO_ACCURACY, version)),
        speed_accuracy=draw(enum(voc.SPEED_ACCURACY, version)),
        timestamp_s=draw(maybe(real(0, 3600))),
        timestamp_accuracy_s=draw(maybe(real(0.1, 1.5))),
    )


@st.composite
def authentications(draw: st.DrawFn) -> Authentication:
    version = draw(VERSIONS)
    last_page = 4 if version == 0 else 15
    page = draw(st.integers(0, last_page))
    auth_type = draw(enum(voc.AUTH_TYPE, version))
    if page:
        return Authentication(
            protocol_version=version,
            auth_type=auth_type,
            page=page,
            data=draw(st.binary(min_size=23, max_size=23)),
        )
    last = draw(st.integers(0, last_page))
    return Authentication(
        protocol_version=version,
        auth_type=auth_type,
        page=0,
        last_page_index=last,
        length=draw(st.integers(0, min(255, 17 + 23 * last))),
        timestamp=draw(MOMENTS),
        data=draw(st.binary(min_size=17, max_size=17)),
    )


@st.composite
def self_ids(draw: st.DrawFn) -> SelfId:
    version = draw(VERSIONS)
    return SelfId(
        protocol_version=version,
        description_type=draw(enum(voc.DESCRIPTION_TYPE, version)),
        description=draw(text(23)),
    )


@st.composite
def systems(draw: st.DrawFn) -> System:
    version = draw(VERSIONS)
    classification = draw(enum(voc.CLASSIFICATION_TYPE, version))
    eu = classification == "eu"
    position = draw(maybe(st.tuples(real(-90, 90), real(-180, 180))))
    return System(
        protocol_version=version,
        operator_location_type=draw(enum(voc.OPERATOR_LOCATION_TYPE, version)),
        classification_type=classification,
        operator_latitude=position[0] if position else None,
        operator_longitude=position[1] if position else None,
        area_count=draw(st.integers(0, 0xFFFF)),
        area_radius_m=draw(st.integers(0, 2550)),
        area_ceiling_m=draw(ALTITUDES),
        area_floor_m=draw(ALTITUDES),
        category_eu=draw(enum(voc.CATEGORY_EU, version)) if eu else None,
        class_eu=draw(enum(voc.CLASS_EU, version)) if eu else None,
        operator_altitude_m=draw(ALTITUDES) if version >= 1 else None,
        timestamp=draw(maybe(MOMENTS)) if version >= 2 else None,
    )


@st.composite
def operator_ids(draw: st.DrawFn) -> OperatorId:
    version = draw(VERSIONS)
    return OperatorId(
        protocol_version=version,
        operator_id_type=draw(enum(voc.OPERATOR_ID_TYPE, version)),
        operator_id=draw(text(20)),
    )


MESSAGES = basic_ids() | locations() | authentications() | self_ids() | systems() | operator_ids()


@settings(max_examples=250)
@given(MESSAGES)
def test_every_message_type_round_trips_within_its_quantisation(message: Message) -> None:
    data = encode(message)
    assert len(data) == 25
    assert data[0] == (message.CODE << 4) | message.protocol_version
    got = decode_message(data)
    assert_round_trip(message, got)
    summary = json.loads(json.dumps(got.to_dict()))
    assert (summary["type"], summary["protocol_version"]) == (got.TYPE, got.protocol_version)
    assert summary["unknown_version"] == (got.protocol_version > 2)
    # A decoded message sits on the grid: encoding it again changes nothing.
    assert encode(got) == data
    assert decode_message(encode(got)) == got


@settings(max_examples=25)
@given(st.lists(MESSAGES, min_size=1, max_size=9))
def test_packs_round_trip(messages: list[Message]) -> None:
    data = encode_pack(messages)
    assert len(data) == 3 + 25 * len(messages)
    assert data[0] >> 4 == 0xF
    assert data[0] & 0x0F == max(m.protocol_version for m in messages)
    got = decode(data)
    assert len(got) == len(messages)
    for sent, back in zip(messages, got, strict=True):
        assert_round_trip(sent, back)


def test_the_quantisation_table_bites() -> None:
    """The checks above can fail: a value off the grid by more than half a step is caught."""
    sent = Location(latitude=10.0, longitude=10.0, altitude_geodetic_m=100.0, direction_deg=359.8)
    assert_round_trip(sent, decode_message(encode(sent)))
    assert decode_message(encode(sent)).to_dict()["direction_deg"] == 0.0
    for wrong in (
        replace(sent, latitude=10.000001),
        replace(sent, altitude_geodetic_m=100.5),
        replace(sent, direction_deg=358.0),
        replace(sent, height_m=5.0),
    ):
        try:
            assert_round_trip(sent, wrong)
        except AssertionError:
            continue
        raise AssertionError(f"not caught: {wrong}")
    assert horizontal_speed(100.0, 99.75)  # 0.75 m/s steps above 63.75 m/s
    assert not horizontal_speed(100.0, 99.5)
    assert not horizontal_speed(10.0, 10.25)  # 0.25 m/s steps below
