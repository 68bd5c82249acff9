"""The two CSV layouts: loaded into DuckDB as text, dates read in the order the column proves,
and every way a file can be wrong stopped with a message that says where."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from paridad.trace.layouts import (
    ACQUISITION_COLUMNS,
    ACQUISITIONS,
    MSG_BAD_DATE,
    MSG_DUPLICATE_ID,
    MSG_EMPTY_ID,
    MSG_MISSING_COLUMNS,
    MSG_UNREADABLE,
    RECOVERIES,
    RECOVERY_COLUMNS,
    Layout,
    LayoutError,
    load_csv,
)

REC_HEADER = ",".join(RECOVERY_COLUMNS)
ACQ_HEADER = ",".join(ACQUISITION_COLUMNS)


def recovery(rid: str, serial: str = "AB1234", day: str = "2025-05-28") -> str:
    return f"{rid},{serial},Glock,G17,9mm,pistola,{day},Sonora,Nogales"


def acquisition(aid: str, serial: str = "AB1234", day: str = "2020-01-02") -> str:
    return f"{aid},{serial},Glock,G17,9mm,pistol,{day},d1,TX,p1"


def write(tmp_path: Path, name: str, header: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def load(path: Path, layout: Layout = RECOVERIES) -> list[dict[str, object]]:
    con = duckdb.connect()
    try:
        count = load_csv(con, path, layout)
        cursor = con.execute(f"SELECT * FROM {layout.table} ORDER BY row")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert count == len(rows)
        return rows
    finally:
        con.close()


def error(path: Path, layout: Layout = RECOVERIES) -> LayoutError:
    with pytest.raises(LayoutError) as caught:
        load(path, layout)
    return caught.value


def dates(tmp_path: Path, values: list[str], layout: Layout = RECOVERIES) -> list[object]:
    if layout is RECOVERIES:
        rows = [recovery(f"r{i}", day=v) for i, v in enumerate(values)]
        path = write(tmp_path, "r.csv", REC_HEADER, rows)
    else:
        rows = [acquisition(f"a{i}", day=v) for i, v in enumerate(values)]
        path = write(tmp_path, "a.csv", ACQ_HEADER, rows)
    return [row[layout.date_column] for row in load(path, layout)]


def test_loads_both_layouts_as_documented(tmp_path: Path) -> None:
    rec = load(write(tmp_path, "r.csv", REC_HEADER, [recovery("r1"), recovery("r2", "X9")]))
    assert [r["recovery_id"] for r in rec] == ["r1", "r2"]
    assert [r["row"] for r in rec] == [1, 2]
    assert rec[0]["recovered_on"] == date(2025, 5, 28)
    assert rec[0]["type"] == "pistola" and rec[0]["municipality"] == "Nogales"
    acq = load(write(tmp_path, "a.csv", ACQ_HEADER, [acquisition("a1")]), ACQUISITIONS)
    assert set(acq[0]) == {"row", *ACQUISITION_COLUMNS}
    assert acq[0]["sold_on"] == date(2020, 1, 2) and acq[0]["purchaser_id"] == "p1"


def test_serials_keep_leading_zeros_and_every_value_is_text(tmp_path: Path) -> None:
    rows = [
        "r1,0012345,Glock,17,9,pistola,2025-05-28,Sonora,Nogales",
        "r2,00,,,,,,,",
        "0007,1e5,,,,,,,",
    ]
    loaded = load(write(tmp_path, "r.csv", REC_HEADER, rows))
    assert [r["serial"] for r in loaded] == ["0012345", "00", "1e5"]
    assert loaded[2]["recovery_id"] == "0007"
    assert loaded[0]["model"] == "17" and loaded[0]["caliber"] == "9"
    # Missing values are empty strings (the date is NULL), never the text "None".
    assert loaded[1]["make"] == "" and loaded[1]["recovered_on"] is None


def test_extra_columns_are_ignored_and_names_are_matched_loosely(tmp_path: Path) -> None:
    header = "folio," + REC_HEADER.upper().replace("SERIAL", " Serial ") + ",notas"
    path = write(tmp_path, "r.csv", header, ["F-1," + recovery("r1") + ",ver acta"])
    (row,) = load(path)
    assert set(row) == {"row", *RECOVERY_COLUMNS}
    assert row["serial"] == "AB1234" and row["recovery_id"] == "r1"


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "recovery_id,serial,make", ["r1,AB1234,Glock"])
    exc = error(path)
    assert exc.msgid == MSG_MISSING_COLUMNS
    assert exc.params["columns"] == "model, caliber, type, recovered_on, state, municipality"
    assert exc.params["path"] == str(path)
    message = str(exc)
    assert str(path) in message and "recovered_on" in message and "municipality" in message
    assert "recovery_id, serial, make, model" in message  # the layout, for the user to fix it
    spanish = exc.localized("es")
    assert str(path) in spanish and "recovered_on" in spanish
    # The acquisitions layout names its own columns.
    acq = error(write(tmp_path, "a.csv", REC_HEADER, [recovery("r1")]), ACQUISITIONS)
    assert acq.params["columns"] == "acquisition_id, sold_on, dealer_id, dealer_state, purchaser_id"


def test_a_bad_date_stops_the_load_with_its_row_and_value(tmp_path: Path) -> None:
    rows = [recovery("r1"), recovery("r2", day="28/05/2025"), recovery("r3", day="ayer")]
    exc = error(write(tmp_path, "r.csv", REC_HEADER, rows))
    assert exc.msgid == MSG_BAD_DATE
    assert exc.params["row"] == 3 and exc.params["value"] == "ayer"
    assert exc.params["column"] == "recovered_on"
    assert "Row 3" in str(exc) and "'ayer'" in str(exc)


@pytest.mark.parametrize("value", ["31/02/2025", "28/05/25", "2025-13-01", "28.05.2025"])
def test_impossible_or_incomplete_dates_are_errors(tmp_path: Path, value: str) -> None:
    exc = error(write(tmp_path, "r.csv", REC_HEADER, [recovery("r1"), recovery("r2", day=value)]))
    assert exc.msgid == MSG_BAD_DATE and exc.params["row"] == 2 and exc.params["value"] == value


def test_an_empty_id_is_an_error(tmp_path: Path) -> None:
    rows = [recovery("r1"), recovery("  "), recovery("")]
    exc = error(write(tmp_path, "r.csv", REC_HEADER, rows))
    assert exc.msgid == MSG_EMPTY_ID
    assert exc.params == {"row": 2, "path": str(tmp_path / "r.csv"), "column": "recovery_id"}


def test_a_duplicate_id_names_both_rows(tmp_path: Path) -> None:
    rows = [acquisition("a1"), acquisition("a2"), acquisition("a3"), acquisition(" a2 ")]
    exc = error(write(tmp_path, "a.csv", ACQ_HEADER, rows), ACQUISITIONS)
    assert exc.msgid == MSG_DUPLICATE_ID
    assert exc.params["value"] == "a2" and exc.params["column"] == "acquisition_id"
    assert (exc.params["first"], exc.params["second"]) == (2, 4)
    assert "rows 2 and 4" in str(exc)


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    binary = tmp_path / "photo.csv"
    binary.write_bytes(bytes(range(256)) * 40)
    exc = error(binary)
    assert exc.msgid == MSG_UNREADABLE and exc.params["path"] == str(binary)
    assert exc.params["reason"]
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert error(folder).msgid == MSG_UNREADABLE
    assert error(tmp_path / "absent.csv").msgid == MSG_UNREADABLE


def test_iso_dates(tmp_path: Path) -> None:
    assert dates(tmp_path, ["2025-05-28", "2024-01-02", ""]) == [
        date(2025, 5, 28),
        date(2024, 1, 2),
        None,
    ]


def test_a_day_above_twelve_proves_day_first(tmp_path: Path) -> None:
    # Acquisitions default to month-first; one 28/05 in the column overrides that for all.
    assert dates(tmp_path, ["05/06/2025", "28/05/2025", "2025-01-31"], ACQUISITIONS) == [
        date(2025, 6, 5),
        date(2025, 5, 28),
        date(2025, 1, 31),
    ]


def test_a_second_field_above_twelve_proves_month_first(tmp_path: Path) -> None:
    # Recoveries default to day-first; 05/28 overrides that.
    assert dates(tmp_path, ["05/06/2025", "05/28/2025"]) == [date(2025, 5, 6), date(2025, 5, 28)]


def test_ambiguous_columns_follow_the_layout_default(tmp_path: Path) -> None:
    assert RECOVERIES.day_first and not ACQUISITIONS.day_first
    assert dates(tmp_path, ["05/06/2025", "01/02/2024"]) == [date(2025, 6, 5), date(2024, 2, 1)]
    assert dates(tmp_path, ["05/06/2025", "01/02/2024"], ACQUISITIONS) == [
        date(2025, 5, 6),
        date(2024, 1, 2),
    ]


def test_a_column_cannot_be_both_orders(tmp_path: Path) -> None:
    rows = [recovery("r1", day="28/05/2025"), recovery("r2", day="05/28/2025")]
    exc = error(write(tmp_path, "r.csv", REC_HEADER, rows))
    assert exc.msgid == MSG_BAD_DATE
    assert exc.params["row"] == 2 and exc.params["value"] == "05/28/2025"


def test_a_header_only_file_loads_nothing(tmp_path: Path) -> None:
    assert load(write(tmp_path, "r.csv", REC_HEADER, [])) == []


def test_three_copies_of_an_id_name_the_first_two(tmp_path: Path) -> None:
    rows = [acquisition("a1"), acquisition("a1"), acquisition("a2"), acquisition("a1")]
    exc = error(write(tmp_path, "a.csv", ACQ_HEADER, rows), ACQUISITIONS)
    assert (exc.params["first"], exc.params["second"]) == (1, 2)


def test_a_file_named_like_a_glob_is_read_alone(tmp_path: Path) -> None:
    """DuckDB reads "*" in a path as a pattern; the file named so must be read on its own,
    not together with every other file the pattern would match."""
    write(tmp_path, "recoveries-a.csv", REC_HEADER, [recovery("other-1"), recovery("other-2")])
    named = write(tmp_path, "recoveries-*.csv", REC_HEADER, [recovery("mine")])
    assert [row["recovery_id"] for row in load(named)] == ["mine"]
