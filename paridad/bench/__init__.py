"""Benchmarks: ``paridad bench NAME --json`` prints one JSON object per system measured.

Each benchmark runs Paridad and its peer on the same input in the same invocation, each in a
fresh child process (so peak memory is its own and one run cannot warm the other's caches),
because these machines are shared and only ratios measured side by side mean anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_UNKNOWN = N_("Unknown benchmark '{name}'; available: {names}.")


def run_benchmark(name: str, **options: Any) -> Iterator[dict[str, Any]]:
    from paridad.bench import exchange, ingest

    benchmarks: dict[str, Callable[..., Iterator[dict[str, Any]]]] = {
        "ingest": ingest.run,
        "exchange": exchange.run,
    }
    if name not in benchmarks:
        raise ParidadError(MSG_UNKNOWN, name=name, names=", ".join(benchmarks))
    yield from benchmarks[name](**options)
