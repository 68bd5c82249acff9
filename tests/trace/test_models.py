"""Models written loosely on both sides, and firearm types in Spanish or English."""

from __future__ import annotations

import pytest

from paridad.trace.models import compare_models, compare_types, model_key, type_key


def models(left: str, right: str) -> str | None:
    return compare_models(model_key(left), model_key(right))


def types(left: str, right: str) -> str | None:
    return compare_types(type_key(left), type_key(right))


@pytest.mark.parametrize(
    ("spanish", "code"),
    [
        ("ESCOPETA", "shotgun"),
        ("FUSIL", "rifle"),
        ("carabina", "rifle"),
        ("PISTOLA", "pistol"),
        ("pistola semiautomática", "pistol"),
        ("REVÓLVER", "revolver"),
        ("revolver", "revolver"),
        ("AMETRALLADORA", "machine-gun"),
        ("Subfusil", "machine-gun"),
        ("machine gun", "machine-gun"),
    ],
)
def test_types_in_spanish_map_to_the_vocabulary(spanish: str, code: str) -> None:
    assert type_key(spanish) == code


def test_type_comparison() -> None:
    assert types("ESCOPETA", "shotgun") == "agree"
    assert types("REVÓLVER", "Revolver") == "agree"
    assert types("PISTOLA", "rifle") == "compatible"  # an AK "pistol" booked as a rifle
    assert types("FUSIL", "ametralladora") == "compatible"
    assert types("ESCOPETA", "pistol") == "disagree"
    assert types("REVÓLVER", "PISTOLA") == "disagree"
    assert type_key("arma") == "" and types("arma", "pistol") is None
    assert types("", "pistol") is None


@pytest.mark.parametrize(
    ("left", "right"),
    [("G17", "G17 GEN5"), ("AR-15", "AR15"), ("M&P9 M2.0", "MP9"), ("WASR-10", "wasr 10")],
)
def test_loosely_written_models_agree(left: str, right: str) -> None:
    assert models(left, right) == "agree"
    assert models(right, left) == "agree"


def test_model_comparison() -> None:
    assert models("G19", "G17") == "disagree"
    assert models("VSKA", "WASR-10") == "disagree"
    assert models("AK-47 M70", "M70 AB2") == "compatible"  # a shared token with a digit
    assert models("", "G17") is None and models("G17", "") is None
    assert model_key("M&P9 M2.0") == "m p9 m2 0"
