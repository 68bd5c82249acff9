"""A FIU's CSV exports: every accepted form read right, every bad row rejected with its line
and a translated reason, and nothing else lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.finance.inputs.csv_tables import read_accounts, read_transactions
from paridad.finance.inputs.errors import InvalidFinanceInput
from paridad.i18n import LANGS

HEADER = "tx_id,timestamp,from_account,to_account,amount,currency,type\n"


def _csv(tmp_path: Path, body: str, name: str = "tx.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_the_accepted_forms_of_time_amount_and_type(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        '1,2025-03-01T10:00:00,A,B,"1,234.50",USD,SPEI\n'
        "2,01/03/2025,,B,$9500,USD,DEPOSITO EN EFECTIVO\n"
        "3,1740823200,B,,200,USD,RETIRO\n"
        "4,2025-03-01 10:00:00-06:00,A,MX1,20000,MXN,wire\n",
    )
    loaded = read_transactions(path)
    assert loaded.errors == [] and loaded.rows_read == 4
    rows = {r["tx_id"]: r for r in loaded.table.to_pylist()}
    assert rows["1"]["amount"] == 1234.5 and rows["1"]["type"] == "transfer"
    assert rows["2"]["type"] == "cash_deposit" and rows["2"]["src"] is None
    assert rows["2"]["ts"] == 1740787200  # 1 March 2025, day first
    assert rows["3"]["type"] == "cash_withdrawal" and rows["3"]["ts"] == 1740823200
    assert rows["4"]["ts"] == 1740844800  # the offset is honoured
    assert 0 < rows["4"]["amount_usd"] < 20000  # pesos converted to dollars


def test_bad_rows_are_rejected_with_line_field_and_reason(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "1,2025-03-01,A,B,100,USD,SPEI\n"
        "2,31/02/2025,A,B,100,USD,SPEI\n"  # no such day
        "3,2025-03-01,A,B,cien,USD,SPEI\n"  # not a number
        "4,2025-03-01,A,B,-5,USD,SPEI\n"  # not positive
        "5,2025-03-01,A,B,100,XYZ,SPEI\n"  # no rate for the currency
        "6,2025-03-01,,,100,USD,SPEI\n"  # no account at all
        ",2025-03-01,A,B,100,USD,SPEI\n"  # no id
        "8,2025-03-01,A,B,100,USD,SPEI\n",
    )
    loaded = read_transactions(path)
    assert sorted(r["tx_id"] for r in loaded.table.to_pylist()) == ["1", "8"]
    assert loaded.rows_read == 8
    by_line = {e.line: e for e in loaded.errors}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    assert by_line[3].field == "timestamp" and "31/02/2025" in by_line[3].message("en")
    assert by_line[4].field == "amount" and "cien" in by_line[4].message("es")
    assert by_line[6].field == "currency" and "XYZ" in by_line[6].message("en")
    for error in loaded.errors:
        for lang in LANGS:
            assert "{" not in error.message(lang)


def test_a_ragged_row_is_read_with_what_it_has(tmp_path: Path) -> None:
    path = _csv(tmp_path, "1,2025-03-01,A,B,100,USD\n2,2025-03-02,A,B\n")
    loaded = read_transactions(path)
    assert [r["tx_id"] for r in loaded.table.to_pylist()] == ["1"]
    assert [(e.line, e.field) for e in loaded.errors] == [(3, "amount")]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.csv"),
        (b"\xff\xfe\x00\x00garbage\x00\x01\x02", "binary.csv"),
    ],
)
def test_an_unreadable_file_is_refused_whole(tmp_path: Path, content: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidFinanceInput) as raised:
        read_transactions(path)
    assert name in raised.value.localized("es")


def test_a_file_that_is_not_there(tmp_path: Path) -> None:
    with pytest.raises(InvalidFinanceInput) as raised:
        read_transactions(tmp_path / "nope.csv")
    assert "nope.csv" in raised.value.localized("en")


def test_account_numbers_are_checked_and_bad_ones_dropped_not_the_account(
    tmp_path: Path,
) -> None:
    path = _csv(
        tmp_path,
        "012180001234567899,BBVA,mx,Ana,,,\n"  # its id is a good CLABE
        "012180001234567890,BBVA,mx,Beto,,,\n"  # a CLABE with a wrong check digit
        "US1,Chase,us,Carla,,,021000021\n"
        "US2,Chase,us,Dora,,,021000022\n"  # a bad routing number
        "ES1,Santander,es,Eva,,ES91 2100 0418 4502 0005 1332,\n"
        "ES2,Santander,es,Flor,,ES0000000000000000000000,\n"
        "MX3,Banorte,mx,Gil,072 580 00123456789 5,,\n",  # spaced as printed
        name="accounts.csv",
        header="account_id,bank,country,holder_name,clabe,iban,aba\n",
    )
    loaded = read_accounts(path)
    rows = {r["account_id"]: r for r in loaded.table.to_pylist()}
    assert len(rows) == 7  # every account is kept
    assert rows["012180001234567899"]["clabe"] == "012180001234567899"
    assert rows["012180001234567890"]["clabe"] is None
    assert rows["US1"]["aba"] == "021000021" and rows["US2"]["aba"] is None
    assert rows["ES1"]["iban"] == "ES9121000418450200051332" and rows["ES2"]["iban"] is None
    assert [(e.line, e.field) for e in loaded.errors] == [
        (3, "clabe"),
        (5, "aba"),
        (7, "iban"),
    ]
    assert rows["MX3"]["clabe"] == "072580001234567895"
    assert "dígito verificador" in loaded.errors[0].message("es")
