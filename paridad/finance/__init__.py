"""Following the money behind fentanyl, where the data is.

Each financial intelligence unit keeps its accounts and transactions on its own node; the
analytics run there and only hit/no-hit crosses the border. The folders follow the work:

- :mod:`paridad.finance.tables` — the canonical transaction and account tables every input
  becomes and every detector reads;
- :mod:`paridad.finance.inputs` — CSV with a column mapping, ISO 20022 XML, cash transaction
  reports, designation lists, and the node's own FtM payments;
- :mod:`paridad.finance.engines` — where the SQL runs: DuckDB on one machine, Spark beyond it;
- :mod:`paridad.finance.detectors` — the named, versioned laundering typologies;
- :mod:`paridad.finance.scoring` — ranked accounts with their reasons in both languages;
- :mod:`paridad.finance.screening` — names against designation lists;
- :mod:`paridad.finance.tracing` — funds followed forward and backward across hops.
"""
