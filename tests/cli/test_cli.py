"""The command line, as a user runs it: in Spanish or English, with clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.run import run
from tests.conftest import entity
from tests.ingest.helpers import write_jsonl


def test_help_in_spanish_and_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "es", "--help")
    assert code == 0
    assert "Uso:" in out and "Opciones:" in out and "Comandos:" in out
    assert "Busca entidades" in out
    code, out, _ = run(capsys, "--lang", "en", "--help")
    assert "Usage:" in out and "Search a node's entities" in out
    code, out, _ = run(capsys, "--lang", "es", "ingest", "--help")
    assert "Archivo de mapeo" in out


def test_help_language_follows_the_locale() -> None:
    env = {**os.environ, "LANG": "es_MX.UTF-8", "PARIDAD_LANG": ""}
    env.pop("LC_ALL", None)
    out = subprocess.run(
        [sys.executable, "-c", "from paridad.cli import main; main()", "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Uso:" in out and "Busca entidades" in out


def test_node_ingest_search_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    node = tmp_path / "mx"
    code, out, _ = run(
        capsys, "--lang", "es", "node", "init", str(node), "--country", "mx", "--agency", "FGR"
    )
    assert code == 0 and "creado" in out
    data = write_jsonl(
        tmp_path / "people.jsonl",
        [
            entity("mx-p-1", "Person", name="Jesús Ortega Ruiz", idNumber="OERJ800101HDFRZS09"),
            b"{broken",
        ],
    )
    code, out, _ = run(
        capsys, "--lang", "es", "ingest", str(data), "--node", str(node), "--no-progress"
    )
    assert code == 0 and "1 entidades" in out and "cuarentena" in out
    code, out, _ = run(capsys, "--lang", "en", "ingest", str(data), "--node", str(node))
    assert "already loaded" in out
    code, out, _ = run(capsys, "search", "ortega jesus", "--node", str(node), "--json")
    assert [h["id"] for h in json.loads(out)] == ["mx-p-1"]
    code, out, _ = run(capsys, "--lang", "es", "show", "mx-p-1", "--node", str(node))
    assert "Persona" in out and "Marcas" in out and "fuente people" in out
    code, out, _ = run(capsys, "show", "mx-p-1", "--node", str(node), "--json")
    shown = json.loads(out)
    assert shown["markings"]["origin_agency"] == "FGR" and shown["statements"]
    code, out, _ = run(capsys, "--lang", "es", "quarantine", "--node", str(node))
    assert "people.jsonl:2" in out and "JSON válido" in out
    code, out, _ = run(capsys, "node", "info", "--node", str(node), "--json")
    assert json.loads(out)["entities"] == 1


@pytest.mark.parametrize(
    ("args", "spanish"),
    [
        (["search", "x"], "Indique qué nodo usar"),
        (["search", "x", "--node", "/nonexistent"], "no es un nodo de Paridad"),
        (["node", "init", "/tmp/x", "--country", "CA", "--agency", "RCMP"], "no es uno de"),
        (["bogus"], "No existe el comando"),
        (["ingest", "--node", "/tmp"], "Falta un argumento"),
    ],
)
def test_errors_are_translated(
    capsys: pytest.CaptureFixture[str], args: list[str], spanish: str
) -> None:
    code, out, err = run(capsys, "--lang", "es", *args)
    assert code != 0
    assert spanish in err + out


def test_bad_files_give_clear_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    node = tmp_path / "us"
    run(capsys, "node", "init", str(node), "--country", "US", "--agency", "ATF")
    bad_mapping = tmp_path / "m.yml"
    bad_mapping.write_text("dataset: x\nentities: [1, 2\n", encoding="utf-8")
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, _, err = run(
        capsys,
        "--lang",
        "es",
        "ingest",
        str(csv_path),
        "--node",
        str(node),
        "--mapping",
        str(bad_mapping),
    )
    assert code == 2 and "No se puede leer el archivo de mapeo" in err
    code, _, err = run(capsys, "--lang", "en", "ingest", str(csv_path), "--node", str(node))
    assert code == 2 and "needs a mapping file" in err
