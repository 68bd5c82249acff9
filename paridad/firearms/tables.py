"""Recoveries, acquisitions and traces as DuckDB tables, from CSV files or from a node.

Every indicator reads the same three tables (plus ``parties`` and ``links`` when a node holds
the people, organisations and relationships around them), so an indicator never cares where
the rows came from. CSV files are read with Python's ``csv`` module rather than DuckDB's
reader because a bad row must be reported by file, line and column, in the user's language.

Dates: ISO (``2024-03-21``) is always accepted. Slash dates are read per column: Mexican files
write ``dd/mm/YYYY`` and US records ``mm/dd/YYYY``, so a column where some day is above 12 in
the first place is day-first, one where it is above 12 in the second place is month-first, a
column with both is refused, and a column that never says uses the file's convention
(recoveries day-first, acquisitions month-first).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.trace.layouts import ACQUISITION_COLUMNS, RECOVERY_COLUMNS

MSG_UNREADABLE = N_("Cannot read {path}: {reason}")
MSG_MISSING_COLUMN = N_("{path} has no column {column} (it has: {found})")
MSG_BAD_DATE = N_("{path}, line {row}, column {column}: {value!r} is not a date")
MSG_MIXED_DATES = N_(
    "{path}, column {column}: day-first and month-first dates are mixed (line {row}: {value!r})"
)
MSG_BAD_NUMBER = N_("{path}, line {row}, column {column}: {value!r} is not a number")
MSG_EMPTY_ID = N_("{path}, line {row}: the column {column} is empty")
MSG_NOT_A_NODE_STORE = N_("The node's store has no firearm recoveries, acquisitions or traces")


class FirearmsDataError(ParidadError):
    """Input for the firearms indicators that cannot be read as documented."""


# Required columns of each documented layout (the tracer's, paridad.trace.layouts), then the
# optional ones the indicators use.
RECOVERY_REQUIRED = RECOVERY_COLUMNS
RECOVERY_OPTIONAL = (
    "possessor_id",
    "possessor_name",
    "case_number",
    "joint_case_id",
    "latitude",
    "longitude",
    "agency",
)
ACQUISITION_REQUIRED = ACQUISITION_COLUMNS
ACQUISITION_OPTIONAL = (
    "dealer_county",
    "dealer_name",
    "dealer_license",
    "purchaser_name",
    "price_usd",
    "multiple_sale_form",
    "multiple_sale_report",
    "action",
    "detachable_magazine",
)
TRACE_REQUIRED = ("recovery_id", "acquisition_id", "score", "ttc_days")

_DATE_COLUMNS = {"recovered_on", "sold_on"}
_FLOAT_COLUMNS = {"latitude", "longitude", "price_usd", "score"}
_INT_COLUMNS = {"ttc_days"}
_ID_COLUMNS = {"recovery_id", "acquisition_id"}

_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?$")
_SLASH = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _sql_type(column: str) -> str:
    if column in _DATE_COLUMNS:
        return "DATE"
    if column in _FLOAT_COLUMNS:
        return "DOUBLE"
    if column in _INT_COLUMNS:
        return "INTEGER"
    return "VARCHAR"


@dataclass
class Tables:
    """An in-memory DuckDB database with the firearms tables, and where they came from."""

    con: duckdb.DuckDBPyConnection
    source: str
    optional: dict[str, set[str]] = field(default_factory=dict)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dicts (the indicators' common currency)."""
        cursor = self.con.execute(sql, list(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def has(self, table: str, column: str) -> bool:
        """Whether an optional column had any value in the source."""
        return column in self.optional.get(table, set())

    def count(self, table: str) -> int:
        row = self.con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0


def _create(con: duckdb.DuckDBPyConnection) -> None:
    for name, cols in (
        ("recoveries", RECOVERY_REQUIRED + RECOVERY_OPTIONAL),
        ("acquisitions", ACQUISITION_REQUIRED + ACQUISITION_OPTIONAL),
        ("traces", TRACE_REQUIRED),
    ):
        body = ", ".join(f"{c} {_sql_type(c)}" for c in cols)
        con.execute(f"CREATE TABLE {name} ({body})")
    con.execute("CREATE TABLE parties (id VARCHAR, name VARCHAR, schema VARCHAR)")
    con.execute("CREATE TABLE links (source_id VARCHAR, target_id VARCHAR, relation VARCHAR)")


def _insert(
    con: duckdb.DuckDBPyConnection, table: str, cols: Sequence[str], rows: list[list[Any]]
) -> None:
    if not rows:
        return
    import pyarrow as pa

    arrays = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    batch = pa.table(arrays)  # noqa: F841 - read by DuckDB's replacement scan below
    con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM batch")


def _empty_tables(source: str) -> Tables:
    con = duckdb.connect(":memory:")
    _create(con)
    return Tables(con, source)


# -- values -------------------------------------------------------------------------------


def _date_order(path: Path, column: str, raw: list[tuple[int, str]], day_first: bool) -> bool:
    """Decide, for one column, whether slash dates are day-first (see the module docstring)."""
    first_day: tuple[int, str] | None = None
    first_month: tuple[int, str] | None = None
    for line, value in raw:
        m = _SLASH.match(value)
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b and first_day is None:
            first_day = (line, value)
        if b > 12 >= a and first_month is None:
            first_month = (line, value)
    if first_day and first_month:
        line, value = max(first_day, first_month)
        raise FirearmsDataError(MSG_MIXED_DATES, path=path, column=column, row=line, value=value)
    if first_day:
        return True
    if first_month:
        return False
    return day_first


def parse_date(value: str, day_first: bool = True) -> date | None:
    """ISO or slash date; ``None`` when the text is not a date (the caller reports it)."""
    text = value.strip()
    try:
        m = _ISO.match(text)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _SLASH.match(text)
        if m:
            a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
            return date(year, b, a) if day_first else date(year, a, b)
    except ValueError:
        return None
    return None


def _number(path: Path, line: int, column: str, value: str) -> float:
    try:
        return float(value.replace(",", "")) if "," in value and "." in value else float(value)
    except ValueError:
        raise FirearmsDataError(
            MSG_BAD_NUMBER, path=path, row=line, column=column, value=value[:60]
        ) from None


# -- CSV ----------------------------------------------------------------------------------


def _read_csv(
    path: Path, required: Sequence[str], optional: Sequence[str], day_first: bool
) -> tuple[list[list[Any]], set[str]]:
    """Rows in the column order ``required + optional`` and the optional columns present."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise FirearmsDataError(MSG_UNREADABLE, path=path, reason="empty file")
            names = [h.strip().lower() for h in header]
            for column in required:
                if column not in names:
                    raise FirearmsDataError(
                        MSG_MISSING_COLUMN, path=path, column=column, found=", ".join(names)
                    )
            cols = list(required) + list(optional)
            index = {c: names.index(c) for c in cols if c in names}
            raw: list[tuple[int, list[str]]] = []
            for record in reader:
                if not any(v.strip() for v in record):
                    continue
                values = [
                    (record[index[c]].strip() if c in index and index[c] < len(record) else "")
                    for c in cols
                ]
                raw.append((reader.line_num, values))
    except OSError as exc:
        raise FirearmsDataError(MSG_UNREADABLE, path=path, reason=exc.strerror or exc) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FirearmsDataError(MSG_UNREADABLE, path=path, reason=str(exc)[:120]) from None
    present = {c for c in optional if c in index and any(v[cols.index(c)] for _, v in raw)}
    orders = {
        c: _date_order(path, c, [(line, v[i]) for line, v in raw], day_first)
        for i, c in enumerate(cols)
        if c in _DATE_COLUMNS
    }
    rows: list[list[Any]] = []
    for line, values in raw:
        row: list[Any] = []
        for column, value in zip(cols, values, strict=True):
            if not value:
                if column in _ID_COLUMNS:
                    raise FirearmsDataError(MSG_EMPTY_ID, path=path, row=line, column=column)
                row.append(None)
            elif column in _DATE_COLUMNS:
                parsed = parse_date(value, orders[column])
                if parsed is None:
                    raise FirearmsDataError(
                        MSG_BAD_DATE, path=path, row=line, column=column, value=value[:60]
                    )
                row.append(parsed)
            elif column in _FLOAT_COLUMNS:
                row.append(_number(path, line, column, value))
            elif column in _INT_COLUMNS:
                row.append(round(_number(path, line, column, value)))
            else:
                row.append(value)
        rows.append(row)
    return rows, present


def load_csv(recoveries: Path, acquisitions: Path, traces: Path | None = None) -> Tables:
    """Load the three CSV files of the documented layouts (traces optional: then none)."""
    tables = _empty_tables(f"csv:{recoveries.name},{acquisitions.name}")
    specs: list[tuple[str, Path, Sequence[str], Sequence[str], bool]] = [
        ("recoveries", recoveries, RECOVERY_REQUIRED, RECOVERY_OPTIONAL, True),
        ("acquisitions", acquisitions, ACQUISITION_REQUIRED, ACQUISITION_OPTIONAL, False),
    ]
    if traces is not None:
        specs.append(("traces", traces, TRACE_REQUIRED, (), True))
    for table, path, required, optional, day_first in specs:
        rows, present = _read_csv(Path(path), required, optional, day_first)
        _insert(tables.con, table, list(required) + list(optional), rows)
        tables.optional[table] = present
    return tables


def load_rows(
    recoveries: Iterable[dict[str, Any]],
    acquisitions: Iterable[dict[str, Any]],
    traces: Iterable[dict[str, Any]] = (),
    links: Iterable[dict[str, Any]] = (),
    parties: Iterable[dict[str, Any]] = (),
) -> Tables:
    """Tables from already-typed rows (dates as ``date``): for callers and small tests."""
    tables = _empty_tables("rows")
    for table, data, cols in (
        ("recoveries", recoveries, RECOVERY_REQUIRED + RECOVERY_OPTIONAL),
        ("acquisitions", acquisitions, ACQUISITION_REQUIRED + ACQUISITION_OPTIONAL),
        ("traces", traces, TRACE_REQUIRED),
        ("links", links, ("source_id", "target_id", "relation")),
        ("parties", parties, ("id", "name", "schema")),
    ):
        items = list(data)
        _insert(tables.con, table, list(cols), [[d.get(c) for c in cols] for d in items])
        tables.optional[table] = {c for c in cols if any(d.get(c) not in (None, "") for d in items)}
    return tables


# -- a node's store -------------------------------------------------------------------------

# Relationship schemata whose two ends join the trafficking network (brokers, organisations).
LINK_SCHEMATA = (
    "Associate",
    "Family",
    "Membership",
    "Employment",
    "Directorship",
    "Ownership",
    "UnknownLink",
    "Representation",
)


def _first(props: dict[str, list[str]], name: str) -> str | None:
    values = props.get(name)
    return values[0] if values else None


def _props(record: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for prop, value in record.prop_values():
        out.setdefault(prop, []).append(value)
    return out


def _day(value: str | None) -> date | None:
    return parse_date(value[:10]) if value else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def load_store(store: Any) -> Tables:
    """Tables from a node's FtM entities: FirearmRecovery, FirearmAcquisition and
    FirearmTrace, with each one's Firearm for serial, make, model, caliber and type, the names
    of purchasers, possessors and dealers, and the relationships between people and
    organisations (``LINK_SCHEMATA``) for the network."""
    firearms = {r.id: _props(r) for r in store.iter_entities("Firearm")}
    recoveries: list[dict[str, Any]] = []
    acquisitions: list[dict[str, Any]] = []
    traces: list[dict[str, Any]] = []
    wanted: set[str] = set()
    for record in store.iter_entities("FirearmRecovery"):
        p = _props(record)
        gun = firearms.get(_first(p, "firearm") or "", {})
        possessor = _first(p, "possessor")
        if possessor:
            wanted.add(possessor)
        recoveries.append(
            {
                "recovery_id": record.id,
                "serial": _first(gun, "serialNumber"),
                "make": _first(gun, "make"),
                "model": _first(gun, "model"),
                "caliber": _first(gun, "caliber"),
                "type": _first(gun, "type"),
                "recovered_on": _day(_first(p, "date") or _first(p, "startDate")),
                "state": _first(p, "state"),
                "municipality": _first(p, "municipality"),
                "possessor_id": possessor,
                "case_number": _first(p, "caseNumber"),
                "joint_case_id": _first(p, "case"),
                "latitude": _float(_first(p, "latitude")),
                "longitude": _float(_first(p, "longitude")),
                "agency": _first(p, "agency"),
            }
        )
    for record in store.iter_entities("FirearmAcquisition"):
        p = _props(record)
        gun = firearms.get(_first(p, "firearm") or "", {})
        purchaser, dealer = _first(p, "purchaser"), _first(p, "dealer")
        wanted.update(x for x in (purchaser, dealer) if x)
        acquisitions.append(
            {
                "acquisition_id": record.id,
                "serial": _first(gun, "serialNumber"),
                "make": _first(gun, "make"),
                "model": _first(gun, "model"),
                "caliber": _first(gun, "caliber"),
                "type": _first(gun, "type"),
                "sold_on": _day(_first(p, "date") or _first(p, "startDate")),
                "dealer_id": dealer or _first(p, "dealerLicense"),
                "dealer_state": _first(p, "state"),
                "purchaser_id": purchaser,
                "dealer_county": _first(p, "county"),
                "dealer_license": _first(p, "dealerLicense"),
                "price_usd": _float(_first(p, "amount")),
                "multiple_sale_form": _first(p, "multipleSaleForm"),
                "multiple_sale_report": _first(p, "multipleSaleReport"),
            }
        )
    for record in store.iter_entities("FirearmTrace"):
        p = _props(record)
        rec, acq = _first(p, "recovery"), _first(p, "acquisition")
        if not rec or not acq:
            continue
        ttc = _float(_first(p, "timeToCrimeDays"))
        traces.append(
            {
                "recovery_id": rec,
                "acquisition_id": acq,
                "score": _float(_first(p, "score")),
                "ttc_days": int(ttc) if ttc is not None else None,
            }
        )
    links: list[dict[str, Any]] = []
    from followthemoney import model

    for name in LINK_SCHEMATA:
        schema = model.get(name)
        if schema is None or not schema.edge_source or not schema.edge_target:
            continue
        for record in store.iter_entities(name):
            p = _props(record)
            for source in p.get(schema.edge_source, []):
                for target in p.get(schema.edge_target, []):
                    links.append({"source_id": source, "target_id": target, "relation": name})
                    wanted.update((source, target))
    parties: list[dict[str, Any]] = []
    for entity_id in sorted(wanted):
        found = store.get(entity_id)
        if found is not None:
            parties.append({"id": found.id, "name": found.caption, "schema": found.schema})
    names = {p["id"]: p["name"] for p in parties}
    for row in acquisitions:
        row["purchaser_name"] = names.get(row["purchaser_id"] or "")
        row["dealer_name"] = names.get(row["dealer_id"] or "")
    for row in recoveries:
        row["possessor_name"] = names.get(row["possessor_id"] or "")
    if not (recoveries or acquisitions or traces):
        raise FirearmsDataError(MSG_NOT_A_NODE_STORE)
    tables = load_rows(recoveries, acquisitions, traces, links, parties)
    tables.source = "node"
    return tables
