"""The trafficking indicators, one module each, found by name.

Each module has ``NAME``, ``VERSION`` and ``TITLE`` and a ``run(tables, ...)`` that returns an
:class:`~paridad.firearms.indicators.base.IndicatorResult`. :func:`run_all` runs them in an
order that lets later ones reuse earlier answers (the purchaser scores use the multiple-sale
events; the network uses both).
"""

from __future__ import annotations

from types import ModuleType

from paridad.firearms.indicators import (
    corridors,
    dealers,
    multiple_sales,
    network,
    purchasers,
    time_to_crime,
)
from paridad.firearms.indicators.base import IndicatorResult, Reason
from paridad.firearms.tables import Tables

INDICATORS: dict[str, ModuleType] = {
    m.NAME: m for m in (time_to_crime, multiple_sales, purchasers, dealers, corridors, network)
}

__all__ = ["INDICATORS", "IndicatorResult", "Reason", "run_all"]


def run_all(
    tables: Tables, calendar: multiple_sales.Calendar = "observed"
) -> dict[str, IndicatorResult]:
    """Every indicator, by name, in the order of :data:`INDICATORS`."""
    events, _how = multiple_sales.detect(tables, calendar)
    scored = purchasers.run(tables, events)
    return {
        time_to_crime.NAME: time_to_crime.run(tables),
        multiple_sales.NAME: multiple_sales.run(tables, calendar),
        purchasers.NAME: scored,
        dealers.NAME: dealers.run(tables),
        corridors.NAME: corridors.run(tables),
        network.NAME: network.run(tables, events, scored),
    }
