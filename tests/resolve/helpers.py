"""Nodes with planted duplicates, cut from the synthetic scenario.

The scenario keeps one record of a person per country and says which records are one person
(``people_pairs``), which share a name but are not (``people_hard_negatives``) and which
organisations appear on both sides (``organization_pairs``). A node that holds both sides'
records — a joint task force's, or one that received its partner's records — holds those
pairs as duplicates, with the drifts between agencies the scenario plants. The helpers write
a small JSON Lines file of such records and load it through the normal ingest path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from paridad.ingest import ingest_file
from paridad.node import Node
from tests.ingest.helpers import write_jsonl


@dataclass(frozen=True)
class Duplicates:
    """A source file of records with the truth about which of them are one entity."""

    path: Path
    people: frozenset[tuple[str, str]]
    organizations: frozenset[tuple[str, str]]
    namesakes: frozenset[tuple[str, str]]
    ids: frozenset[str]


@cache
def _scenario(root: Path) -> Path:
    from paridad.synth import generate

    out = root / "scenario"
    if not (out / "truth.json").exists():
        generate(out, seed=7, scale="small")
    return out


def scenario(factory: pytest.TempPathFactory) -> Path:
    """The small scenario, generated once per test session."""
    return _scenario(factory.getbasetemp())


def _records(root: Path, name: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for side in ("mx", "us"):
        with (root / side / name).open(encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                out[item["id"]] = item
    return out


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def duplicates(
    root: Path, out: Path, *, pairs: int, namesakes: int, singles: int, organizations: int
) -> Duplicates:
    """The first ``pairs`` people pairs, ``namesakes`` hard negatives, ``singles`` people on
    their own and ``organizations`` organisation pairs of the scenario, as one file."""
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    people = _records(root, "people.jsonl")
    orgs = _records(root, "organizations.jsonl")
    chosen: dict[str, dict[str, Any]] = {}
    person_pairs = [_pair(p["mx"], p["us"]) for p in truth["people_pairs"][:pairs]]
    negative_pairs = [_pair(p["mx"], p["us"]) for p in truth["people_hard_negatives"][:namesakes]]
    org_pairs = [_pair(p["mx"], p["us"]) for p in truth["organization_pairs"][:organizations]]
    for a, b in [*person_pairs, *negative_pairs]:
        chosen[a], chosen[b] = people[a], people[b]
    for a, b in org_pairs:
        chosen[a], chosen[b] = orgs[a], orgs[b]
    in_pairs = {i for p in truth["people_pairs"] for i in (p["mx"], p["us"])}
    alone = [i for i in sorted(people) if i not in in_pairs and i not in chosen]
    for entity_id in alone[:singles]:
        chosen[entity_id] = people[entity_id]
    write_jsonl(out, [chosen[k] for k in sorted(chosen)])
    return Duplicates(
        out,
        frozenset(person_pairs),
        frozenset(org_pairs),
        frozenset(negative_pairs),
        frozenset(chosen),
    )


def load(node: Node, source: Path) -> None:
    with node.open_store() as store:
        ingest_file(store, source, dataset="joint-task-force")
