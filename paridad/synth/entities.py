"""Entity dicts in the JSON Lines shape every Paridad tool reads, and readable stable ids.

The generator emits plain dicts (``{"id", "schema", "properties", "markings"}``) rather than
FtM proxies: building a million proxies costs minutes, and the values written here are already
in FtM's clean form (ISO dates, lowercase country codes, E.164 phones), which the tests check
by round-tripping every line through ``model.get_proxy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

Entity = dict[str, Any]
Value = str | int | float | date | datetime | None
PropValue = Value | Iterable[Value]


def text(value: Value) -> str:
    """A property value as FtM stores it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    return str(value)


def coord(value: float) -> str:
    """Latitude/longitude at 1e-6° (≈ 0.1 m), fixed so the bytes are stable."""
    return f"{value:.6f}"


def make_entity(
    entity_id: str, schema: str, props: Mapping[str, PropValue], markings: Mapping[str, Any]
) -> Entity:
    """An entity dict; empty values are dropped and every value becomes a string."""
    properties: dict[str, list[str]] = {}
    for name, raw in props.items():
        if raw is None:
            continue
        if type(raw) is str:  # the common case, kept cheap
            if raw:
                properties[name] = [raw]
            continue
        items: Iterable[Value]
        items = (raw,) if isinstance(raw, str | int | float | date | datetime) else raw
        values = [v for v in (text(v) for v in items if v is not None) if v]
        if values:
            properties[name] = list(dict.fromkeys(values))
    return {"id": entity_id, "schema": schema, "properties": properties, "markings": markings}


class IdAllocator:
    """Readable ids, ``{side}-{agency}-{kind}-{n:06d}``, numbered per side, agency and kind.

    Each kind of record is made by one part of the generator, so numbering stays stable when
    another part changes.
    """

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, str], int] = {}

    def new(self, side: str, agency: str, kind: str) -> str:
        key = (side, agency.lower(), kind)
        n = self._counters.get(key, 0) + 1
        self._counters[key] = n
        return f"{side}-{key[1]}-{kind}-{n:06d}"
