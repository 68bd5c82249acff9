"""What the two SQL backends share: the read side of the store, in one dialect-neutral form.

Queries are written once with ``?`` placeholders; a backend only says how to run one
(:meth:`SQLStore._rows`). Search and bulk writing differ by engine and stay in each backend.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, cast

import orjson

from paridad.store.base import (
    STATEMENT_COLUMNS,
    EntityRecord,
    IngestRun,
    QuarantinedRecord,
    StatementRow,
    Store,
    markings_from_json,
)

_ENTITY = "SELECT id, schema, caption, markings FROM entities"
_RUN = (
    "SELECT dataset, source, digest, started_at, finished_at, entities, statements, quarantined"
    " FROM ingest_runs"
)
_QUARANTINE = "SELECT dataset, source, line, record, msgid, params, created_at FROM quarantine"


class SQLStore(Store):
    @abstractmethod
    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query written with ``?`` placeholders and return all its rows."""

    def _record(self, row: Sequence[Any]) -> EntityRecord:
        entity_id, schema, caption, markings = row
        rows = self._rows(
            f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE entity_id = ? ORDER BY prop, value",
            (entity_id,),
        )
        return EntityRecord(
            id=entity_id,
            schema=schema,
            caption=caption,
            markings=markings_from_json(markings),
            rows=cast(list[StatementRow], rows),
        )

    def get(self, entity_id: str) -> EntityRecord | None:
        found = self._rows(f"{_ENTITY} WHERE id = ?", (entity_id,))
        return self._record(found[0]) if found else None

    def iter_entities(self, schema: str | None = None) -> Iterator[EntityRecord]:
        if schema is None:
            rows = self._rows(f"{_ENTITY} ORDER BY id")
        else:
            rows = self._rows(f"{_ENTITY} WHERE schema = ? ORDER BY id", (schema,))
        for row in rows:
            yield self._record(row)

    def counts(self) -> dict[str, int]:
        rows = self._rows("SELECT schema, COUNT(*) FROM entities GROUP BY schema ORDER BY schema")
        return {schema: int(count) for schema, count in rows}

    def statement_count(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM statements")[0][0])

    def quarantined(self, dataset: str | None = None) -> list[QuarantinedRecord]:
        if dataset is None:
            rows = self._rows(f"{_QUARANTINE} ORDER BY source, line")
        else:
            rows = self._rows(f"{_QUARANTINE} WHERE dataset = ? ORDER BY source, line", (dataset,))
        return [_quarantined(row) for row in rows]

    def find_run(self, dataset: str, digest: str) -> IngestRun | None:
        found = self._rows(f"{_RUN} WHERE dataset = ? AND digest = ?", (dataset, digest))
        return IngestRun(*found[0]) if found else None

    def runs(self) -> list[IngestRun]:
        return [IngestRun(*row) for row in self._rows(f"{_RUN} ORDER BY started_at, dataset")]

    def check(self) -> list[str]:
        problems: list[str] = []
        orphans = self._rows(
            "SELECT COUNT(*) FROM statements s LEFT JOIN entities e ON e.id = s.entity_id"
            " WHERE e.id IS NULL"
        )[0][0]
        if orphans:
            problems.append(f"{orphans} statements without an entity")
        empty = self._rows(
            "SELECT COUNT(*) FROM entities e WHERE NOT EXISTS"
            " (SELECT 1 FROM statements s WHERE s.entity_id = e.id)"
        )[0][0]
        if empty:
            problems.append(f"{empty} entities without statements")
        return problems


def _quarantined(row: Sequence[Any]) -> QuarantinedRecord:
    dataset, source, line, record, msgid, params, created_at = row
    try:
        parsed: Any = orjson.loads(record)
    except orjson.JSONDecodeError:
        parsed = record
    if not isinstance(parsed, dict):
        parsed = record
    return QuarantinedRecord(
        dataset, source, int(line), parsed, msgid, orjson.loads(params), created_at
    )
