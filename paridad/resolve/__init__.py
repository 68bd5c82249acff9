"""Entity resolution inside one node: which stored records are one person or organisation.

Duplicates arrive from different sources (a state prosecutor's file and a federal one, a
partner's record of someone this node already knows). Resolution keeps its conclusions apart
from the data: a ledger of judgements (:mod:`~paridad.resolve.judgements`) from which
clusters and canonical ids are computed (:mod:`~paridad.resolve.clusters`). A Splink model
proposes judgements (:mod:`~paridad.resolve.splink_model`, on DuckDB or Spark), an analyst
merges and splits, and every step is reversible because nothing is overwritten. See
``docs/resolve.md``.
"""

from paridad.resolve.clusters import Clustering, build_clusters
from paridad.resolve.judgements import (
    ANALYST,
    DIFFERENT,
    SAME,
    UNSURE,
    Judgement,
    JudgementLedger,
    NewJudgement,
)
from paridad.resolve.resolver import History, Outcome, Resolver, RunSummary

__all__ = [
    "ANALYST",
    "DIFFERENT",
    "SAME",
    "UNSURE",
    "Clustering",
    "History",
    "Judgement",
    "JudgementLedger",
    "NewJudgement",
    "Outcome",
    "Resolver",
    "RunSummary",
    "build_clusters",
]
