"""The PostgreSQL backend, for a node that outgrows one file or serves many analysts.

Bulk writes go through COPY into per-transaction staging tables and one
``INSERT … ON CONFLICT`` per table, which is how PostgreSQL takes tens of thousands of rows a
second; search uses a ``tsvector`` over the same normalised text the SQLite backend indexes,
so both backends answer the same query the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from paridad.errors import StoreError
from paridad.i18n import N_
from paridad.model.normalize import query_terms
from paridad.store.base import (
    SCHEMA_VERSION,
    STATEMENT_COLUMNS,
    IngestRun,
    SearchHit,
    StatementRow,
    markings_from_json,
)
from paridad.store.batch import BatchWriter, EntityRow, Existing, SearchRow, Sink
from paridad.store.sql import SQLStore

MSG_CANNOT_CONNECT = N_("Cannot connect to PostgreSQL at {url}: {reason}")
MSG_BAD_NAMESPACE = N_("'{name}' is not a valid PostgreSQL schema name.")
MSG_NEWER = N_("The store at {url} was written by a newer Paridad (schema {found}).")

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
    id TEXT PRIMARY KEY, entity_id TEXT NOT NULL, schema TEXT NOT NULL, prop TEXT NOT NULL,
    prop_type TEXT NOT NULL, value TEXT NOT NULL, original_value TEXT, lang TEXT,
    dataset TEXT NOT NULL, origin TEXT, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS statements_entity ON statements (entity_id);
CREATE TABLE IF NOT EXISTS search (
    rowid BIGINT PRIMARY KEY, entity_id TEXT NOT NULL, dataset TEXT NOT NULL,
    schema TEXT NOT NULL, text TEXT NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED
);
CREATE INDEX IF NOT EXISTS search_tsv ON search USING GIN (tsv);
CREATE INDEX IF NOT EXISTS search_entity ON search (entity_id);
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

_NAMESPACE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_ENTITY_COLS = (
    "id, schema, caption, origin_country, origin_agency, handling, tlp, retain_until, markings,"
    " first_seen, last_seen"
)


def _split_namespace(url: str) -> tuple[str, str | None]:
    """Take Paridad's ``?schema=NAME`` (a PostgreSQL schema per node) out of the URL."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    query = parse_qsl(parts.query)
    namespace = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), namespace


class PostgresStore(SQLStore):
    backend = "postgres"

    def __init__(self, url: str) -> None:
        self.url, self.namespace = _split_namespace(url)
        safe_url = re.sub(r"//[^@/]*@", "//***@", self.url)
        if self.namespace is not None and not _NAMESPACE.match(self.namespace):
            raise StoreError(MSG_BAD_NAMESPACE, name=self.namespace)
        try:
            self.conn = psycopg.connect(self.url, autocommit=True)
            if self.namespace is not None:
                self.conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.namespace}"')
                self.conn.execute(f'SET search_path TO "{self.namespace}"')
            with self.conn.transaction():
                self.conn.execute("SELECT pg_advisory_xact_lock(4242001)")
                self.conn.execute(DDL)
                row = self.conn.execute(
                    "SELECT value FROM meta WHERE key='schema_version'"
                ).fetchone()
                if row is None:
                    self.conn.execute(
                        "INSERT INTO meta VALUES ('schema_version', %s)", (str(SCHEMA_VERSION),)
                    )
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StoreError(MSG_NEWER, url=safe_url, found=row[0])
        except psycopg.Error as exc:
            raise StoreError(MSG_CANNOT_CONNECT, url=safe_url, reason=str(exc).strip()) from exc

    def writer(self) -> BatchWriter:
        url, namespace = self.url, self.namespace
        return BatchWriter(partial(PostgresSink, url, namespace))

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql.replace("?", "%s"), args).fetchall()

    def search(self, query: str, schema: str | None = None, limit: int = 20) -> list[SearchHit]:
        tokens, compact = query_terms(query)
        if not tokens:
            return []
        tsquery = "(" + " & ".join([*tokens[:-1], f"{tokens[-1]}:*"]) + ")"
        if compact:
            tsquery += f" | {compact}:*"
        sql = (
            "SELECT e.id, e.schema, e.caption, MAX(ts_rank(s.tsv, q)) AS score,"
            " e.origin_country, e.handling"
            " FROM search s JOIN entities e ON e.id = s.entity_id,"
            " to_tsquery('simple', %s) q WHERE s.tsv @@ q"
        )
        args: list[Any] = [tsquery]
        if schema is not None:
            sql += " AND e.schema = %s"
            args.append(schema)
        sql += (
            " GROUP BY e.id, e.schema, e.caption, e.origin_country, e.handling"
            " ORDER BY score DESC, e.id LIMIT %s"
        )
        args.append(limit)
        return [
            SearchHit(
                id=r[0],
                schema=r[1],
                caption=r[2],
                score=float(r[3]),
                origin_country=r[4],
                handling=r[5],
            )
            for r in self.conn.execute(sql, args)
        ]

    def drop(self) -> None:
        """Remove this store's namespace and everything in it (tests, benchmarks)."""
        if self.namespace is not None:
            self.conn.execute(f'DROP SCHEMA IF EXISTS "{self.namespace}" CASCADE')

    def close(self) -> None:
        self.conn.close()


class PostgresSink(Sink):
    """Writes one transaction through a connection of its own (in the writer process)."""

    def __init__(self, url: str, namespace: str | None) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        if namespace is not None:
            self.conn.execute(f'SET search_path TO "{namespace}"')
        self._open = False
        self._staged = False

    def begin(self) -> None:
        self.conn.execute("BEGIN")
        self._open = True
        self._staged = False  # staging tables are dropped at the end of each transaction

    def existing(self, ids: Sequence[str]) -> Existing:
        rows = self.conn.execute(
            "SELECT id, schema, caption, markings, first_seen FROM entities WHERE id = ANY(%s)",
            (list(ids),),
        ).fetchall()
        return {r[0]: (r[1], r[2], markings_from_json(r[3]), r[4]) for r in rows}

    def _stage(self) -> None:
        if self._staged:
            self.conn.execute("TRUNCATE stage_entities, stage_statements, stage_search")
            return
        for table in ("entities", "statements"):
            self.conn.execute(f"CREATE TEMP TABLE stage_{table} (LIKE {table}) ON COMMIT DROP")
        self.conn.execute(
            "CREATE TEMP TABLE stage_search (rowid BIGINT, entity_id TEXT, dataset TEXT,"
            " schema TEXT, text TEXT) ON COMMIT DROP"
        )
        self._staged = True

    def _copy(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def write(
        self, entities: list[EntityRow], statements: list[StatementRow], search: list[SearchRow]
    ) -> None:
        self._stage()
        self._copy("stage_entities", _ENTITY_COLS, entities)
        self._copy("stage_statements", STATEMENT_COLUMNS, statements)
        self._copy("stage_search", "rowid, entity_id, dataset, schema, text", search)
        self.conn.execute(
            f"INSERT INTO entities ({_ENTITY_COLS}) SELECT {_ENTITY_COLS} FROM stage_entities"
            " ON CONFLICT (id) DO UPDATE SET schema=excluded.schema, caption=excluded.caption,"
            " origin_country=excluded.origin_country, origin_agency=excluded.origin_agency,"
            " handling=excluded.handling, tlp=excluded.tlp, retain_until=excluded.retain_until,"
            " markings=excluded.markings, first_seen=excluded.first_seen,"
            " last_seen=GREATEST(entities.last_seen, excluded.last_seen)"
        )
        self.conn.execute(
            f"INSERT INTO statements ({STATEMENT_COLUMNS}) SELECT {STATEMENT_COLUMNS}"
            " FROM stage_statements ON CONFLICT (id) DO UPDATE SET schema=excluded.schema,"
            " first_seen=LEAST(statements.first_seen, excluded.first_seen),"
            " last_seen=GREATEST(statements.last_seen, excluded.last_seen)"
        )
        self.conn.execute(
            "INSERT INTO search (rowid, entity_id, dataset, schema, text)"
            " SELECT rowid, entity_id, dataset, schema, text FROM stage_search"
            " ON CONFLICT (rowid) DO UPDATE SET schema=excluded.schema, text=excluded.text"
        )

    def write_quarantine(self, rows: list[tuple[Any, ...]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO quarantine VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (key)"
                " DO UPDATE SET record=excluded.record, msgid=excluded.msgid,"
                " params=excluded.params",
                rows,
            )

    def write_run(self, run: IngestRun) -> None:
        self.conn.execute(
            "INSERT INTO ingest_runs VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (key)"
            " DO UPDATE SET finished_at=excluded.finished_at, entities=excluded.entities,"
            " statements=excluded.statements, quarantined=excluded.quarantined",
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
