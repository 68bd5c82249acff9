"""Extradition requests and asset seizures about the people and money of the world.

Both sides hold each extradition request, each pointing at its own record of the person sought
(the pair is in the truth): most run from the United States to Mexico under the 1978 treaty,
some the other way. Seizures freeze or forfeit the accounts of planted typologies, vehicles and
real estate of the groups' members; a share is shared with the partner, who then holds its own
copy of the seizure and of the asset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from paridad.i18n import N_
from paridad.synth import identifiers
from paridad.synth.cases import Case, CaseBook
from paridad.synth.cast import Cast, Group
from paridad.synth.context import REFERENCE_DATE, World
from paridad.synth.finance import Account, Finance
from paridad.synth.organizations import Org, Orgs
from paridad.synth.people import Identity, People
from paridad.synth.rng import Weighted, lognormal, random_day

TREATY = "Tratado de Extradición entre los Estados Unidos Mexicanos y los Estados Unidos de América (1978)"
STATUSES = Weighted(
    [
        ("draft", 3),
        ("submitted", 20),
        ("provisional-arrest", 15),
        ("in-proceedings", 25),
        ("granted", 12),
        ("surrendered", 18),
        ("denied", 4),
        ("withdrawn", 3),
    ]
)
CHARGES_US = (
    ("Conspiración para importar y distribuir fentanilo (21 U.S.C. 846, 952, 960)", "DEA"),
    ("Delincuencia organizada continuada (21 U.S.C. 848)", "DEA"),
    ("Lavado de instrumentos monetarios (18 U.S.C. 1956)", "FBI"),
    ("Tráfico de armas de fuego y contrabando (18 U.S.C. 554, 933)", "HSI"),
    ("Apoyo material a una organización terrorista extranjera (18 U.S.C. 2339B)", "FBI"),
)
CHARGES_MX = (
    "Delincuencia organizada (Ley Federal contra la Delincuencia Organizada, art. 2)",
    "Operaciones con recursos de procedencia ilícita (Código Penal Federal, art. 400 Bis)",
    "Portación y acopio de armas de uso exclusivo del Ejército (LFAFE, arts. 83 y 83 Bis)",
    "Sustracción de hidrocarburos (LFPSDMH, art. 8)",
)
VEHICLES = (
    ("Chevrolet", "Silverado", "3GC"),
    ("Ford", "Lobo", "3FT"),
    ("Toyota", "Hilux", "MR0"),
    ("Nissan", "NP300", "3N6"),
    ("RAM", "2500", "3C6"),
    ("Volkswagen", "Jetta", "3VW"),
    ("Ford", "F-150", "1FT"),
)


@dataclass(frozen=True)
class Target:
    person: Identity
    group: Group


def _targets(rng: random.Random, cast: Cast) -> list[Target]:
    out = []
    for group in cast.groups:
        out.append(Target(group.leader, group))
        out += [Target(p, group) for p in group.lieutenants]
        out += [Target(p, group) for p in rng.sample(group.members, min(3, len(group.members)))]
    return out


def extraditions(world: World, people: People, cast: Cast, cases: CaseBook) -> None:
    rng = world.rng("extraditions")
    pool = _targets(rng, cast)
    rng.shuffle(pool)
    n = world.sizes.extraditions
    counters = {"US-MX": 0, "MX-US": 0}
    for i in range(n):
        if i < len(pool) and rng.random() < 0.8:
            target = pool[i]
            person, group = target.person, target.group
            direction = "US-MX"
        else:
            group = cast.pick(rng, "firearms")
            if group.us_associates and rng.random() < 0.6:
                person = rng.choice(group.us_associates)
            else:
                person = people.new_mx(
                    rng, "fugitive", born=(1965, 1998), us_place=people.us_place(rng, border=True)
                )
            direction = "MX-US"
        requested = random_day(rng, date(2023, 1, 1), date(2025, 11, 30))
        status = STATUSES.pick(rng)
        counters[direction] += 1
        number = f"EXT/{direction}/{requested.year}/{counters[direction]:04d}"
        if direction == "US-MX":
            charges_es, us_agency = rng.choice(CHARGES_US)
            requesting, requested_c = "us", "mx"
        else:
            charges_es, us_agency = rng.choice(CHARGES_MX), "FBI"
            requesting, requested_c = "mx", "us"
        surrender = None
        if status == "surrendered":
            surrender = min(REFERENCE_DATE, requested + timedelta(days=rng.randint(90, 700)))
        case: Case | None = None
        if rng.random() < 0.5:
            case = cases.open(
                rng,
                "extradition",
                f"Extradición de {person.full_name} ({group.name})",
                f"Extradition of {person.full_name}",
                requested,
                "FGR",
                us_agency,
            )
        ids: dict[str, str] = {}
        subjects: dict[str, str] = {}
        for side, agency in (("mx", "FGR"), ("us", us_agency)):
            subject = people.record(rng, person, side, agency, "extradition", requested)
            subjects[side] = subject
            if case is not None:
                case.add(side, subject)
            ids[side] = world.add(
                rng,
                "cases",
                agency,
                "extradition",
                "ExtraditionRequest",
                {
                    "requestNumber": number,
                    "subject": subject,
                    "requestingCountry": requesting,
                    "requestedCountry": requested_c,
                    "charges": charges_es,
                    "legalBasis": TREATY,
                    "status": status,
                    "date": requested,
                    "surrenderDate": surrender,
                    "case": case.id(side) if case else None,
                },
                "extradition",
                requested,
            )
        world.truth.add(
            "extraditions",
            {
                "number": number,
                "direction": direction,
                "subject_key": person.key,
                "mx": ids["mx"],
                "us": ids["us"],
                "subject_mx": subjects["mx"],
                "subject_us": subjects["us"],
                "status": status,
                "group": group.name,
            },
        )
    world.step(N_("extradition requests"), n)


SEIZING = {
    "mx": (
        ("FGR", "Fiscalía General de la República"),
        ("UIF", "Unidad de Inteligencia Financiera"),
    ),
    "us": (
        ("DEA", "Drug Enforcement Administration"),
        ("HSI", "Homeland Security Investigations"),
        ("FBI", "Federal Bureau of Investigation"),
    ),
}


def seizures(
    world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook, finance: Finance
) -> None:
    rng = world.rng("seizures")
    accounts = list(finance.typology_accounts)
    rng.shuffle(accounts)
    group_cases: dict[str, Case] = {}
    n = world.sizes.seizures
    for i in range(n):
        kind = rng.choices(("account", "vehicle", "real-estate"), (0.5, 0.3, 0.2))[0]
        acct: Account | None = None
        group: Group | None = None
        case: Case | None = None
        owner: Identity | Org
        if kind == "account" and i < len(accounts):
            acct, group, case = accounts[i]
            owner = acct.holder
            side = acct.country if acct.country in ("mx", "us") else "us"
        else:
            kind = "vehicle" if kind == "account" else kind
            group = cast.pick(rng, "finance")
            side = "mx" if rng.random() < 0.65 else "us"
            owner = (
                rng.choice(group.mexicans)
                if side == "mx" or not group.us_associates
                else (rng.choice(group.us_associates))
            )
        if group is not None and case is None:
            case = group_cases.get(group.name)
            if case is None:
                case = cases.open(
                    rng,
                    "seizure",
                    f"Decomiso de bienes de {group.name}",
                    f"Asset forfeiture against {group.name}",
                    random_day(rng, date(2025, 1, 1), date(2025, 9, 30)),
                    "FGR",
                    "DEA",
                )
                group_cases[group.name] = case
        on = random_day(rng, date(2025, 2, 1), date(2025, 12, 10))
        status = rng.choices(("seized", "frozen", "forfeited"), (40, 40, 20))[0]
        if kind == "account" and side == "mx":
            status = "frozen"
        shared = rng.random() < 0.35
        amount = lognormal(rng, 250000 if kind == "real-estate" else 40000, 0.8)
        vehicle_ids = None
        if kind == "vehicle":
            make, model, wmi = rng.choice(VEHICLES)
            vehicle_ids = (
                make,
                model,
                identifiers.vin(rng, wmi),
                identifiers.mx_plate(rng) if side == "mx" else identifiers.us_plate(rng),
            )
        address = None
        if kind == "real-estate":
            from paridad.synth.people import mx_address, us_address

            address = (
                mx_address(rng, people.mx_place(rng))
                if side == "mx"
                else us_address(rng, people.us_place(rng, border=True))
            )
        ids: dict[str, str] = {}
        assets: dict[str, str] = {}
        for s in [side, *(["us" if side == "mx" else "mx"] if shared else [])]:
            agency, authority = rng.choice(SEIZING[s])
            if isinstance(owner, Identity):
                owner_id = people.record(rng, owner, s, agency, "seizure", on)
            else:
                owner_id = orgs.record(rng, owner, s, agency, "seizure", on)
            if acct is not None:
                asset_id = finance.account_record(rng, acct, s)
            elif vehicle_ids is not None:
                make, model, vin, plate = vehicle_ids
                asset_id = world.add(
                    rng,
                    "cases",
                    agency,
                    "vehicle",
                    "Vehicle",
                    {
                        "name": f"{make} {model}",
                        "model": model,
                        "type": "Camioneta" if s == "mx" else "Pickup truck",
                        "registrationNumber": plate,
                        "owner": owner_id,
                        "country": side,
                        "description": f"VIN {vin}",
                    },
                    "seizure",
                    on,
                )
            else:
                asset_id = world.add(
                    rng,
                    "cases",
                    agency,
                    "realestate",
                    "RealEstate",
                    {
                        "name": address,
                        "address": address,
                        "country": side,
                        "propertyType": "Casa habitación"
                        if s == "mx"
                        else "Single-family residence",
                    },
                    "seizure",
                    on,
                )
            assets[s] = asset_id
            if case is not None:
                case.add(s, owner_id)
            ids[s] = world.add(
                rng,
                "cases",
                agency,
                "seizure",
                "AssetSeizure",
                {
                    "date": on,
                    "asset": asset_id,
                    "owner": owner_id,
                    "amount": f"{amount:.2f}",
                    "currency": "MXN" if side == "mx" else "USD",
                    "seizingAgency": authority,
                    "country": side,
                    "legalBasis": "Ley Nacional de Extinción de Dominio, art. 1"
                    if side == "mx"
                    else "18 U.S.C. 981 (civil forfeiture)",
                    "status": status if s == side else "shared",
                    "case": case.id(s) if case else None,
                },
                "seizure",
                on,
            )
        world.truth.add(
            "asset_seizures",
            {
                "kind": kind,
                "side": side,
                "mx": ids.get("mx"),
                "us": ids.get("us"),
                "asset_mx": assets.get("mx"),
                "asset_us": assets.get("us"),
                "owner_key": owner.key,
                "status": status,
                "group": group.name if group else None,
                "case": case.number if case else None,
            },
        )
    world.step(N_("asset seizures"), n)
