"""Loading CSV files and a node's entities; every malformed input gets a clear error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from paridad.errors import ParidadError
from paridad.firearms.tables import (
    MSG_BAD_DATE,
    MSG_BAD_NUMBER,
    MSG_EMPTY_ID,
    MSG_MISSING_COLUMN,
    MSG_MIXED_DATES,
    MSG_UNREADABLE,
    FirearmsDataError,
    load_csv,
    load_store,
    parse_date,
)
from paridad.node import Node
from paridad.store.base import EntityRecord
from tests.conftest import entity
from tests.firearms.helpers import (
    ACQUISITION_COLUMNS,
    RECOVERY_COLUMNS,
    recovery,
    sale,
    trace,
    write_csv,
)


def _files(
    tmp_path: Path, rec_format: str = "%d/%m/%Y", acq_format: str = "%m/%d/%Y"
) -> tuple[Path, Path, Path]:
    tmp_path.mkdir(exist_ok=True)
    acq = sale(date(2024, 3, 21))
    rec = recovery(date(2024, 7, 13), possessor_id="X1")
    return (
        write_csv(tmp_path / "r.csv", RECOVERY_COLUMNS, [rec], rec_format),
        write_csv(tmp_path / "a.csv", ACQUISITION_COLUMNS, [acq], acq_format),
        write_csv(
            tmp_path / "t.csv",
            ["recovery_id", "acquisition_id", "score", "ttc_days"],
            [trace(rec, acq)],
        ),
    )


def test_csv_layouts_load_with_mexican_and_us_dates(tmp_path: Path) -> None:
    tables = load_csv(*_files(tmp_path))
    assert tables.rows("SELECT recovered_on FROM recoveries") == [
        {"recovered_on": date(2024, 7, 13)}
    ]
    assert tables.rows("SELECT sold_on FROM acquisitions") == [{"sold_on": date(2024, 3, 21)}]
    assert tables.rows("SELECT ttc_days FROM traces") == [{"ttc_days": 114}]
    assert tables.has("recoveries", "possessor_id")
    assert not tables.has("acquisitions", "dealer_county")


def test_iso_dates_are_accepted_everywhere(tmp_path: Path) -> None:
    tables = load_csv(*_files(tmp_path, "%Y-%m-%d", "%Y-%m-%d"))
    assert tables.rows("SELECT sold_on FROM acquisitions")[0]["sold_on"] == date(2024, 3, 21)


def test_a_column_says_its_own_date_order() -> None:
    assert parse_date("03/04/2024", day_first=True) == date(2024, 4, 3)
    assert parse_date("03/04/2024", day_first=False) == date(2024, 3, 4)
    assert parse_date("2024-02-30") is None
    assert parse_date("yesterday") is None


def test_mixed_date_orders_are_refused(tmp_path: Path) -> None:
    rows = [recovery(date(2024, 1, 1)), recovery(date(2024, 1, 1))]
    path = write_csv(tmp_path / "r.csv", RECOVERY_COLUMNS, rows)
    text = (
        path.read_text()
        .replace("2024-01-01", "25/01/2024", 1)
        .replace("2024-01-01", "01/25/2024", 1)
    )
    path.write_text(text)
    _, acq, _ = _files(tmp_path / "ok")
    with pytest.raises(FirearmsDataError) as info:
        load_csv(path, acq)
    assert info.value.msgid == MSG_MIXED_DATES
    assert info.value.params["row"] == 3


@pytest.mark.parametrize(
    ("column", "value", "msgid"),
    [
        ("recovered_on", "32/13/2024", MSG_BAD_DATE),
        ("latitude", "north", MSG_BAD_NUMBER),
        ("recovery_id", "", MSG_EMPTY_ID),
    ],
)
def test_a_bad_value_is_named_by_file_line_and_column(
    tmp_path: Path, column: str, value: str, msgid: str
) -> None:
    rows = [recovery(date(2024, 1, 2)), {**recovery(date(2024, 1, 3)), column: value}]
    path = write_csv(tmp_path / "r.csv", RECOVERY_COLUMNS, rows, "%d/%m/%Y")
    _, acq, _ = _files(tmp_path / "ok")
    with pytest.raises(FirearmsDataError) as info:
        load_csv(path, acq)
    assert info.value.msgid == msgid
    assert info.value.params["row"] == 3 and info.value.params["column"] == column
    assert "r.csv" in info.value.localized("en") and "3" in info.value.localized("en")
    assert isinstance(info.value, ParidadError)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    cols = [c for c in ACQUISITION_COLUMNS if c != "purchaser_id"]
    acq = write_csv(tmp_path / "a.csv", cols, [sale(date(2024, 1, 2))])
    rec, _, _ = _files(tmp_path / "ok")
    with pytest.raises(FirearmsDataError) as info:
        load_csv(rec, acq)
    assert info.value.msgid == MSG_MISSING_COLUMN
    assert info.value.params["column"] == "purchaser_id"
    assert "purchaser_id" in info.value.localized("es")


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    rec, acq, _ = _files(tmp_path)
    with pytest.raises(FirearmsDataError) as info:
        load_csv(tmp_path / "missing.csv", acq)
    assert info.value.msgid == MSG_UNREADABLE
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(FirearmsDataError) as info:
        load_csv(rec, tmp_path / "bin.csv")
    assert info.value.msgid == MSG_UNREADABLE and "bin.csv" in str(info.value)


def _put(node: Node, *entities: dict[str, object]) -> None:
    from paridad.ingest.records import entity_from_dict

    records: list[EntityRecord] = [
        entity_from_dict(e, "firearms", "2025-01-01", "test") for e in entities
    ]
    with node.open_store() as store:
        store.put_all(records)


def test_a_node_store_becomes_the_same_tables(node: Node) -> None:
    _put(
        node,
        entity(
            "gun-us",
            "Firearm",
            serialNumber="ABC123",
            make="Glock",
            model="19",
            caliber="9mm",
            type="pistol",
        ),
        entity("gun-mx", "Firearm", serialNumber="ABC12", make="GLOCK", type="pistol"),
        entity("buyer", "Person", name="Ana Straw"),
        entity("broker", "Person", name="Beto Broker"),
        entity("shop", "Company", name="Border Guns LLC"),
        entity(
            "acq",
            "FirearmAcquisition",
            firearm="gun-us",
            purchaser="buyer",
            dealer="shop",
            date="2024-03-01",
            state="TX",
            county="Hidalgo",
        ),
        entity(
            "rec",
            "FirearmRecovery",
            firearm="gun-mx",
            date="2024-06-01",
            state="Sonora",
            municipality="Nogales",
            caseNumber="FED/SON/1",
        ),
        entity(
            "tr",
            "FirearmTrace",
            recovery="rec",
            acquisition="acq",
            score="0.97",
            timeToCrimeDays="92",
        ),
        entity("link", "Associate", person="buyer", associate="broker"),
    )
    with node.open_store() as store:
        tables = load_store(store)
    acq = tables.rows("SELECT * FROM acquisitions")[0]
    assert (acq["serial"], acq["make"], acq["sold_on"]) == ("ABC123", "Glock", date(2024, 3, 1))
    assert (acq["purchaser_name"], acq["dealer_name"], acq["dealer_county"]) == (
        "Ana Straw",
        "Border Guns LLC",
        "Hidalgo",
    )
    rec = tables.rows("SELECT * FROM recoveries")[0]
    assert (rec["serial"], rec["recovered_on"], rec["case_number"]) == (
        "ABC12",
        date(2024, 6, 1),
        "FED/SON/1",
    )
    assert tables.rows("SELECT score, ttc_days FROM traces") == [{"score": 0.97, "ttc_days": 92}]
    assert tables.rows("SELECT source_id, target_id FROM links") == [
        {"source_id": "buyer", "target_id": "broker"}
    ]


def test_an_empty_node_is_refused(node: Node) -> None:
    with node.open_store() as store, pytest.raises(FirearmsDataError):
        load_store(store)
