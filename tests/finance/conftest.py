"""Engines for the finance tests: DuckDB per test, one Spark session for the whole run.

Starting Spark takes about ten seconds, so every finance test that compares Spark with
DuckDB shares the package-scoped ``spark_engine``; each test loads its own tables, which
replace the previous test's under the same names. It is stopped when the finance tests end:
a session still active would be reused by entity resolution's tests, which need a session
started with Splink's jar.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paridad.finance.engines import DuckDBEngine, Engine, open_engine


@pytest.fixture
def duckdb_engine() -> Iterator[DuckDBEngine]:
    engine = DuckDBEngine()
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="package")
def spark_engine() -> Iterator[Engine]:
    pytest.importorskip("pyspark")
    with open_engine("spark") as engine:
        yield engine
