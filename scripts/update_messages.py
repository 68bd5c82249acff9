"""Refresh the Spanish catalogue from the source: ``make messages``.

Extracts every string marked with ``_``, ``N_`` or ``translate`` and merges them into
``paridad/i18n/locale/es/LC_MESSAGES/paridad.po``, keeping existing translations; new strings
arrive empty, and the test suite fails until a translator fills them in.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "paridad" / "i18n" / "locale" / "es" / "LC_MESSAGES" / "paridad.po"
KEYWORDS = {"_": None, "N_": None, "translate": (1,)}


def extracted() -> list[str]:
    ids: dict[str, None] = {}
    method_map = [("paridad/**.py", "python")]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS
    ):
        if isinstance(message, str) and message:
            ids[message] = None
    return list(ids)


def main() -> int:
    old: dict[str, str] = {}
    if PO.exists():
        with PO.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and isinstance(msg.id, str):
                    old[msg.id] = str(msg.string or "")
    # Fixed header dates keep the file stable when nothing but translations changes.
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(
        locale="es_MX",
        project="paridad",
        version="1",
        charset="utf-8",
        copyright_holder="Paridad contributors",
        msgid_bugs_address="",
        creation_date=stamp,
        revision_date=stamp,
        fuzzy=False,
        last_translator="Paridad contributors",
        language_team="es-MX",
    )
    missing = 0
    for msgid in extracted():
        string = old.get(msgid, "")
        missing += not string
        catalog.add(msgid, string)
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, no_location=True)
    print(f"{PO.relative_to(ROOT)}: {len(catalog)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
