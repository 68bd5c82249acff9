"""Benchmarks: ``paridad bench NAME --json`` prints one JSON object per system measured.

Each benchmark runs Paridad and its peer on the same input in the same invocation, each in a
fresh child process (so peak memory is its own and one run cannot warm the other's caches),
because these machines are shared and only ratios measured side by side mean anything.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_UNKNOWN = N_("Unknown benchmark '{name}'; available: {names}.")


# Each benchmark is a module of this package with ``run(**options)`` yielding result rows;
# modules are imported only when chosen, so a benchmark's peer packages load only for it.
BENCHMARKS = {
    "ingest": "paridad.bench.ingest",
    "exchange": "paridad.bench.exchange",
    "psi": "paridad.bench.psi",
    "link": "paridad.bench.link",
    "resolve": "paridad.bench.resolve",
    "trace": "paridad.bench.trace",
    "drones": "paridad.bench.drones",
    "finance": "paridad.bench.finance",
}


def run_benchmark(name: str, **options: Any) -> Iterator[dict[str, Any]]:
    if name not in BENCHMARKS:
        raise ParidadError(MSG_UNKNOWN, name=name, names=", ".join(BENCHMARKS))
    module = importlib.import_module(BENCHMARKS[name])
    yield from module.run(**options)
