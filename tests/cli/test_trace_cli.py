"""``paridad trace`` on two CSV files, as a user runs it, with its errors in both languages."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from paridad.cli.trace_commands import MSG_FILES
from paridad.errors import render_message
from paridad.i18n import translate
from paridad.trace.layouts import MSG_BAD_DATE, MSG_MISSING_COLUMNS, RECOVERY_COLUMNS
from tests.cli.run import run

RECOVERIES = """recovery_id,serial,make,model,caliber,type,recovered_on,state,municipality,notas
r1,AEK12456,GLOCK,G17 GEN5,9 MM,PISTOLA,28/05/2025,Sonora,Nogales,lima
r2,0012345,S&W,M&P9,9mm,pistola,02/01/2025,Chihuahua,Juárez,
r3,S/N,Colt,M1911,.38 SÚPER,PISTOLA,15/03/2025,Sinaloa,Culiacán,
r4,QQQ999888,Ruger,LCP,.380,PISTOLA,15/03/2025,Sinaloa,Culiacán,
"""
ACQUISITIONS = """acquisition_id,serial,make,model,caliber,type,sold_on,dealer_id,dealer_state,purchaser_id
a1,AEK123456,Glock,G17,9mm Luger,pistol,01/10/2022,d1,TX,p1
a2,0012345,Smith & Wesson,M&P9 M2.0,9mm Luger,pistol,06/30/2024,d2,AZ,p2
a3,PRX772310,Ruger,LCP,.380 ACP,pistol,06/30/2024,d2,AZ,p3
"""


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "r.csv").write_text(RECOVERIES, encoding="utf-8")
    (tmp_path / "a.csv").write_text(ACQUISITIONS, encoding="utf-8")
    return tmp_path / "r.csv", tmp_path / "a.csv"


def rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_trace_writes_one_row_per_traced_recovery(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    recoveries, acquisitions = files
    out = tmp_path / "out" / "traces.csv"
    code, stdout, err = run(
        capsys,
        "trace",
        "--recoveries",
        str(recoveries),
        "--acquisitions",
        str(acquisitions),
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, err
    header, traced = rows(out)
    assert header == ["recovery_id", "acquisition_id", "score", "ttc_days"]
    assert [(r["recovery_id"], r["acquisition_id"]) for r in traced] == [("r1", "a1"), ("r2", "a2")]
    # Day-first recoveries, month-first dealer records: 2022-01-10 to 2025-05-28.
    assert traced[0]["ttc_days"] == str((date(2025, 5, 28) - date(2022, 1, 10)).days)
    assert traced[1]["ttc_days"] == str((date(2025, 1, 2) - date(2024, 6, 30)).days)
    assert all(0.5 < float(r["score"]) <= 1 for r in traced)
    summary = json.loads(stdout)
    assert summary["recoveries"] == 4 and summary["acquisitions"] == 3
    assert summary["traced"] == 2 and summary["untraced"] == 2 and summary["unreadable"] == 1
    assert summary["by_serial_match"] == {"exact": 1, "one-edit": 1}
    assert summary["out"] == str(out)
    assert not (out.parent / "traces.csv.partial").exists()


def test_explain_adds_how_it_matched(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    recoveries, acquisitions = files
    out = tmp_path / "t.csv"
    code, stdout, err = run(
        capsys,
        "--lang",
        "en",
        "trace",
        "--recoveries",
        str(recoveries),
        "--acquisitions",
        str(acquisitions),
        "--out",
        str(out),
        "--explain",
        "--progress",
    )
    assert code == 0, err
    assert "Reading the files" in err and "Finding sales within one edit" in err
    header, traced = rows(out)
    assert header == [
        "recovery_id",
        "acquisition_id",
        "score",
        "ttc_days",
        "serial_match",
        "agreed",
    ]
    by_id = {r["recovery_id"]: r for r in traced}
    assert by_id["r1"]["serial_match"] == "one-edit"
    assert set(by_id["r1"]["agreed"].split()) == {"make", "model", "caliber", "type"}
    assert by_id["r2"]["serial_match"] == "exact" and "make" in by_id["r2"]["agreed"].split()
    assert "2 of 4 recoveries traced against 3 sales" in stdout
    assert "1 with no readable serial" in stdout


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_malformed_file_fails_with_a_translated_error(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path, lang: str
) -> None:
    _, acquisitions = files
    out = tmp_path / "t.csv"
    short = tmp_path / "short.csv"
    short.write_text("recovery_id,serial\nr1,AEK123456\n", encoding="utf-8")
    args = ["--acquisitions", str(acquisitions), "--out", str(out)]
    code, _, err = run(capsys, "--lang", lang, "trace", "--recoveries", str(short), *args)
    assert code == 2
    expected = render_message(
        MSG_MISSING_COLUMNS,
        {
            "path": str(short),
            "columns": ", ".join(RECOVERY_COLUMNS[2:]),
            "layout": ", ".join(RECOVERY_COLUMNS),
        },
        lang,  # type: ignore[arg-type]
    )
    assert expected in err and str(short) in err
    assert not out.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(RECOVERIES.replace("15/03/2025", "ayer", 1), encoding="utf-8")
    code, _, err = run(capsys, "--lang", lang, "trace", "--recoveries", str(bad), *args)
    assert code == 2
    params = {"row": 3, "path": str(bad), "value": "ayer", "column": "recovered_on"}
    assert render_message(MSG_BAD_DATE, params, lang) in err  # type: ignore[arg-type]


def test_trace_without_files_or_subcommand_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]
) -> None:
    code, _, err = run(capsys, "--lang", "en", "trace")
    assert code == 2 and translate(MSG_FILES, "en") in err and "--recoveries" in err
    code, _, err = run(capsys, "--lang", "es", "trace", "--recoveries", str(files[0]))
    assert code == 2 and translate(MSG_FILES, "es") in err and "--recoveries" in err
