"""Transactions and accounts from CSV exports, whatever their column names.

The documented layouts are ``tx_id, timestamp, from_account, to_account, amount, currency``
(optional ``type``, ``channel``, ``location``) and ``account_id, bank, country`` (optional
``holder_id``, ``holder_name``). A bank's export with other headers is read with a mapping,
``--map COLUMN=FIELD`` (the file's column, then ours). DuckDB reads the file as text and every
check is one SQL expression over all rows, so ten million rows load in seconds; only the
rejected rows become Python objects, each with its line and field and a translated reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from paridad.errors import first_line
from paridad.finance.inputs.errors import (
    MSG_BAD_ABA,
    MSG_BAD_AMOUNT,
    MSG_BAD_MAP,
    MSG_BAD_TIMESTAMP,
    MSG_EMPTY_ID,
    MSG_MAPPED_COLUMN_ABSENT,
    MSG_MISSING_COLUMN,
    MSG_NO_ACCOUNT,
    MSG_UNKNOWN_CURRENCY,
    MSG_UNKNOWN_FIELD,
    MSG_UNREADABLE,
    InvalidFinanceInput,
    RowError,
)
from paridad.finance.inputs.rates import Rates, load_rates
from paridad.finance.tables import ACCOUNTS, TRANSACTIONS

TX_REQUIRED = ("tx_id", "timestamp", "from_account", "to_account", "amount", "currency")
TX_OPTIONAL = ("type", "channel", "location")
ACCOUNT_REQUIRED = ("account_id", "bank", "country")
ACCOUNT_OPTIONAL = ("holder_id", "holder_name", "clabe", "iban", "aba")

# Type codes seen in Mexican and US exports, folded to lower case without accents.
TYPE_CODES: Mapping[str, str] = {
    "spei": "transfer",
    "ach": "transfer",
    "transfer": "transfer",
    "traspaso": "transfer",
    "transferencia": "transfer",
    "wire": "wire",
    "swift": "wire",
    "fedwire": "wire",
    "transferencia internacional": "wire",
    "cash deposit": "cash_deposit",
    "cash_deposit": "cash_deposit",
    "deposito en efectivo": "cash_deposit",
    "deposito efectivo": "cash_deposit",
    "cash withdrawal": "cash_withdrawal",
    "cash_withdrawal": "cash_withdrawal",
    "retiro": "cash_withdrawal",
    "retiro en efectivo": "cash_withdrawal",
    "card": "card",
    "tarjeta": "card",
    "check": "check",
    "cheque": "check",
    "other": "other",
    "otro": "other",
}


@dataclass
class Loaded:
    """What a loader read: the rows it kept, the rows it rejected (with why), how many."""

    table: pa.Table
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["fecha=timestamp", ...]`` → ``{"fecha": "timestamp"}``."""
    out: dict[str, str] = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InvalidFinanceInput(MSG_BAD_MAP, text=item)
        out[column.strip()] = target.strip()
    return out


def load_raw(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """The file as table ``raw``, every value text (rows shorter than the header padded);
    its header. A file DuckDB cannot read as CSV is refused with the reason."""
    try:
        con.execute(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, all_varchar = true, header = true, "
            "auto_detect = true, null_padding = true)",
            [str(path)],
        )
    except (duckdb.Error, OSError) as exc:
        raise InvalidFinanceInput(MSG_UNREADABLE, path=str(path), reason=first_line(exc)) from None
    return [r[0] for r in con.execute("DESCRIBE raw").fetchall()]


def _columns(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    mapping: Mapping[str, str],
    required: Sequence[str],
    optional: Sequence[str],
) -> dict[str, str]:
    """Our field → the file's column, checked before anything is loaded."""
    header = load_raw(con, path)
    fields = (*required, *optional)
    chosen: dict[str, str] = {}
    for column, target in mapping.items():
        if target not in fields:
            raise InvalidFinanceInput(
                MSG_UNKNOWN_FIELD, column=column, field=target, fields=", ".join(fields)
            )
        if column not in header:
            raise InvalidFinanceInput(
                MSG_MAPPED_COLUMN_ABSENT, column=column, field=target, path=str(path)
            )
        chosen[target] = column
    for name in fields:
        if name not in chosen and name in header:
            chosen[name] = name
    for name in required:
        if name not in chosen:
            raise InvalidFinanceInput(
                MSG_MISSING_COLUMN, path=str(path), field=name, columns=", ".join(header)
            )
    return chosen


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def read_transactions(
    path: Path,
    mapping: Mapping[str, str] | None = None,
    rates: Rates | None = None,
    accounts: pa.Table | None = None,
) -> Loaded:
    rates = rates or load_rates()
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")  # a time without a zone is UTC
    try:
        cols = _columns(con, path, mapping or {}, TX_REQUIRED, TX_OPTIONAL)
        con.execute(
            "CREATE TABLE rates AS SELECT * FROM (VALUES "
            + ", ".join(f"('{c}', {r})" for c, r in rates.usd_per_unit.items())
            + ") AS t(currency, usd)"
        )
        con.execute(
            "CREATE TABLE types AS SELECT * FROM (VALUES "
            + ", ".join(f"('{k}', '{v}')" for k, v in TYPE_CODES.items())
            + ") AS t(code, kind)"
        )
        if accounts is not None and accounts.num_rows:
            con.register("accounts_in", accounts)
        else:
            con.register("accounts_in", ACCOUNTS.empty_table())

        def col(name: str) -> str:
            return f"nullif(trim(r.{_q(cols[name])}), '')" if name in cols else "NULL"

        ts_text = col("timestamp")
        amount_text = f"regexp_replace({col('amount')}, '[$, ]', '', 'g')"
        type_text = col("type")
        con.execute(
            f"""
            CREATE TABLE parsed AS
            SELECT row_number() OVER () + 1 AS line,
                   {col("tx_id")} AS tx_id,
                   {ts_text} AS ts_text,
                   coalesce(
                       epoch(try_cast({ts_text} AS TIMESTAMPTZ)),
                       epoch(try_strptime({ts_text}, '%d/%m/%Y %H:%M:%S')),
                       epoch(try_strptime({ts_text}, '%d/%m/%Y %H:%M')),
                       epoch(try_strptime({ts_text}, '%d/%m/%Y')),
                       try_cast({ts_text} AS BIGINT)
                   ) AS ts_value,
                   {col("from_account")} AS src, {col("to_account")} AS dst,
                   {col("amount")} AS amount_text,
                   try_cast({amount_text} AS DOUBLE) AS amount,
                   upper({col("currency")}) AS currency,
                   lower(strip_accents({type_text})) AS type_code,
                   {col("channel")} AS channel, {col("location")} AS location
            FROM raw AS r
            """
        )
        bad = con.execute(
            """
            SELECT p.line, p.tx_id, p.ts_text, p.ts_value, p.src, p.dst, p.amount_text,
                   p.amount, p.currency, rt.usd
            FROM parsed AS p LEFT JOIN rates AS rt ON rt.currency = p.currency
            WHERE p.tx_id IS NULL OR p.ts_value IS NULL OR p.amount IS NULL OR p.amount <= 0
               OR rt.usd IS NULL OR (p.src IS NULL AND p.dst IS NULL)
            ORDER BY p.line
            """
        ).fetchall()
        errors = [_row_error(row) for row in bad]
        table = con.execute(
            """
            SELECT p.tx_id, CAST(p.ts_value AS BIGINT) AS ts, p.src, p.dst, p.amount,
                   p.currency, p.amount * rt.usd AS amount_usd,
                   coalesce(ty.kind,
                       CASE WHEN p.type_code IS NOT NULL THEN 'other'
                            WHEN p.src IS NULL THEN 'cash_deposit'
                            WHEN p.dst IS NULL THEN 'cash_withdrawal'
                            WHEN sa.country IS NOT NULL AND da.country IS NOT NULL
                                 AND sa.country <> da.country THEN 'wire'
                            ELSE 'transfer' END) AS type,
                   p.channel, p.location,
                   lower(sa.country) AS src_country, lower(da.country) AS dst_country
            FROM parsed AS p
            JOIN rates AS rt ON rt.currency = p.currency
            LEFT JOIN types AS ty ON ty.code = p.type_code
            LEFT JOIN accounts_in AS sa ON sa.account_id = p.src
            LEFT JOIN accounts_in AS da ON da.account_id = p.dst
            WHERE p.tx_id IS NOT NULL AND p.ts_value IS NOT NULL AND p.amount > 0
              AND (p.src IS NOT NULL OR p.dst IS NOT NULL)
            """
        ).to_arrow_table()
        rows_read = int(con.execute("SELECT count(*) FROM parsed").fetchone()[0])  # type: ignore[index]
        return Loaded(table.cast(TRANSACTIONS), errors, rows_read)
    finally:
        con.close()


def _row_error(row: tuple[object, ...]) -> RowError:
    line, tx_id, ts_text, ts_value, _src, _dst, amount_text, amount, currency, usd = row
    line = int(line)  # type: ignore[call-overload]
    if tx_id is None:
        return RowError(line, "tx_id", MSG_EMPTY_ID, {"field": "tx_id"})
    if ts_value is None:
        return RowError(line, "timestamp", MSG_BAD_TIMESTAMP, {"value": ts_text or ""})
    if amount is None or float(amount) <= 0:  # type: ignore[arg-type]
        return RowError(line, "amount", MSG_BAD_AMOUNT, {"value": amount_text or ""})
    if usd is None:
        return RowError(line, "currency", MSG_UNKNOWN_CURRENCY, {"value": currency or ""})
    return RowError(line, "from_account", MSG_NO_ACCOUNT, {})


def check_bank_numbers(row: dict[str, Any]) -> list[RowError]:
    """Check and canonicalise an account row's CLABE, IBAN and ABA routing number in place.

    A Mexican account whose id is 18 digits is a CLABE and is checked as one. A number that
    fails its check is dropped from the row, which is kept (its transactions still count),
    and reported with the reason.
    """
    from stdnum.us import rtn

    from paridad.errors import ParidadError
    from paridad.match.identifiers import normalise

    errors: list[RowError] = []
    line = int(row.pop("line", 0) or 0)
    account = str(row["account_id"])
    if not row.get("clabe") and row.get("country") == "mx" and re.fullmatch(r"\d{18}", account):
        row["clabe"] = account
    for kind in ("clabe", "iban"):
        value = row.get(kind)
        if not value:
            continue
        try:
            row[kind] = normalise(kind, str(value))
        except ParidadError as exc:
            row[kind] = None
            errors.append(RowError(line, kind, exc.msgid, dict(exc.params)))
    if row.get("aba"):
        try:
            row["aba"] = rtn.validate(str(row["aba"]))
        except ValueError:
            errors.append(RowError(line, "aba", MSG_BAD_ABA, {"value": row["aba"]}))
            row["aba"] = None
    return errors


def read_accounts(path: Path, mapping: Mapping[str, str] | None = None) -> Loaded:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")  # a time without a zone is UTC
    try:
        cols = _columns(con, path, mapping or {}, ACCOUNT_REQUIRED, ACCOUNT_OPTIONAL)

        def col(name: str) -> str:
            return f"nullif(trim(r.{_q(cols[name])}), '')" if name in cols else "NULL"

        con.execute(
            f"""
            CREATE TABLE parsed AS
            SELECT row_number() OVER () + 1 AS line, {col("account_id")} AS account_id,
                   {col("bank")} AS bank, lower({col("country")}) AS country,
                   {col("holder_id")} AS holder_id, {col("holder_name")} AS holder_name,
                   {col("clabe")} AS clabe, {col("iban")} AS iban, {col("aba")} AS aba
            FROM raw AS r
            """
        )
        missing = con.execute(
            "SELECT line FROM parsed WHERE account_id IS NULL ORDER BY line"
        ).fetchall()
        errors = [
            RowError(int(r[0]), "account_id", MSG_EMPTY_ID, {"field": "account_id"})
            for r in missing
        ]
        rows = (
            con.execute(
                "SELECT line, account_id, bank, country, holder_id, holder_name, clabe, iban, aba "
                "FROM parsed WHERE account_id IS NOT NULL ORDER BY line"
            )
            .to_arrow_table()
            .to_pylist()
        )
        rows_read = int(con.execute("SELECT count(*) FROM parsed").fetchone()[0])  # type: ignore[index]
        for row in rows:
            errors += check_bank_numbers(row)
        errors.sort(key=lambda e: e.line)
        return Loaded(pa.Table.from_pylist(rows, schema=ACCOUNTS), errors, rows_read)
    finally:
        con.close()
