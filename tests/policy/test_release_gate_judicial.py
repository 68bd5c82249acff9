"""The judicial-export rule of the release gate: what may go into a prosecution package."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from paridad.model.markings import parse_markings
from paridad.policy.release_gate import (
    NO_JUDICIAL_CONSENT,
    RETENTION_EXPIRED,
    Candidate,
    JudicialGate,
    Refused,
    Released,
)
from tests.conftest import MARKINGS

TODAY = date(2026, 3, 1)


def candidate(entity_id: str = "e1", **changes: Any) -> Candidate:
    marks = parse_markings({**MARKINGS, **changes})
    values = [("name", "Zacarías"), ("name", "Zacarias"), ("name", "Zacarías"), ("notes", "x")]
    return Candidate(entity_id, "Person", marks, values)


def gate(consents: frozenset[str] = frozenset()) -> JudicialGate:
    return JudicialGate("MX", "FGR", TODAY, consents)


@pytest.mark.parametrize("handling", ["H0", "H1", "H2", "H3"])
def test_own_data_goes_to_court_whole_whatever_the_handling(handling: str) -> None:
    out = gate().release(candidate(handling=handling))
    assert isinstance(out, Released)
    assert out.properties == {"name": ["Zacarias", "Zacarías"], "notes": ["x"]}
    assert out.markings.handling == handling


@pytest.mark.parametrize(
    "origin", [{"origin_country": "US", "origin_agency": "ATF"}, {"origin_agency": "SEDENA"}]
)
def test_h1_of_another_originator_needs_its_judicial_consent(origin: dict[str, str]) -> None:
    marks: dict[str, Any] = {**origin, "releasability": ["MX", "US"]}
    refused = gate().release(candidate(handling="H1", **marks))
    assert refused == Refused("e1", NO_JUDICIAL_CONSENT)
    assert isinstance(gate(frozenset({"e1"})).release(candidate(handling="H1", **marks)), Released)
    # Consent is per entity: another entity's consent opens nothing.
    assert isinstance(gate(frozenset({"e2"})).release(candidate(handling="H1", **marks)), Refused)


def test_other_handling_codes_of_another_originator_are_not_judicial_restrictions() -> None:
    out = gate().release(candidate(handling="H0", origin_country="US", origin_agency="ATF"))
    assert isinstance(out, Released)


def test_data_past_retention_never_reaches_a_court() -> None:
    expired = (TODAY - timedelta(days=1)).isoformat()
    assert gate().refusal(candidate(retain_until=expired)) == RETENTION_EXPIRED
    assert gate().refusal(candidate(retain_until=TODAY.isoformat())) is None


def test_a_refusal_carries_no_value() -> None:
    refused = gate().release(candidate(handling="H1", origin_agency="SEDENA"))
    assert isinstance(refused, Refused)
    assert "Zacar" not in repr(refused)
