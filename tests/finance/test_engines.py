"""The two engines answer the same SQL the same way; an unknown engine is a clear error."""

from __future__ import annotations

import pyarrow as pa
import pytest

from paridad.finance.engines import Engine, EngineError, SparkEngine, open_engine
from paridad.finance.sample import Ledger

QUERY = """
    SELECT dst AS account,
           CAST(floor(ts / 86400) AS BIGINT) AS day,
           count(DISTINCT src) AS sources,
           round(sum(amount_usd), 2) AS total,
           'alert:' || dst || ':' || CAST(CAST(floor(ts / 86400) AS BIGINT) AS VARCHAR) AS id
    FROM tx
    WHERE type <> 'card'
    GROUP BY dst, CAST(floor(ts / 86400) AS BIGINT), 'alert:' || dst || ':' || CAST(CAST(floor(ts / 86400) AS BIGINT) AS VARCHAR)
    HAVING count(DISTINCT src) >= 2
    ORDER BY account, day
"""


def _ledger() -> Ledger:
    book = Ledger()
    book.account("mx1", "mx")
    for i, src in enumerate(("a", "b", "c", "a")):
        book.pay(src, "mx1", 1000 + i, hours=i)
    book.pay("shopper", "mx1", 55, hours=2, type="card")
    book.pay("a", "z", 10, hours=30)
    return book


def _run(engine: Engine, table: pa.Table) -> list[dict[str, object]]:
    engine.load("tx", table)
    engine.create("daily", QUERY)
    rows: list[dict[str, object]] = engine.query("SELECT * FROM daily ORDER BY account").to_pylist()
    return rows


def test_duckdb_runs_the_portable_sql(duckdb_engine: Engine) -> None:
    rows = _run(duckdb_engine, _ledger().transactions())
    assert len(rows) == 1
    assert rows[0]["account"] == "mx1"
    assert rows[0]["sources"] == 3  # the card payment is not a source
    assert rows[0]["total"] == pytest.approx(4006.0)
    assert str(rows[0]["id"]).startswith("alert:mx1:")


def test_spark_gives_duckdbs_answer(duckdb_engine: Engine, spark_engine: Engine) -> None:
    table = _ledger().transactions()
    assert _run(spark_engine, table) == _run(duckdb_engine, table)


def test_spark_sql_is_translated_from_duckdbs_dialect() -> None:
    spark_sql = SparkEngine.translate("SELECT strpos(a, 'x') FROM t")
    assert "strpos" not in spark_sql.lower()


def test_an_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(EngineError) as raised, open_engine("oracle"):
        pass
    assert "duckdb, spark" in raised.value.localized("en")
    assert "duckdb, spark" in raised.value.localized("es")
