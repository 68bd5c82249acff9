"""The drone alerts a node holds: those its own watch raised and those its partners handed
over, newest first — what the watch officer's list and ``paridad drones alerts`` show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from paridad.exchange.context import Exchange


@dataclass(frozen=True)
class AlertRow:
    id: str
    kind: str
    date: str
    latitude: float
    longitude: float
    sector: str
    port: str
    direction: str | None
    serial: str | None
    sender: str | None  # the partner that handed it over; None for the node's own

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "date": self.date,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "sector": self.sector,
            "port": self.port,
            "direction": self.direction,
            "serial": self.serial,
            "from": self.sender,
        }


def list_alerts(ex: Exchange, limit: int = 500) -> list[AlertRow]:
    values: dict[str, dict[str, str]] = defaultdict(dict)
    for candidate in ex.candidates(ex.entity_ids("DroneAlert")):
        for prop, value in candidate.values:
            values[candidate.id].setdefault(prop, value)
    senders = {
        str(r[0]): str(r[1])
        for r in ex.db.query(
            "SELECT r.entity_id, r.sender FROM received r JOIN entities e ON e.id = r.entity_id"
            " WHERE e.schema = 'DroneAlert'"
        )
    }
    out = [
        AlertRow(
            id=entity_id,
            kind=v.get("alertType", ""),
            date=v.get("date", ""),
            latitude=float(v.get("latitude", "nan")),
            longitude=float(v.get("longitude", "nan")),
            sector=v.get("sector", ""),
            port=v.get("nearestPort", ""),
            direction=v.get("direction"),
            serial=v.get("droneSerial"),
            sender=senders.get(entity_id),
        )
        for entity_id, v in values.items()
    ]
    out.sort(key=lambda r: r.date, reverse=True)
    return out[:limit]
