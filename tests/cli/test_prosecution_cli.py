"""``paridad package build`` and ``paridad package verify`` as a prosecutor and a court run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paridad.prosecution.signing import PACKAGE_PDF
from tests.cli.run import run
from tests.exchange.conftest import Pair
from tests.prosecution.conftest import CASE_NUMBER, case_pair, pair_nodes

__all__ = ["case_pair", "pair_nodes"]


def test_build_then_verify(
    case_pair: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "expediente"
    node = str(case_pair.mx.node.path)
    code, text, _ = run(capsys, "package", "build", "--node", node, "--case", CASE_NUMBER,
                        "--out", str(out), "--json")  # fmt: skip
    assert code == 0
    built = json.loads(text)
    assert built["withheld"] == [{"id": "us-person-1", "code": "no-judicial-consent"}]
    assert {Path(f).name for f in built["files"]} >= {"package.json", PACKAGE_PDF}
    fingerprint = case_pair.mx.ex.identity.signing_fingerprint
    code, text, _ = run(capsys, "--lang", "en", "package", "verify", str(out),
                        "--fingerprint", fingerprint)  # fmt: skip
    assert code == 0 and "verifies" in text and built["package"] in text
    code, text, _ = run(capsys, "package", "verify", str(out), "--json")
    assert code == 0 and json.loads(text)["ok"] is True
    pdf = out / PACKAGE_PDF
    pdf.write_bytes(pdf.read_bytes() + b"%")
    code, text, _ = run(capsys, "--lang", "en", "package", "verify", str(out))
    assert code == 1 and "package.pdf" in text and "NOT verify" in text


def test_unknown_case_fails_with_a_clear_error(
    case_pair: Pair, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    node = str(case_pair.mx.node.path)
    code, _, err = run(capsys, "--lang", "en", "package", "build", "--node", node,
                       "--case", "NOPE-9", "--out", str(tmp_path / "x"))  # fmt: skip
    assert code == 2 and "NOPE-9" in err and "no case" in err
    assert not (tmp_path / "x").exists()


def test_help_names_the_group_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(capsys, "--lang", "en", "package", "--help")
    assert code == 0 and "build" in text and "verify" in text and "Prosecution" in text
