"""Where Splink runs: DuckDB in-process (the default) or Apache Spark (for scale).

Both are Splink backends behind one API, and the model (:mod:`paridad.resolve.splink_model`)
is written once for both: its SQL uses only what Splink translates for each dialect. DuckDB
needs nothing but the ``splink`` package. Spark needs ``pyspark`` (the ``scale`` extra) and a
Java runtime; when a Spark session is already active (a job started with ``spark-submit`` on a
cluster) it is used as it is, otherwise a local one is started on this machine's cores and
stopped afterwards. Splink's string-similarity functions for Spark come in a jar inside the
``splink`` package, which every local session carries (:mod:`paridad.spark_local`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from paridad.i18n import N_
from paridad.spark_local import EngineError, spark_session

ENGINES: tuple[str, ...] = ("duckdb", "spark")

MSG_UNKNOWN_ENGINE = N_("Unknown engine '{engine}'; the engines are: {engines}.")

__all__ = ["ENGINES", "EngineError", "open_engine"]


@contextmanager
def open_engine(name: str) -> Iterator[Any]:
    """A Splink database API for engine ``name``, released when the block ends."""
    if name == "duckdb":
        yield from _duckdb()
    elif name == "spark":
        yield from _spark()
    else:
        raise EngineError(MSG_UNKNOWN_ENGINE, engine=name, engines=", ".join(ENGINES))


def _duckdb() -> Iterator[Any]:
    from splink import DuckDBAPI

    api = DuckDBAPI(":memory:")
    api.duckdb_con.execute("SET enable_progress_bar = false")  # the run reports its own steps
    try:
        yield api
    finally:
        api.duckdb_con.close()


def _spark() -> Iterator[Any]:
    from splink import SparkAPI

    with spark_session("paridad-resolve") as (spark, workdir):
        spark.sparkContext.setCheckpointDir(str(workdir / "checkpoints"))
        # Splink's default: intermediate tables written out as Parquet, which keeps Spark's
        # plans short through the EM iterations (in-memory persistence was slower here).
        yield SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
