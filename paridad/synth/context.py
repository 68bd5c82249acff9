"""What every part of the generator shares: the seed, the sizes, the output and the truth.

Parts receive the domain objects they depend on (people, organisations, cases) as arguments,
so the order in which the world is built is visible in ``world.py`` and nothing is global.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from paridad.synth import markings
from paridad.synth.entities import Entity, IdAllocator, PropValue, make_entity
from paridad.synth.rng import sub_random
from paridad.synth.truth import Truth
from paridad.synth.writer import ScenarioWriter

Scale = Literal["small", "medium", "large"]
Progress = Callable[[str, int], None]

# The scenario's "today": no wall clock is ever read. The second GIS meeting was on 11 Dec 2025.
REFERENCE_DATE = date(2025, 12, 31)


@dataclass(frozen=True)
class Sizes:
    """How many of each thing a scale plants. Medium is ~10x small and large ~100x."""

    cartel_members: int
    dealers: int
    background_buyers: int
    straw_rings: int
    recoveries: int
    drone_flights: int
    finance_people: int
    finance_companies: int
    background_payments: int
    typology_instances: int
    fuel_incidents: int
    fuel_networks: int
    extraditions: int
    seizures: int
    travellers: int


SIZES: dict[str, Sizes] = {
    "small": Sizes(
        cartel_members=8,
        dealers=40,
        background_buyers=400,
        straw_rings=5,
        recoveries=420,
        drone_flights=220,
        finance_people=220,
        finance_companies=30,
        background_payments=800,
        typology_instances=2,
        fuel_incidents=240,
        fuel_networks=4,
        extraditions=24,
        seizures=30,
        travellers=60,
    ),
}
SIZES["medium"] = Sizes(**{k: v * 10 for k, v in vars(SIZES["small"]).items()})
SIZES["large"] = Sizes(**{k: v * 100 for k, v in vars(SIZES["small"]).items()})
# Dealers grow slower than sales: research puts ~6,700 FFLs in the four border states and
# suggests 1,000-2,000 for a synthetic world (domain.md, "FFLs").
SIZES["medium"] = Sizes(**{**vars(SIZES["medium"]), "dealers": 300})
SIZES["large"] = Sizes(**{**vars(SIZES["large"]), "dealers": 1500})


class World:
    """The output, the truth and the seeded generators of one scenario being built."""

    def __init__(
        self, writer: ScenarioWriter, seed: int, scale: Scale, progress: Progress | None
    ) -> None:
        self.writer = writer
        self.seed = seed
        self.scale: Scale = scale
        self.sizes = SIZES[scale]
        self.truth = Truth()
        self.ids = IdAllocator()
        self._progress = progress

    def rng(self, name: str) -> random.Random:
        """The generator of one named part; see :func:`paridad.synth.rng.sub_random`."""
        return sub_random(self.seed, name)

    def step(self, name: str, count: int) -> None:
        if self._progress is not None:
            self._progress(name, count)

    def new_id(self, side: str, agency: str, kind: str) -> str:
        return self.ids.new(side, agency, kind)

    def add(
        self,
        rng: random.Random,
        file: str,
        agency: str,
        kind: str,
        schema: str,
        props: Mapping[str, PropValue],
        line: str,
        on: date,
        entity_id: str | None = None,
        marks: dict[str, Any] | None = None,
    ) -> str:
        """Make, mark and write one entity; return its id."""
        side = markings.agency_side(agency)
        eid = entity_id or self.new_id(side, agency, kind)
        mk = marks if marks is not None else markings.draw(rng, agency, line, on)
        self.writer.emit(side, file, make_entity(eid, schema, props, mk))
        return eid

    def emit(self, side: str, file: str, entity: Entity) -> None:
        self.writer.emit(side, file, entity)
