"""``paridad link`` end to end, in both languages, with the errors a user meets."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

MX = """id,nombre,apellidos,fecha,sexo
mx1,José Luis,Hernández García,11/03/1985,H
mx2,María Guadalupe,de la Cruz Ramírez,25/12/1990,M
mx3,Juan,Pérez López,1970-01-01,H
"""
US = """id,first,last,dob,sex
us1,Jose L.,Hernandez,1985-03-11,M
us2,Lupe,Delacruz,1990-12-25,F
us3,John,Smith,1955-06-30,M
"""
MAPS = [
    "--map",
    "nombre=given_name",
    "--map",
    "apellidos=surname",
    "--map",
    "fecha=date_of_birth",
    "--map",
    "sexo=sex",
    "--map",
    "first=given_name",
    "--map",
    "last=surname",
    "--map",
    "dob=date_of_birth",
    "--map",
    "sex=sex",
]


def _run(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from paridad.cli import main; main()",
            "--lang",
            lang,
            "link",
            *args,
        ],
        capture_output=True,
        text=True,
    )


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "mx.csv").write_text(MX, encoding="utf-8")
    (tmp_path / "us.csv").write_text(US, encoding="utf-8")
    return tmp_path / "mx.csv", tmp_path / "us.csv"


@pytest.mark.parametrize("privacy", ["clk", "plain"])
def test_link_writes_the_matches(files: tuple[Path, Path], tmp_path: Path, privacy: str) -> None:
    left, right = files
    out = tmp_path / "matches.csv"
    done = _run(
        "--left", str(left), "--right", str(right), *MAPS, "--privacy", privacy, "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {(r["left_id"], r["right_id"]) for r in rows} == {("mx1", "us1"), ("mx2", "us2")}
    assert all(0.5 <= float(r["score"]) <= 1 for r in rows)
    assert "2 matches" in done.stdout


def test_errors_are_clear_and_translated(files: tuple[Path, Path], tmp_path: Path) -> None:
    left, right = files
    out = str(tmp_path / "m.csv")
    unknown = _run(
        "--left", str(left), "--right", str(right), "--map", "nombre=nickname", "--out", out
    )
    assert unknown.returncode == 2 and "Unknown linkage field 'nickname'" in unknown.stderr
    missing = _run("--left", str(left), "--right", str(right), *MAPS, "--id", "folio", "--out", out)
    assert missing.returncode == 2 and "no id column 'folio'" in missing.stderr
    spanish = _run(
        "--left", str(left), "--right", str(right), *MAPS, "--id", "folio", "--out", out, lang="es"
    )
    assert spanish.returncode == 2 and "columna de id 'folio'" in spanish.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text('id,nombre,apellidos\n1,"José\n2,Juan,extra\n', encoding="utf-8")
    broken = _run("--left", str(bad), "--right", str(right), *MAPS, "--out", out)
    assert broken.returncode == 2 and "bad.csv" in broken.stderr
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("id,nombre,apellidos\n1,José,Pérez\n2,Juan,Pérez,extra\n", encoding="utf-8")
    row = _run("--left", str(ragged), "--right", str(right), *MAPS, "--out", out)
    assert row.returncode == 2 and "line 3" in row.stderr
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,nombre,apellidos\n1,José,Pérez\n".encode("latin-1"))
    encoding = _run("--left", str(latin), "--right", str(right), *MAPS, "--out", out)
    assert encoding.returncode == 2 and "not UTF-8" in encoding.stderr
    nothing = _run("--left", str(left), "--right", str(right), "--out", out)
    assert nothing.returncode == 2 and "--map" in nothing.stderr


def test_help_is_bilingual() -> None:
    assert "hardened Bloom-filter" in _run("--help").stdout
    assert (
        "Bloom" in _run("--help", lang="es").stdout
        and "Encuentra" in _run("--help", lang="es").stdout
    )
