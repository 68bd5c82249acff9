"""Corridors from source state/county to recovery state/municipality."""

from __future__ import annotations

from datetime import date, timedelta

from paridad.firearms.indicators import corridors
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import recovery, sale, trace

DAY = date(2022, 1, 3)


def test_counts_and_median_per_corridor() -> None:
    acqs = [sale(DAY, state="TX", dealer_county="Hidalgo") for _ in range(3)]
    acqs.append(sale(DAY, state="AZ", dealer_county="Pima"))
    recs = [
        recovery(DAY + timedelta(days=d), state="Tamaulipas", municipality="Reynosa")
        for d in (100, 200, 900)
    ]
    recs.append(recovery(DAY + timedelta(days=50), state="Sonora", municipality="Nogales"))
    tables = load_rows(recs, acqs, [trace(r, a) for r, a in zip(recs, acqs, strict=True)])
    result = corridors.run(tables)
    first = result.rows[0]
    assert (first["source_state"], first["source_county"], first["recovery_municipality"]) == (
        "TX",
        "Hidalgo",
        "Reynosa",
    )
    assert first["traces"] == 3 and first["median_ttc_days"] == 200.0
    assert first["share_under_1y"] == round(2 / 3, 4)
    assert result.summary["by_state"][1]["source_state"] == "AZ"
