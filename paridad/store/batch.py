"""The write path both backends share: batch, merge, then hand rows to the backend.

Records for the same entity (several rows of a CSV naming one purchaser, or a second source
about the same person) are merged before they reach the database: statements accumulate,
the schema becomes the most specific common one, and the markings the most restrictive of
both (see :meth:`Markings.combine`). Backends only implement the reads and bulk writes.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from paridad.model.markings import Markings
from paridad.store.base import (
    EntityRecord,
    IngestRun,
    QuarantinedRecord,
    StatementRow,
    Writer,
    markings_json,
    merge_schema,
)
from paridad.store.indexing import index_text

EntityRow = tuple[str, str, str, str, str, str, str, str, str, str, str]
SearchRow = tuple[int, str, str, str, str]


def search_rowid(entity_id: str, dataset: str) -> int:
    """A stable 60-bit row id per (entity, source), so re-indexing replaces, never duplicates."""
    return int(hashlib.sha1(f"{entity_id}\x00{dataset}".encode()).hexdigest()[:15], 16)


class BatchWriter(Writer):
    """Buffers records and writes them on a background thread, in order.

    The database drivers release the GIL while SQL runs, so validating the next batch in the
    caller's thread overlaps with writing the previous one. All database work of a writer
    (reads for merging, writes, quarantine, the run record) goes through one ordered queue on
    one thread; an error there is raised in the caller at the next call and rolls back.
    """

    batch_statements = 20_000

    def __init__(self) -> None:
        self._pending: dict[str, EntityRecord] = {}
        self._pending_statements = 0
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=2)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _submit(self, job: Callable[[], None]) -> None:
        self._raise_pending()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="paridad-writer", daemon=True)
            self._thread.start()
        self._jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    job()
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
            finally:
                self._jobs.task_done()

    def _drain(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _raise_pending(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # --- what a backend provides -------------------------------------------------------
    @abstractmethod
    def _existing(self, ids: Sequence[str]) -> dict[str, tuple[str, str, Markings, str]]:
        """(schema, caption, markings, first_seen) of the ids already stored."""

    @abstractmethod
    def _write(
        self,
        entities: list[EntityRow],
        statements: list[StatementRow],
        search: list[SearchRow],
    ) -> None: ...

    @abstractmethod
    def _write_quarantine(self, rows: list[tuple[Any, ...]]) -> None: ...

    @abstractmethod
    def _write_run(self, run: IngestRun) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    # --- the shared logic ----------------------------------------------------------------
    def put(self, record: EntityRecord) -> None:
        current = self._pending.get(record.id)
        if current is None:
            self._pending[record.id] = record
        else:
            current.rows.extend(record.rows)
            current.schema = merge_schema(current.schema, record.schema)
            current.markings = current.markings.combine(record.markings)
            current.caption = current.caption or record.caption
        self._pending_statements += len(record.rows)
        if self._pending_statements >= self.batch_statements:
            self.flush()

    def quarantine(self, record: QuarantinedRecord) -> None:
        row = _quarantine_row(record)
        self._submit(lambda: self._write_quarantine([row]))

    def finish_run(self, run: IngestRun) -> None:
        self.flush()
        self._submit(lambda: self._write_run(run))

    def flush(self) -> None:
        if not self._pending:
            return
        records = list(self._pending.values())
        self._pending = {}
        self._pending_statements = 0
        self._submit(lambda: self._flush_records(records))

    def _flush_records(self, records: list[EntityRecord]) -> None:
        existing = self._existing([r.id for r in records])
        entities: list[EntityRow] = []
        statements: list[StatementRow] = []
        search: list[SearchRow] = []
        for record in records:
            rows = _dedupe(record.rows)
            first_seen = min(r[10] for r in rows) if rows else ""
            last_seen = max(r[11] for r in rows) if rows else ""
            schema, caption, markings = record.schema, record.caption, record.markings
            prior = existing.get(record.id)
            if prior is not None:
                schema = merge_schema(prior[0], schema)
                caption = prior[1] or caption
                markings = prior[2].combine(markings)
                first_seen = min(prior[3], first_seen) if prior[3] else first_seen
            m = markings
            entities.append(
                (
                    record.id,
                    schema,
                    caption[:1000],
                    m.origin_country,
                    m.origin_agency,
                    m.handling,
                    m.tlp,
                    m.retain_until.isoformat(),
                    markings_json(m),
                    first_seen,
                    last_seen,
                )
            )
            statements.extend(rows)
            datasets = {r[8] for r in rows}
            for dataset in sorted(datasets):
                ds_rows = rows if len(datasets) == 1 else [r for r in rows if r[8] == dataset]
                text = index_text(ds_rows)
                if text:
                    search.append(
                        (search_rowid(record.id, dataset), record.id, dataset, schema, text)
                    )
        self._write(entities, statements, search)

    def commit(self) -> None:
        try:
            self.flush()
            self._drain()
            self._raise_pending()
        except BaseException:
            self.rollback()
            raise
        self._commit()

    def rollback(self) -> None:
        self._pending = {}
        self._pending_statements = 0
        self._drain()
        self._error = None
        self._rollback()


def _dedupe(rows: list[StatementRow]) -> list[StatementRow]:
    """One row per statement id, spanning the earliest first_seen and latest last_seen."""
    out: dict[str, StatementRow] = {}
    for row in rows:
        prior = out.get(row[0])
        if prior is None:
            out[row[0]] = row
        elif row[10] < prior[10] or row[11] > prior[11]:
            out[row[0]] = (*prior[:10], min(prior[10], row[10]), max(prior[11], row[11]))
    return list(out.values()) if len(out) != len(rows) else rows


def _quarantine_row(record: QuarantinedRecord) -> tuple[Any, ...]:
    import orjson

    raw = record.record if isinstance(record.record, str) else orjson.dumps(record.record).decode()
    return (
        record.key,
        record.dataset,
        record.source,
        record.line,
        raw,
        record.msgid,
        orjson.dumps(record.params).decode(),
        record.created_at,
    )
