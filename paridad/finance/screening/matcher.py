"""Screen persons and companies against a designation list and explain every hit.

Candidates come from nomenklatura's blocking index (shared name tokens, weighted by how rare
they are), so screening a bank's customers costs a few candidates per customer rather than
the whole list. Each candidate is scored by nomenklatura's ``logic-v2`` matcher; a hit is a
candidate at or above the threshold, with the features that scored it (the names that
matched and how, an identifier, a birth date that disagrees...).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import Dataset, StatementEntity, model

from paridad.finance.screening import DEFAULT_THRESHOLD
from paridad.finance.screening.designations import SCREENED_SCHEMATA, Designation, DesignationList
from paridad.finance.tables import holder_key
from paridad.i18n import N_, Lang, format_number, translate

ALGORITHM = "logic-v2"

MSG_HIT = N_("{query} resembles {designated}, listed by {listing}: score {score} ({features}).")

# What each of the matcher's features means, for the analyst reading a hit.
FEATURE_LABELS: dict[str, str] = {
    "same_entity": N_("it is the listed entity itself"),
    "name_match": N_("names match"),
    "weak_alias_match": N_("a weak alias matches"),
    "identifier_match": N_("an identifier matches"),
    "crypto_wallet_address": N_("a crypto wallet matches"),
    "address_entity_match": N_("an address matches"),
    "address_prop_match": N_("the address supports it"),
    "bic_code_match": N_("a BIC matches"),
    "lei_code_match": N_("an LEI matches"),
    "country_mismatch": N_("the countries differ"),
    "dob_year_disjoint": N_("the birth years differ"),
    "dob_day_disjoint": N_("the birth dates differ"),
    "gender_mismatch": N_("the genders differ"),
}


@dataclass(frozen=True)
class FeatureScore:
    """One feature of the match: its name, its score, and nomenklatura's own account of it."""

    name: str
    score: float
    detail: str | None = None
    query: str | None = None
    candidate: str | None = None

    def label(self, lang: Lang) -> str:
        msgid = FEATURE_LABELS.get(self.name)
        return translate(msgid, lang) if msgid else self.name


@dataclass(frozen=True)
class ScreeningHit:
    query_id: str
    query_name: str
    designation: Designation
    score: float
    features: tuple[FeatureScore, ...]

    def explain(self, lang: Lang) -> str:
        shown = [
            f"{f.label(lang)} {format_number(f.score, lang, 2)}"
            for f in self.features
            if f.score > 0
        ]
        d = self.designation
        return translate(
            MSG_HIT,
            lang,
            query=self.query_name,
            designated=d.name,
            listing="; ".join(d.authorities or d.lists),
            score=format_number(self.score, lang, 2),
            features=", ".join(shown),
        )

    def as_record(self) -> dict[str, Any]:
        d = self.designation
        return {
            "query_id": self.query_id,
            "query_name": self.query_name,
            "designated_id": d.entity_id,
            "designated_name": d.name,
            "schema": d.schema,
            "lists": list(d.lists),
            "authorities": list(d.authorities),
            "programs": list(d.programs),
            "listed": d.listed,
            "score": round(self.score, 4),
            "algorithm": ALGORITHM,
            "features": [
                {
                    "name": f.name,
                    "score": round(f.score, 4),
                    "detail": f.detail,
                    "query": f.query,
                    "candidate": f.candidate,
                }
                for f in self.features
            ],
            "explanation": {lang: self.explain(lang) for lang in ("es", "en")},
        }


class Screener:
    """A designation list indexed once, screened against any number of batches."""

    def __init__(self, designations: DesignationList, max_candidates: int = 10) -> None:
        from nomenklatura.blocker import Index

        self.designations = designations
        self._view = designations.store.view(designations.dataset)
        self._workdir = Path(tempfile.mkdtemp(prefix="paridad-screen-"))
        self._index = Index(self._view, self._workdir, {"max_candidates": max_candidates})
        self._index.build()

    def close(self) -> None:
        self._index.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Screener:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def screen(
        self, entities: Iterable[Mapping[str, Any]], threshold: float = DEFAULT_THRESHOLD
    ) -> list[ScreeningHit]:
        """Hits for the persons and companies among ``entities`` (FtM dicts), best first."""
        from nomenklatura.matching import LogicV2, ScoringConfig

        dataset = Dataset.make({"name": "screened", "title": "screened"})
        queries: dict[str, StatementEntity] = {}
        for data in entities:
            schema = model.get(str(data.get("schema") or ""))
            if not data.get("id") or schema is None or schema.name not in SCREENED_SCHEMATA:
                continue
            entity = StatementEntity.from_data(dataset, dict(data))
            if entity.get_type_values(_name_type()):
                queries[str(entity.id)] = entity
        if not queries:
            return []
        config = ScoringConfig.defaults()
        hits: list[ScreeningHit] = []
        # The node's own record of a listed party (the list and the customers share a store):
        # the index never pairs an entity with itself, so identity is checked first.
        for own_id, own in queries.items():
            designation = self.designations.designations.get(own_id)
            if designation is not None:
                same = FeatureScore("same_entity", 1.0, query=own.caption)
                hits.append(ScreeningHit(own_id, own.caption, designation, 1.0, (same,)))
        for query_id, candidates in self._index.match_entities(queries.values()):
            query = queries[str(query_id)]
            for candidate_id, _blocking in candidates:
                listed = self._view.get_entity(str(candidate_id))
                designation = self.designations.designations.get(str(candidate_id))
                if (
                    listed is None
                    or designation is None
                    or str(query_id) in self.designations.designations
                ):
                    continue
                result = LogicV2.compare(query, listed, config)
                if result.score < threshold:
                    continue
                features = tuple(
                    FeatureScore(name, e.score, e.detail, e.query, e.candidate)
                    for name, e in result.explanations.items()
                    if name in FEATURE_LABELS
                )
                hits.append(
                    ScreeningHit(str(query.id), query.caption, designation, result.score, features)
                )
        hits.sort(key=lambda h: (-h.score, h.query_id, h.designation.entity_id))
        return hits


def _name_type() -> Any:
    from followthemoney.types import registry

    return registry.name


def holders_as_entities(accounts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Account holders known only by name (a bank's accounts file) as entities to screen."""
    seen: dict[str, dict[str, Any]] = {}
    for row in accounts:
        name = (row.get("holder_name") or "").strip()
        holder = holder_key(row)
        if not name or holder is None:
            continue
        seen.setdefault(
            holder, {"id": holder, "schema": "LegalEntity", "properties": {"name": [name]}}
        )
    return list(seen.values())


def designated_accounts(
    hits: Iterable[ScreeningHit], accounts: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """Accounts held by a party that screened as designated, with its label for reasons."""
    best: dict[str, ScreeningHit] = {}
    for hit in hits:
        if hit.query_id not in best or hit.score > best[hit.query_id].score:
            best[hit.query_id] = hit
    out: dict[str, str] = {}
    for row in accounts:
        holder = holder_key(row)
        if holder is not None and holder in best:
            out[str(row["account_id"])] = best[holder].designation.label()
    return out
