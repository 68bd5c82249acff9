"""Settings of the Python process a node or a command runs in.

A batch of a thousand records allocates hundreds of thousands of short-lived objects (parsed
JSON, statements, rows), and at the default threshold (700 allocations) the cyclic garbage
collector keeps re-walking every long-lived object of the process: about a tenth of a
receiving node's time, measured. Objects alive once the program has started (modules, the
schema model, the app) are frozen out of collection, and the youngest generation is collected
every ``GC_THRESHOLD[0]`` allocations instead. Nothing is left uncollected: cycles are found
as before, only in larger batches.
"""

from __future__ import annotations

import gc

GC_THRESHOLD = (100_000, 50, 100)


def tune_garbage_collector() -> None:
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
