"""The entity model: FollowTheMoney plus Paridad's own schemata for what FtM lacks.

Paridad's schemata (``schema/*.yaml``) are written in FtM's declarative style and loaded
into FtM's model, so every FtM tool (mappings, statements, graph export) understands a
Firearm or a DroneTrack as it understands a Person. Each schema and property also carries a
Spanish label (``label_es``) next to the English one; see :mod:`paridad.model.labels`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from followthemoney import model as _ftm_model
from followthemoney.model import Model

SCHEMA_DIR = Path(__file__).parent / "schema"


@cache
def paridad_schema_specs() -> dict[str, dict[str, Any]]:
    """The raw YAML of Paridad's schemata, by schema name (for labels and vocabularies)."""
    specs: dict[str, dict[str, Any]] = {}
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        specs.update(data)
    return specs


@cache
def load_model() -> Model:
    """Add Paridad's schemata to FtM's model, once per process, and return it."""
    for path in sorted(SCHEMA_DIR.glob("*.yaml")):
        _ftm_model._load(str(path))
    _ftm_model.generate()
    return _ftm_model


model = load_model()

PARIDAD_SCHEMATA: tuple[str, ...] = tuple(paridad_schema_specs())

__all__ = ["PARIDAD_SCHEMATA", "load_model", "model", "paridad_schema_specs"]
