"""Joint cases: the binational investigations other records point to.

A case is opened by the line of work that discovers it (a straw-purchase ring, a fuel network,
a laundering typology), which needs its ids at once to set ``case`` on recoveries, taps and
seizures; the JointCase entities themselves are written at the end, when every subject is
known. Each side holds its own copy under the same binational case number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from paridad.i18n import N_
from paridad.synth import markings
from paridad.synth.context import REFERENCE_DATE, World

LINE_CODES = {
    "firearms": "ARM",
    "drones": "DRN",
    "finance": "FIN",
    "fuel": "HCL",
    "extradition": "EXT",
    "seizure": "DEC",
    "general": "GEN",
}


@dataclass(eq=False)
class Case:
    number: str
    line: str
    title_es: str
    title_en: str
    opened: date
    status: str
    lead_mx: str
    lead_us: str
    mx_id: str
    us_id: str
    subjects: dict[str, list[str]] = field(default_factory=lambda: {"mx": [], "us": []})

    def add(self, side: str, entity_id: str | None) -> None:
        if entity_id and entity_id not in self.subjects[side]:
            self.subjects[side].append(entity_id)

    def id(self, side: str) -> str:
        return self.mx_id if side == "mx" else self.us_id


class CaseBook:
    def __init__(self, world: World) -> None:
        self.world = world
        self.cases: list[Case] = []
        self._numbers: dict[tuple[str, int], int] = {}

    def open(
        self,
        rng: random.Random,
        line: str,
        title_es: str,
        title_en: str,
        opened: date,
        lead_mx: str,
        lead_us: str,
    ) -> Case:
        key = (line, opened.year)
        n = self._numbers.get(key, 0) + 1
        self._numbers[key] = n
        status = rng.choices(("open", "prosecution", "suspended", "closed"), (65, 20, 8, 7))[0]
        case = Case(
            number=f"GIS-{LINE_CODES[line]}-{opened.year}-{n:04d}",
            line=line,
            title_es=title_es,
            title_en=title_en,
            opened=opened,
            status=status,
            lead_mx=lead_mx,
            lead_us=lead_us,
            mx_id=self.world.new_id("mx", lead_mx, "case"),
            us_id=self.world.new_id("us", lead_us, "case"),
        )
        self.cases.append(case)
        return case

    def write(self) -> None:
        rng = self.world.rng("cases")
        for case in self.cases:
            closing = None
            if case.status == "closed":
                closing = min(REFERENCE_DATE, date.fromordinal(case.opened.toordinal() + 200))
            for side, agency, title in (
                ("mx", case.lead_mx, case.title_es),
                ("us", case.lead_us, case.title_en),
            ):
                self.world.add(
                    rng,
                    "cases",
                    agency,
                    "case",
                    "JointCase",
                    {
                        "name": title,
                        "caseNumber": case.number,
                        "lineOfWork": case.line,
                        "status": case.status,
                        "openingDate": case.opened,
                        "closingDate": closing,
                        "leadAgencyMx": case.lead_mx,
                        "leadAgencyUs": case.lead_us,
                        "subject": case.subjects[side],
                        "country": ["mx", "us"],
                    },
                    "cases",
                    case.opened,
                    entity_id=case.id(side),
                    marks=markings.draw(rng, agency, "cases", case.opened, tlp="AMBER"),
                )
            self.world.truth.add(
                "joint_cases",
                {
                    "number": case.number,
                    "line": case.line,
                    "mx": case.mx_id,
                    "us": case.us_id,
                    "title": case.title_es,
                    "subjects_mx": case.subjects["mx"],
                    "subjects_us": case.subjects["us"],
                },
            )
        self.world.step(N_("joint cases"), len(self.cases))
