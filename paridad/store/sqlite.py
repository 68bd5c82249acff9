"""The embedded backend: one SQLite file in the node directory, FTS5 for search.

Tuned for bulk loads (WAL, one transaction per writer, executemany) because a node operator
loads whole agency extracts at once; read paths use plain indexed queries.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from paridad.errors import StoreError
from paridad.i18n import N_
from paridad.model.normalize import query_terms
from paridad.store.base import (
    SCHEMA_VERSION,
    IngestRun,
    SearchHit,
    StatementRow,
    markings_from_json,
)
from paridad.store.batch import BatchWriter, EntityRow, Existing, SearchRow, Sink
from paridad.store.sql import SQLStore

MSG_CANNOT_OPEN = N_("Cannot open the SQLite store at {path}: {reason}")
MSG_NEWER = N_("The store at {path} was written by a newer Paridad (schema {found}).")

DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, schema TEXT NOT NULL, caption TEXT NOT NULL,
    origin_country TEXT NOT NULL, origin_agency TEXT NOT NULL, handling TEXT NOT NULL,
    tlp TEXT NOT NULL, retain_until TEXT NOT NULL, markings TEXT NOT NULL,
    first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_schema ON entities (schema);
CREATE TABLE IF NOT EXISTS statements (
    id TEXT NOT NULL, entity_id TEXT NOT NULL, schema TEXT NOT NULL, prop TEXT NOT NULL,
    prop_type TEXT NOT NULL, value TEXT NOT NULL, original_value TEXT, lang TEXT,
    dataset TEXT NOT NULL, origin TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
    PRIMARY KEY (entity_id, id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    entity_id UNINDEXED, dataset UNINDEXED, schema UNINDEXED, text,
    tokenize = 'ascii', detail = none
);
CREATE TABLE IF NOT EXISTS quarantine (
    key TEXT PRIMARY KEY, dataset TEXT NOT NULL, source TEXT NOT NULL, line INTEGER NOT NULL,
    record TEXT NOT NULL, msgid TEXT NOT NULL, params TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_runs (
    key TEXT PRIMARY KEY, dataset TEXT NOT NULL, source TEXT NOT NULL, digest TEXT NOT NULL,
    started_at TEXT NOT NULL, finished_at TEXT NOT NULL, entities INTEGER NOT NULL,
    statements INTEGER NOT NULL, quarantined INTEGER NOT NULL
);
"""

_CHUNK = 900  # below SQLite's default limit of host parameters per statement


class SQLiteStore(SQLStore):
    backend = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        try:
            self.conn = _connect(self.path)
            self.conn.executescript(DDL)
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is None:
                self.conn.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(MSG_NEWER, path=self.path, found=row[0])
        except sqlite3.Error as exc:
            raise StoreError(MSG_CANNOT_OPEN, path=self.path, reason=str(exc)) from exc

    def writer(self) -> BatchWriter:
        path = self.path
        return BatchWriter(partial(SQLiteSink, path))

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, args).fetchall()

    def search(self, query: str, schema: str | None = None, limit: int = 20) -> list[SearchHit]:
        tokens, compact = query_terms(query)
        if not tokens:
            return []
        # Every token must match (either surname first, accents or not); the last one may be
        # a prefix, as people type.
        match = "(" + " ".join(f'"{t}"' for t in tokens[:-1]) + f' "{tokens[-1]}"*)'
        if compact:
            match += f' OR "{compact}"*'
        sql = (
            "SELECT e.id, e.schema, e.caption, MIN(m.score) AS score, e.origin_country,"
            " e.handling FROM (SELECT entity_id, rank AS score FROM search"
            " WHERE search MATCH ?) m JOIN entities e ON e.id = m.entity_id"
        )
        args: list[Any] = [match.strip()]
        if schema is not None:
            sql += " WHERE e.schema = ?"
            args.append(schema)
        sql += " GROUP BY e.id ORDER BY score, e.id LIMIT ?"
        args.append(limit)
        return [
            SearchHit(
                id=r[0],
                schema=r[1],
                caption=r[2],
                score=-float(r[3]),
                origin_country=r[4],
                handling=r[5],
            )
            for r in self._rows(sql, args)
        ]

    def check(self) -> list[str]:
        problems = [r[0] for r in self._rows("PRAGMA integrity_check") if r[0] != "ok"]
        return problems + super().check()

    def close(self) -> None:
        self.conn.close()


def _connect(path: str, threads: bool = False) -> sqlite3.Connection:
    """A connection; ``threads`` lets a server's worker threads share it (under a lock)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=60.0, check_same_thread=not threads)
    conn.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY;"
        "PRAGMA cache_size=-65536; PRAGMA foreign_keys=OFF;"
    )
    return conn


class SQLiteSink(Sink):
    """Writes one transaction through a connection of its own (in the writer process)."""

    def __init__(self, path: str, threads: bool = False) -> None:
        self.conn = _connect(path, threads)
        # A bulk load touches many pages: a larger cache and fewer WAL checkpoints (each
        # copies every page changed since the last one) mean far less work per row.
        self.conn.executescript("PRAGMA cache_size=-262144; PRAGMA wal_autocheckpoint=16384;")
        self._open = False

    def begin(self) -> None:
        # IMMEDIATE takes the write lock now, so a second writer waits instead of failing late.
        self.conn.execute("BEGIN IMMEDIATE")
        self._open = True

    def existing(self, ids: Sequence[str]) -> Existing:
        out: Existing = {}
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                f"SELECT id, schema, caption, markings, first_seen FROM entities"
                f" WHERE id IN ({marks})",
                chunk,
            ):
                out[row[0]] = (row[1], row[2], markings_from_json(row[3]), row[4])
        return out

    def write(
        self, entities: list[EntityRow], statements: list[StatementRow], search: list[SearchRow]
    ) -> None:
        self.conn.executemany(
            "INSERT INTO entities VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET"
            " schema=excluded.schema, caption=excluded.caption,"
            " origin_country=excluded.origin_country, origin_agency=excluded.origin_agency,"
            " handling=excluded.handling, tlp=excluded.tlp, retain_until=excluded.retain_until,"
            " markings=excluded.markings, first_seen=excluded.first_seen,"
            " last_seen=MAX(entities.last_seen, excluded.last_seen)",
            entities,
        )
        # Statements cluster by entity (the key starts with entity_id): one B-tree serves both
        # uniqueness and "all statements of an entity", and bulk loads insert in key order.
        self.conn.executemany(
            "INSERT INTO statements VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(entity_id, id)"
            " DO UPDATE"
            " SET schema=excluded.schema,"
            " first_seen=MIN(statements.first_seen, excluded.first_seen),"
            " last_seen=MAX(statements.last_seen, excluded.last_seen)",
            statements,
        )
        self.conn.executemany(
            "INSERT OR REPLACE INTO search (rowid, entity_id, dataset, schema, text)"
            " VALUES (?,?,?,?,?)",
            search,
        )

    def write_quarantine(self, rows: list[tuple[Any, ...]]) -> None:
        self.conn.executemany(
            "INSERT INTO quarantine VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
            " record=excluded.record, msgid=excluded.msgid, params=excluded.params",
            rows,
        )

    def write_run(self, run: IngestRun) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO ingest_runs VALUES (?,?,?,?,?,?,?,?,?)",
            (
                run.key,
                run.dataset,
                run.source,
                run.digest,
                run.started_at,
                run.finished_at,
                run.entities,
                run.statements,
                run.quarantined,
            ),
        )

    def commit(self) -> None:
        if self._open:
            self.conn.execute("COMMIT")
            self._open = False

    def rollback(self) -> None:
        if self._open:
            self.conn.execute("ROLLBACK")
            self._open = False
