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


LIST = [
    {
        "id": "ofac-frente",
        "schema": "Company",
        "target": True,
        "datasets": ["us_ofac_sdn"],
        "properties": {"name": ["Frente Uno, S.A. de C.V."]},
    },
    {
        "id": "ofac-s1",
        "schema": "Sanction",
        "properties": {"entity": ["ofac-frente"], "program": ["ILLICIT-DRUGS-EO14059"]},
    },
]


def _write_list(path: Path) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in LIST] + ["{not json"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_screen_names_against_a_list(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    listing = _write_list(tmp_path / "sdn.jsonl")
    out = tmp_path / "hits.csv"
    code, stdout, err = run(
        capsys,
        "--lang",
        "es",
        "finance",
        "screen",
        "--designations",
        str(listing),
        "--name",
        "FRENTE UNO SA DE CV",
        "--name",
        "Panadería La Espiga",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert "FRENTE UNO SA DE CV se parece a Frente Uno, S.A. de C.V." in stdout
    assert "sdn.jsonl:3" in err  # the broken line, by number
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["designated_id"] for r in rows] == ["ofac-frente"]
    assert rows[0]["programs"] == "ILLICIT-DRUGS-EO14059"


def test_screen_wants_one_source_of_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    listing = _write_list(tmp_path / "sdn.jsonl")
    code, _, err = run(capsys, "finance", "screen", "--designations", str(listing))
    assert code == 2 and "--name" in err


def test_scan_counts_accounts_held_by_listed_parties(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    accounts = tmp_path / "cuentas.csv"
    accounts.write_text(
        "account_id,bank,country,holder_name\nFRENTE1,BBVA,mx,Frente Uno SA de CV\n",
        encoding="utf-8",
    )
    scores = tmp_path / "scores.csv"
    code, _, err = run(
        capsys,
        "finance",
        "scan",
        "--transactions",
        str(export),
        *MAP,
        "--accounts",
        str(accounts),
        "--designations",
        str(_write_list(tmp_path / "sdn.jsonl")),
        "--out",
        str(scores),
        "--entity-scores",
        str(tmp_path / "entities.csv"),
    )
    assert code == 0, err
    assert "1 accounts held by listed parties" in err
    holders = list(csv.DictReader((tmp_path / "entities.csv").open(encoding="utf-8")))
    assert [(h["entity_id"], h["accounts"]) for h in holders] == [
        ("holder:Frente Uno SA de CV", "FRENTE1")
    ]
    rows = {r["account_id"]: r for r in csv.DictReader(scores.open(encoding="utf-8"))}
    assert "Frente Uno, S.A. de C.V. (ILLICIT-DRUGS-EO14059)" in rows["FRENTE1"]["reasons"]
    # A mule that paid the listed front is one hop from it.
    assert "1 hop(s)" in rows["MULA0"]["reasons"]


def test_trace_forward_writes_table_graph_and_diagram(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    table, graph, svg = tmp_path / "t.csv", tmp_path / "g.json", tmp_path / "f.svg"
    code, stdout, err = run(
        capsys,
        "--lang",
        "es",
        "finance",
        "trace",
        "--transactions",
        str(export),
        *MAP,
        "--seed",
        "P0",
        "--hops",
        "4",
        "--method",
        "proportional",
        "--out",
        str(table),
        "--graph",
        str(graph),
        "--svg",
        str(svg),
    )
    assert code == 0, err
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [(r["hop"], r["from_account"], r["to_account"]) for r in rows] == [
        ("1", "P0", "P1"),
        ("2", "P1", "P2"),
        ("3", "P2", "P3"),
        ("4", "P3", "P4"),
    ]
    assert float(rows[0]["attributed_usd"]) == float(rows[0]["amount_usd"]) == 100.0
    assert "transferencias entre" in stdout
    assert json.loads(graph.read_text(encoding="utf-8"))["method"] == "proportional"
    assert "A dónde fue el dinero de P0" in svg.read_text(encoding="utf-8")


def test_trace_of_an_unknown_seed_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    code, _, err = run(
        capsys,
        "--lang",
        "es",
        "finance",
        "trace",
        "--transactions",
        str(export),
        *MAP,
        "--seed",
        "NADIE",
        "--out",
        str(tmp_path / "t.csv"),
    )
    assert code == 2 and "NADIE" in err and "No hay ninguna cuenta" in err
    assert not (tmp_path / "t.csv").exists()


def test_scan_reads_iso20022_and_screens_its_parties(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pacs = Path(__file__).parents[1] / "finance" / "inputs" / "iso20022" / "pacs008.xml"
    listing = tmp_path / "sdn.jsonl"
    listing.write_text(
        json.dumps(
            {
                "id": "sdn-altos",
                "schema": "Company",
                "target": True,
                "properties": {"name": ["Comercializadora Los Altos, S.A. de C.V."]},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    scores = tmp_path / "scores.csv"
    code, _, err = run(
        capsys,
        "finance",
        "scan",
        "--transactions",
        str(pacs),
        "--designations",
        str(listing),
        "--out",
        str(scores),
    )
    assert code == 0, err
    assert "Read 3 transactions (1 rejected) and 2 accounts." in err
    rows = {r["account_id"]: r for r in csv.DictReader(scores.open(encoding="utf-8"))}
    assert "Comercializadora Los Altos" in rows["012180001234567899"]["reasons"]
    assert "1 hop(s)" in rows["US-000123456"]["reasons"]


def test_scan_adds_cash_reports(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    export = tmp_path / "movimientos.csv"
    _write_export(export)
    reports = tmp_path / "ctr.csv"
    reports.write_text(
        "report_id,date,account,amount,currency,direction\n"
        "R1,2025-01-02,NUEVA,15000,USD,in\n"
        "R2,2025-01-02,NUEVA,15000,USD,sideways\n",
        encoding="utf-8",
    )
    code, _, err = run(
        capsys,
        "--lang",
        "es",
        "finance",
        "scan",
        "--transactions",
        str(export),
        *MAP,
        "--cash-reports",
        str(reports),
        "--out",
        str(tmp_path / "s.csv"),
    )
    assert code == 0, err
    assert "Se leyeron 2 reportes de efectivo (1 rechazados, 0 ya entre las transacciones)" in err
    assert "ctr.csv direction" in err and "sideways" in err
