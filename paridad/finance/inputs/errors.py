"""The errors a finance input can raise, in one place so every loader words them alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paridad.errors import ParidadError, render_message
from paridad.i18n import N_, Lang

MSG_UNREADABLE = N_("The file {path} cannot be read: {reason}")
MSG_MISSING_COLUMN = N_(
    "The file {path} has no column for {field} (its columns: {columns}); add it or map one "
    "with --map COLUMN={field}."
)
MSG_UNKNOWN_FIELD = N_("--map {column}={field}: {field} is not a field; the fields are: {fields}.")
MSG_MAPPED_COLUMN_ABSENT = N_("--map {column}={field}: the file {path} has no column {column}.")
MSG_BAD_MAP = N_("--map takes COLUMN=FIELD, not '{text}'.")
MSG_BAD_TIMESTAMP = N_("'{value}' is not a date and time (ISO 8601, dd/mm/yyyy or epoch seconds).")
MSG_BAD_AMOUNT = N_("'{value}' is not a positive amount.")
MSG_UNKNOWN_CURRENCY = N_("Currency '{value}' has no rate; add it to the rates file (--rates).")
MSG_NO_ACCOUNT = N_("The row names neither a paying nor a receiving account.")
MSG_EMPTY_ID = N_("The row has no {field}.")
MSG_BAD_ABA = N_(
    "'{value}' is not an ABA routing number (nine digits with a valid check digit); the "
    "account is kept without it."
)
MSG_BAD_RATES = N_("The rates file {path} is not valid: {reason}")


class InvalidFinanceInput(ParidadError):
    """A finance file that cannot be loaded at all; nothing from it is used."""


@dataclass(frozen=True)
class RowError:
    """One rejected row: where it is, which field, and why (translatable)."""

    line: int
    field: str
    msgid: str
    params: dict[str, Any]

    def message(self, lang: Lang | None = None) -> str:
        return render_message(self.msgid, self.params, lang)
