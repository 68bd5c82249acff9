"""Designation lists as OpenSanctions publishes them: flat or nested, with the lines that are
not entities rejected by number and the listed parties told apart from the rest."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from paridad.finance.inputs.errors import InvalidFinanceInput
from paridad.finance.screening.designations import DesignationList
from paridad.i18n import LANGS

SDN = [
    {
        "id": "ofac-1",
        "schema": "Person",
        "target": True,
        "datasets": ["us_ofac_sdn"],
        "properties": {
            "name": ["Ovidio GUZMAN LOPEZ"],
            "birthDate": ["1990-03-29"],
            "sanctions": [
                {
                    "id": "ofac-s1",
                    "schema": "Sanction",
                    "properties": {
                        "authority": ["Office of Foreign Assets Control"],
                        "program": ["ILLICIT-DRUGS-EO14059"],
                        "listingDate": ["2023-06-09"],
                    },
                }
            ],
        },
    },
    {
        "id": "uif-2",
        "schema": "Company",
        "properties": {"name": ["Comercializadora Los Altos, S.A. de C.V."]},
    },
    {
        "id": "uif-s2",
        "schema": "Sanction",
        "properties": {
            "entity": ["uif-2"],
            "authority": ["Unidad de Inteligencia Financiera"],
            "program": ["Lista de Personas Bloqueadas"],
        },
    },
    # An associate in the same export, named by nothing that lists it.
    {"id": "assoc-3", "schema": "Person", "properties": {"name": ["Juan Pérez"]}},
]


def _write(path: Path, rows: Sequence[object], extra: str = "") -> Path:
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n" + extra
    path.write_text(text, encoding="utf-8")
    return path


def test_listed_parties_come_with_their_lists_and_programs(tmp_path: Path) -> None:
    listing = DesignationList.read(_write(tmp_path / "sdn.jsonl", SDN))
    assert set(listing.designations) == {"ofac-1", "uif-2"}
    ovidio = listing.designations["ofac-1"]
    assert ovidio.lists == ("us_ofac_sdn",)
    assert ovidio.programs == ("ILLICIT-DRUGS-EO14059",)
    assert ovidio.listed == "2023-06-09"
    assert ovidio.label() == "Ovidio GUZMAN LOPEZ (ILLICIT-DRUGS-EO14059)"
    assert listing.designations["uif-2"].authorities == ("Unidad de Inteligencia Financiera",)
    assert listing.errors == []


def test_a_plain_list_of_names_lists_every_party(tmp_path: Path) -> None:
    rows = [{"id": "n1", "schema": "Person", "properties": {"name": ["Ana Díaz"]}}]
    listing = DesignationList.read(_write(tmp_path / "names.jsonl", rows))
    assert set(listing.designations) == {"n1"}
    assert listing.designations["n1"].lists == ("names",)


def test_bad_lines_are_rejected_by_number_and_the_rest_kept(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "sdn.jsonl",
        SDN,
        extra='{"id": "x", "schema": "Starship"}\nnot json at all\n[1, 2]\n{"schema": "Person"}\n',
    )
    listing = DesignationList.read(path)
    assert set(listing.designations) == {"ofac-1", "uif-2"}
    assert [e.line for e in listing.errors] == [5, 6, 7, 8]
    for error in listing.errors:
        for lang in LANGS:
            text = error.message(lang)
            assert text and "{" not in text
    assert "Starship" in listing.errors[0].message("en")


def test_a_file_with_no_party_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.jsonl", [{"id": "s", "schema": "Sanction", "properties": {}}])
    with pytest.raises(InvalidFinanceInput) as raised:
        DesignationList.read(path)
    assert "empty.jsonl" in raised.value.localized("es")


def test_an_unreadable_file_says_why(tmp_path: Path) -> None:
    with pytest.raises(InvalidFinanceInput) as raised:
        DesignationList.read(tmp_path / "missing.jsonl")
    assert "missing.jsonl" in raised.value.localized("en")
