"""A node's store: entities with their statements and markings, search, quarantine.

``open_store()`` picks the backend from a URL: a path or ``sqlite:///path`` for the embedded
default, ``postgresql://…`` for PostgreSQL. The PostgreSQL driver is only imported when used.
"""

from __future__ import annotations

from pathlib import Path

from paridad.store.base import (
    EntityRecord,
    IngestRun,
    QuarantinedRecord,
    SearchHit,
    Store,
    Writer,
)

__all__ = [
    "EntityRecord",
    "IngestRun",
    "QuarantinedRecord",
    "SearchHit",
    "Store",
    "Writer",
    "open_store",
]


def open_store(url: str | Path) -> Store:
    text = str(url)
    if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from paridad.store.postgres import PostgresStore

        return PostgresStore(text)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]
    from paridad.store.sqlite import SQLiteStore

    return SQLiteStore(Path(text))
