"""Fixtures for entity resolution: a node on each store backend, with planted duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paridad.node import Node
from paridad.resolve import Resolver
from tests.resolve.helpers import Duplicates, duplicates, load, scenario


@pytest.fixture
def planted(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Duplicates:
    """Thirty people on both sides, six namesakes, sixty people alone, ten companies."""
    return duplicates(
        scenario(tmp_path_factory),
        tmp_path / "joint.jsonl",
        pairs=30,
        namesakes=6,
        singles=60,
        organizations=10,
    )


@pytest.fixture
def resolver(node: Node, planted: Duplicates) -> Iterator[Resolver]:
    """The node with the planted records loaded, opened for resolution."""
    load(node, planted.path)
    with Resolver(node) as opened:
        yield opened
