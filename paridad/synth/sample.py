"""Many realistic entities, fast, for benchmarks that need volume rather than a world.

Entities come in small blocks that keep references inside the sample (an acquisition points to
a firearm and a purchaser made before it), so a prefix of the output is always closed under
references. Names, identifiers and markings are drawn the way the scenario draws them, from the
same data files; markings come from a small pre-drawn pool per agency to reach the throughput
(>= 50,000 entities a second) that benchmarks need.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from typing import Any, TypeVar

from paridad.synth import catalog, identifiers, markings
from paridad.synth.names import strip_accents
from paridad.synth.rng import Weighted

Entity = dict[str, Any]
T = TypeVar("T")
_DAY0 = date(2024, 1, 1).toordinal()
_BORN_MX = date(1960, 1, 1).toordinal()
_BORN_US = date(1955, 1, 1).toordinal()
_BLOCKS = Weighted(
    [
        ("person-mx", 16),
        ("person-us", 14),
        ("purchase", 12),
        ("recovery", 6),
        ("account", 8),
        ("payment", 16),
        ("detection", 8),
        ("track", 2),
        ("company", 4),
        ("incident", 3),
        ("sanction", 0.5),
        ("case", 0.5),
    ]
)


@cache
def _markings_pool() -> dict[tuple[str, str], list[dict[str, Any]]]:
    rng = random.Random("paridad.synth/sample/markings")
    specs = {
        ("FGR", "people"),
        ("ATF", "people"),
        ("ATF", "firearms"),
        ("FGR", "firearms"),
        ("UIF", "finance"),
        ("FinCEN", "finance"),
        ("CBP", "drones"),
        ("SEDENA", "drones"),
        ("Pemex", "fuel"),
        ("FinCEN", "sanctions"),
        ("FGR", "cases"),
        ("UIF", "people"),
    }
    return {
        spec: [
            markings.draw(rng, spec[0], spec[1], date(2025, 1, 1) + timedelta(days=i))
            for i in range(48)
        ]
        for spec in sorted(specs)
    }


def _one(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


class _Sampler:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"paridad.synth/sample/{seed}")
        self.out: list[Entity] = []
        self.n: dict[str, int] = {}
        self.people: dict[str, list[str]] = {"mx": [], "us": []}
        self.accounts: dict[str, list[str]] = {"mx": [], "us": []}
        self.pool = _markings_pool()
        self.mx_given = catalog.mx_given()
        self.us_given = catalog.us_given()
        self.mx_surnames = catalog.mx_surnames()
        self.us_surnames = catalog.us_surnames()
        self.places_mx = catalog.mx_places()
        self.places_us = catalog.us_places()
        self.models = [m for m in catalog.firearm_models() if not m.foreign]
        self.banks_mx = [b for b in catalog.banks() if b.country == "mx"]
        self.sectors = catalog.sectors()

    def _id(self, side: str, agency: str, kind: str) -> str:
        key = f"{side}-{agency}-{kind}"
        n = self.n.get(key, 0) + 1
        self.n[key] = n
        return f"{key}-{n:06d}"

    def _marks(self, agency: str, line: str) -> dict[str, Any]:
        m = dict(_one(self.rng, self.pool[(agency, line)]))
        m["releasability"] = list(m["releasability"])
        m["purpose"] = list(m["purpose"])
        return m

    def _day(self, span: int = 700) -> date:
        return date.fromordinal(_DAY0 + int(self.rng.random() * span))

    def _emit(
        self, eid: str, schema: str, props: dict[str, list[str]], marks: dict[str, Any]
    ) -> str:
        self.out.append({"id": eid, "schema": schema, "properties": props, "markings": marks})
        return eid

    def person_mx(self) -> str:
        rng = self.rng
        sex = "male" if rng.random() < 0.7 else "female"
        given = self.mx_given[sex].pick(rng)
        pat, mat = self.mx_surnames.pick(rng), self.mx_surnames.pick(rng)
        birth = date.fromordinal(_BORN_MX + int(rng.random() * 16000))
        place = _one(rng, self.places_mx)
        props = {
            "name": [f"{given} {pat} {mat}"],
            "firstName": [given],
            "lastName": [f"{pat} {mat}"],
            "birthDate": [birth.isoformat()],
            "gender": [sex],
            "nationality": ["mx"],
            "idNumber": [identifiers.curp(rng, given, pat, mat, birth, sex, place.curp_code)],
            "birthPlace": [f"{place.municipality}, {place.state}"],
        }
        eid = self._emit(
            self._id("mx", "fgr", "person"), "Person", props, self._marks("FGR", "people")
        )
        self.people["mx"].append(eid)
        return eid

    def person_us(self) -> str:
        rng = self.rng
        sex = "male" if rng.random() < 0.7 else "female"
        if rng.random() < 0.35:
            first = strip_accents(self.mx_given[sex].pick(rng).split()[0])
            last = strip_accents(self.mx_surnames.pick(rng))
        else:
            first, last = self.us_given[sex].pick(rng), self.us_surnames.pick(rng)
        birth = date.fromordinal(_BORN_US + int(rng.random() * 17000))
        place = _one(rng, self.places_us)
        props = {
            "name": [f"{first} {last}"],
            "firstName": [first],
            "lastName": [last],
            "birthDate": [birth.isoformat()],
            "gender": [sex],
            "nationality": ["us"],
            "address": [
                f"{rng.randint(100, 9999)} Main St, {place.city}, {place.state} {place.zip}"
            ],
        }
        eid = self._emit(
            self._id("us", "atf", "person"), "Person", props, self._marks("ATF", "people")
        )
        self.people["us"].append(eid)
        return eid

    def _someone(self, side: str) -> str:
        people = self.people[side]
        if not people:
            return self.person_mx() if side == "mx" else self.person_us()
        return _one(self.rng, people)

    def purchase(self) -> None:
        rng = self.rng
        buyer = self._someone("us")
        m = _one(rng, self.models)
        marks = self._marks("ATF", "firearms")
        fid = self._emit(
            self._id("us", "atf", "firearm"),
            "Firearm",
            {
                "serialNumber": [identifiers.from_pattern(rng, m.serial_pattern)],
                "make": [m.make],
                "model": [m.model],
                "caliber": [m.caliber],
                "type": [m.type],
            },
            marks,
        )
        place = _one(rng, self.places_us)
        self._emit(
            self._id("us", "atf", "acq"),
            "FirearmAcquisition",
            {
                "firearm": [fid],
                "purchaser": [buyer],
                "date": [self._day().isoformat()],
                "state": [place.state],
                "county": [place.county],
                "amount": [f"{rng.uniform(300, 1500):.2f}"],
                "currency": ["USD"],
            },
            marks,
        )

    def recovery(self) -> None:
        rng = self.rng
        m = _one(rng, self.models)
        marks = self._marks("FGR", "firearms")
        fid = self._emit(
            self._id("mx", "fgr", "firearm"),
            "Firearm",
            {
                "serialNumber": [identifiers.from_pattern(rng, m.serial_pattern)],
                "make": [m.make.upper()],
                "caliber": [m.caliber_variants[0] if m.caliber_variants else m.caliber],
                "type": [m.type],
                "serialCondition": ["intact"],
            },
            marks,
        )
        place = _one(rng, self.places_mx)
        props = {
            "firearm": [fid],
            "date": [self._day().isoformat()],
            "state": [place.state],
            "municipality": [place.municipality],
            "latitude": [f"{place.lat:.6f}"],
            "longitude": [f"{place.lon:.6f}"],
        }
        if rng.random() < 0.5:
            props["possessor"] = [self._someone("mx")]
        self._emit(self._id("mx", "fgr", "recovery"), "FirearmRecovery", props, marks)

    def account(self) -> None:
        rng = self.rng
        side = "mx" if rng.random() < 0.5 else "us"
        if side == "mx":
            bank = _one(rng, self.banks_mx)
            number, bank_name, currency = identifiers.clabe(rng, bank.code), bank.name, "MXN"
            agency = "UIF"
        else:
            number, bank_name, currency = (
                f"{10**9 + int(rng.random() * 9 * 10**11)}",
                "First Border National Bank",
                "USD",
            )
            agency = "FinCEN"
        eid = self._emit(
            self._id(side, agency.lower(), "account"),
            "BankAccount",
            {
                "accountNumber": [number],
                "bankName": [bank_name],
                "currency": [currency],
                "country": [side],
            },
            self._marks(agency, "finance"),
        )
        self.accounts[side].append(eid)

    def payment(self) -> None:
        rng = self.rng
        side = "mx" if rng.random() < 0.5 else "us"
        accounts = self.accounts[side]
        while len(accounts) < 2:
            self.account()
        a = _one(rng, accounts)
        b = _one(rng, accounts)
        agency = "UIF" if side == "mx" else "FinCEN"
        amount = rng.lognormvariate(7.5, 1.2)
        self._emit(
            self._id(side, agency.lower(), "payment"),
            "Payment",
            {
                "payerAccount": [a],
                "beneficiaryAccount": [b],
                "payer": [self._someone(side)],
                "beneficiary": [self._someone(side)],
                "amount": [f"{amount:.2f}"],
                "currency": ["MXN" if side == "mx" else "USD"],
                "date": [self._day(350).isoformat()],
            },
            self._marks(agency, "finance"),
        )

    def detection(self) -> None:
        rng = self.rng
        side = "mx" if rng.random() < 0.5 else "us"
        sector = _one(rng, self.sectors)
        agency = "SEDENA" if side == "mx" else "CBP"
        place = _one(rng, self.places_mx)
        self._emit(
            self._id(side, agency.lower(), "detection"),
            "DroneDetection",
            {
                "date": [
                    f"{self._day(180).isoformat()}T{int(rng.random() * 24):02d}:{int(rng.random() * 60):02d}:00"
                ],
                "sensor": [f"{side.upper()}-{agency}-{sector.code}-RF-{rng.randint(1, 40):03d}"],
                "sensorType": [_one(rng, ("rf", "radar", "remote-id"))],
                "latitude": [f"{place.lat + rng.uniform(-0.05, 0.05):.6f}"],
                "longitude": [f"{place.lon + rng.uniform(-0.05, 0.05):.6f}"],
                "altitude": [f"{rng.uniform(30, 150):.1f}"],
            },
            self._marks(agency, "drones"),
        )

    def track(self) -> None:
        rng = self.rng
        sector = _one(rng, self.sectors)
        crossings = _one(rng, (0, 0, 0, 2, 1))
        self._emit(
            self._id("us", "cbp", "track"),
            "DroneTrack",
            {
                "trackId": [f"US-CBP-TRK-2025-{int(rng.random() * 10**6):06d}"],
                "sector": [sector.name],
                "crossings": [str(crossings)],
                "crossingDirection": [("none", "northbound", "both")[min(crossings, 2)]],
                "mission": [_one(rng, ("spotter", "spotter", "payload", "hobby"))],
                "startDate": [self._day(180).isoformat()],
            },
            self._marks("CBP", "drones"),
        )

    def company(self) -> None:
        rng = self.rng
        name = f"Comercializadora {self.mx_surnames.pick(rng)} S.A. de C.V."
        founded = date(2010 + rng.randrange(14), 1 + rng.randrange(12), 1 + rng.randrange(28))
        self._emit(
            self._id("mx", "uif", "org"),
            "Company",
            {
                "name": [name],
                "jurisdiction": ["mx"],
                "taxNumber": [identifiers.rfc_company(rng, name, founded)],
                "incorporationDate": [founded.isoformat()],
            },
            self._marks("UIF", "people"),
        )

    def incident(self) -> None:
        rng = self.rng
        place = _one(rng, self.places_mx)
        self._emit(
            self._id("mx", "pemex", "incident"),
            "FuelTheftIncident",
            {
                "date": [self._day().isoformat()],
                "municipality": [place.municipality],
                "state": [place.state],
                "latitude": [f"{place.lat:.6f}"],
                "longitude": [f"{place.lon:.6f}"],
                "volumeLitres": [f"{rng.lognormvariate(9.4, 1.0):.0f}"],
                "product": [_one(rng, ("gasoline", "diesel", "lpg"))],
            },
            self._marks("Pemex", "fuel"),
        )

    def sanction(self) -> None:
        self._emit(
            self._id("us", "fincen", "sanction"),
            "Sanction",
            {
                "entity": [self._someone("us")],
                "authority": ["Office of Foreign Assets Control (OFAC)"],
                "program": ["ILLICIT-DRUGS-EO14059"],
                "listingDate": [self._day().isoformat()],
            },
            self._marks("FinCEN", "sanctions"),
        )

    def case(self) -> None:
        rng = self.rng
        self._emit(
            self._id("mx", "fgr", "case"),
            "JointCase",
            {
                "name": ["Caso conjunto de tráfico de armas"],
                "caseNumber": [f"GIS-ARM-2025-{rng.randrange(10**4):04d}"],
                "lineOfWork": ["firearms"],
                "status": ["open"],
                "subject": [self._someone("mx") for _ in range(rng.randint(1, 4))],
            },
            self._marks("FGR", "cases"),
        )


def sample_entities(n: int, seed: int = 1) -> list[dict[str, Any]]:
    """Exactly ``n`` realistic entity dicts (JSON Lines shape, with markings). Deterministic."""
    if n <= 0:
        return []
    # Millions of small dicts and no reference cycles: the cyclic collector would only spend
    # half the time walking them.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _sample(n, seed)
    finally:
        if collecting:
            gc.enable()


def _sample(n: int, seed: int) -> list[dict[str, Any]]:
    s = _Sampler(seed)
    make = {
        "person-mx": s.person_mx,
        "person-us": s.person_us,
        "purchase": s.purchase,
        "recovery": s.recovery,
        "account": s.account,
        "payment": s.payment,
        "detection": s.detection,
        "track": s.track,
        "company": s.company,
        "incident": s.incident,
        "sanction": s.sanction,
        "case": s.case,
    }
    while len(s.out) < n:
        make[_BLOCKS.pick(s.rng)]()
    del s.out[n:]
    return s.out
