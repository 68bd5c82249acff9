"""The laundering typologies, each a named, versioned detector with an explainable rule.

One module per family of patterns; :func:`registry` lists every detector by name, in the
order a scan runs them. See docs/finance-detectors.md for each rule and its defaults.
"""

from __future__ import annotations

import importlib
from functools import cache

from paridad.finance.detectors.base import Detector, Finding

_MODULES = (
    "fan",
    "scatter_gather",
    "gather_scatter",
    "bipartite",
    "cycles",
    "stacks",
    "funnel",
    "structuring",
    "pass_through",
)

__all__ = ["Detector", "Finding", "all_detectors", "registry"]


@cache
def registry() -> dict[str, type[Detector]]:
    """Detector classes by name (each module lists its own in ``DETECTORS``)."""
    out: dict[str, type[Detector]] = {}
    for module in _MODULES:
        loaded = importlib.import_module(f"paridad.finance.detectors.{module}")
        for cls in loaded.DETECTORS:
            out[cls.name] = cls
    return out


def all_detectors() -> list[Detector]:
    """One instance of every detector, with its default parameters."""
    return [cls() for cls in registry().values()]
