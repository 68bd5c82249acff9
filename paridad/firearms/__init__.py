"""Misión Cortafuegos analytics: trafficking indicators and the eTrace-style report.

The tracer (:mod:`paridad.trace`) says which US retail sale each recovered gun came from;
this package reads recoveries, acquisitions and those traces (CSV files or a node's entities,
:mod:`paridad.firearms.tables`) and computes what investigators look at: time-to-crime,
multiple-sale reports, repeat and straw purchasers, dealers with unusual trace rates,
corridors and the network around them (:mod:`paridad.firearms.indicators`), and the
statistical report (:mod:`paridad.firearms.report`). See ``docs/indicators.md``.
"""

from __future__ import annotations

from paridad.firearms.tables import FirearmsDataError, Tables, load_csv, load_rows, load_store

__all__ = ["FirearmsDataError", "Tables", "load_csv", "load_rows", "load_store"]
