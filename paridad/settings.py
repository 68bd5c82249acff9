"""Settings: typed constants read once from the environment, all prefixed ``PARIDAD_``.

Every setting is documented in ``docs/settings.md`` (a test checks it) and validated here,
at start-up, so a typo fails loudly instead of silently falling back.
"""

from __future__ import annotations

import os

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_BAD_INT = N_("Setting {name} must be a whole number between {low} and {high}, not '{value}'.")


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParidadError(MSG_BAD_INT, name=name, low=low, high=high, value=raw) from None
    if not low <= value <= high:
        raise ParidadError(MSG_BAD_INT, name=name, low=low, high=high, value=raw)
    return value


def database_url() -> str | None:
    """``PARIDAD_DATABASE_URL``: use PostgreSQL instead of the node's SQLite file."""
    return os.environ.get("PARIDAD_DATABASE_URL") or None


def ingest_batch() -> int:
    """``PARIDAD_INGEST_BATCH``: statements buffered before a write to the store."""
    return _int("PARIDAD_INGEST_BATCH", 20_000, 1, 10_000_000)


def default_node() -> str | None:
    """``PARIDAD_NODE``: the node directory CLI commands use when ``--node`` is not given."""
    return os.environ.get("PARIDAD_NODE") or None


# Documented names, checked against docs/settings.md by the test suite.
SETTINGS: tuple[str, ...] = (
    "PARIDAD_LANG",
    "PARIDAD_DATABASE_URL",
    "PARIDAD_INGEST_BATCH",
    "PARIDAD_NODE",
    "PARIDAD_TEST_DATABASE_URL",
    "PARIDAD_REQUIRE_SERVICES",
)
