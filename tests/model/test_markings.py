"""Markings are validated data, and combining two never loosens them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paridad.errors import InvalidMarkings
from paridad.model.markings import Markings, parse_markings
from paridad.model.vocabularies import vocabulary
from tests.conftest import MARKINGS


def test_valid_markings_are_normalised() -> None:
    raw = {
        **MARKINGS,
        "origin_country": "mx",
        "handling": "h2",
        "tlp": "TLP:RED",
        "purpose": "firearms-trafficking, extradition",
    }
    m = parse_markings(raw)
    assert m.origin_country == "MX"
    assert m.handling == "H2"
    assert m.tlp == "RED"
    assert m.purpose == ("firearms-trafficking", "extradition")
    assert m.retain_until == date(2031, 12, 31)
    assert m.grading == "B2"
    assert parse_markings(m.to_dict()) == m


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"handling": "H9"}, "handling"),
        ({"tlp": "PURPLE"}, "tlp"),
        ({"reliability": "E"}, "reliability"),
        ({"credibility": "6"}, "credibility"),
        ({"purpose": ["gossip"]}, "purpose"),
        ({"origin_country": "XX"}, "origin_country"),
        ({"releasability": ["US"]}, "releasability"),
        ({"retain_until": "31/12/2031"}, "retain_until"),
        ({"legal_basis": ""}, "legal_basis"),
        ({"origin_agency": "FGR\x00"}, "origin_agency"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_each_invalid_field_is_named_in_both_languages(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidMarkings) as err:
        parse_markings({**MARKINGS, **change})
    english, spanish = err.value.localized("en"), err.value.localized("es")
    assert english.startswith("Markings")
    assert spanish.startswith("Marcas")
    assert field in english or (field == "releasability" and "MX" in english)


@pytest.mark.parametrize(
    "missing",
    [
        "origin_country",
        "handling",
        "tlp",
        "purpose",
        "legal_basis",
        "retain_until",
        "origin_agency",
    ],
)
def test_required_fields(missing: str) -> None:
    raw = {k: v for k, v in MARKINGS.items() if k != missing}
    with pytest.raises(InvalidMarkings, match=missing):
        parse_markings(raw)


def test_markings_must_be_an_object() -> None:
    with pytest.raises(InvalidMarkings):
        parse_markings(["H0"])


codes = st.fixed_dictionaries(
    {
        "handling": st.sampled_from(vocabulary("handling").codes),
        "tlp": st.sampled_from(vocabulary("tlp").codes),
        "reliability": st.sampled_from(vocabulary("reliability").codes),
        "credibility": st.sampled_from(vocabulary("credibility").codes),
        "releasability": st.lists(st.sampled_from(["US", "CO", "GT"]), max_size=3),
        "retain_until": st.dates(date(2026, 1, 1), date(2040, 1, 1)),
    }
)


def _build(raw: dict[str, Any]) -> Markings:
    return parse_markings({**MARKINGS, **raw, "releasability": ["MX", *raw["releasability"]]})


@given(codes, codes)
def test_combining_never_loosens(a_raw: dict[str, Any], b_raw: dict[str, Any]) -> None:
    a, b = _build(a_raw), _build(b_raw)
    c = a.combine(b)
    for field in ("handling", "tlp", "reliability", "credibility"):
        vocab = vocabulary(field)
        assert vocab.rank(getattr(c, field)) >= vocab.rank(getattr(a, field))
        assert vocab.rank(getattr(c, field)) >= vocab.rank(getattr(b, field))
    assert set(c.releasability) <= set(a.releasability) | {"MX"}
    assert set(c.releasability) <= set(b.releasability) | {"MX"}
    assert c.retain_until == min(a.retain_until, b.retain_until)
    assert c.origin_country == "MX"
    assert parse_markings(c.to_dict()) == c
