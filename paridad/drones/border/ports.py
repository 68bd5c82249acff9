"""The land ports of entry on the US–Mexico border, read from the shipped YAML list.

A crossing event names the nearest port because officers on both sides think of a stretch of
the line by its port ("3 km east of Otay Mesa"), and ports are where each side has staff."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from paridad.drones.border.errors import (
    MSG_BAD_PORT,
    MSG_DUPLICATE_PORT,
    MSG_NO_PORTS,
    MSG_UNREADABLE,
    BorderDataError,
)

PORTS_FILE = Path(__file__).parent / "data" / "ports_of_entry.yaml"

# The C loader when libyaml is present: the list is read once per process, but quickly.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TEXT_FIELDS = ("code", "name", "name_es", "state_us", "state_mx")


@dataclass(frozen=True)
class Port:
    """A land port of entry: the US name, the Mexican crossing's name, where the crossing is
    (WGS84 degrees) and the US and Mexican states (ISO 3166-2) on either side."""

    code: str
    name: str
    name_es: str
    latitude: float
    longitude: float
    state_us: str
    state_mx: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_ports(path: Path | str = PORTS_FILE) -> tuple[Port, ...]:
    """Read and check a ports-of-entry YAML file (a top-level ``ports:`` list of mappings)."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BorderDataError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from exc
    entries = data.get("ports") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise BorderDataError(MSG_NO_PORTS, path=str(path))
    ports: list[Port] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        port = _port(entry, index, path)
        if port.code in seen:
            raise BorderDataError(MSG_DUPLICATE_PORT, code=port.code, path=str(path))
        seen.add(port.code)
        ports.append(port)
    return tuple(ports)


def _port(entry: object, index: int, path: Path) -> Port:
    if not isinstance(entry, dict):
        raise BorderDataError(MSG_BAD_PORT, index=index, path=str(path), field="entry")
    texts: dict[str, str] = {}
    for field in _TEXT_FIELDS:
        value = entry.get(field)
        if not isinstance(value, str) or not value.strip():
            raise BorderDataError(MSG_BAD_PORT, index=index, path=str(path), field=field)
        texts[field] = value.strip()
    coords: dict[str, float] = {}
    for field, limit in (("latitude", 90.0), ("longitude", 180.0)):
        value = entry.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BorderDataError(MSG_BAD_PORT, index=index, path=str(path), field=field)
        number = float(value)
        if not math.isfinite(number) or abs(number) > limit:
            raise BorderDataError(MSG_BAD_PORT, index=index, path=str(path), field=field)
        coords[field] = number
    return Port(
        code=texts["code"],
        name=texts["name"],
        name_es=texts["name_es"],
        latitude=coords["latitude"],
        longitude=coords["longitude"],
        state_us=texts["state_us"],
        state_mx=texts["state_mx"],
    )
