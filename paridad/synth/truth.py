"""The planted answers every evaluation scores against.

Each part of the generator records what it planted (which records are the same person, which
acquisition a recovered gun really came from, which accounts form a fan-in) as it plants it.
Sections keep the order the generator produced them in, which is deterministic for a seed.
"""

from __future__ import annotations

from typing import Any

SECTIONS = (
    "people_pairs",
    "people_hard_negatives",
    "organization_pairs",
    "traces",
    "straw_rings",
    "multiple_sales",
    "drone_hotspots",
    "drone_sensors",
    "drone_flights",
    "drone_crossings",
    "typologies",
    "account_pairs",
    "payment_pairs",
    "fuel_networks",
    "designated",
    "extraditions",
    "asset_seizures",
    "joint_cases",
    "meetings",
)


class Truth:
    def __init__(self) -> None:
        self.sections: dict[str, list[dict[str, Any]]] = {name: [] for name in SECTIONS}

    def add(self, section: str, record: dict[str, Any]) -> None:
        self.sections[section].append(record)

    def count(self) -> int:
        return sum(len(v) for v in self.sections.values())

    def to_dict(self, meta: dict[str, Any]) -> dict[str, Any]:
        return {**meta, **self.sections}
