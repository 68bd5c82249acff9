"""``paridad finance scan|detectors`` as a FIU analyst runs them, in both languages."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from paridad.finance.sample import Ledger
from tests.cli.run import run

HEADER = ["folio", "fecha", "origen", "destino", "monto", "moneda", "tipo", "sucursal"]


def _write_export(path: Path) -> None:
    """A bank's export with Spanish headers: a planted fan-in, a structurer, noise, bad rows."""
    book = Ledger()
    for i in range(9):
        book.pay(f"MULA{i}", "FRENTE1", 2900 + 20 * i, hours=6 * i)
    for i in range(5):
        book.pay(None, "ESTRUCT1", 9500 + 50 * i, hours=30 * i, type="cash_deposit")
    for i in range(30):
        book.pay(f"P{i}", f"P{i + 1}", 100 + 37 * i, hours=3 * i)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for row in book.rows:
            kind = "Deposito en efectivo" if row["type"] == "cash_deposit" else "SPEI"
            out.writerow(
                [
                    row["tx_id"],
                    row["ts"],
                    row["src"] or "",
                    row["dst"] or "",
                    f"{row['amount']:,.2f}",
                    "USD",
                    kind,
                    "",
                ]
            )
        out.writerow(["BAD1", "31/02/2025", "A", "B", "100", "USD", "SPEI", ""])
        out.writerow(["BAD2", "2025-03-01", "A", "B", "cien", "USD", "SPEI", ""])


MAP = [
    "--map",
    "folio=tx_id",
    "--map",
    "fecha=timestamp",
    "--map",
    "origen=from_account",
    "--map",
    "destino=to_account",
    "--map",
    "monto=amount",
    "--map",
    "moneda=currency",
    "--map",
    "tipo=type",
    "--map",
    "sucursal=location",
]


def test_scan_ranks_planted_accounts_first_with_reasons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    scores, alerts = tmp_path / "scores.csv", tmp_path / "alerts.jsonl"
    code, _out, err = run(
        capsys,
        "--lang",
        "es",
        "finance",
        "scan",
        "--transactions",
        str(export),
        *MAP,
        "--country",
        "us",
        "--out",
        str(scores),
        "--alerts",
        str(alerts),
    )
    assert code == 0, err
    rows = list(csv.DictReader(scores.open(encoding="utf-8")))
    assert list(rows[0]) == ["account_id", "score", "typologies", "reasons"]
    top = {r["account_id"]: r for r in rows[:2]}
    assert set(top) == {"FRENTE1", "ESTRUCT1"}
    assert top["FRENTE1"]["typologies"] == "fan-in"
    assert "structuring" in top["ESTRUCT1"]["typologies"]
    assert "{" not in top["FRENTE1"]["reasons"] and top["FRENTE1"]["reasons"]
    assert [float(r["score"]) for r in rows] == sorted(
        (float(r["score"]) for r in rows), reverse=True
    )
    # The mules are scored too, below their front, as members of its pattern.
    assert {"MULA0", "MULA8"} <= {r["account_id"] for r in rows}
    # Two bad rows were rejected with their line and reason, and nothing else was lost.
    assert "(2 " in err and "31/02/2025" in err and "cien" in err
    records = [json.loads(line) for line in alerts.read_text(encoding="utf-8").splitlines()]
    fan = next(r for r in records if r["detector"] == "fan-in")
    assert fan["anchor"] == "FRENTE1" and len(fan["transactions"]) == 9
    assert fan["explanation"]["es"] and fan["explanation"]["en"]


def test_a_mapping_to_an_unknown_field_is_refused_before_loading(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    code, _, err = run(
        capsys,
        "finance",
        "scan",
        "--transactions",
        str(export),
        "--map",
        "fecha=cuando",
        "--out",
        str(tmp_path / "s.csv"),
    )
    assert code == 2
    assert "cuando" in err and "timestamp" in err
    assert not (tmp_path / "s.csv").exists()


def test_a_missing_column_names_the_field(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "corto.csv"
    export.write_text("tx_id,timestamp,amount\n1,2025-01-01,10\n", encoding="utf-8")
    code, _, err = run(
        capsys, "finance", "scan", "--transactions", str(export), "--out", str(tmp_path / "s")
    )
    assert code == 2 and "from_account" in err


def test_detectors_lists_every_typology(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "finance", "detectors", "--json")
    assert code == 0
    names = {d["name"] for d in json.loads(out)}
    assert names == {
        "fan-in",
        "fan-out",
        "scatter-gather",
        "gather-scatter",
        "bipartite",
        "cycle",
        "stack",
        "funnel",
        "structuring",
        "rapid-pass-through",
    }
