"""A Spark session for one job: the active one on a cluster, or a local one on this machine.

Entity resolution and the finance analytics both run on Spark past one machine. A job
started with ``spark-submit`` already has a session and it is used as it is; otherwise a
local session is started on this machine's cores, bound to loopback, quiet, and stopped (its
scratch directory removed) when the block ends.

A Python process keeps one JVM for all its Spark sessions, and the driver's classpath is
fixed when that JVM starts: a later session cannot add a jar its functions need. So every
local session starts with the jars any Paridad job needs (Splink's string-similarity
functions), whichever job starts first. Nothing is downloaded: they come from installed
packages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paridad.errors import ParidadError, first_line
from paridad.i18n import N_

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
def spark_session(
    app_name: str, config: Mapping[str, str] | None = None
) -> Iterator[tuple[Any, Path]]:
    """The session and a scratch directory that lives as long as the block; ``config`` adds
    settings to a session this block starts."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(MSG_NO_PYSPARK) from None

    workdir = Path(tempfile.mkdtemp(prefix="paridad-spark-"))
    active = SparkSession.getActiveSession()
    spark = active
    try:
        if spark is None:
            (workdir / "log4j2.properties").write_text(_LOG4J, encoding="utf-8")
            # Loopback only: a local session has no business listening on the network.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
            java_options = f"-Dlog4j2.configurationFile=file:{workdir / 'log4j2.properties'}"
            builder = SparkSession.builder.master("local[*]").appName(app_name)
            jars = _paridad_jars()
            if jars:
                builder = builder.config("spark.jars", ",".join(jars))
            for key, value in (config or {}).items():
                builder = builder.config(key, value)
            try:
                spark = (
                    builder.config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", str(max(2, os.cpu_count() or 2)))
                    .config("spark.sql.session.timeZone", "UTC")
                    .config("spark.driver.extraJavaOptions", java_options)
                    .config("spark.local.dir", str(workdir / "local"))
                    # Never a spark-warehouse folder in whatever directory the job ran from.
                    .config("spark.sql.warehouse.dir", str(workdir / "warehouse"))
                    .getOrCreate()
                )
            except Exception as exc:  # the JVM did not start: say why, in one line
                reason = first_line(exc)
                raise EngineError(MSG_NO_JAVA, reason=reason) from None
            spark.sparkContext.setLogLevel("ERROR")
        yield spark, workdir
    finally:
        if active is None and spark is not None:
            spark.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _paridad_jars() -> list[str]:
    """The jars shipped in installed packages that Paridad's Spark jobs call into."""
    try:
        from splink.backends.spark import similarity_jar_location
    except ImportError:  # entity resolution not installed: no job here needs its functions
        return []
    return [str(similarity_jar_location())]
