"""The two CSV layouts ``paridad trace`` reads, loaded into DuckDB and checked.

Recoveries: ``recovery_id, serial, make, model, caliber, type, recovered_on, state,
municipality``. Acquisitions: ``acquisition_id, serial, make, model, caliber, type, sold_on,
dealer_id, dealer_state, purchaser_id``. Other columns are allowed and ignored; every value is
read as text, so a serial like "0012" keeps its zeros.

Dates may be ISO (2025-05-28) or written with slashes. Slashed dates are read day-first or
month-first as the column itself proves (a first field above 12 means day-first); a column
that proves neither follows its country's habit: recoveries from Mexico day-first,
acquisitions from US dealer records (Form 4473) month-first. A date that cannot be read stops
the load with the row and the value, so nothing is silently dropped.

Millions of rows go straight from the file into DuckDB; no Python loop touches them.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from paridad.errors import ParidadError
from paridad.i18n import N_

RECOVERY_COLUMNS = (
    "recovery_id",
    "serial",
    "make",
    "model",
    "caliber",
    "type",
    "recovered_on",
    "state",
    "municipality",
)
ACQUISITION_COLUMNS = (
    "acquisition_id",
    "serial",
    "make",
    "model",
    "caliber",
    "type",
    "sold_on",
    "dealer_id",
    "dealer_state",
    "purchaser_id",
)

MSG_UNREADABLE = N_("Cannot read {path} as CSV: {reason}")
MSG_MISSING_COLUMNS = N_("{path} lacks the column(s) {columns}; the layout is: {layout}.")
MSG_BAD_DATE = N_(
    "Row {row} of {path}: '{value}' in column {column} is not a date"
    " (YYYY-MM-DD, DD/MM/YYYY or MM/DD/YYYY)."
)
MSG_EMPTY_ID = N_("Row {row} of {path} has no {column}.")
MSG_DUPLICATE_ID = N_("{path} has {column} '{value}' more than once (rows {first} and {second}).")


class LayoutError(ParidadError):
    """A trace input file does not follow its documented layout."""


@dataclass(frozen=True)
class Layout:
    """One of the two inputs: its table name, columns, id and date columns, and the date
    order a slashed date follows when the column does not prove one."""

    table: str
    columns: tuple[str, ...]
    id_column: str
    date_column: str
    day_first: bool


RECOVERIES = Layout("recoveries", RECOVERY_COLUMNS, "recovery_id", "recovered_on", True)
ACQUISITIONS = Layout("acquisitions", ACQUISITION_COLUMNS, "acquisition_id", "sold_on", False)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load_csv(con: duckdb.DuckDBPyConnection, path: Path, layout: Layout) -> int:
    """Load ``path`` into table ``layout.table`` (columns as documented, the date column as
    DATE, ``row`` the 1-based data row); return the number of rows."""
    raw = f"raw_{layout.table}"
    with tempfile.TemporaryDirectory(prefix="paridad-trace-") as tmp:
        # DuckDB reads "*", "?" and "[" in a path as a glob; a file named so is read via a
        # plain-named link, never as several files at once.
        source = path
        if any(c in str(path) for c in "*?[") and path.is_file():
            source = Path(tmp) / "input.csv"
            source.symlink_to(path.resolve())
        try:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT row_number() OVER () AS row, *"
                " FROM read_csv(?, header = true, all_varchar = true, auto_detect = true)",
                [str(source)],
            )
        except duckdb.Error as exc:
            reason = str(exc).splitlines()[0][:300]
            raise LayoutError(MSG_UNREADABLE, path=str(path), reason=reason) from exc
    present = {row[0].strip().lower(): row[0] for row in con.execute(f"DESCRIBE {raw}").fetchall()}
    missing = [c for c in layout.columns if c not in present]
    if missing:
        raise LayoutError(
            MSG_MISSING_COLUMNS,
            path=str(path),
            columns=", ".join(missing),
            layout=", ".join(layout.columns),
        )
    _check_ids(con, raw, path, layout, present[layout.id_column])
    date_sql = _date_expression(con, raw, _quote(present[layout.date_column]), layout.day_first)
    _check_dates(con, raw, path, layout, present[layout.date_column], date_sql)
    select = ", ".join(
        f"{date_sql} AS {c}"
        if c == layout.date_column
        else f"coalesce(trim({_quote(present[c])}), '') AS {c}"
        for c in layout.columns
    )
    con.execute(f"CREATE OR REPLACE TABLE {layout.table} AS SELECT row, {select} FROM {raw}")
    con.execute(f"DROP TABLE {raw}")
    return int(con.execute(f"SELECT count(*) FROM {layout.table}").fetchone()[0])  # type: ignore[index]


def _check_ids(
    con: duckdb.DuckDBPyConnection, raw: str, path: Path, layout: Layout, column: str
) -> None:
    col = _quote(column)
    empty = con.execute(
        f"SELECT min(row) FROM {raw} WHERE coalesce(trim({col}), '') = ''"
    ).fetchone()
    if empty and empty[0] is not None:
        raise LayoutError(MSG_EMPTY_ID, row=empty[0], path=str(path), column=layout.id_column)
    dup = con.execute(
        f"SELECT trim({col}) AS id, min(row), list_sort(list(row))[2] FROM {raw}"
        f" GROUP BY trim({col}) HAVING count(*) > 1 ORDER BY min(row) LIMIT 1"
    ).fetchone()
    if dup:
        raise LayoutError(
            MSG_DUPLICATE_ID,
            path=str(path),
            column=layout.id_column,
            value=dup[0],
            first=dup[1],
            second=dup[2],
        )


def _date_expression(con: duckdb.DuckDBPyConnection, raw: str, col: str, day_first: bool) -> str:
    """SQL turning the column into a DATE, with the slashed order the column proves."""
    first, second = con.execute(
        f"SELECT max(try_cast(split_part(trim({col}), '/', 1) AS INTEGER)),"
        f" max(try_cast(split_part(trim({col}), '/', 2) AS INTEGER))"
        f" FROM {raw} WHERE trim({col}) LIKE '%/%/%'"
    ).fetchone() or (None, None)
    if first is not None and first > 12:
        day_first = True
    elif second is not None and second > 12:
        day_first = False
    slashed = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    # strptime's %Y takes "25" as the year 25: a two-digit year is no date, not year 0025.
    return (
        f"CASE WHEN regexp_full_match(trim({col}), '{_FOUR_DIGIT_YEAR}')"
        f" THEN CAST(coalesce(try_strptime(trim({col}), '%Y-%m-%d'),"
        f" try_strptime(trim({col}), '{slashed}')) AS DATE) END"
    )


_FOUR_DIGIT_YEAR = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"


def _check_dates(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    path: Path,
    layout: Layout,
    column: str,
    date_sql: str,
) -> None:
    col = _quote(column)
    bad = con.execute(
        f"SELECT row, {col} FROM {raw} WHERE coalesce(trim({col}), '') <> ''"
        f" AND {date_sql} IS NULL ORDER BY row LIMIT 1"
    ).fetchone()
    if bad:
        raise LayoutError(
            MSG_BAD_DATE,
            row=bad[0],
            path=str(path),
            value=str(bad[1])[:60],
            column=layout.date_column,
        )
