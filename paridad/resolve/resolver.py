"""Entity resolution on one node: runs of the model, an analyst's merges and splits, history.

:class:`Resolver` is what the CLI (and later the API and workbench) call. Everything it
decides is a judgement in the ledger (:mod:`paridad.resolve.judgements`); the entities are
only read. Each run, merge and split is also appended to the node's audit log (kind
``match``, ``"part": "resolve"``) in the same transaction as its judgements, with a digest of
what was recorded, so the audit log commits to the ledger.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.exc import InvalidData

from paridad.audit.log import MATCH, AuditLog
from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.model import model as ftm
from paridad.node import Node
from paridad.resolve.clusters import Clustering, build_clusters
from paridad.resolve.features import read_facts, rows_for
from paridad.resolve.judgements import (
    ANALYST,
    DIFFERENT,
    SAME,
    UNSURE,
    Judgement,
    JudgementLedger,
    NewJudgement,
    now_iso,
    pair,
)
from paridad.resolve.splink_model import MODELS, ResolutionModel, score
from paridad.store.database import Database, Tx

DEFAULT_THRESHOLD = 0.9
DEFAULT_REVIEW = 0.5
# A rescored pair whose probability moved less than this is the same judgement again.
_SCORE_EPSILON = 1e-6
_CHUNK = 500

MSG_UNKNOWN_ENTITY = N_("No entity with id '{id}'.")
MSG_NO_REASON = N_("Say why (--reason): a merge or split is kept with its reason.")
MSG_INCOMPATIBLE = N_(
    "{left} is a {left_schema} and {right} a {right_schema}: they cannot be one entity."
)
MSG_UNKNOWN_SCHEMA = N_("Entity resolution covers {schemata}, not '{schema}'.")
MSG_BAD_THRESHOLDS = N_(
    "The review threshold ({review}) must be between 0 and the match threshold ({threshold})."
)

Progress = Callable[[str], None]


class ResolveError(ParidadError):
    """A resolution request that cannot be carried out as asked."""


@dataclass
class RunSummary:
    run_id: str
    model: str
    engine: str
    training: str
    threshold: float
    review: float
    entities: int = 0
    candidates: int = 0
    same: int = 0
    unsure: int = 0
    retracted: int = 0
    unchanged: int = 0
    kept_analyst: int = 0
    clusters: int = 0
    clustered: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return self.same + self.unsure + self.retracted

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "recorded": self.recorded}


@dataclass(frozen=True)
class Outcome:
    """What a merge or split recorded and the clusters it left."""

    judgement: Judgement
    left_cluster: tuple[str, ...]
    right_cluster: tuple[str, ...]
    # Analyst "same" judgements that no longer hold because of a "different" (shown as a
    # warning: the analyst may want to reverse one of them).
    overridden: tuple[Judgement, ...] = ()

    @property
    def together(self) -> bool:
        return self.left_cluster == self.right_cluster


@dataclass(frozen=True)
class History:
    entity_id: str
    canonical_id: str
    cluster: tuple[str, ...]
    judgements: tuple[Judgement, ...]
    effective: frozenset[int]  # seq of the judgements that count today


def digest(judgements: Iterable[Judgement]) -> str:
    """SHA-256 over the recorded judgements, for the audit entry that records them."""
    h = hashlib.sha256()
    for j in judgements:
        h.update(json.dumps(j.to_dict(), sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\n")
    return h.hexdigest()


def model_for(schema: str) -> ResolutionModel:
    if schema not in MODELS:
        raise ResolveError(MSG_UNKNOWN_SCHEMA, schemata=", ".join(MODELS), schema=schema)
    return MODELS[schema]()


class Resolver:
    """One node opened for entity resolution. Close it (or use ``with``)."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.db = Database(node.store_url)
        self.ledger = JudgementLedger(self.db)
        self.audit = AuditLog(self.db)

    @classmethod
    def open(cls, path: Path) -> Resolver:
        return cls(Node.open(path))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Resolver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- entities ------------------------------------------------------------------------
    def schemata(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(schema, caption) of those ``ids`` that are in the store."""
        out: dict[str, tuple[str, str]] = {}
        unique = list(dict.fromkeys(ids))
        for i in range(0, len(unique), _CHUNK):
            chunk = unique[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for entity_id, schema, caption in self.db.query(
                f"SELECT id, schema, caption FROM entities WHERE id IN ({marks})", chunk
            ):
                out[str(entity_id)] = (str(schema), str(caption))
        return out

    def _require(self, *ids: str) -> dict[str, tuple[str, str]]:
        found = self.schemata(ids)
        for entity_id in ids:
            if entity_id not in found:
                raise ResolveError(MSG_UNKNOWN_ENTITY, id=entity_id)
        return found

    # --- clusters ------------------------------------------------------------------------
    def _clustering(self, judgements: Iterable[Judgement]) -> Clustering:
        chosen = list(judgements)
        present = set(self.schemata([i for j in chosen for i in j.pair]))
        return build_clusters(chosen, present.__contains__)

    def clustering(self) -> Clustering:
        """The clusters the ledger's effective judgements make today."""
        return self._clustering(self.ledger.effective().values())

    def canonical_id(self, entity_id: str) -> str:
        return self.clustering().canonical_id(entity_id)

    def cluster_of(self, entity_id: str) -> tuple[str, ...]:
        return self.clustering().cluster_of(entity_id)

    def pending(self) -> list[Judgement]:
        """Pairs whose effective verdict is "unsure": waiting for an analyst, best first."""
        unsure = [j for j in self.ledger.effective().values() if j.verdict == UNSURE]
        present = self.schemata([i for j in unsure for i in j.pair])
        kept = [j for j in unsure if j.left_id in present and j.right_id in present]
        return sorted(kept, key=lambda j: (-(j.score or 0.0), j.left_id, j.right_id))

    # --- an analyst's judgements ---------------------------------------------------------
    def _judge(self, a: str, b: str, verdict: str, reason: str, actor: str) -> Outcome:
        if not reason.strip():
            raise ResolveError(MSG_NO_REASON)
        left, right = pair(a, b)
        found = self._require(a, b)
        try:
            ftm.common_schema(found[left][0], found[right][0])
        except InvalidData:
            raise ResolveError(
                MSG_INCOMPATIBLE,
                left=left,
                left_schema=found[left][0],
                right=right,
                right_schema=found[right][0],
            ) from None
        new = NewJudgement(left, right, verdict, ANALYST, actor, reason.strip())
        with self.db.transaction() as tx:
            (recorded,) = self.ledger.record(tx, [new])
            self.audit.append(
                tx,
                MATCH,
                actor,
                {
                    "part": "resolve",
                    "action": "merge" if verdict == SAME else "split",
                    "left": left,
                    "right": right,
                    "judgement": recorded.seq,
                    "digest": digest([recorded]),
                },
            )
        clustering = self.clustering()
        touched = set(clustering.cluster_of(left)) | set(clustering.cluster_of(right))
        overridden = tuple(
            j for j in clustering.blocked if j.by_analyst and (set(j.pair) & touched)
        )
        return Outcome(recorded, clustering.cluster_of(a), clustering.cluster_of(b), overridden)

    def merge(self, a: str, b: str, reason: str, actor: str) -> Outcome:
        """Record that ``a`` and ``b`` are one entity (reversed by a later split)."""
        return self._judge(a, b, SAME, reason, actor)

    def split(self, a: str, b: str, reason: str, actor: str) -> Outcome:
        """Record that ``a`` and ``b`` are not one entity; no model run will join them again
        until an analyst merges them (the judgement also keeps apart entities never joined)."""
        return self._judge(a, b, DIFFERENT, reason, actor)

    def history(self, entity_id: str) -> History:
        judgements = self.ledger.history(entity_id)
        if not judgements and not self.schemata([entity_id]):
            raise ResolveError(MSG_UNKNOWN_ENTITY, id=entity_id)
        effective = self.ledger.effective()
        clustering = self._clustering(effective.values())
        counting = frozenset(
            j.seq
            for j in judgements
            if effective.get(j.pair, None) is not None and effective[j.pair].seq == j.seq
        )
        return History(
            entity_id,
            clustering.canonical_id(entity_id),
            clustering.cluster_of(entity_id),
            tuple(judgements),
            counting,
        )

    # --- a model run ---------------------------------------------------------------------
    def run(
        self,
        schema: str,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        review: float = DEFAULT_REVIEW,
        engine: str = "duckdb",
        training: str = "auto",
        actor: str = "resolver",
        api: Any = None,
        progress: Progress | None = None,
    ) -> RunSummary:
        """Score the node's entities of ``schema`` and record what changed as judgements.

        Pairs at or above ``threshold`` become "same", those between ``review`` and
        ``threshold`` "unsure" (for an analyst to look at). A pair the model judged before and
        no longer proposes gets a model "different". Pairs an analyst judged are never
        touched, and a pair rescored to the same verdict and score is not recorded again, so
        rerunning on unchanged data records nothing. ``api`` is a Splink database API to use
        instead of opening ``engine`` (the caller keeps a Spark session for several runs).
        """
        from paridad.resolve.engines import open_engine

        if not 0.0 < review <= threshold <= 1.0:
            raise ResolveError(MSG_BAD_THRESHOLDS, review=review, threshold=threshold)
        resolution = model_for(schema)
        step = progress or (lambda _name: None)
        started = time.perf_counter()
        started_at = now_iso()
        step(N_("Reading entities"))
        rows = list(rows_for(read_facts(self.db, resolution.schemata), resolution.name))
        if api is None:
            with open_engine(engine) as opened:
                scored = score(
                    resolution, rows, opened, review=review, training=training, progress=step
                )
        else:
            scored = score(resolution, rows, api, review=review, training=training, progress=step)
        step(N_("Recording judgements"))
        run_id = f"run-{uuid.uuid4().hex[:16]}"
        summary = RunSummary(
            run_id,
            resolution.key,
            engine,
            scored.training,
            threshold,
            review,
            entities=len(rows),
            candidates=len(scored.candidates),
            notes=scored.notes,
        )
        new = self._changes(
            resolution, scored.candidates, {r["unique_id"] for r in rows}, summary, actor
        )
        with self.db.transaction() as tx:
            recorded = self.ledger.record(tx, new)
            summary.seconds = round(time.perf_counter() - started, 3)
            self._record_run(tx, summary, scored.parameters, actor, started_at)
            self.audit.append(
                tx,
                MATCH,
                actor,
                {
                    "part": "resolve",
                    "action": "run",
                    "run": run_id,
                    "model": resolution.key,
                    "engine": engine,
                    "training": scored.training,
                    "entities": summary.entities,
                    "recorded": len(recorded),
                    "digest": digest(recorded),
                },
            )
        clustering = self.clustering()
        in_scope = {r["unique_id"] for r in rows}
        groups = [g for g in clustering.clusters() if in_scope.issuperset(g)]
        summary.clusters = len(groups)
        summary.clustered = sum(len(g) for g in groups)
        return summary

    def _changes(
        self,
        resolution: ResolutionModel,
        candidates: Sequence[Any],
        scope: set[str],
        summary: RunSummary,
        actor: str,
    ) -> list[NewJudgement]:
        latest = self.ledger.latest()
        analyst = {j.pair for j in latest if j.by_analyst}
        by_model = {j.pair: j for j in latest if not j.by_analyst}
        source, run_id = resolution.source, summary.run_id
        out: list[NewJudgement] = []
        proposed: set[tuple[str, str]] = set()
        for c in candidates:
            key = (c.left_id, c.right_id)
            proposed.add(key)
            verdict = SAME if c.probability >= summary.threshold else UNSURE
            if key in analyst:
                summary.kept_analyst += 1
                continue
            before = by_model.get(key)
            if (
                before is not None
                and before.verdict == verdict
                and before.source == source
                and before.score is not None
                and abs(before.score - c.probability) < _SCORE_EPSILON
            ):
                summary.unchanged += 1
                continue
            if verdict == SAME:
                summary.same += 1
            else:
                summary.unsure += 1
            out.append(NewJudgement(*key, verdict, source, actor, c.reason, c.probability, run_id))
        for key, before in sorted(by_model.items()):
            if key in proposed or key in analyst or before.verdict == DIFFERENT:
                continue
            if key[0] in scope and key[1] in scope:
                summary.retracted += 1
                reason = f"below review threshold {summary.review:g}"
                out.append(NewJudgement(*key, DIFFERENT, source, actor, reason, None, run_id))
        return out

    def _record_run(
        self, tx: Tx, summary: RunSummary, parameters: dict[str, Any], actor: str, started: str
    ) -> None:
        tx.execute(
            "INSERT INTO resolve_runs (id, model, engine, training, threshold, review, entities,"
            " candidates, recorded, parameters, actor, started_at, finished_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                summary.run_id,
                summary.model,
                summary.engine,
                summary.training,
                summary.threshold,
                summary.review,
                summary.entities,
                summary.candidates,
                summary.recorded,
                json.dumps(parameters, sort_keys=True, ensure_ascii=False),
                actor,
                started,
                now_iso(),
            ),
        )
