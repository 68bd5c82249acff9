"""One transaction over everything a node keeps: entities, the exchange ledger, the audit log.

Receiving a partner's batch must write its entities, mark the envelope applied and append
the receipt to the audit log *together*, or a crash in between would either lose the batch or
apply it twice. The bulk :class:`~paridad.store.base.Writer` runs in a process of its own;
this is the in-process path for such small, mixed transactions, on the same two backends.

SQL is written once with ``?`` placeholders and portable types (TEXT, BIGINT); each part that
owns tables (:mod:`paridad.exchange.ledger`, :mod:`paridad.audit.log`) declares them with
:meth:`Database.ensure`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paridad.errors import StoreError
from paridad.i18n import N_
from paridad.store.base import EntityRecord
from paridad.store.batch import Sink, _prepare, _write_prepared, search_rowid

MSG_TRANSACTION = N_("The store refused the transaction; nothing was saved: {reason}")


class Tx:
    """The open transaction: plain SQL plus the store's own merge-and-write of entities."""

    def __init__(self, sink: Sink, dialect: str) -> None:
        self._sink = sink
        self.dialect = dialect
        self._conn: Any = sink.conn

    def _sql(self, sql: str) -> str:
        return sql if self.dialect == "sqlite" else sql.replace("?", "%s")

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        cursor = self._conn.execute(self._sql(sql), args)
        return int(cursor.rowcount or 0)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.dialect == "sqlite":
            self._conn.executemany(sql, rows)
        else:
            with self._conn.cursor() as cursor:
                cursor.executemany(self._sql(sql), rows)

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._conn.execute(self._sql(sql), args).fetchall())

    def put_records(self, records: Sequence[EntityRecord]) -> None:
        """Write entities exactly as an ingest would (merged, markings combined, indexed)."""
        if records:
            _write_prepared(self._sink, [_prepare(r) for r in sorted(records, key=_by_id)])

    def purge(self, entity_id: str, dataset: str) -> int:
        """Delete what ``dataset`` said about an entity; the entity goes when nothing is left.

        Returns the number of statements deleted. Used by recalls and retention expiry, which
        must remove a partner's values without touching what the node knew on its own.
        """
        deleted = self.execute(
            "DELETE FROM statements WHERE entity_id = ? AND dataset = ?", (entity_id, dataset)
        )
        self.execute("DELETE FROM search WHERE rowid = ?", (search_rowid(entity_id, dataset),))
        left = self.query("SELECT COUNT(*) FROM statements WHERE entity_id = ?", (entity_id,))
        if not left[0][0]:
            self.execute("DELETE FROM entities WHERE id = ?", (entity_id,))
        return deleted


def _by_id(record: EntityRecord) -> str:
    return record.id


class Database:
    """A node's store opened for mixed transactions (see the module docstring)."""

    def __init__(self, url: str | Path) -> None:
        text = str(url)
        self.url = text
        if text.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            from paridad.store.postgres import PostgresSink, PostgresStore

            PostgresStore(text).close()  # creates the namespace and the entity tables
            from paridad.store.postgres import _split_namespace

            plain, namespace = _split_namespace(text)
            self.dialect = "postgresql"
            self._sink: Sink = PostgresSink(plain, namespace)
        else:
            if text.startswith("sqlite:///"):
                text = text[len("sqlite:///") :]
            from paridad.store.sqlite import SQLiteSink, SQLiteStore

            SQLiteStore(Path(text)).close()
            self.dialect = "sqlite"
            self._sink = SQLiteSink(text, threads=True)
            # Small transactions from a server: keep the default cache, not the bulk one.
            self._sink.conn.execute("PRAGMA cache_size=-65536")
        self._conn: Any = self._sink.conn
        # A server's worker threads share one connection; one transaction at a time.
        self._lock = threading.RLock()

    def ensure(self, ddl: str) -> None:
        """Create a part's tables if they do not exist yet."""
        if self.dialect == "sqlite":
            self._conn.executescript(ddl)
        else:
            with self._conn.transaction():
                self._conn.execute("SELECT pg_advisory_xact_lock(4242002)")
                self._conn.execute(ddl)

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """Everything inside commits together, or nothing does."""
        with self._lock:
            self._sink.begin()
            try:
                yield Tx(self._sink, self.dialect)
            except BaseException:
                self._sink.rollback()
                raise
            try:
                self._sink.commit()
            except Exception as exc:
                self._sink.rollback()
                raise StoreError(MSG_TRANSACTION, reason=str(exc)) from exc

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """A read outside any transaction (sees what is committed)."""
        if self.dialect != "sqlite":
            sql = sql.replace("?", "%s")
        with self._lock:
            return list(self._conn.execute(sql, args).fetchall())

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_sqlite_busy(exc: BaseException) -> bool:
    """A lock held by another process (the caller may retry)."""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
