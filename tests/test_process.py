"""The process settings a node and a command run with."""

from __future__ import annotations

import gc

from paridad.process import GC_THRESHOLD, tune_garbage_collector


def test_long_lived_objects_are_frozen_and_collections_are_rarer() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLD
        assert GC_THRESHOLD[0] > before[0] or before == GC_THRESHOLD
        assert gc.get_freeze_count() > 0
        # Cycles are still found: a self-referencing list made now is collected.
        gc.collect()
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.set_threshold(*before)
