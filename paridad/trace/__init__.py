"""Firearms tracing: a recovered gun matched to the first retail sale it came from.

``tracer`` holds the algorithm; ``serials``, ``makes``, ``calibers`` and ``models`` reduce
what each side wrote to comparable keys; ``scoring`` weighs a candidate; ``layouts`` reads the
documented CSV files. See docs/trace.md.
"""

from paridad.trace.records import Acquisition, Recovery, TraceMatch
from paridad.trace.tracer import TraceSummary, trace, trace_csv

__all__ = ["Acquisition", "Recovery", "TraceMatch", "TraceSummary", "trace", "trace_csv"]
