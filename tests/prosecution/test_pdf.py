"""The bilingual PDF: both languages, the case's evidence, and nothing that was withheld."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from paridad.i18n import translate
from paridad.prosecution import export_package
from paridad.prosecution.pdf import L_CUSTODY, SECTION_TITLES, TITLE
from paridad.prosecution.signing import PACKAGE_PDF
from tests.exchange.conftest import Pair
from tests.prosecution.conftest import (
    CASE_NUMBER,
    DEALER_NAME,
    PURCHASER_NAME,
    grant_judicial_consent,
)


def pdf_text(folder: Path) -> str:
    reader = PdfReader(io.BytesIO((folder / PACKAGE_PDF).read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_pdf_is_bilingual_and_leaves_out_the_withheld_purchaser(
    case_pair: Pair, tmp_path: Path
) -> None:
    export_package(case_pair.mx.ex, CASE_NUMBER, tmp_path / "a")
    text = pdf_text(tmp_path / "a")
    for msgid in (TITLE, SECTION_TITLES["traces"], L_CUSTODY):
        assert translate(msgid, "en") in text and translate(msgid, "es") in text
    assert DEALER_NAME in text and "mx-trace-1" in text and "Reynosa" in text
    assert "us-person-1" in text and "no-judicial-consent" in text  # by reference and code
    assert "Quintanilla" not in text and "Zacar" not in text
    assert case_pair.mx.ex.identity.signing_fingerprint in text


def test_pdf_shows_the_purchaser_once_consent_is_on_record(case_pair: Pair, tmp_path: Path) -> None:
    grant_judicial_consent(case_pair, ["us-person-1"])
    export_package(case_pair.mx.ex, CASE_NUMBER, tmp_path / "b")
    text = pdf_text(tmp_path / "b")
    assert PURCHASER_NAME in text and "no-judicial-consent" not in text
