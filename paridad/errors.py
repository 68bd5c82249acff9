"""Errors that reach users carry an English message id and parameters, never a final string,
so the same error can be shown in Spanish to one user and in English to another, and stored
(for example in the ingest quarantine) in a form that can be rendered later in either."""

from __future__ import annotations

from typing import Any

from paridad.i18n import Lang, get_lang, translate


def render_message(msgid: str, params: dict[str, Any], lang: Lang | None = None) -> str:
    """Translate a stored message; a ``type`` parameter names an FtM property type, shown
    with FtM's own (translated) label, so "date" reads "fecha" in Spanish."""
    lang = lang or get_lang()
    if "type" in params:
        from followthemoney.types import registry

        type_ = registry.get(str(params["type"]))
        if type_ is not None:
            from paridad.model.labels import type_label

            params = {**params, "type": type_label(type_, lang).lower()}
    return translate(msgid, lang, **params)


def first_line(exc: BaseException) -> str:
    """A library's error in one line (a JVM's or a parser's message runs on for pages)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else repr(exc)


class ParidadError(Exception):
    """Base error with a translatable message."""

    def __init__(self, msgid: str, **params: Any) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(translate(msgid, "en", **params))

    def localized(self, lang: Lang | None = None) -> str:
        return render_message(self.msgid, self.params, lang)

    def as_record(self) -> dict[str, Any]:
        """A JSON-safe form that can be stored and translated later."""
        return {"msgid": self.msgid, "params": {k: str(v) for k, v in self.params.items()}}


class InvalidMarkings(ParidadError):
    """Markings that do not validate: the entity cannot be stored or released."""


class InvalidRecord(ParidadError):
    """A source row that cannot become entities; it goes to the quarantine."""


class InvalidMapping(ParidadError):
    """A mapping file that cannot be used; nothing from its source is loaded."""


class StoreError(ParidadError):
    """The node's store cannot be opened or used as asked."""


class NodeError(ParidadError):
    """A node directory that is missing, incomplete or already initialised."""
