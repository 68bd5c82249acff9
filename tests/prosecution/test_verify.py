"""Verifying a package from its folder: it passes as written, and every tampering shows."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from paridad.canonical_json import canonical
from paridad.i18n import translate
from paridad.prosecution import export_package
from paridad.prosecution.pdf_signature import (
    MSG_PDF_OTHER_KEY,
    MSG_PDF_UNSIGNED,
    pdf_signature_problem,
)
from paridad.prosecution.signing import (
    MANIFEST,
    MANIFEST_SIG,
    PACKAGE_JSON,
    PACKAGE_PDF,
    PACKAGE_SIG,
    PackageError,
    manifest,
    sign_bytes,
)
from paridad.prosecution.verify import MSG_PROOF, verify_package
from tests.exchange.conftest import Pair
from tests.prosecution.conftest import CASE_NUMBER, DEALER_NAME


@pytest.fixture
def folder(case_pair: Pair, tmp_path: Path) -> Path:
    out = tmp_path / "expediente"
    export_package(case_pair.mx.ex, CASE_NUMBER, out)
    return out


def codes(folder: Path, fingerprint: str | None = None) -> set[str]:
    return {p.code for p in verify_package(folder, fingerprint).problems}


def resign(case_pair: Pair, folder: Path, package: dict[str, Any]) -> None:
    """Rewrite the package and sign it again with the node's own key (a forging node)."""
    identity = case_pair.mx.ex.identity
    data = canonical(package)
    pdf = (folder / PACKAGE_PDF).read_bytes()
    (folder / PACKAGE_JSON).write_bytes(data)
    (folder / PACKAGE_SIG).write_text(sign_bytes(identity, data))
    listed = canonical(manifest(package, data, pdf))
    (folder / MANIFEST).write_bytes(listed)
    (folder / MANIFEST_SIG).write_text(sign_bytes(identity, listed))


def test_a_package_as_written_verifies(case_pair: Pair, folder: Path) -> None:
    report = verify_package(folder, case_pair.mx.ex.identity.signing_fingerprint)
    assert report.ok, [p.localized() for p in report.problems]
    assert report.proofs >= 2 and report.items > 5 and report.withheld == 1
    assert report.fingerprint == case_pair.mx.ex.identity.signing_fingerprint


def test_a_changed_json_value_is_detected(folder: Path) -> None:
    path = folder / PACKAGE_JSON
    path.write_bytes(path.read_bytes().replace(DEALER_NAME.encode(), b"Lone Star Gunz"))
    assert {"file-changed", "package-signature", "content"} <= codes(folder)


def test_a_changed_pdf_byte_is_detected(folder: Path) -> None:
    path = folder / PACKAGE_PDF
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify_package(folder)
    # Both the manifest's hash and the signature inside the PDF catch it.
    assert [p.code for p in report.problems] == ["file-changed", "pdf-signature"]
    assert report.problems[0].params == {"file": PACKAGE_PDF}


def test_the_pdf_carries_its_own_signature_by_the_node_key(folder: Path) -> None:
    """A PDF that travels alone is still signed: PAdES, by the key the manifest names."""
    pdf = (folder / PACKAGE_PDF).read_bytes()
    manifest = json.loads((folder / MANIFEST).read_bytes())
    key = base64.b64decode(manifest["signing_key"])
    assert pdf_signature_problem(pdf, key) is None
    assert pdf_signature_problem(pdf, bytes(32)) == MSG_PDF_OTHER_KEY
    unsigned = pdf[: pdf.rindex(b"%%EOF", 0, len(pdf) - 6) + 5]  # the PDF before signing
    assert pdf_signature_problem(unsigned, key) == MSG_PDF_UNSIGNED


def test_a_forged_proof_is_detected_even_when_re_signed(case_pair: Pair, folder: Path) -> None:
    package = json.loads((folder / PACKAGE_JSON).read_bytes())
    entry = package["audit"]["entries"][0]
    entry["proof"][0] = "00" * 32
    resign(case_pair, folder, package)
    report = verify_package(folder)
    assert [p.code for p in report.problems] == ["inclusion-proof"]
    problem = report.problems[0]
    assert problem.msgid == MSG_PROOF and problem.params == {"idx": str(entry["idx"])}
    assert problem.localized("es") == translate(MSG_PROOF, "es", idx=entry["idx"])


def test_content_changed_after_the_build_is_detected_even_when_re_signed(
    case_pair: Pair, folder: Path
) -> None:
    package = json.loads((folder / PACKAGE_JSON).read_bytes())
    package["withheld"] = []  # hide that something was withheld
    resign(case_pair, folder, package)
    assert codes(folder) == {"content"}


def test_an_altered_audit_entry_is_detected(case_pair: Pair, folder: Path) -> None:
    package = json.loads((folder / PACKAGE_JSON).read_bytes())
    package["audit"]["entries"][0]["actor"] = "someone-else"
    resign(case_pair, folder, package)
    assert "leaf" in codes(folder)


def test_another_key_is_caught_by_the_fingerprint_pin(folder: Path) -> None:
    assert codes(folder, "0000 1111 2222") == {"fingerprint"}


def test_a_folder_that_is_not_a_package_is_a_translated_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError) as caught:
        verify_package(tmp_path)
    assert caught.value.params["file"] == MANIFEST
    assert str(tmp_path) in caught.value.localized("es")


def test_a_package_is_never_written_over_another(case_pair: Pair, folder: Path) -> None:
    before = (folder / PACKAGE_JSON).read_bytes()
    with pytest.raises(PackageError):
        export_package(case_pair.mx.ex, CASE_NUMBER, folder)
    assert (folder / PACKAGE_JSON).read_bytes() == before
