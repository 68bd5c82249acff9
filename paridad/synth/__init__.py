"""The synthetic binational scenario: one coherent world, split into what each country holds.

``generate`` writes Mexico's records under ``out/mx``, the United States' under ``out/us``,
the planted answers in ``out/truth.json`` and a manifest; the same seed always gives the same
bytes. ``sample_entities`` makes realistic entities fast, for benchmarks. Each part's module
docstring says what it plants and which research parameter it follows.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from paridad.synth.context import Scale
from paridad.synth.sample import sample_entities
from paridad.synth.world import build

__all__ = ["Scale", "generate", "sample_entities"]


def generate(
    out: Path,
    seed: int = 1,
    scale: Scale = "small",
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, Any]:
    """Write the scenario under `out` and return the manifest (also written as out/manifest.json)."""
    if scale not in ("small", "medium", "large"):
        raise ValueError(f"unknown scale {scale!r}; expected small, medium or large")
    return build(Path(out), seed, scale, progress)
