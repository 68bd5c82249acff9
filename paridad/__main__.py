"""``python -m paridad``: the same command line as ``paridad``."""

from paridad.cli import main

main()
