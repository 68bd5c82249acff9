"""Identifiers pass the same checks real ones do."""

from __future__ import annotations

import random
import re
from datetime import date

from stdnum.mx import curp, rfc

from paridad.synth import identifiers
from paridad.synth.names import mexican_name
from tests.synth.conftest import Scenario

FFL = re.compile(r"^\d-\d{2}-\d{3}-0[127]-\d[A-HJ-M]-\d{5}$")
CTA_2063 = re.compile(r"^[0-9A-HJ-NP-Z]{4}[1-9A-F][0-9A-HJ-NP-Z]{1,15}$")


def test_curp_and_rfc_in_scenario(scenario: Scenario) -> None:
    curps = rfcs = 0
    for person in scenario.of("mx", "Person"):
        for value in person["properties"].get("idNumber", []):
            if len(value) == 18:
                assert curp.is_valid(value), value
                curps += 1
        for value in person["properties"].get("taxNumber", []):
            assert len(value) == 13 and rfc.is_valid(value, validate_check_digits=True), value
            rfcs += 1
    for company in scenario.of("mx", "Company"):
        for value in company["properties"].get("taxNumber", []):
            if company["properties"].get("jurisdiction") == ["mx"]:
                assert len(value) == 12 and rfc.is_valid(value, validate_check_digits=True), value
    assert curps > 500 and rfcs > 300


def test_curp_matches_the_person(scenario: Scenario) -> None:
    for person in scenario.of("mx", "Person"):
        props = person["properties"]
        for value in props.get("idNumber", []):
            if props.get("nationality") == ["mx"] and "birthDate" in props:
                born = date.fromisoformat(props["birthDate"][0])
                assert curp.get_birth_date(value) == born, person["id"]
                assert curp.get_gender(value) == ("M" if props["gender"] == ["male"] else "F")


def test_clabe_and_routing_numbers(scenario: Scenario) -> None:
    clabes = 0
    for side in ("mx", "us"):
        for account in scenario.of(side, "BankAccount"):
            if account["properties"]["country"] == ["mx"]:
                number = account["properties"]["accountNumber"][0]
                assert identifiers.is_valid_clabe(number), number
                clabes += 1
    assert clabes > 200
    routing = [
        o["properties"]["registrationNumber"][0]
        for o in scenario.of("us", "Organization")
        if "registrationNumber" in o["properties"]
    ]
    assert routing and all(identifiers.is_valid_aba(r) for r in routing)


def test_ffl_and_remote_id_formats(scenario: Scenario) -> None:
    dealers = [c for c in scenario.of("us", "Company") if "licenseNumber" in c["properties"]]
    assert len(dealers) >= 30
    for dealer in dealers:
        assert FFL.match(dealer["properties"]["licenseNumber"][0])
    for side in ("mx", "us"):
        for drone in scenario.of(side, "Drone"):
            for serial in drone["properties"].get("serialNumber", []):
                assert CTA_2063.match(serial), serial


def test_generators_against_stdnum() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        sex = rng.choice(("male", "female"))
        given, paternal, maternal = mexican_name(rng, sex)
        born = date(rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28))
        c = identifiers.curp(rng, given, paternal, maternal, born, sex, "TS")
        assert curp.is_valid(c), (given, paternal, maternal, c)
        r = identifiers.rfc_person(rng, given, paternal, maternal, born)
        assert rfc.is_valid(r, validate_check_digits=True), r
        assert identifiers.is_valid_clabe(identifiers.clabe(rng, "012"))
        assert identifiers.is_valid_aba(identifiers.aba_routing(rng, "11"))


def test_known_check_digits() -> None:
    # Published examples: a CLABE from Banxico's documentation and a VIN check digit.
    assert identifiers.clabe_check_digit("03218000011835971") == "9"
    assert identifiers.vin_check_digit("1M8GDM9A_KP042788".replace("_", "0")) == "X"
    assert identifiers.is_valid_aba("011000015")
