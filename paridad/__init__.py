"""Paridad: sovereign, binational security cooperation between Mexico and the United States.

Each agency runs its own node; nodes exchange information as equal peers under signed
agreements. See ``docs/`` for the design and ``README.md`` to run it.
"""

__version__ = "0.1.0"
