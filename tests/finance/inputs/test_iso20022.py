"""ISO 20022 payments and statements read into the transactions table, bad entries rejected
by line, and hostile or foreign XML refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.finance.inputs.errors import InvalidFinanceInput
from paridad.finance.inputs.iso20022 import read_iso20022

HERE = Path(__file__).parent / "iso20022"


def test_pacs008_credit_transfers() -> None:
    loaded, accounts = read_iso20022(HERE / "pacs008.xml")
    rows = {r["tx_id"]: r for r in loaded.table.to_pylist()}
    assert loaded.rows_read == 3 and set(rows) == {"3f1c2c9e-5a4b-4d2e-9f0a-1b2c3d4e5f60", "TX-002"}
    first = rows["3f1c2c9e-5a4b-4d2e-9f0a-1b2c3d4e5f60"]
    assert first["src"] == "012180001234567899" and first["dst"] == "US-000123456"
    assert first["type"] == "wire"  # Mexico to the US, by the agents' BICs
    assert (first["src_country"], first["dst_country"]) == ("mx", "us")
    assert first["amount_usd"] == 9800.0 and first["ts"] == 1740960000  # 3 March 2025
    assert rows["TX-002"]["currency"] == "MXN" and rows["TX-002"]["amount_usd"] < 150000
    assert [(e.line, e.field) for e in loaded.errors] == [(36, "amount")]  # its CdtTrfTxInf
    parties = {a["account_id"]: a for a in accounts.to_pylist()}
    assert parties["012180001234567899"]["holder_name"] == "Comercializadora Los Altos SA de CV"
    assert parties["012180001234567899"]["clabe"] == "012180001234567899"


def test_pain001_initiations() -> None:
    loaded, accounts = read_iso20022(HERE / "pain001.xml")
    rows = loaded.table.to_pylist()
    assert [r["tx_id"] for r in rows] == ["PAIN-1-A"]
    assert rows[0]["src"] == "ES9121000418450200051332" and rows[0]["currency"] == "EUR"
    assert rows[0]["type"] == "transfer"
    assert [e.field for e in loaded.errors] == ["currency"]  # ZZZ has no rate
    ibans = {a["account_id"]: a["iban"] for a in accounts.to_pylist()}
    assert ibans["ES9121000418450200051332"] == "ES9121000418450200051332"


def test_camt053_statement_sides_and_cash() -> None:
    loaded, _ = read_iso20022(HERE / "camt053.xml")
    rows = {r["tx_id"]: r for r in loaded.table.to_pylist()}
    assert set(rows) == {"N1", "E2E-001", "REF-4"}
    assert rows["N1"]["type"] == "cash_deposit" and rows["N1"]["src"] is None
    assert rows["N1"]["dst"] == "US-000123456" and rows["N1"]["ts"] == 1744302000
    assert rows["E2E-001"]["src"] == "012180001234567899"  # credit: the other party paid
    assert rows["REF-4"]["src"] == "US-000123456" and rows["REF-4"]["dst"] == "US-000777"
    assert [(e.field, "not-a-date" in e.message("es")) for e in loaded.errors] == [
        ("timestamp", True)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<Document><Nope/></Document>", "Nope"),
        ("this is not xml", "tx.xml"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            "<Document><BkToCstmrStmt><Stmt><Ntry><NtryRef>&x;</NtryRef></Ntry></Stmt>"
            "</BkToCstmrStmt></Document>",
            None,
        ),
    ],
)
def test_foreign_broken_or_hostile_xml(tmp_path: Path, text: str, expected: str | None) -> None:
    path = tmp_path / "tx.xml"
    path.write_text(text, encoding="utf-8")
    if expected is None:
        # The external entity is never resolved: the reference it stood for stays empty, so
        # the entry is rejected for having no id, and no byte of /etc/passwd is read in.
        loaded, _ = read_iso20022(path)
        assert loaded.table.num_rows == 0
        assert [e.field for e in loaded.errors] == ["tx_id"]
        return
    with pytest.raises(InvalidFinanceInput) as raised:
        read_iso20022(path)
    assert expected in raised.value.localized("es")
