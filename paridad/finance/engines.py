"""Where the finance SQL runs: DuckDB in-process (the default) or Apache Spark (for scale).

Every detector is written once, in DuckDB's dialect, over the tables of
:mod:`paridad.finance.tables`. The Spark engine translates each statement with sqlglot (the
translator Splink uses too) before running it, so both engines run the same analytics and
must give the same answers — a test holds them to it. Intermediate results are materialised
as tables (``create``), so a pair table shared by several detectors is computed once.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from paridad.i18n import N_
from paridad.spark_local import EngineError, spark_session

ENGINES: tuple[str, ...] = ("duckdb", "spark")
MSG_UNKNOWN_ENGINE = N_("Unknown engine '{engine}'; the engines are: {engines}.")

__all__ = ["ENGINES", "Engine", "EngineError", "open_engine"]


class Engine(Protocol):
    """What detectors, scoring and tracing ask of an engine."""

    name: str

    def load(self, name: str, table: pa.Table) -> None:
        """Make ``table`` queryable as ``name`` (replacing any table of that name)."""

    def load_parquet(self, name: str, path: Path) -> None:
        """Make a Parquet file (or folder of files) queryable as ``name``."""

    def create(self, name: str, sql: str) -> None:
        """Materialise the result of ``sql`` as table ``name``."""

    def query(self, sql: str) -> pa.Table:
        """Run ``sql`` and return its result."""


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, threads: int | None = None, memory_limit: str | None = None) -> None:
        import duckdb

        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")
        # Spill to the system's temporary folder, never into the working directory.
        self._spill = tempfile.mkdtemp(prefix="paridad-duckdb-")
        self.con.execute(f"SET temp_directory = '{self._spill}'")
        # Row order is never relied on (every answer is sorted), and not keeping it lets
        # DuckDB parallelise more of each plan.
        self.con.execute("SET preserve_insertion_order = false")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")

    def load(self, name: str, table: pa.Table) -> None:
        self.con.register("_paridad_incoming", table)
        try:
            self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _paridad_incoming")
        finally:
            self.con.unregister("_paridad_incoming")

    def load_parquet(self, name: str, path: Path) -> None:
        where = str(path / "*.parquet") if path.is_dir() else str(path)
        self.con.execute(
            f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_parquet(?)", [where]
        )

    def create(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS {sql}")

    def query(self, sql: str) -> pa.Table:
        result: pa.Table = self.con.execute(sql).to_arrow_table()
        return result

    def close(self) -> None:
        self.con.close()
        shutil.rmtree(self._spill, ignore_errors=True)


class SparkEngine:
    name = "spark"

    def __init__(self, spark: Any, workdir: Path) -> None:
        self.spark = spark
        self.workdir = workdir
        self._n = 0

    @staticmethod
    def translate(sql: str) -> str:
        """DuckDB's dialect to Spark SQL."""
        import sqlglot

        return str(sqlglot.transpile(sql, read="duckdb", write="spark")[0])

    def load(self, name: str, table: pa.Table) -> None:
        self._n += 1
        path = self.workdir / f"{name}-{self._n}.parquet"
        pq.write_table(table, path)
        self.load_parquet(name, path)

    def load_parquet(self, name: str, path: Path) -> None:
        frame = self.spark.read.parquet(str(path))
        frame.cache()
        frame.createOrReplaceTempView(name)

    def create(self, name: str, sql: str) -> None:
        # Materialised and cut from its lineage, so the next statement's plan starts from
        # this table instead of re-planning every statement before it.
        frame = self.spark.sql(self.translate(sql)).localCheckpoint(eager=True)
        frame.createOrReplaceTempView(name)

    def query(self, sql: str) -> pa.Table:
        frame = self.spark.sql(self.translate(sql))
        rows = [row.asDict() for row in frame.collect()]
        columns = frame.columns
        return pa.Table.from_pylist(rows) if rows else _empty(columns)


def _empty(columns: list[str]) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in columns})


@contextmanager
def open_engine(name: str, threads: int | None = None) -> Iterator[Engine]:
    """An engine, released when the block ends."""
    if name == "duckdb":
        engine = DuckDBEngine(threads=threads)
        try:
            yield engine
        finally:
            engine.close()
    elif name == "spark":
        # The detectors' plans are deep (windows, walks): joins are shuffled, never broadcast,
        # so a plan's size never has to fit in the driver's broadcast memory.
        settings = {"spark.sql.autoBroadcastJoinThreshold": "-1", "spark.driver.memory": "2g"}
        with spark_session("paridad-finance", config=settings) as (spark, workdir):
            yield SparkEngine(spark, workdir)
    else:
        raise EngineError(MSG_UNKNOWN_ENGINE, engine=name, engines=", ".join(ENGINES))
