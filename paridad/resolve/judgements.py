"""The judgement ledger: who decided that two records are (or are not) one entity, when, why.

Resolution never rewrites the entities it judges. What it concludes is a *judgement* about a
pair of entity ids, appended to a table of its own next to the store (``resolve_judgements``):
a verdict (``same``, ``different`` or ``unsure``), the model's score when a model made it, the
source (``splink:<model>@<version>`` or ``analyst``), the actor, a reason and the time. Rows
are never updated or deleted. A later judgement on the same pair supersedes an earlier one,
and the history stays, so every merge and split can be explained and reversed.

Which judgement counts for a pair (:func:`effective`): the latest *analyst* judgement if an
analyst ever judged the pair, otherwise the latest model judgement. A model rerun therefore
never overrides an analyst, whatever it scores.

Pairs are stored in a fixed order (``left_id < right_id``) so "A and B" and "B and A" are one
pair. ``seq`` numbers judgements in the order they were made (taken under the store's write
lock, like the audit log's index), which is what "later" means.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.store.database import Database, Tx

SAME = "same"
DIFFERENT = "different"
UNSURE = "unsure"
VERDICTS: tuple[str, ...] = (SAME, DIFFERENT, UNSURE)
ANALYST = "analyst"
MODEL_PREFIX = "splink:"

MSG_SELF = N_("An entity cannot be judged against itself ({id}).")
MSG_BAD_VERDICT = N_("Unknown verdict '{verdict}'; the verdicts are: {verdicts}.")
MSG_BAD_SOURCE = N_("A judgement comes from 'analyst' or 'splink:<model>', not '{source}'.")

DDL = """
CREATE TABLE IF NOT EXISTS resolve_judgements (
    seq BIGINT PRIMARY KEY, left_id TEXT NOT NULL, right_id TEXT NOT NULL,
    verdict TEXT NOT NULL, score DOUBLE PRECISION, source TEXT NOT NULL, actor TEXT NOT NULL,
    reason TEXT NOT NULL, created_at TEXT NOT NULL, run_id TEXT
);
CREATE INDEX IF NOT EXISTS resolve_judgements_pair ON resolve_judgements (left_id, right_id, seq);
CREATE INDEX IF NOT EXISTS resolve_judgements_right ON resolve_judgements (right_id, seq);
CREATE TABLE IF NOT EXISTS resolve_runs (
    id TEXT PRIMARY KEY, model TEXT NOT NULL, engine TEXT NOT NULL, training TEXT NOT NULL,
    threshold DOUBLE PRECISION NOT NULL, review DOUBLE PRECISION NOT NULL,
    entities BIGINT NOT NULL, candidates BIGINT NOT NULL, recorded BIGINT NOT NULL,
    parameters TEXT NOT NULL, actor TEXT NOT NULL, started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
);
"""

_COLUMNS = "seq, left_id, right_id, verdict, score, source, actor, reason, created_at, run_id"
# One lock number per part that numbers rows itself (the audit log has its own).
_PG_LOCK = 4242301


class JudgementError(ParidadError):
    """A judgement that cannot be recorded as asked."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def pair(a: str, b: str) -> tuple[str, str]:
    """The stored order of a pair; an entity is never paired with itself."""
    if a == b:
        raise JudgementError(MSG_SELF, id=a)
    return (a, b) if a < b else (b, a)


@dataclass(frozen=True)
class Judgement:
    seq: int
    left_id: str
    right_id: str
    verdict: str
    score: float | None
    source: str
    actor: str
    reason: str
    created_at: str
    run_id: str | None = None

    @property
    def pair(self) -> tuple[str, str]:
        return (self.left_id, self.right_id)

    @property
    def by_analyst(self) -> bool:
        return self.source == ANALYST

    def other(self, entity_id: str) -> str:
        return self.right_id if entity_id == self.left_id else self.left_id

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class NewJudgement:
    """A judgement about to be recorded (the ledger gives it its number and time)."""

    left_id: str
    right_id: str
    verdict: str
    source: str
    actor: str
    reason: str
    score: float | None = None
    run_id: str | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise JudgementError(
                MSG_BAD_VERDICT, verdict=self.verdict, verdicts=", ".join(VERDICTS)
            )
        if self.source != ANALYST and not (
            self.source.startswith(MODEL_PREFIX) and len(self.source) > len(MODEL_PREFIX)
        ):
            raise JudgementError(MSG_BAD_SOURCE, source=self.source)
        left, right = pair(self.left_id, self.right_id)
        object.__setattr__(self, "left_id", left)
        object.__setattr__(self, "right_id", right)


def _judgement(row: Sequence[Any]) -> Judgement:
    seq, left, right, verdict, score, source, actor, reason, created, run_id = row
    return Judgement(
        int(seq),
        str(left),
        str(right),
        str(verdict),
        None if score is None else float(score),
        str(source),
        str(actor),
        str(reason),
        str(created),
        None if run_id is None else str(run_id),
    )


def effective(judgements: Iterable[Judgement]) -> dict[tuple[str, str], Judgement]:
    """The judgement that counts for each pair: the latest analyst one, else the latest."""
    best: dict[tuple[str, str], Judgement] = {}
    for j in judgements:
        current = best.get(j.pair)
        if current is None:
            best[j.pair] = j
        elif current.by_analyst != j.by_analyst:
            if j.by_analyst:
                best[j.pair] = j
        elif j.seq > current.seq:
            best[j.pair] = j
    return best


class JudgementLedger:
    """The ``resolve_judgements`` table of one node's store (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.ensure(DDL)

    def record(self, tx: Tx, judgements: Sequence[NewJudgement]) -> list[Judgement]:
        """Append ``judgements`` inside ``tx`` (they commit with whatever else it writes)."""
        if not judgements:
            return []
        if tx.dialect != "sqlite":  # SQLite's BEGIN IMMEDIATE already serialises writers
            tx.execute(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
        last = tx.query("SELECT MAX(seq) FROM resolve_judgements")[0][0]
        start = int(last) + 1 if last is not None else 1
        at = now_iso()
        out = [
            Judgement(
                start + i,
                j.left_id,
                j.right_id,
                j.verdict,
                j.score,
                j.source,
                j.actor,
                j.reason,
                at,
                j.run_id,
            )
            for i, j in enumerate(judgements)
        ]
        tx.executemany(
            f"INSERT INTO resolve_judgements ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    j.seq,
                    j.left_id,
                    j.right_id,
                    j.verdict,
                    j.score,
                    j.source,
                    j.actor,
                    j.reason,
                    j.created_at,
                    j.run_id,
                )
                for j in out
            ],
        )
        return out

    def history(self, entity_id: str) -> list[Judgement]:
        """Every judgement about ``entity_id``, oldest first (superseded ones included)."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM resolve_judgements WHERE left_id = ? OR right_id = ?"
            " ORDER BY seq",
            (entity_id, entity_id),
        )
        return [_judgement(r) for r in rows]

    def pair_history(self, a: str, b: str) -> list[Judgement]:
        left, right = pair(a, b)
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM resolve_judgements WHERE left_id = ? AND right_id = ?"
            " ORDER BY seq",
            (left, right),
        )
        return [_judgement(r) for r in rows]

    def latest(self) -> list[Judgement]:
        """Per pair, the latest analyst judgement and the latest model judgement.

        Grouping by ``source = 'analyst'`` keeps the query to one pass on both backends; the
        caller picks between the two with :func:`effective`.
        """
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM resolve_judgements WHERE seq IN ("
            " SELECT MAX(seq) FROM resolve_judgements"
            " GROUP BY left_id, right_id, CASE WHEN source = 'analyst' THEN 1 ELSE 0 END)"
            " ORDER BY seq"
        )
        return [_judgement(r) for r in rows]

    def effective(self) -> dict[tuple[str, str], Judgement]:
        return effective(self.latest())

    def count(self) -> int:
        return int(self.db.query("SELECT COUNT(*) FROM resolve_judgements")[0][0])

    def known(self, entity_id: str) -> bool:
        """Whether any judgement names ``entity_id`` (its history outlives a purged entity)."""
        rows = self.db.query(
            "SELECT 1 FROM resolve_judgements WHERE left_id = ? OR right_id = ? LIMIT 1",
            (entity_id, entity_id),
        )
        return bool(rows)
