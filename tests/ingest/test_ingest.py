"""Ingest loads every valid record, quarantines every bad one, and never loads twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.errors import InvalidMapping, ParidadError
from paridad.ingest import TabularMapping, ingest_file
from paridad.store import Store
from tests.conftest import MARKINGS, entity
from tests.ingest.helpers import (
    ACQUISITION_COLUMNS,
    ACQUISITION_MAPPING,
    acquisition_row,
    write_csv,
    write_jsonl,
    write_mapping,
)

GOOD = [
    entity("mx-p-1", "Person", name="Jesús Ortega Ruiz", nationality="mx"),
    entity("mx-f-1", "Firearm", serialNumber="XK 9912", make="Colt", type="rifle"),
]


def test_entity_stream_loads(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "people.jsonl", GOOD)
    report = ingest_file(store, path, dataset="mx-people")
    assert (report.entities, report.quarantined, report.skipped) == (2, 0, False)
    assert report.statements == store.statement_count() == 5
    got = store.get("mx-f-1")
    assert got is not None and got.to_proxy().get("serialNumber") == ["XK 9912"]
    assert {s.dataset for s in got.statements} == {"mx-people"}
    assert store.runs()[0].entities == 2


def test_same_file_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "people.jsonl", GOOD)
    ingest_file(store, path, dataset="mx-people")
    before = [
        (r.id, r.to_dict(), [s.to_dict() for s in r.statements]) for r in store.iter_entities()
    ]
    again = ingest_file(store, path, dataset="mx-people")
    assert again.skipped
    after = [
        (r.id, r.to_dict(), [s.to_dict() for s in r.statements]) for r in store.iter_entities()
    ]
    assert after == before
    assert len(store.runs()) == 1
    forced = ingest_file(store, path, dataset="mx-people", force=True)
    assert not forced.skipped
    assert store.entity_count() == 2 and store.statement_count() == 5


def test_csv_with_mapping(store: Store, tmp_path: Path) -> None:
    rows = [acquisition_row(i) for i in range(6)]
    path = write_csv(tmp_path / "acquisitions.csv", ACQUISITION_COLUMNS, rows)
    mapping = TabularMapping.load(write_mapping(tmp_path / "acq.mapping.yml"))
    report = ingest_file(store, path, mapping=mapping)
    assert report.dataset == "us-atf-acquisitions"
    assert report.quarantined == 0
    # 6 acquisitions, 6 firearms, 3 purchasers seen across rows.
    assert store.counts() == {"Firearm": 6, "FirearmAcquisition": 6, "Person": 3}
    acq = next(iter(store.iter_entities("FirearmAcquisition")))
    proxy = acq.to_proxy()
    assert proxy.first("purchaser") in {p.id for p in store.iter_entities("Person")}
    assert acq.markings.origin_country == "US"
    assert {h.caption for h in store.search("jesus ortega")} == {"Jesús Ortega"}


def test_row_level_markings_override(store: Store, tmp_path: Path) -> None:
    rows = [acquisition_row(0, handling_code="H3"), acquisition_row(1, handling_code="H7")]
    path = write_csv(tmp_path / "acq.csv", ACQUISITION_COLUMNS, rows)
    report = ingest_file(store, path, mapping=TabularMapping(ACQUISITION_MAPPING))
    assert report.quarantined == 1
    assert {r.markings.handling for r in store.iter_entities()} == {"H3"}
    (q,) = store.quarantined()
    assert q.line == 3 and "H7" in q.params["reason"]


def test_default_markings_apply_to_entities_without_any(store: Store, tmp_path: Path) -> None:
    from paridad.model.markings import parse_markings

    bare = {"id": "x1", "schema": "Person", "properties": {"name": ["Ana Ruiz"]}}
    path = write_jsonl(tmp_path / "bare.jsonl", [bare])
    assert ingest_file(store, path, dataset="bare").quarantined == 1
    report = ingest_file(
        store, path, dataset="bare", force=True, default_markings=parse_markings(MARKINGS)
    )
    assert report.entities == 1


def test_progress_is_reported_per_record(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "people.jsonl", GOOD * 3)
    ticks: list[int] = []
    totals: list[int] = []

    def start(total: int, done: int):  # type: ignore[no-untyped-def]
        totals.append(total)
        return ticks.append

    ingest_file(store, path, dataset="mx-people", progress=start)
    assert totals == [6] and sum(ticks) == 6


def test_unusable_inputs_are_refused_before_loading(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ParidadError):
        ingest_file(store, tmp_path / "missing.jsonl")
    csv_path = write_csv(tmp_path / "a.csv", ["x"], [["1"]])
    with pytest.raises(InvalidMapping):
        ingest_file(store, csv_path)
    with pytest.raises(InvalidMapping) as err:
        ingest_file(store, csv_path, mapping=TabularMapping(ACQUISITION_MAPPING))
    assert "purchaser_name" in err.value.localized("en")
    assert "faltan columnas" in err.value.localized("es")
    with pytest.raises(ParidadError):
        ingest_file(store, write_jsonl(tmp_path / "ok.jsonl", GOOD), dataset="Bad Name!")
    assert store.entity_count() == 0 and store.quarantined() == []


def test_json_lines_records_with_a_mapping(store: Store, tmp_path: Path) -> None:
    """Tabular records as JSON Lines (not entities) go through a mapping, like CSV rows."""
    rows = [dict(zip(ACQUISITION_COLUMNS, acquisition_row(i), strict=True)) for i in range(4)]
    path = write_jsonl(tmp_path / "acquisitions.jsonl", [*rows, b'"just a string"'])
    mapping = TabularMapping({**ACQUISITION_MAPPING, "format": "jsonl"})
    report = ingest_file(store, path, mapping=mapping)
    assert report.quarantined == 1
    assert store.counts()["FirearmAcquisition"] == 4
    assert "not a JSON object" in store.quarantined()[0].msgid
