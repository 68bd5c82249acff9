"""Agreements take effect only when both parties signed exactly what they validate."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest
import yaml

from paridad.exchange.identity import NodeIdentity
from paridad.policy.agreement import InvalidAgreement, parse_agreement

MX, US = NodeIdentity.generate(), NodeIdentity.generate()


def document(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "mx-fgr--us-atf--cortafuegos",
        "version": 1,
        "status": "active",
        "parties": [
            {
                "node": "mx-fgr",
                "country": "MX",
                "agency": "FGR",
                "signing_key": base64.b64encode(bytes(MX.verify_key)).decode(),
            },
            {
                "node": "us-atf",
                "country": "US",
                "agency": "ATF",
                "signing_key": base64.b64encode(bytes(US.verify_key)).decode(),
            },
        ],
        "purposes": ["firearms-trafficking"],
        "legal_basis": "Tratado de Asistencia Jurídica Mutua MX-US (1987), art. 1",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2027, 1, 1),
        "rfi_deadline_hours": 48,
        "rate_limit_per_minute": 600,
        "flows": {
            "mx-fgr->us-atf": {
                "schemata": {"Firearm": ["serialNumber", "make", "model", "caliber"]},
                "handling": ["H0", "H1"],
                "max_tlp": "AMBER",
                "retention_days": 365,
            },
            "us-atf->mx-fgr": {
                "schemata": {"FirearmAcquisition": ["date", "state", "firearm"]},
                "handling": ["H0"],
                "max_tlp": "GREEN",
                "retention_days": 730,
            },
        },
    }
    doc.update(changes)
    return doc


def test_signed_by_both_verifies_and_survives_yaml() -> None:
    agreement = parse_agreement(document()).sign("mx-fgr", MX).sign("us-atf", US)
    agreement.verify()
    again = parse_agreement(yaml.safe_load(agreement.to_yaml()))
    again.verify()
    flow = again.flow("mx-fgr", "us-atf")
    assert flow is not None and flow.properties["Firearm"] >= {"serialNumber"}
    assert flow.max_tlp == "AMBER" and flow.retention_days == 365
    assert again.flow("us-atf", "mx-fgr") is not None
    assert again.in_force(date(2026, 6, 1)) and not again.in_force(date(2028, 1, 1))


def test_one_signature_is_not_enough() -> None:
    agreement = parse_agreement(document()).sign("mx-fgr", MX)
    with pytest.raises(InvalidAgreement, match="not signed by us-atf"):
        agreement.verify()


def test_a_changed_agreement_no_longer_verifies() -> None:
    signed = parse_agreement(document()).sign("mx-fgr", MX).sign("us-atf", US).to_dict()
    signed["flows"]["mx-fgr->us-atf"]["max_tlp"] = "RED"
    with pytest.raises(InvalidAgreement, match="does not verify"):
        parse_agreement(signed).verify()


def test_only_the_named_key_can_sign_for_a_party() -> None:
    with pytest.raises(InvalidAgreement):
        parse_agreement(document()).sign("mx-fgr", US)
    with pytest.raises(InvalidAgreement, match="not a party"):
        parse_agreement(document()).sign("co-fgn", MX)


def test_termination_stops_the_agreement() -> None:
    terminated = parse_agreement(document(status="terminated", version=2))
    assert not terminated.in_force(date(2026, 6, 1))


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"parties": []}, "exactly two parties"),
        ({"purposes": ["gossip"]}, "purpose"),
        ({"status": "paused"}, "status"),
        ({"valid_until": date(2025, 1, 1)}, "before valid_from"),
        ({"legal_basis": " "}, "legal_basis"),
        ({"flows": {"mx-fgr->co-fgn": {}}}, "between the two parties"),
        (
            {
                "flows": {
                    "mx-fgr->us-atf": {
                        "schemata": {"Spaceship": []},
                        "handling": ["H0"],
                        "max_tlp": "AMBER",
                        "retention_days": 1,
                    }
                }
            },
            "Spaceship",
        ),
        (
            {
                "flows": {
                    "mx-fgr->us-atf": {
                        "schemata": {"Firearm": ["colour"]},
                        "handling": ["H0"],
                        "max_tlp": "AMBER",
                        "retention_days": 1,
                    }
                }
            },
            "colour",
        ),
        (
            {
                "flows": {
                    "mx-fgr->us-atf": {"handling": ["H9"], "max_tlp": "AMBER", "retention_days": 1}
                }
            },
            "handling",
        ),
        (
            {
                "flows": {
                    "mx-fgr->us-atf": {"handling": ["H0"], "max_tlp": "PURPLE", "retention_days": 1}
                }
            },
            "max_tlp",
        ),
        (
            {
                "flows": {
                    "mx-fgr->us-atf": {"handling": ["H0"], "max_tlp": "AMBER", "retention_days": 0}
                }
            },
            "retention_days",
        ),
    ],
)
def test_invalid_agreements_are_refused_with_a_reason(changes: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidAgreement) as err:
        parse_agreement(document(**changes))
    assert reason in err.value.localized("en")
    assert err.value.localized("es").startswith("Acuerdo no válido")


def test_missing_fields() -> None:
    doc = document()
    del doc["legal_basis"]
    with pytest.raises(InvalidAgreement, match="missing field"):
        parse_agreement(doc)
