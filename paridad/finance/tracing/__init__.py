"""Flow tracing: where the money from a seed account went (forward), or where the money in it
came from (backward), hop by hop within a time window, with amounts attributed.

Tracing runs in two steps. :mod:`.expand` walks the transaction graph in SQL (DuckDB or
Spark) from the seed, one hop per statement, keeping only transfers that happen after the
money arrived (forward) or before it left (backward), and returns the reached accounts'
ledger. :mod:`.attribution` then decides, for every outgoing transfer of every reached
account, which earlier incoming transfers funded it — first in, first out, or in proportion
to the balance — and follows the seed's money through those funding links. The result is a
graph and a table (:mod:`.result`) and a money-flow diagram (:mod:`.diagram`).
"""
