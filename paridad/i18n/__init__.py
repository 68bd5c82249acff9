"""Bilingual text for every user-facing string: Spanish (es-MX) and English (en-US).

Source strings are English and marked with ``_()`` (translate now) or ``N_()`` (translate
when shown). The Spanish catalogue is a gettext PO file read with Babel, so translators work
with the tools they know; a test fails when a marked string has no Spanish translation.
The language is a context variable, so a server can answer two users in two languages.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal

from babel import Locale
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

Lang = Literal["es", "en"]
LANGS: tuple[Lang, ...] = ("es", "en")
LOCALES: dict[Lang, str] = {"es": "es_MX", "en": "en_US"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "paridad"

_current: ContextVar[Lang] = ContextVar("paridad_lang", default="en")


def parse_lang(value: str | None) -> Lang | None:
    """Map ``es``, ``es_MX``, ``es-MX.UTF-8``, ``en_US``… to a supported language."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    for lang in LANGS:
        if head == lang:
            return lang
    return None


def detect_lang(explicit: str | None = None) -> Lang:
    """The language to speak: ``--lang``, then ``PARIDAD_LANG``, then the POSIX locale."""
    for candidate in (
        explicit,
        os.environ.get("PARIDAD_LANG"),
        os.environ.get("LC_ALL"),
        os.environ.get("LC_MESSAGES"),
        os.environ.get("LANG"),
    ):
        lang = parse_lang(candidate)
        if lang is not None:
            return lang
    return "en"


def set_lang(lang: Lang) -> None:
    """Switch the language of this context (thread, task or request)."""
    _current.set(lang)
    # FollowTheMoney translates its own schema labels with gettext; keep it in step.
    from followthemoney.util import set_model_locale

    set_model_locale(Locale.parse(LOCALES[lang]))


def get_lang() -> Lang:
    return _current.get()


@cache
def _catalog(lang: Lang) -> dict[str, str]:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=LOCALES[lang])
    out: dict[str, str] = {}
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
            out[message.id] = str(message.string)
    return out


def translate(msgid: str, lang: Lang | None = None, **params: object) -> str:
    """Translate ``msgid`` into ``lang`` (default: the current language) and fill ``{params}``."""
    text = _catalog(lang or get_lang()).get(msgid, msgid)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return msgid.format(**params)
    return text


def _(msgid: str, **params: object) -> str:
    """Translate now, into the current language."""
    return translate(msgid, None, **params)


def N_(msgid: str) -> str:
    """Mark a string for translation without translating it yet (module-level constants)."""
    return msgid


def catalog_ids(lang: Lang) -> set[str]:
    """The message ids that have a translation in ``lang`` (used by the completeness test)."""
    return set(_catalog(lang))


def format_number(value: float | int, lang: Lang | None = None, digits: int = 0) -> str:
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=LOCALES[lang or get_lang()])


def format_date(value: date | datetime, lang: Lang | None = None) -> str:
    locale = LOCALES[lang or get_lang()]
    if isinstance(value, datetime):
        return _babel_format_datetime(value, format="medium", locale=locale)
    return _babel_format_date(value, format="long", locale=locale)
