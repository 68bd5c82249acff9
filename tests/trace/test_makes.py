"""Make names: aliases, corporate suffixes and importers' marks agree with their maker."""

from __future__ import annotations

import pytest

from paridad.trace.makes import compare_makes, make_key, makers


def compare(left: str, right: str) -> str | None:
    return compare_makes(make_key(left), make_key(right))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("S&W", "Smith and Wesson"),
        ("S&W", "SMITH & WESSON INC"),
        ("Smith and Wesson", "SMITH & WESSON INC"),
        ("smith & wesson", "SMITH&WESSON"),
        ("Sturm, Ruger & Co., Inc.", "RUGER"),
        ("Colt's Mfg Co", "COLT"),
        ("H&K", "Heckler & Koch"),
        ("Hi-Point", "HI POINT FIREARMS"),
        ("GLOCK INC SMYRNA GA", "Glock"),
        ("Fabrique Nationale", "FN Herstal"),
    ],
)
def test_aliases_agree(left: str, right: str) -> None:
    assert makers(left) and makers(left) == makers(right)
    assert compare(left, right) == "agree"
    assert compare(right, left) == "agree"


@pytest.mark.parametrize(
    ("mark", "dealer"),
    [
        ("CAI GEORGIA VT", "Century Arms"),
        ("CAI ST ALBANS VT", "Century International Arms"),
        ("ROMARM/CUGIR", "Century Arms"),
        ("CUGIR", "CAI"),
        ("ROMARM/CUGIR", "CAI GEORGIA VT"),
        ("TAURUS INTL MIAMI FL", "Forjas Taurus"),
        ("SPRINGFIELD GENESEO IL", "HS Produkt"),
        ("EAGLE IMPORTS WANAMASSA NJ", "Bersa"),
    ],
)
def test_importer_marks_agree_with_the_maker_they_import(mark: str, dealer: str) -> None:
    assert compare(mark, dealer) == "agree"
    assert compare(dealer, mark) == "agree"


def test_an_importer_mark_stands_for_the_makers_it_imports_only() -> None:
    assert makers("CAI GEORGIA VT") >= {"century-arms", "cugir"}
    assert compare("CAI GEORGIA VT", "Glock") == "disagree"
    assert compare("ROMARM/CUGIR", "Smith & Wesson") == "disagree"
    # Two makers one importer brings in are still two makers.
    assert compare("ROMARM/CUGIR", "Zastava") == "disagree"


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Glock", "Smith & Wesson"),
        ("S&W", "Dan Wesson"),
        ("Colt", "Ruger"),
        ("Beretta", "Taurus"),
        ("FN Herstal", "Browning"),
    ],
)
def test_different_makers_disagree(left: str, right: str) -> None:
    assert compare(left, right) == "disagree"
    assert compare(right, left) == "disagree"


def test_unknown_short_names_and_missing_makes_are_no_evidence() -> None:
    assert makers("AM") == frozenset()
    assert make_key("AM") == "~am"
    assert compare("AM", "Anderson Manufacturing") is None
    assert compare("AM", "Glock") is None
    assert compare("XYZ", "Acme Arms") is None
    assert compare("", "Glock") is None
    assert compare("Glock", "") is None
    assert make_key("") == "" and make_key("   ") == ""


def test_unknown_names_agree_with_themselves_and_their_short_forms() -> None:
    assert compare("Acme Firearms LLC", "ACME FIREARMS") == "agree"
    assert compare("Acme Firearms", "Acme") is None  # a shortened form is no evidence
    assert compare("Acme Firearms", "Zorro Guns") == "disagree"


def test_keys_are_stable_and_sorted() -> None:
    assert make_key("S&W") == "=smith-wesson"
    key = make_key("Century Arms")
    assert key.startswith("=") and key[1:].split("|") == sorted(key[1:].split("|"))
