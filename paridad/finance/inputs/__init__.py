"""Everything a FIU loads becomes the canonical tables of :mod:`paridad.finance.tables`:
CSV exports with a column mapping (:mod:`.csv_tables`), the node's own FtM entities
(:mod:`.ftm`), with amounts carried in US dollars too (:mod:`.rates`). Bad rows are reported
with their line and field, translated, and never stop the rest from loading."""
