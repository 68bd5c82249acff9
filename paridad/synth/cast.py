"""The criminal groups and the people and companies around them.

Every line of work draws its suspects from here, which is what ties the world together: the
broker of a straw-purchase ring works for the same group whose front company takes the funnel
account's wire and whose lieutenants run the fuel taps. Groups are fictional. Designations
(OFAC on the US side, the UIF's Lista de Personas Bloqueadas on the Mexican side) are planted
here and recorded in the truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from paridad.i18n import N_
from paridad.synth import catalog
from paridad.synth.context import REFERENCE_DATE, World
from paridad.synth.names import strip_accents
from paridad.synth.organizations import Org, Orgs
from paridad.synth.people import Identity, People

ROLES_ES = {"leader": "líder", "lieutenant": "lugarteniente", "operator": "operador"}


@dataclass(eq=False)
class Group:
    org: Org
    name: str
    alias: str
    home_state: str
    lines: tuple[str, ...]
    leader: Identity
    lieutenants: list[Identity] = field(default_factory=list)
    members: list[Identity] = field(default_factory=list)
    us_associates: list[Identity] = field(default_factory=list)
    fronts_mx: list[Org] = field(default_factory=list)
    fronts_us: list[Org] = field(default_factory=list)
    designated: bool = False

    @property
    def mexicans(self) -> list[Identity]:
        return [self.leader, *self.lieutenants, *self.members]


@dataclass
class Cast:
    groups: list[Group]

    def for_line(self, line: str) -> list[Group]:
        return [g for g in self.groups if line in g.lines] or self.groups

    def pick(self, rng: random.Random, line: str) -> Group:
        return rng.choice(self.for_line(line))


def generate(world: World, people: People, orgs: Orgs) -> Cast:
    rng = world.rng("cast")
    specs = catalog.load_yaml("organizations.yaml")["criminal_groups"]
    places = [p for p in catalog.mx_places()]
    us_border = [p for p in catalog.us_places() if catalog.us_states()[p.state].border]
    n_members = world.sizes.cartel_members
    groups: list[Group] = []
    for spec in specs:
        home = [p for p in places if p.state == spec["home_state"]] or places
        name = str(spec["name"])
        org = orgs.new(
            "criminal-group",
            "Organization",
            name,
            strip_accents(name),
            "mx",
            alias=spec["alias"],
            topics="crime.traffick.drug",
            description=f"Organización delictiva con base en {spec['home_state']}.",
        )
        leader = people.new_mx(
            rng, "leader", sex="male", born=(1962, 1984), place=rng.choice(home), alias_p=1.0
        )
        group = Group(
            org, name, str(spec["alias"]), spec["home_state"], tuple(spec["lines"]), leader
        )
        for _ in range(max(1, n_members // 4)):
            group.lieutenants.append(
                people.new_mx(
                    rng, "lieutenant", born=(1970, 1992), place=rng.choice(home), alias_p=0.8
                )
            )
        for _ in range(n_members):
            group.members.append(
                people.new_mx(
                    rng, "member", born=(1975, 2004), place=rng.choice(home), alias_p=0.35
                )
            )
        for _ in range(max(1, n_members // 3)):
            group.us_associates.append(
                people.new_us(rng, "us-associate", hispanic=0.75, place=rng.choice(us_border))
            )
        for _ in range(rng.randint(1, 3)):
            group.fronts_mx.append(orgs.front_mx(rng))
        for _ in range(rng.randint(0, 2)):
            group.fronts_us.append(orgs.front_us(rng, rng.choice(us_border)))
        groups.append(group)
        _record_group(world, rng, people, orgs, group)
    cast = Cast(groups)
    _designate(world, rng, people, orgs, cast)
    world.step(N_("cast"), sum(len(g.mexicans) + len(g.us_associates) for g in groups))
    return cast


def _membership(
    world: World, rng: random.Random, side: str, agency: str, member: str, org: str, role: str
) -> None:
    world.add(
        rng,
        "relationships",
        agency,
        "membership",
        "Membership",
        {"member": member, "organization": org, "role": role},
        "cast",
        REFERENCE_DATE,
    )


def _record_group(
    world: World, rng: random.Random, people: People, orgs: Orgs, group: Group
) -> None:
    """What each side already knows of a group: Mexico most of its members, the US its
    leadership and its US-based associates."""
    mx_org = orgs.record(rng, group.org, "mx", "FGR", "cast")
    us_org = orgs.record(rng, group.org, "us", "DEA", "cast") if rng.random() < 0.85 else None
    staff: list[tuple[Identity, str]] = [(group.leader, "leader")]
    staff += [(p, "lieutenant") for p in group.lieutenants]
    staff += [(p, "operator") for p in group.members]
    for person, role in staff:
        us_known = {"leader": 0.9, "lieutenant": 0.5, "operator": 0.15}[role]
        if role == "leader" or rng.random() < 0.8:
            pid = people.record(rng, person, "mx", rng.choice(("FGR", "FGR", "SEDENA")), "cast")
            _membership(world, rng, "mx", "FGR", pid, mx_org, ROLES_ES[role])
        if us_org is not None and rng.random() < us_known:
            pid = people.record(rng, person, "us", "DEA", "cast")
            _membership(world, rng, "us", "DEA", pid, us_org, role)
    for person in group.us_associates:
        pid = people.record(rng, person, "us", rng.choice(("DEA", "HSI", "FBI")), "cast")
        if us_org is not None:
            _membership(world, rng, "us", "DEA", pid, us_org, "distributor")
    # A namesake of one operator on the other side: same name, different person.
    if group.members and rng.random() < 0.6:
        target = rng.choice(group.members)
        mx_id = people.record(rng, target, "mx", "FGR", "cast")
        twin = people.namesake(rng, target, "namesake")
        us_id = people.record(rng, twin, "us", "CBP", "border")
        world.truth.add(
            "people_hard_negatives",
            {"mx": mx_id, "us": us_id, "name": target.full_name, "reason": "namesake"},
        )


def _designate(world: World, rng: random.Random, people: People, orgs: Orgs, cast: Cast) -> None:
    """Designate most groups, their leaders and some fronts on the OFAC list (US side) and on
    the UIF's blocked-persons list (Mexican side)."""
    for group in cast.groups:
        if rng.random() > 0.75:
            continue
        group.designated = True
        listed = date(2025, 2, 20) + timedelta(days=rng.randrange(0, 280))
        targets: list[tuple[str, Identity | Org]] = [
            ("organization", group.org),
            ("person", group.leader),
        ]
        targets += [("person", p) for p in group.lieutenants if rng.random() < 0.4]
        targets += [("company", f) for f in group.fronts_mx if rng.random() < 0.5]
        for kind, target in targets:
            record: dict[str, object] = {"key": target.key, "kind": kind, "group": group.name}
            if isinstance(target, Identity):
                record["name"] = target.full_name
                us_id = people.record(rng, target, "us", "DEA", "sanctions")
                mx_id = people.record(rng, target, "mx", "FGR", "sanctions")
            else:
                record["name"] = target.name_mx
                us_id = orgs.record(rng, target, "us", "FinCEN", "sanctions")
                mx_id = orgs.record(rng, target, "mx", "UIF", "sanctions")
            record["us"] = us_id
            record["mx"] = mx_id
            record["us_sanction"] = world.add(
                rng,
                "sanctions",
                "FinCEN",
                "sanction",
                "Sanction",
                {
                    "entity": us_id,
                    "authority": "Office of Foreign Assets Control (OFAC)",
                    "program": "SDGT" if kind == "organization" else "ILLICIT-DRUGS-EO14059",
                    "listingDate": listed,
                    "startDate": listed,
                    "country": "us",
                    "provisions": "Block all property and interests in property",
                    "reason": f"Linked to {strip_accents(group.name)}, a designated organization.",
                },
                "sanctions",
                listed,
            )
            if kind != "organization" or rng.random() < 0.5:
                mx_listed = listed + timedelta(days=rng.randint(1, 45))
                record["mx_sanction"] = world.add(
                    rng,
                    "sanctions",
                    "UIF",
                    "sanction",
                    "Sanction",
                    {
                        "entity": mx_id,
                        "authority": "Unidad de Inteligencia Financiera (UIF)",
                        "program": "Lista de Personas Bloqueadas",
                        "listingDate": mx_listed,
                        "startDate": mx_listed,
                        "country": "mx",
                        "provisions": "Bloqueo de cuentas y operaciones",
                        "reason": f"Vínculos con {group.name}.",
                    },
                    "sanctions",
                    mx_listed,
                )
            else:
                record["mx_sanction"] = None
            record["listed"] = listed.isoformat()
            world.truth.add("designated", record)
