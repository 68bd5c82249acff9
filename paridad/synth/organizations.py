"""Organisations: criminal groups, front companies, banks, gun dealers and the fuel operator.

Like people, an organisation is one real thing with a record on each side that knows it:
Mexico writes "Transportes Del Bravo, S.A. de C.V.", a US bank's records carry
"TRANSPORTES DEL BRAVO SA DE CV". Records are created when first needed and cross-border pairs
go into the truth. Every name is fictional (see ``data/organizations.yaml``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from paridad.i18n import N_
from paridad.synth import catalog, identifiers
from paridad.synth.catalog import Bank, UsPlace
from paridad.synth.context import REFERENCE_DATE, World
from paridad.synth.entities import PropValue
from paridad.synth.names import strip_accents
from paridad.synth.people import mx_address, us_address
from paridad.synth.rng import Weighted


@dataclass(eq=False)
class Org:
    """A real organisation of the synthetic world and each side's way of writing it."""

    key: str
    kind: str
    schema: str
    name_mx: str
    name_us: str
    country: str
    props: dict[str, PropValue] = field(default_factory=dict)
    records: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dealer:
    """A US federal firearms licensee (FFL)."""

    id: str
    name: str
    ffl: str
    place: UsPlace
    hot: float  # multiplier on how often its guns turn up in traces


@dataclass(frozen=True)
class BankRef:
    bank: Bank
    org: Org
    routing: str | None


def _legal_us_form(name: str) -> str:
    """How US systems write a Mexican company name: capitals, no accents, no punctuation."""
    return strip_accents(name).upper().replace(".", "").replace(",", "")


class Orgs:
    """Creates organisations and writes each side's record of them on demand."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._n = 0
        self._data = catalog.load_yaml("organizations.yaml")
        self.banks: dict[str, list[BankRef]] = {"mx": [], "us": [], "cn": []}
        self.dealers: list[Dealer] = []
        self.operator: Org | None = None
        self._used_names: set[str] = set()

    def _key(self) -> str:
        self._n += 1
        return f"O{self._n:06d}"

    def new(
        self,
        kind: str,
        schema: str,
        name_mx: str,
        name_us: str,
        country: str,
        **props: PropValue,
    ) -> Org:
        return Org(self._key(), kind, schema, name_mx, name_us, country, dict(props))

    def record(
        self,
        rng: random.Random,
        org: Org,
        side: str,
        agency: str,
        line: str,
        on: date | None = None,
    ) -> str:
        existing = org.records.get(side)
        if existing is not None:
            return existing
        name = org.name_mx if side == "mx" else org.name_us
        props: dict[str, PropValue] = {"name": name, "country": org.country, **org.props}
        if side != org.country and "address" in props and side == "us":
            props["address"] = strip_accents(str(props["address"]))
        eid = self.world.add(
            rng, "organizations", agency, "org", org.schema, props, line, on or REFERENCE_DATE
        )
        org.records[side] = eid
        if len(org.records) == 2:
            self.world.truth.add(
                "organization_pairs",
                {
                    "key": org.key,
                    "mx": org.records["mx"],
                    "us": org.records["us"],
                    "name": org.name_mx,
                    "kind": org.kind,
                },
            )
        return eid

    def _unique(self, rng: random.Random, make: str) -> str:
        spec = self._data[make]
        for _ in range(50):
            name = f"{rng.choice(spec['prefixes'])} {rng.choice(spec['cores'])}"
            form = rng.choice(spec["forms"])
            full = f"{name}, {form}" if make != "company_us" else f"{name} {form}"
            full = full.strip().rstrip(",")
            if make == "gun_dealers":
                full = f"{name} {form}".strip()
            if full not in self._used_names:
                self._used_names.add(full)
                return full
        suffix = len(self._used_names)
        return f"{name} {suffix}, {form}".strip()

    def front_mx(self, rng: random.Random, fuel: bool = False, kind: str = "front-mx") -> Org:
        """A Mexican company (S.A. de C.V.): name, RFC, incorporation date. Fronts and honest
        businesses look alike; ``kind`` (kept in the truth) says which this is."""
        name = self._unique(rng, "fuel_mx" if fuel else "company_mx")
        incorporated = date(rng.randint(2008, 2024), 1, 1) + timedelta(days=rng.randrange(365))
        place = catalog.mx_places()[rng.randrange(len(catalog.mx_places()))]
        return self.new(
            "front-fuel" if fuel else kind,
            "Company",
            name,
            _legal_us_form(name),
            "mx",
            taxNumber=identifiers.rfc_company(rng, name, incorporated),
            incorporationDate=incorporated,
            jurisdiction="mx",
            address=mx_address(rng, place),
            legalForm=name.rsplit(", ", 1)[-1],
        )

    def front_us(self, rng: random.Random, place: UsPlace, kind: str = "front-us") -> Org:
        """A US LLC or corporation, often in a border state."""
        name = self._unique(rng, "company_us")
        incorporated = date(rng.randint(2010, 2024), 1, 1) + timedelta(days=rng.randrange(365))
        return self.new(
            kind,
            "Company",
            name.upper() if rng.random() < 0.3 else name,
            name,
            "us",
            taxNumber=identifiers.ein(rng),
            incorporationDate=incorporated,
            jurisdiction="us",
            address=us_address(rng, place),
        )

    def bank(self, rng: random.Random, side: str) -> BankRef:
        refs = self.banks[side]
        return Weighted((r, r.bank.weight) for r in refs).pick(rng)


def generate(world: World) -> Orgs:
    """Banks, the fuel operator and the gun dealers; the other organisations come later."""
    rng = world.rng("organizations")
    orgs = Orgs(world)
    states = catalog.us_states()
    for bank in catalog.banks():
        routing = None
        props: dict[str, PropValue] = {}
        if bank.swift:
            props["swiftBic"] = bank.swift
        if bank.country == "us":
            routing = identifiers.aba_routing(rng, states[bank.state].aba_district)
            props["registrationNumber"] = routing
            props["jurisdiction"] = "us"
        name_us = bank.name if bank.country == "us" else strip_accents(bank.name)
        org = orgs.new(f"bank-{bank.country}", "Organization", bank.name, name_us, bank.country)
        org.props.update(props)
        orgs.banks[bank.country].append(BankRef(bank, org, routing))
        if bank.country in ("mx", "us"):
            agency = "UIF" if bank.country == "mx" else "FinCEN"
            orgs.record(rng, org, bank.country, agency, "finance")

    op = catalog.load_yaml("organizations.yaml")["operator"]
    operator = orgs.new(
        "operator",
        "Company",
        f"{op['name']} — {op['subsidiary']}",
        strip_accents(op["name"]),
        "mx",
        taxNumber=identifiers.rfc_company(rng, "Petróleos Mexicanos", date(1938, 6, 7)),
        incorporationDate=date(1938, 6, 7),
        jurisdiction="mx",
        sector="Hidrocarburos",
    )
    orgs.record(rng, operator, "mx", "Pemex", "fuel")
    orgs.operator = operator

    _dealers(world, rng, orgs)
    world.step(N_("organizations"), world.writer.side_count("mx") + world.writer.side_count("us"))
    return orgs


def _dealers(world: World, rng: random.Random, orgs: Orgs) -> None:
    """FFLs: most in the four border states, the rest spread by population; a few "hot"
    dealers get 5-10x the trace rate (domain.md, "FFLs")."""
    states = catalog.us_states()
    places = catalog.us_places()
    border = Weighted((p, p.weight) for p in places if states[p.state].border)
    other = Weighted((p, p.weight * states[p.state].pop_weight) for p in places)
    data = catalog.load_yaml("organizations.yaml")["gun_dealers"]
    n = world.sizes.dealers
    # Every state gets at least one dealer, so traces can reach any source state.
    firsts = [Weighted((p, p.weight) for p in places if p.state == st).pick(rng) for st in states]
    for i in range(n):
        if i < len(firsts):
            place = firsts[i]
        else:
            place = border.pick(rng) if rng.random() < 0.75 else other.pick(rng)
        st = states[place.state]
        prefix = rng.choice(data["prefixes"])
        core = rng.choice(data["cores"])
        form = rng.choice(data["forms"])
        name = " ".join(p for p in (prefix, core, form) if p)
        if name in orgs._used_names:
            name = f"{prefix} {core} of {place.city}"
        orgs._used_names.add(name)
        license_type = "02" if "Pawn" in core else "01"
        ffl = identifiers.ffl_number(
            rng, st.ffl_region, rng.choice(st.ffl_districts), place.county_fips, license_type
        )
        hot = rng.uniform(5, 10) if rng.random() < 0.04 else 1.0
        org = orgs.new(
            "dealer",
            "Company",
            name,
            name,
            "us",
            licenseNumber=ffl,
            address=us_address(rng, place),
            jurisdiction="us",
            sector="Federal Firearms Licensee",
        )
        did = orgs.record(rng, org, "us", "ATF", "firearms")
        orgs.dealers.append(Dealer(did, name, ffl, place, hot))
        if i % 500 == 499:
            world.step(N_("dealers"), i + 1)
