"""Calibres as Mexican and US records write them, in Spanish and English."""

from __future__ import annotations

import pytest

from paridad.trace.calibers import caliber_key, cartridges, compare_calibers


def compare(left: str, right: str) -> str | None:
    return compare_calibers(caliber_key(left), caliber_key(right))


@pytest.mark.parametrize(
    ("spanish", "english"),
    [
        (".38 SÚPER", ".38 Super Auto"),
        (".38 SÚPER", "38 Super"),
        ("9 MM CORTO", ".380 ACP"),
        ("9 MM CORTO", "9mm Kurz"),
        ("38 ESPECIAL", ".38 Special"),
        ("38 ESPECIAL", ".38 SPL"),
        ("5,7X28", "5.7x28mm"),
        ("5,56", "5.56x45mm NATO"),
        ("CAL. .223", "5.56 NATO"),
        ("calibre 12", "12 gauge"),
        ("9 MM", "9mm Luger"),
    ],
)
def test_spanish_spellings_agree(spanish: str, english: str) -> None:
    assert len(cartridges(spanish)) == 1
    assert cartridges(spanish) == cartridges(english)
    assert compare(spanish, english) == "agree"
    assert compare(english, spanish) == "agree"


def test_nine_millimetre_short_is_not_nine_millimetre() -> None:
    assert compare("9 MM CORTO", "9mm") == "disagree"
    assert compare(".38 SÚPER", "38 ESPECIAL") == "disagree"
    assert compare("7.62x39mm", ".308 Win") == "disagree"
    assert compare(".45 ACP", "9mm") == "disagree"


@pytest.mark.parametrize(
    ("bore", "meanings"),
    [(".38", [".38 SÚPER", "38 ESPECIAL"]), ("7.62", ["7.62x39mm", ".308 Winchester"])],
)
def test_an_ambiguous_bore_is_compatible_with_each_meaning(bore: str, meanings: list[str]) -> None:
    assert len(cartridges(bore)) == 2
    assert cartridges(bore) == frozenset().union(*(cartridges(m) for m in meanings))
    for meaning in meanings:
        assert compare(bore, meaning) == "compatible"
        assert compare(meaning, bore) == "compatible"
    # Weaker than naming one cartridge, but still not everything.
    assert compare(bore, "9mm") == "disagree"
    # Two ambiguous reads of the same bore meet without proving one cartridge.
    assert compare(bore, bore) == "compatible"


def test_unknown_or_missing_calibres_are_no_evidence() -> None:
    assert cartridges("") == frozenset() and caliber_key("") == ""
    assert cartridges("cañón recortado") == frozenset()
    assert compare("cañón recortado", "9mm") is None
    assert compare("", "9mm") is None
    assert compare("9mm", "") is None
    # The same unknown text on both sides agrees.
    assert compare("6.5 Creedmoor", "6,5 CREEDMOOR") == "agree"
