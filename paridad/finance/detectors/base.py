"""What a typology detector is: a name, a version, SQL over the canonical tables, and a rule.

A detector answers in two queries written in DuckDB's dialect (the Spark engine translates
them): ``alerts_sql`` gives one row per alert — ``alert_id``, ``anchor`` (the account the
pattern centres on), ``score`` (0–1, how strongly it fired) and the facts that made it fire,
one column each — and ``members_sql`` gives the transactions that form each alert's subgraph
(``alert_id, tx_id``). The rule is a translatable sentence whose placeholders are those
facts, so every alert explains itself in Spanish or English: the analyst sees the subgraph
and the rule that fired, never a bare score.

A detector's version changes whenever its logic or defaults change, so that an alert stored
today can be told apart from one the same detector would raise after an update.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from paridad.i18n import Lang, translate

# Columns every alerts query returns; any other column is a fact for the rule, except those
# whose name starts with "_" (a window's bucket, say), kept for the members query.
ALERT_COLUMNS = ("alert_id", "anchor", "score")

Fact = int | float | str


@dataclass(frozen=True)
class Finding:
    """One alert: the pattern, where it centres, how strong, the facts and the subgraph."""

    detector: str
    version: str
    alert_id: str
    anchor: str
    score: float
    facts: dict[str, Fact]
    accounts: tuple[str, ...] = ()
    transactions: tuple[str, ...] = ()
    rule: str = field(default="", compare=False)

    def explain(self, lang: Lang = "en") -> str:
        """The rule that fired, with this alert's facts, in ``lang``."""
        return translate(self.rule, lang, anchor=self.anchor, **self.facts)

    def as_record(self) -> dict[str, Any]:
        return {
            "detector": self.detector,
            "version": self.version,
            "alert_id": self.alert_id,
            "anchor": self.anchor,
            "score": self.score,
            "facts": dict(self.facts),
            "accounts": list(self.accounts),
            "transactions": list(self.transactions),
            "explanation": {"es": self.explain("es"), "en": self.explain("en")},
        }


class Detector:
    """Base of every typology detector; subclasses set the class attributes and the SQL.

    ``requires`` names shared tables (see :mod:`paridad.finance.detectors.shared`) the
    runner materialises once before any detector that needs them.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    title: ClassVar[str]  # N_() label of the typology
    rule: ClassVar[str]  # N_() sentence; placeholders are {anchor} and the fact columns
    requires: ClassVar[tuple[str, ...]] = ()

    def stages(self) -> list[tuple[str, str]]:
        """Intermediate tables of this detector, (name, SQL) in order, materialised before
        its queries run: a table read several times is then computed once."""
        return []

    def alerts_sql(self) -> str:
        raise NotImplementedError

    def members_sql(self) -> str:
        raise NotImplementedError
