"""Where Splink runs: DuckDB in-process (the default) or Apache Spark (for scale).

Both are Splink backends behind one API, and the model (:mod:`paridad.resolve.splink_model`)
is written once for both: its SQL uses only what Splink translates for each dialect. DuckDB
needs nothing but the ``splink`` package. Spark needs ``pyspark`` (the ``scale`` extra) and a
Java runtime; when a Spark session is already active (a job started with ``spark-submit`` on a
cluster) it is used as it is, otherwise a local one is started on this machine's cores and
stopped afterwards. Splink's string-similarity functions for Spark come in a jar inside the
``splink`` package, so nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

ENGINES: tuple[str, ...] = ("duckdb", "spark")

MSG_UNKNOWN_ENGINE = N_("Unknown engine '{engine}'; the engines are: {engines}.")
MSG_NO_PYSPARK = N_(
    "The Spark engine needs pyspark, which is not installed: pip install 'paridad[scale]'."
)
MSG_NO_JAVA = N_("The Spark engine needs a Java runtime (17 or later); none was found: {reason}")

# Spark's own logging, quiet unless something fails; written for the JVM we start.
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class EngineError(ParidadError):
    """An engine that cannot be started here."""


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
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(MSG_NO_PYSPARK) from None
    from splink import SparkAPI
    from splink.backends.spark import similarity_jar_location

    workdir = Path(tempfile.mkdtemp(prefix="paridad-spark-"))
    active = SparkSession.getActiveSession()
    spark = active
    try:
        if spark is None:
            (workdir / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
            # Loopback only: a local session has no business listening on the network.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            java_options = f"-Dlog4j2.configurationFile=file:{workdir / 'log4j2.properties'}"
            try:
                spark = (
                    SparkSession.builder.master("local[*]")
                    .appName("paridad-resolve")
                    .config("spark.jars", similarity_jar_location())
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", str(max(2, os.cpu_count() or 2)))
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.driver.extraJavaOptions", java_options)
                    .config("spark.local.dir", str(workdir / "local"))
                    .getOrCreate()
                )
            except Exception as exc:  # the JVM did not start: say why, in one line
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                raise EngineError(MSG_NO_JAVA, reason=reason) from None
            spark.sparkContext.setLogLevel("ERROR")
        spark.sparkContext.setCheckpointDir(str(workdir / "checkpoints"))
        # Splink's default: intermediate tables written out as Parquet, which keeps Spark's
        # plans short through the EM iterations (in-memory persistence was slower here).
        yield SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
    finally:
        if active is None and spark is not None:
            spark.stop()
        shutil.rmtree(workdir, ignore_errors=True)
