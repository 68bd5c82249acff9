"""Fixtures for the synthetic-scenario tests.

Policy: one small scenario (seed 1) is generated once per test session and shared read-only by
every test; tests that need another seed or a second copy generate it in their own temporary
directory. Nothing is hand-typed: every fixture comes from ``paridad.synth`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest

from paridad.synth import generate


@dataclass
class Scenario:
    root: Path
    manifest: dict[str, Any]
    truth: dict[str, Any]
    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def side(self, side: str) -> dict[str, dict[str, Any]]:
        return self.entities[side]

    def of(self, side: str, schema: str) -> Iterator[dict[str, Any]]:
        return (e for e in self.entities[side].values() if e["schema"] == schema)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as fh:
        for line in fh:
            yield orjson.loads(line)


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    root = tmp_path_factory.mktemp("synth-small")
    manifest = generate(root, seed=1, scale="small")
    truth = orjson.loads((root / "truth.json").read_bytes())
    sc = Scenario(root, manifest, truth)
    for side in ("mx", "us"):
        sc.entities[side] = {}
        for path in sorted((root / side).glob("*.jsonl")):
            for entity in read_jsonl(path):
                assert entity["id"] not in sc.entities[side], entity["id"]
                sc.entities[side][entity["id"]] = entity
    return sc
