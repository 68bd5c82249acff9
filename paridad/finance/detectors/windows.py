"""Time windows without all-pairs: buckets of the window's length at two offsets.

A burst shorter than half the window falls whole inside one bucket of one of the two
offsets, so a detector groups by (account, offset, bucket) instead of comparing every
transaction with every other. Each detector then keeps one alert per anchor (the strongest),
so the two offsets never report one burst twice.
"""

from __future__ import annotations

DAY = 86_400
HOUR = 3_600


def bucketed(source: str, time_column: str, window: int) -> str:
    """``source``'s rows twice, with ``_k`` (the offset: 0 or 1) and ``_bucket``."""
    half = window // 2
    return f"""
        SELECT s.*, 0 AS _k, CAST(floor(s.{time_column} / {window}) AS BIGINT) AS _bucket
        FROM ({source}) AS s
        UNION ALL
        SELECT s.*, 1 AS _k,
               CAST(floor((s.{time_column} + {half}) / {window}) AS BIGINT) AS _bucket
        FROM ({source}) AS s
    """


def best_per_anchor(source: str, order: str) -> str:
    """The strongest row of ``source`` per anchor; ties broken by the bucket."""
    return f"""
        SELECT * FROM (
            SELECT r.*, row_number() OVER (
                PARTITION BY r.anchor ORDER BY {order}, r._k, r._bucket
            ) AS _rank
            FROM ({source}) AS r
        ) AS ranked
        WHERE _rank = 1
    """


def alert_id(prefix: str) -> str:
    """A stable alert id from the anchor, the offset and the bucket."""
    return f"'{prefix}:' || anchor || ':' || CAST(_k AS VARCHAR) || ':' || CAST(_bucket AS VARCHAR)"
