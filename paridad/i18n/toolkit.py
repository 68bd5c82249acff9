"""Spanish for the messages of the command-line toolkit (click) itself.

Click translates "Usage:", "Options", its errors and so on with the standard ``gettext``
module, which reads compiled ``.mo`` files. We keep those messages in ``click.po`` next to our
own catalogue, compile it with Babel into a per-user cache the first time, and point
``gettext`` at it, so ``paridad --lang es --help`` is Spanish from the first line to the last.
"""

from __future__ import annotations

import gettext
import hashlib
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from paridad.i18n import LOCALE_DIR, LOCALES, Lang

TOOLKIT_PO = LOCALE_DIR / "es" / "LC_MESSAGES" / "click.po"


def _compiled_dir() -> Path:
    data = TOOLKIT_PO.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    root = Path(tempfile.gettempdir()) / f"paridad-locale-{os.getuid()}-{digest}"
    target = root / "es" / "LC_MESSAGES" / "messages.mo"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with TOOLKIT_PO.open("rb") as fh:
            catalog = read_po(fh, locale=LOCALES["es"])
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as out:
            write_mo(out, catalog)
        tmp.replace(target)
    return root


def install_toolkit_translations(lang: Lang) -> None:
    """Make click speak ``lang`` in this process."""
    if lang == "en":
        os.environ["LANGUAGE"] = "en"
        return
    gettext.bindtextdomain("messages", str(_compiled_dir()))
    gettext.textdomain("messages")
    os.environ["LANGUAGE"] = "es"
