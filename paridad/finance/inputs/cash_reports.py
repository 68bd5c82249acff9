"""Cash transaction reports: the US CTR (cash over $10,000) and Mexico's reports of cash
operations in dollars, as a FIU receives them from the banks.

A report is one cash deposit or withdrawal on one account. The documented layout is
``report_id, date, account, amount, currency, direction`` (optional ``location``); Spanish
headers (``folio, fecha, cuenta, monto, moneda, tipo, sucursal``) are read as these. The
direction is ``in``/``out`` in either language (deposit, depósito, entrada, cash in; withdrawal,
retiro, salida, cash out). Each report becomes a transaction (``ctr:`` before its id) and goes
through the same checks as a transactions CSV, so a bad date or amount is rejected with its
line. A report of a movement the transactions already hold (same account, day, direction and
amount within half a percent) is linked to it, not counted twice.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from paridad.finance.inputs.csv_tables import Loaded, load_raw, read_transactions
from paridad.finance.inputs.errors import InvalidFinanceInput, RowError
from paridad.finance.inputs.rates import Rates
from paridad.i18n import N_
from paridad.model.normalize import plain

MSG_BAD_DIRECTION = N_(
    "'{value}' is not a direction of cash: in (deposit, depósito, entrada) or out "
    "(withdrawal, retiro, salida)."
)
MSG_MISSING_REPORT_COLUMN = N_(
    "The cash report file {path} has no column {field} (its columns: {columns})."
)

FIELDS = ("report_id", "date", "account", "amount", "currency", "direction", "location")
REQUIRED = FIELDS[:6]
_SYNONYMS = {
    "folio": "report_id",
    "id": "report_id",
    "fecha": "date",
    "cuenta": "account",
    "account_id": "account",
    "monto": "amount",
    "importe": "amount",
    "moneda": "currency",
    "tipo": "direction",
    "operacion": "direction",
    "sucursal": "location",
    "branch": "location",
}
_IN = {"in", "deposit", "deposito", "entrada", "cash in", "deposito en efectivo", "e", "i"}
_OUT = {"out", "withdrawal", "retiro", "salida", "cash out", "retiro en efectivo", "s", "o"}


def read_cash_reports(path: Path, rates: Rates | None = None) -> Loaded:
    """The reports as cash transactions, each bad one rejected with its line and reason."""
    con = duckdb.connect(":memory:")
    try:
        header = load_raw(con, path)
        raw = con.execute("SELECT * FROM raw").fetchall()
    finally:
        con.close()
    where: dict[str, int] = {}
    for i, name in enumerate(header):
        field = _SYNONYMS.get(plain(name), plain(name))
        if field in FIELDS and field not in where:
            where[field] = i
    for field in REQUIRED:
        if field not in where:
            raise InvalidFinanceInput(
                MSG_MISSING_REPORT_COLUMN, path=str(path), field=field, columns=", ".join(header)
            )
    errors: list[RowError] = []
    kept_lines: list[int] = []
    with tempfile.TemporaryDirectory(prefix="paridad-ctr-") as tmp:
        staged = Path(tmp) / "cash.csv"
        with staged.open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(
                [
                    "tx_id",
                    "timestamp",
                    "from_account",
                    "to_account",
                    "amount",
                    "currency",
                    "type",
                    "channel",
                    "location",
                ]
            )
            for line, row in enumerate(raw, start=2):

                def get(field: str, values: tuple[object, ...] = row) -> str:
                    i = where.get(field)
                    value = values[i] if i is not None else None
                    return str(value).strip() if value is not None else ""

                direction = plain(get("direction"))
                if direction not in _IN | _OUT:
                    errors.append(
                        RowError(line, "direction", MSG_BAD_DIRECTION, {"value": get("direction")})
                    )
                    continue
                report = get("report_id")
                deposit = direction in _IN
                out.writerow(
                    [
                        f"ctr:{report}" if report else "",
                        get("date"),
                        "" if deposit else get("account"),
                        get("account") if deposit else "",
                        get("amount"),
                        get("currency"),
                        "cash_deposit" if deposit else "cash_withdrawal",
                        "cash report",
                        get("location"),
                    ]
                )
                kept_lines.append(line)
        loaded = read_transactions(staged, rates=rates)
    for e in loaded.errors:  # back to the line in the reports file
        errors.append(RowError(kept_lines[e.line - 2], e.field, e.msgid, e.params))
    errors.sort(key=lambda e: e.line)
    return Loaded(loaded.table, errors, len(raw))


def merge_cash_reports(transactions: pa.Table, reports: pa.Table) -> tuple[pa.Table, int]:
    """The transactions with every report they do not already hold; and how many they did."""
    if not reports.num_rows:
        return transactions, 0
    con = duckdb.connect(":memory:")
    try:
        con.register("tx", transactions)
        con.register("ctr", reports)
        fresh = con.execute(
            """
            SELECT c.* FROM ctr AS c
            WHERE NOT EXISTS (
                SELECT 1 FROM tx AS t
                WHERE t.type = c.type
                  AND coalesce(t.dst, t.src) = coalesce(c.dst, c.src)
                  AND t.ts // 86400 = c.ts // 86400
                  AND abs(t.amount_usd - c.amount_usd) <= 0.005 * c.amount_usd
            )
            """
        ).to_arrow_table()
    finally:
        con.close()
    merged = pa.concat_tables([transactions, fresh.cast(transactions.schema)])
    return merged, reports.num_rows - fresh.num_rows
