"""The write path both backends share: batch, merge, then write in a writer process.

Records for the same entity (several rows of a CSV naming one purchaser, or a second source
about the same person) are merged before they reach the database: statements accumulate,
the schema becomes the most specific common one, and the markings the most restrictive of
both (see :meth:`Markings.combine`).

Why a process: validating records is pure Python, and so is most of what a database driver
does per row (binding parameters). Two threads would fight over the GIL; two processes use
both cores. The caller validates and prepares batches; a writer process owns the
transaction, merges with what is stored and runs the SQL. It commits only when told to: if
the caller dies (even by SIGKILL) the writer sees its pipe close and rolls back.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, NamedTuple

from paridad.errors import StoreError
from paridad.i18n import N_
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
Existing = dict[str, tuple[str, str, Markings, str]]

MSG_WRITE_FAILED = N_("Writing to the store failed; nothing was saved: {reason}")


def search_rowid(entity_id: str, dataset: str) -> int:
    """A stable 60-bit row id per (entity, source), so re-indexing replaces, never duplicates."""
    return int(hashlib.sha1(f"{entity_id}\x00{dataset}".encode()).hexdigest()[:15], 16)


class Sink(ABC):
    """A backend's side of a write transaction: in the writer process for bulk loads, and in
    :class:`~paridad.store.database.Database` for small mixed transactions."""

    conn: Any  # the backend's DB-API connection, which the transaction runs on

    @abstractmethod
    def begin(self) -> None: ...

    @abstractmethod
    def existing(self, ids: Sequence[str]) -> Existing:
        """(schema, caption, markings, first_seen) of the ids already stored."""

    @abstractmethod
    def write(
        self, entities: list[EntityRow], statements: list[StatementRow], search: list[SearchRow]
    ) -> None: ...

    @abstractmethod
    def write_quarantine(self, rows: list[tuple[Any, ...]]) -> None: ...

    @abstractmethod
    def write_run(self, run: IngestRun) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...


class BatchWriter(Writer):
    """Buffers records, prepares them in batches and streams them to the writer process."""

    batch_statements = 20_000

    def __init__(self, make_sink: Callable[[], Sink]) -> None:
        self._pending: dict[str, EntityRecord] = {}
        self._pending_statements = 0
        self._quarantine: list[tuple[Any, ...]] = []
        ctx = _writer_context()
        self._conn, child = ctx.Pipe()
        # A forked child holds a copy of the caller's end of the pipe: it must close it.
        inherited = self._conn if ctx.get_start_method() == "fork" else None
        self._process = ctx.Process(
            target=_serve, args=(make_sink, child, inherited), name="paridad-writer", daemon=True
        )
        self._process.start()
        child.close()
        self._open = True
        self._expect("ready")

    # --- talking to the writer process -----------------------------------------------------
    def _send(self, message: tuple[Any, ...]) -> None:
        if self._conn.poll():
            self._expect("never")  # an early error from the writer: raise it now
        try:
            self._conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            self._open = False
            raise StoreError(MSG_WRITE_FAILED, reason="writer process ended") from None

    def _expect(self, kind: str) -> None:
        try:
            reply = self._conn.recv()
        except (EOFError, ConnectionResetError):
            self._finish_process()
            raise StoreError(MSG_WRITE_FAILED, reason="writer process ended") from None
        if reply[0] == "error":
            self._finish_process()
            raise StoreError(MSG_WRITE_FAILED, reason=reply[1])
        if reply[0] != kind:
            raise StoreError(MSG_WRITE_FAILED, reason=f"unexpected reply {reply[0]!r}")

    def _finish_process(self) -> None:
        self._open = False
        self._conn.close()
        self._process.join(timeout=60)

    # --- the Writer interface ------------------------------------------------------------
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
        self._quarantine.append(_quarantine_row(record))
        if len(self._quarantine) >= 1000:
            self._send(("quarantine", self._quarantine))
            self._quarantine = []

    def finish_run(self, run: IngestRun) -> None:
        self.flush()
        self._send(("run", run))

    def flush(self) -> None:
        """Prepare pending records here (dedupe statements, build search text) and send them."""
        if self._quarantine:
            self._send(("quarantine", self._quarantine))
            self._quarantine = []
        if not self._pending:
            return
        # Sorted by entity, then statement id: the order of the statements table's key, so the
        # database appends to its B-tree instead of splitting pages all over it.
        prepared = [_prepare(self._pending[key]) for key in sorted(self._pending)]
        self._pending = {}
        self._pending_statements = 0
        self._send(("batch", prepared))

    def commit(self) -> None:
        if not self._open:
            return
        try:
            self.flush()
            self._send(("commit",))
            self._expect("ok")
        except BaseException:
            self.rollback()
            raise
        self._finish_process()

    def rollback(self) -> None:
        self._pending = {}
        self._pending_statements = 0
        self._quarantine = []
        if not self._open:
            return
        try:
            self._conn.send(("rollback",))
            self._expect("ok")
        except (StoreError, BrokenPipeError, ConnectionResetError, EOFError):
            pass
        finally:
            if self._open:
                self._finish_process()


def _writer_context() -> mp.context.ForkContext | mp.context.ForkServerContext:
    """How to start a writer: fork while the caller runs one thread, else a fork server.

    Forking starts in milliseconds, but is unsafe once the caller runs other threads (a
    server's, DuckDB's, a thread pool's): a lock one of them held at the fork stays held in
    the child forever. A fork server is a clean process that imported the stores once (its
    first start costs most of a second); it shares none of the caller's file descriptors,
    so the caller's death still reads in the writer as the end of the pipe.
    """
    if _native_threads() == 1:
        return mp.get_context("fork")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["paridad.store.sqlite", "paridad.store.postgres"])
    return ctx


def _native_threads() -> int:
    """Threads of this process, native ones included (DuckDB's are not Python threads)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # no /proc: count only what Python knows, and do not fork
        return threading.active_count() + 1


def _serve(make_sink: Callable[[], Sink], conn: Connection, caller_end: Connection | None) -> None:
    """The writer process: apply messages in order inside one transaction."""
    if caller_end is not None:
        # Forked: the caller's end of the pipe was copied too; close it, or the caller's
        # death would never show up here as the end of the pipe.
        caller_end.close()
    try:
        sink = make_sink()
        sink.begin()
    except BaseException as exc:
        conn.send(("error", _describe(exc)))
        os._exit(1)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, ConnectionResetError, OSError):
            # The caller is gone (crashed or killed): nothing of this transaction survives.
            _quietly(sink.rollback)
            os._exit(0)
        kind = message[0]
        try:
            if kind == "batch":
                _write_prepared(sink, message[1])
            elif kind == "quarantine":
                sink.write_quarantine(message[1])
            elif kind == "run":
                sink.write_run(message[1])
            elif kind == "commit":
                sink.commit()
                conn.send(("ok",))
                os._exit(0)
            elif kind == "rollback":
                sink.rollback()
                conn.send(("ok",))
                os._exit(0)
        except BaseException as exc:
            reason = _describe(exc)
            _quietly(sink.rollback)
            _quietly(partial(conn.send, ("error", reason)))
            os._exit(1)


def _describe(exc: BaseException) -> str:
    if hasattr(exc, "localized"):
        return str(exc.localized())
    return f"{type(exc).__name__}: {exc}".strip()


def _quietly(fn: Callable[[], Any]) -> None:
    """Best effort while the writer process is going away anyway."""
    with contextlib.suppress(BaseException):
        fn()


def _write_prepared(sink: Sink, prepared: list[_Prepared]) -> None:
    """Merge with what is stored (only this process reads inside the transaction, so it sees
    every earlier batch) and write the rows. Entities seen for the first time, the common case
    in a bulk load, are written exactly as prepared."""
    existing = sink.existing([p.entity[0] for p in prepared])
    entities: list[EntityRow] = []
    statements: list[StatementRow] = []
    search: list[SearchRow] = []
    for p in prepared:
        statements.extend(p.rows)
        prior = existing.get(p.entity[0])
        if prior is None:
            entities.append(p.entity)
            search.extend(p.search)
            continue
        schema = merge_schema(prior[0], p.entity[1])
        caption = prior[1] or p.entity[2]
        first_seen = min(prior[3], p.entity[9]) if prior[3] else p.entity[9]
        entities.append(
            _entity_row(
                p.entity[0], schema, caption, prior[2].combine(p.markings), first_seen, p.entity[10]
            )
        )
        search.extend((rowid, eid, ds, schema, text) for rowid, eid, ds, _, text in p.search)
    sink.write(entities, statements, search)


def _entity_row(
    entity_id: str, schema: str, caption: str, m: Markings, first_seen: str, last_seen: str
) -> EntityRow:
    return (
        entity_id,
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


class _Prepared(NamedTuple):
    """One entity ready to write: its row as if new, its statements and search rows; the
    markings travel too, for the merge when the entity turns out to be stored already."""

    entity: EntityRow
    markings: Markings
    rows: list[StatementRow]
    search: list[SearchRow]


def _prepare(record: EntityRecord) -> _Prepared:
    rows = sorted(_dedupe(record.rows))
    search: list[SearchRow] = []
    datasets = {r[8] for r in rows}
    for dataset in sorted(datasets):
        ds_rows = rows if len(datasets) == 1 else [r for r in rows if r[8] == dataset]
        text = index_text(ds_rows)
        if text:
            search.append(
                (search_rowid(record.id, dataset), record.id, dataset, record.schema, text)
            )
    first_seen = min(r[10] for r in rows) if rows else ""
    last_seen = max(r[11] for r in rows) if rows else ""
    entity = _entity_row(
        record.id, record.schema, record.caption, record.markings, first_seen, last_seen
    )
    return _Prepared(entity, record.markings, rows, search)


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
