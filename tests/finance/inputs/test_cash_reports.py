"""Cash transaction reports: read in either language, bad reports rejected by line, and a
report of a movement the transactions already hold linked to it rather than counted twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.finance.inputs.cash_reports import merge_cash_reports, read_cash_reports
from paridad.finance.inputs.errors import InvalidFinanceInput
from paridad.finance.sample import Ledger


def test_spanish_reports_become_cash_movements(tmp_path: Path) -> None:
    path = tmp_path / "reportes.csv"
    path.write_text(
        "folio,fecha,cuenta,monto,moneda,tipo,sucursal\n"
        'R1,2025-03-01,ACC1,"12,500.00",USD,Depósito,Nogales\n'
        "R2,02/03/2025,ACC1,11000,USD,retiro,Nogales\n"
        "R3,2025-03-03,ACC1,9000,USD,transferencia,\n"  # not a direction of cash
        "R4,2025-03-04,ACC2,mucho,USD,entrada,\n",  # not an amount
        encoding="utf-8",
    )
    loaded = read_cash_reports(path)
    rows = {r["tx_id"]: r for r in loaded.table.to_pylist()}
    assert set(rows) == {"ctr:R1", "ctr:R2"} and loaded.rows_read == 4
    assert rows["ctr:R1"]["type"] == "cash_deposit" and rows["ctr:R1"]["dst"] == "ACC1"
    assert rows["ctr:R1"]["src"] is None and rows["ctr:R1"]["location"] == "Nogales"
    assert rows["ctr:R2"]["type"] == "cash_withdrawal" and rows["ctr:R2"]["src"] == "ACC1"
    assert [(e.line, e.field) for e in loaded.errors] == [(4, "direction"), (5, "amount")]
    assert "transferencia" in loaded.errors[0].message("es")


def test_a_report_file_without_a_direction_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("report_id,date,account,amount,currency\nR1,2025-03-01,A,1,USD\n", "utf-8")
    with pytest.raises(InvalidFinanceInput) as raised:
        read_cash_reports(path)
    assert "direction" in raised.value.localized("en")


def test_a_reported_movement_already_held_is_linked_not_added(tmp_path: Path) -> None:
    book = Ledger()
    book.pay(None, "ACC1", 12_500, hours=10, type="cash_deposit")  # 1 Jan, held by the bank
    book.pay("ACC1", "ACC2", 12_000, hours=30)
    path = tmp_path / "ctr.csv"
    path.write_text(
        "report_id,date,account,amount,currency,direction\n"
        f"R1,{_day(book, 0)},ACC1,12500,USD,in\n"  # the same deposit
        f"R2,{_day(book, 0)},ACC1,15000,USD,in\n"  # another one, reported only
        f"R3,{_day(book, 0)},ACC1,12500,USD,out\n",  # same amount, the other way
        encoding="utf-8",
    )
    reports = read_cash_reports(path)
    merged, linked = merge_cash_reports(book.transactions(), reports.table)
    assert linked == 1
    assert sorted(merged.column("tx_id").to_pylist()) == ["T000001", "T000002", "ctr:R2", "ctr:R3"]


def _day(book: Ledger, index: int) -> str:
    from datetime import UTC, datetime

    ts = int(book.rows[index]["ts"])  # type: ignore[call-overload]
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
