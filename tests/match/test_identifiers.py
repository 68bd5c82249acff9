"""Identifier normalisation: one canonical form per identifier, a translated reason otherwise.

Valid identifiers come from the synthetic scenario's own generators (``paridad.synth``), so the
checks here are the ones real-looking data must pass; invalid ones are those same values with
one thing broken.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from paridad.errors import ParidadError
from paridad.ingest.records import entity_from_dict
from paridad.match import identifiers as ids
from paridad.match.identifiers import (
    canonical_serial,
    catalogue,
    fold_serial,
    identifiers_of,
    kind_names,
    normalise,
    vin_check_digit_matches,
)
from paridad.synth import generate, sample_entities
from paridad.synth import identifiers as synth
from paridad.synth.serials import CONFUSIONS
from tests.conftest import MARKINGS


@pytest.fixture(scope="module")
def rng() -> random.Random:
    return random.Random("tests.match.identifiers")


def _error(kind: str, value: Any, **options: str) -> ParidadError:
    with pytest.raises(ParidadError) as info:
        normalise(kind, value, **options)
    return info.value


def test_every_kind_has_a_normaliser_and_an_entry_in_the_data_file() -> None:
    assert set(kind_names()) == set(catalogue().kinds)
    for info in catalogue().kinds.values():
        assert info.label("es") and info.label("en") and info.guessable_bits > 0
    for schema, props in catalogue().properties.items():
        for prop, source in props.items():
            assert set(source.kinds) <= set(kind_names()), (schema, prop)


def test_unknown_kind_empty_value_and_non_text_are_refused() -> None:
    assert _error("fingerprint", "x").msgid == ids.MSG_UNKNOWN_KIND
    assert _error("phone", "   ").msgid == ids.MSG_EMPTY
    error = _error("phone", 5512345678)
    assert error.msgid == ids.MSG_NOT_TEXT and error.params["given"] == "int"


def test_phones_become_e164(rng: random.Random) -> None:
    for _ in range(50):
        mx, us = synth.mx_phone(rng, "55"), synth.us_phone(rng, "915")
        assert normalise("phone", mx) == mx and normalise("phone", us) == us
    assert normalise("phone", "55 1234 5678", country="MX") == "+525512345678"
    assert normalise("phone", "(915) 555-2368", country="us") == "+19155552368"
    assert normalise("phone", "+1 915 555 2368", country="MX") == "+19155552368"


def test_mexican_dialling_prefixes_dropped_in_2019_are_removed() -> None:
    for legacy in ("+52 1 55 1234 5678", "044 55 1234 5678", "045 55 1234 5678", "01 55 1234 5678"):
        assert normalise("phone", legacy, country="MX") == "+525512345678", legacy


def test_bad_phones_say_why() -> None:
    assert _error("phone", "55 1234 5678").msgid == ids.MSG_PHONE_UNREADABLE
    assert _error("phone", "call me").msgid == ids.MSG_PHONE_UNREADABLE
    assert _error("phone", "+52 12 34").msgid == ids.MSG_PHONE_INVALID
    assert _error("phone", "5512345678", country="Mexico").msgid == ids.MSG_BAD_COUNTRY


def test_clabe(rng: random.Random) -> None:
    for _ in range(50):
        number = synth.clabe(rng, "012")
        assert normalise("clabe", number) == number
        spaced = f"{number[:3]} {number[3:6]} {number[6:17]}-{number[17]}"
        assert normalise("clabe", spaced) == number
        wrong = number[:17] + str((int(number[17]) + 1) % 10)
        assert _error("clabe", wrong).msgid == ids.MSG_CHECK_DIGIT
    assert _error("clabe", "01234567890123456").params["found"] == 17
    assert _error("clabe", "01234567890123456A").msgid == ids.MSG_CHARACTERS


def test_curp_and_rfc_from_the_scenario_people() -> None:
    entities = sample_entities(600, seed=3)
    curps = [v for e in entities for v in e["properties"].get("idNumber", []) if len(v) == 18]
    # Companies' RFCs; US companies carry an EIN (12-3456789) in the same property.
    rfcs = [v for e in entities for v in e["properties"].get("taxNumber", []) if "-" not in v]
    assert curps and rfcs
    for curp in curps:
        assert normalise("curp", f" {curp.lower()} ") == curp
        broken = curp[:17] + str((int(curp[17]) + 1) % 10)
        assert _error("curp", broken).msgid == ids.MSG_CHECK_DIGIT
    for rfc in rfcs:
        assert normalise("rfc", rfc.lower()) == rfc
    assert _error("curp", "BOXW310820HNERXN0").msgid == ids.MSG_FORMAT
    assert _error("rfc", "ABCD991340XX1").msgid in (ids.MSG_COMPONENT, ids.MSG_FORMAT)


def test_iban() -> None:
    # The example IBAN of the European Committee for Banking Standards.
    assert normalise("iban", "gb82 west 1234 5698 7654 32") == "GB82WEST12345698765432"
    assert _error("iban", "GB82WEST12345698765433").msgid == ids.MSG_CHECK_DIGIT


def test_serials_keep_letters_and_digits_and_fold_look_alikes() -> None:
    assert canonical_serial(" ab-12 3.4/z ") == "AB1234Z"
    assert normalise("serial", "ab-12 3.4/z") == "A812342"
    assert fold_serial("OIDLSBZ") == "0101582"
    assert _error("serial", "a-1").msgid == ids.MSG_TOO_SHORT


@given(
    st.text(alphabet="0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=4, max_size=12),
    st.data(),
)
def test_a_misread_serial_meets_its_original(serial: str, data: st.DataObject) -> None:
    """Every confusion the scenario plants (O/0, I/1, L/1, S/5, B/8, Z/2, D/0) folds away."""
    spots = [i for i, c in enumerate(serial) if c in CONFUSIONS]
    if not spots:
        return
    i = data.draw(st.sampled_from(spots))
    misread = serial[:i] + CONFUSIONS[serial[i]] + serial[i + 1 :]
    assert normalise("serial", misread) == normalise("serial", serial)


def test_vin(rng: random.Random) -> None:
    for _ in range(50):
        vin = synth.vin(rng, "3N1")
        assert normalise("vin", vin.lower()) == vin and vin_check_digit_matches(vin)
    vin = synth.vin(rng, "1FT")
    misread = vin.replace("0", "O").replace("1", "I")
    assert normalise("vin", misread) == vin
    assert _error("vin", vin[:16]).params == {
        "kind": "vin",
        "value": vin[:16],
        "found": 16,
        "expected": 17,
    }
    assert _error("vin", vin[:16] + "_").msgid == ids.MSG_CHARACTERS
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    assert normalise("vin", wrong) == wrong and not vin_check_digit_matches(wrong)
    # Outside North America the 9th character is not a check digit.
    assert vin_check_digit_matches("W" + wrong[1:])


def test_drone_serials(rng: random.Random) -> None:
    for _ in range(50):
        serial = synth.remote_id_serial(rng, "1581")
        assert normalise("drone_serial", serial.lower()) == serial
    serial = synth.remote_id_serial(rng, "1581")
    error = _error("drone_serial", serial + "7")
    assert (
        error.msgid == ids.MSG_DRONE_LENGTH
        and error.params["found"] == error.params["expected"] + 1
    )
    assert normalise("drone_serial", "158IA" + "O" * 10) == "1581A" + "0" * 10
    assert _error("drone_serial", "1581G" + "1" * 16).msgid == ids.MSG_FORMAT


def test_plates_carry_their_issuing_region() -> None:
    assert normalise("plate", "abc-1234", region="MX-BCN") == "MX-BCN:ABC1234"
    assert normalise("plate", "ABC 1234", region="us-tx") == "US-TX:ABC1234"
    assert normalise("plate", "YKT-622-M", country="mx") == "MX:YKT622M"
    assert _error("plate", "ABC1234").msgid == ids.MSG_NO_REGION
    assert _error("plate", "ABC1234", region="Baja California").msgid == ids.MSG_BAD_REGION
    assert _error("plate", "A", region="MX").msgid == ids.MSG_TOO_SHORT


def test_passports_carry_their_issuing_country(rng: random.Random) -> None:
    number = synth.mx_passport(rng)
    assert normalise("passport", number.lower(), country="mx") == f"MX:{number}"
    assert normalise("passport", f"{number}<<", country="MX") == f"MX:{number}"
    assert _error("passport", number).msgid == ids.MSG_NO_COUNTRY
    assert _error("passport", "G12", country="MX").msgid == ids.MSG_TOO_SHORT


def test_wallets() -> None:
    eth = "0x52908400098527886E0F7030069857D2E4169EE7"  # an EIP-55 test vector
    assert normalise("wallet", f" {eth} ") == eth.lower()
    assert _error("wallet", eth[:-1]).msgid == ids.MSG_WALLET_HEX
    bech32 = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"  # a BIP-173 test vector
    assert normalise("wallet", bech32) == bech32.lower()
    assert (
        _error("wallet", "bc1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").msgid == ids.MSG_WALLET_CASE
    )
    base58 = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
    assert normalise("wallet", base58) == base58
    assert _error("wallet", "1BvBMSEY stWetqTFn5Au4m4GFg7xJaNVN2").msgid == ids.MSG_CHARACTERS


def test_emails() -> None:
    assert normalise("email", " mailto:Juan.Perez@Example.COM ") == "juan.perez@example.com"
    assert normalise("email", "ana@correo.méxico") == "ana@correo.xn--mxico-bsa"
    assert _error("email", "ana@localhost").msgid == ids.MSG_FORMAT
    assert _error("email", "ana.example.com").msgid == ids.MSG_FORMAT


def test_uetr(rng: random.Random) -> None:
    uetr = synth.uetr(rng)
    assert normalise("uetr", uetr.upper()) == uetr
    assert _error("uetr", "6ba7b810-9dad-11d1-80b4-00c04fd430c8").msgid == ids.MSG_UETR
    assert _error("uetr", "EC3702D36658").msgid == ids.MSG_UETR


# -- entities ----------------------------------------------------------------------------------


def _scenario_entities(root: Path, side: str) -> Iterator[dict[str, object]]:
    for path in sorted((root / side).glob("*.jsonl")):
        with path.open("rb") as fh:
            for line in fh:
                yield orjson.loads(line)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("match-scenario")
    generate(root, seed=1, scale="small")
    return root


def test_every_identifier_of_the_scenario_is_read_or_reported(scenario: Path) -> None:
    found: dict[str, int] = {}
    for side in ("mx", "us"):
        for entity in _scenario_entities(scenario, side):
            result = identifiers_of(entity)
            for kind, value in result:
                found[kind] = found.get(kind, 0) + 1
                assert normalise(kind, value, country=value[:2] if ":" in value else None)
            for skipped in result.skipped:
                # What is skipped is what no kind covers: US licence and account numbers,
                # EINs, domestic payment references; each comes with its reason.
                assert skipped.error.msgid in (ids.MSG_NONE_OF, ids.MSG_UETR), skipped
                assert skipped.to_dict()["msgid"] == skipped.error.msgid
    # serial_near is made from two properties (serial and make) by the matching workflow,
    # not read from one value: identifiers_of never yields it.
    assert set(found) == set(kind_names()) - {"iban", "wallet", "email", "serial_near"}


def test_a_near_serial_key_given_by_hand_is_checked() -> None:
    assert normalise("serial_near", "colt:le-94253") == "colt:1E94253"
    for bad in ("LE94253", "Colt Mfg:LE94253", "colt:AB1"):
        with pytest.raises(ParidadError) as caught:
            normalise("serial_near", bad)
        assert caught.value.msgid == ids.MSG_FORMAT


def test_records_proxies_and_dicts_give_the_same_identifiers() -> None:
    people = [e for e in sample_entities(200, seed=5) if e["schema"] == "Person"]
    for entity in people[:40]:
        record = entity_from_dict(entity, "test", "2026-01-01T00:00:00", "test")
        from_dict = identifiers_of(entity)
        assert list(identifiers_of(record)) == list(from_dict)
        assert sorted(identifiers_of(record.to_proxy())) == sorted(from_dict)


def test_vehicles_plates_vins_and_warnings(rng: random.Random) -> None:
    vin = synth.vin(rng, "3N1")
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    vehicle = {
        "id": "mx-fgr-vehicle-1",
        "schema": "Vehicle",
        "markings": MARKINGS,
        "properties": {
            "registrationNumber": ["ykt-622-m", vin],
            "description": [f"Camioneta asegurada, VIN {wrong}; placas de Sonora"],
        },
    }
    result = identifiers_of(vehicle)
    assert list(result) == [("plate", "MX:YKT622M"), ("vin", vin), ("vin", wrong)]
    # One of the two VINs has a wrong check digit: kept, and reported.
    assert [w.error.msgid for w in result.warnings] == [ids.MSG_VIN_CHECK]
    assert result.warnings[0].error.params["value"] == wrong


def test_bad_values_are_skipped_with_their_reason_never_raised() -> None:
    person = {
        "id": "mx-fgr-person-1",
        "schema": "Person",
        "properties": {
            "phone": ["+52 55 1234 5678", "12"],
            "idNumber": ["not-an-id"],
            "passportNumber": ["G12345678"],
            "nationality": ["mx", "us"],
            "email": ["Ana@Example.com"],
        },
    }
    result = identifiers_of(person)
    assert ("phone", "+525512345678") in result.found
    assert ("email", "ana@example.com") in result.found
    # Two nationalities: a key for each, and only the right one can ever meet.
    assert ("passport", "MX:G12345678") in result.found
    assert ("passport", "US:G12345678") in result.found
    reasons = [(s.prop, s.error.msgid) for s in result.skipped]
    assert reasons == [("phone", ids.MSG_PHONE_INVALID), ("idNumber", ids.MSG_NONE_OF)]
    assert len(result) == len(result.found) == 4


def test_phones_without_country_use_the_markings_origin() -> None:
    entity = {"schema": "Person", "markings": MARKINGS, "properties": {"phone": ["55 1234 5678"]}}
    assert list(identifiers_of(entity)) == [("phone", "+525512345678")]
    entity = {"schema": "Person", "properties": {"phone": ["55 1234 5678"]}}
    assert not list(identifiers_of(entity))
    assert identifiers_of(entity).skipped[0].error.msgid == ids.MSG_PHONE_UNREADABLE


def test_a_drone_registration_is_not_a_plate() -> None:
    drone = {
        "schema": "Drone",
        "properties": {"serialNumber": ["1581A55PAKGD2AU"], "registrationNumber": ["FA3XYZ1234"]},
    }
    assert list(identifiers_of(drone)) == [("drone_serial", "1581A55PAKGD2AU")]
