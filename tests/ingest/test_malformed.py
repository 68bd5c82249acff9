"""Malformed input: each bad record is quarantined with a translated reason; nothing is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from paridad.errors import InvalidMapping, render_message
from paridad.ingest import TabularMapping, ingest_file
from paridad.store import Store
from tests.conftest import MARKINGS, entity
from tests.ingest.helpers import (
    ACQUISITION_COLUMNS,
    ACQUISITION_MAPPING,
    acquisition_row,
    write_csv,
    write_jsonl,
)

BAD_LINES: list[tuple[dict[str, Any] | bytes, str, str]] = [
    (b"{not json", "not valid JSON", "no es JSON válido"),
    (b"[1, 2, 3]", "not a JSON object", "no es un objeto JSON"),
    (
        b'{"id": "x", "schema": "Person", "properties": {"name": ["caf\xe9"]}}',
        "not UTF-8",
        "no son UTF-8",
    ),
    (
        {"schema": "Person", "properties": {"name": ["A"]}, "markings": MARKINGS},
        "no 'id'",
        "no tiene 'id'",
    ),
    (entity("u1", "Spaceship", name="x"), "Unknown schema", "Esquema desconocido"),
    (entity("u2", "Thing", name="x"), "abstract", "abstracto"),
    (entity("u3", "Person", favouriteColour="red"), "no property", "no tiene la propiedad"),
    (entity("u4", "Person", birthDate="31/31/2020"), "not a valid date", "no es válido como fecha"),
    (entity("u5", "Firearm", type="bazooka"), "not one of", "no es uno de"),
    (
        entity("u6", "Person", {**MARKINGS, "tlp": "PURPLE"}, name="x"),
        "Invalid markings",
        "Marcas no válidas",
    ),
    (
        {**entity("u7", "Person", name="x"), "properties": ["name"]},
        "'properties' must be",
        "'properties' debe ser",
    ),
    (entity("u8", "Person", name={"nested": 1}), "not a valid", "no es válido"),
    (entity("u9", "Person"), "no values", "no tiene valores"),
    ({**entity("u10", "Person", name="x"), "markings": None}, "no markings", "no tiene marcas"),
]


def test_every_bad_line_is_quarantined_and_every_good_line_loads(
    store: Store, tmp_path: Path
) -> None:
    good = [entity(f"ok{i}", "Person", name=f"Persona {i}") for i in range(len(BAD_LINES))]
    lines: list[dict[str, Any] | bytes] = []
    for (bad, _en, _es), ok in zip(BAD_LINES, good, strict=True):
        lines += [ok, bad]
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    report = ingest_file(store, path, dataset="mixed")
    assert report.entities == len(good)
    assert report.quarantined == len(BAD_LINES)
    quarantined = store.quarantined()
    assert [q.line for q in quarantined] == [2 * i + 2 for i in range(len(BAD_LINES))]
    for q, (_bad, english, spanish) in zip(quarantined, BAD_LINES, strict=True):
        assert english in render_message(q.msgid, q.params, "en"), q
        assert spanish in render_message(q.msgid, q.params, "es"), q
        assert q.record, "the original record is kept so it can be fixed and re-sent"


def test_bad_csv_rows(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "acq.csv"
    write_csv(
        path,
        ACQUISITION_COLUMNS,
        [
            acquisition_row(1),
            acquisition_row(2, sold_on="2024-13-45"),
            acquisition_row(3)[:-2],
            acquisition_row(4, acquisition_id="", serial="", make="", purchaser_id=""),
            acquisition_row(5, type="flamethrower"),
            acquisition_row(6),
        ],
    )
    with path.open("ab") as fh:
        fh.write(b"A9,SN9,Glock,19,9mm,pistol,2024-03-01,x,P1,Jos\xe9,1990-01-01,\n")
    report = ingest_file(store, path, mapping=TabularMapping(ACQUISITION_MAPPING))
    assert report.quarantined == 5
    assert store.counts()["FirearmAcquisition"] == 2
    reasons = [render_message(q.msgid, q.params, "es") for q in store.quarantined()]
    assert "2024-13-45" in reasons[0] and "sold_on" in reasons[0]
    assert "campos" in reasons[1]
    assert "columnas clave" in reasons[2]
    assert "flamethrower" in reasons[3]
    assert "UTF-8" in reasons[4]


@pytest.mark.parametrize(
    "config",
    [
        {"format": "csv", "entities": {}},
        {**ACQUISITION_MAPPING, "format": "xlsx"},
        {**ACQUISITION_MAPPING, "entities": {}},
        {**ACQUISITION_MAPPING, "entities": {"x": {"schema": "Nope", "keys": ["a"]}}},
        {**ACQUISITION_MAPPING, "entities": {"x": {"schema": "Person"}}},
        {**ACQUISITION_MAPPING, "markings": {"handling": "H0"}},
        {**ACQUISITION_MAPPING, "markings_columns": {"colour": "c"}},
        "just a string",
    ],
)
def test_bad_mapping_files_are_refused_with_a_reason(config: Any) -> None:
    with pytest.raises(InvalidMapping) as err:
        TabularMapping(config)
    assert err.value.localized("es") != err.value.localized("en")
