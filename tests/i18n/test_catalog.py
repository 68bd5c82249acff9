"""Every user-facing string exists in Spanish, with the same placeholders as in English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from paridad.i18n import LOCALE_DIR, catalog_ids, detect_lang, parse_lang, translate

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rsa])?\}")


def _extracted() -> set[str]:
    sys.path.insert(0, str(ROOT / "scripts"))
    from update_messages import extracted

    return set(extracted())


def test_every_marked_string_has_a_spanish_translation() -> None:
    missing = _extracted() - catalog_ids("es")
    assert not missing, f"untranslated (run 'make messages' and translate): {sorted(missing)}"


def test_placeholders_match() -> None:
    for name in ("paridad.po", "click.po"):
        with (LOCALE_DIR / "es" / "LC_MESSAGES" / name).open("rb") as fh:
            catalog = read_po(fh)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for msgid, msgstr in zip(ids, strings, strict=False):
                assert isinstance(msgid, str) and isinstance(msgstr, str)
                assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), (
                    name,
                    msgid,
                    msgstr,
                )


def test_translate_fills_parameters_in_both_languages() -> None:
    msgid = "No such file: {path}"
    assert translate(msgid, "en", path="a.csv") == "No such file: a.csv"
    assert translate(msgid, "es", path="a.csv") == "No existe el archivo: a.csv"


def test_language_detection(monkeypatch: object) -> None:
    assert parse_lang("es_MX.UTF-8") == "es"
    assert parse_lang("en-US") == "en"
    assert parse_lang("fr_FR") is None
    assert detect_lang("es") == "es"


def test_the_catalogue_is_current() -> None:
    """``make messages`` would not change the file: no stale or unsorted entries."""
    po = LOCALE_DIR / "es" / "LC_MESSAGES" / "paridad.po"
    with po.open("rb") as fh:
        ids = {m.id for m in read_po(fh) if m.id}
    assert ids == _extracted()
    assert subprocess.run([sys.executable, "-c", "import paridad"], check=False).returncode == 0
