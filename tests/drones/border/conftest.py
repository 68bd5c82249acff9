"""The shipped border, built once for the whole folder (it takes about a second)."""

from __future__ import annotations

import pytest

from paridad.drones.border import Border


@pytest.fixture(scope="session")
def border() -> Border:
    return Border.load()
