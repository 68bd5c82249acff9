"""Time-to-crime per trace, bands, median, mean and shares, by type."""

from __future__ import annotations

from datetime import date, timedelta

from paridad.firearms.indicators import time_to_crime as ttc
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import AR15, recovery, sale, trace

SOLD = date(2020, 1, 1)


def _tables(days: list[int], gun: dict[str, str] | None = None) -> object:
    acqs = [sale(SOLD, gun=gun) for _ in days]
    recs = [recovery(SOLD + timedelta(days=d)) for d in days]
    traces = [trace(r, a) for r, a in zip(recs, acqs, strict=True)]
    return load_rows(recs, acqs, traces)


def test_bands_and_figures() -> None:
    result = ttc.run(_tables([100, 364, 365, 1094, 1095, 4000]))  # type: ignore[arg-type]
    assert [r["band"] for r in result.rows] == [
        "under-1y",
        "under-1y",
        "1-3y",
        "1-3y",
        "3y-plus",
        "3y-plus",
    ]
    s = result.summary
    assert s["median_days"] == (365 + 1094) / 2
    assert s["share_under_1y"] == round(2 / 6, 4) and s["share_under_3y"] == round(4 / 6, 4)
    assert s["bands"] == {"under-1y": 2, "1-3y": 2, "3y-plus": 2}
    assert result.rows[0]["reasons"][0].msgid == ttc.MSG_UNDER_1
    assert result.rows[-1]["reasons"] == []


def test_ttc_is_recomputed_when_the_trace_lacks_it() -> None:
    acq, rec = sale(SOLD), recovery(SOLD + timedelta(days=200))
    tables = load_rows([rec], [acq], [{**trace(rec, acq), "ttc_days": None}])
    assert ttc.run(tables).rows[0]["ttc_days"] == 200


def test_by_type() -> None:
    acqs = [sale(SOLD), sale(SOLD, gun=AR15)]
    recs = [recovery(SOLD + timedelta(days=d)) for d in (50, 2000)]
    tables = load_rows(recs, acqs, [trace(r, a) for r, a in zip(recs, acqs, strict=True)])
    by_type = ttc.run(tables).summary["by_type"]
    assert by_type["pistol"]["share_under_1y"] == 1.0
    assert by_type["rifle"]["median_days"] == 2000.0
