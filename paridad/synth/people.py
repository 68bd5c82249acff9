"""People: one true identity each, and the record each side keeps of them.

An :class:`Identity` is the person as they really are (the ground truth). A side learns of a
person when one of its agencies records them; the first record on a person's home side is
written canonically, a record on the other side is written the way that side writes foreign
names (see :mod:`paridad.synth.names`), and the pair goes into the truth. Records are created
lazily, when a line of work first needs the person on that side, so the overlap between the
two sides comes from what the two countries actually share (brokers, launderers, people sought
for extradition, remittance senders) rather than from a fixed quota.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from paridad.synth import catalog, identifiers
from paridad.synth.catalog import MxPlace, UsPlace
from paridad.synth.context import REFERENCE_DATE, World
from paridad.synth.entities import PropValue
from paridad.synth.names import (
    anglo_name,
    mexican_form_of_us,
    mexican_name,
    strip_accents,
    us_form_of_mexican,
)
from paridad.synth.rng import Weighted


@dataclass(eq=False)
class Identity:
    """A real person of the synthetic world."""

    key: str
    style: str  # "mx", "us-hispanic" or "us-anglo"
    sex: str
    given: str
    paternal: str
    maternal: str | None
    middle: str | None
    birth: date
    birth_place: str
    role: str
    curp: str | None = None
    rfc: str | None = None
    passport: str | None = None
    driver_licence: str | None = None
    alias: str | None = None
    mx_address: str | None = None
    us_address: str | None = None
    phone: str | None = None
    mx_place: MxPlace | None = None
    us_place: UsPlace | None = None
    records: dict[str, str] = field(default_factory=dict)
    # (name, ISO birth date or "") as each side's record writes them, for CSV sources that
    # repeat the person's name next to a transaction.
    views: dict[str, tuple[str, str]] = field(default_factory=dict)
    # How the record on the person's foreign side drifted from the truth (names the variants).
    drift: list[str] = field(default_factory=list)

    @property
    def home(self) -> str:
        return "mx" if self.style == "mx" else "us"

    @property
    def full_name(self) -> str:
        parts = [self.given, self.middle, self.paternal, self.maternal]
        return " ".join(p for p in parts if p)


def mx_address(rng: random.Random, place: MxPlace) -> str:
    street = rng.choice(catalog.streets()["mx"])
    colonia = rng.choice(catalog.streets()["mx_colonia"])
    postal = f"{int(place.postal_code) + rng.randrange(0, 90):05d}"
    return (
        f"{street} {rng.randint(1, 2400)}, Col. {colonia}, C.P. {postal}, "
        f"{place.municipality}, {place.state}"
    )


def us_address(rng: random.Random, place: UsPlace) -> str:
    street = rng.choice(catalog.streets()["us"])
    return f"{rng.randint(100, 9999)} {street}, {place.city}, {place.state} {place.zip}"


class People:
    """Creates identities and writes each side's record of them on demand."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._n = 0
        self._mx_places = Weighted((p, p.pop_weight) for p in catalog.mx_places())
        self._us_places = Weighted((p, p.weight) for p in catalog.us_places())
        self._border_us = Weighted(
            (p, p.weight) for p in catalog.us_places() if catalog.us_states()[p.state].border
        )

    def _key(self) -> str:
        self._n += 1
        return f"P{self._n:07d}"

    def mx_place(self, rng: random.Random) -> MxPlace:
        return self._mx_places.pick(rng)

    def us_place(self, rng: random.Random, border: bool = False) -> UsPlace:
        return (self._border_us if border else self._us_places).pick(rng)

    def new_mx(
        self,
        rng: random.Random,
        role: str,
        *,
        sex: str | None = None,
        born: tuple[int, int] = (1962, 2003),
        place: MxPlace | None = None,
        alias_p: float = 0.05,
        us_place: UsPlace | None = None,
        passport_p: float = 0.25,
    ) -> Identity:
        """A Mexican national, with CURP, usually an RFC, sometimes a passport and an alias."""
        sex = sex or ("male" if rng.random() < 0.72 else "female")
        given, paternal, maternal = mexican_name(rng, sex)
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randrange(365))
        home = place or self.mx_place(rng)
        birth_place = home if rng.random() < 0.7 else self.mx_place(rng)
        ident = Identity(
            key=self._key(),
            style="mx",
            sex=sex,
            given=given,
            paternal=paternal,
            maternal=maternal,
            middle=None,
            birth=birth,
            birth_place=f"{birth_place.municipality}, {birth_place.state}",
            role=role,
            mx_place=home,
            us_place=us_place,
        )
        ident.curp = identifiers.curp(
            rng, given, paternal, maternal, birth, sex, birth_place.curp_code
        )
        if rng.random() < 0.6:
            ident.rfc = identifiers.rfc_person(rng, given, paternal, maternal, birth)
        if rng.random() < passport_p or us_place is not None:
            ident.passport = identifiers.mx_passport(rng)
        if rng.random() < alias_p:
            ident.alias = rng.choice(catalog.aliases()[sex])
        ident.mx_address = mx_address(rng, home)
        if us_place is not None:
            ident.us_address = us_address(rng, us_place)
            ident.driver_licence = _driver_licence(rng, us_place.state)
        if rng.random() < 0.5:
            ident.phone = identifiers.mx_phone(rng, home.area_code)
        return ident

    def new_us(
        self,
        rng: random.Random,
        role: str,
        *,
        sex: str | None = None,
        hispanic: float = 0.35,
        born: tuple[int, int] = (1955, 2004),
        place: UsPlace | None = None,
        border: bool = False,
        passport_p: float = 0.3,
    ) -> Identity:
        """A US resident: an English name, or a Hispanic one written the US way."""
        sex = sex or ("male" if rng.random() < 0.75 else "female")
        home = place or self.us_place(rng, border=border)
        birth = date(rng.randint(*born), 1, 1) + timedelta(days=rng.randrange(365))
        if rng.random() < hispanic:
            given, paternal, maternal = mexican_name(rng, sex)
            given = strip_accents(given) if rng.random() < 0.8 else given
            paternal = strip_accents(paternal) if rng.random() < 0.8 else paternal
            words = given.split()
            first, middle = words[0], " ".join(words[1:]) or None
            # US-born: usually only the father's surname is kept.
            keep_maternal = rng.random() < 0.2 and maternal is not None
            ident = Identity(
                key=self._key(),
                style="us-hispanic",
                sex=sex,
                given=first,
                paternal=paternal,
                maternal=strip_accents(maternal) if keep_maternal and maternal else None,
                middle=middle,
                birth=birth,
                birth_place=f"{home.city}, {catalog.us_states()[home.state].name}",
                role=role,
                us_place=home,
            )
        else:
            first, middle_a, last = anglo_name(rng, sex)
            ident = Identity(
                key=self._key(),
                style="us-anglo",
                sex=sex,
                given=first,
                paternal=last,
                maternal=None,
                middle=middle_a,
                birth=birth,
                birth_place=f"{home.city}, {catalog.us_states()[home.state].name}",
                role=role,
                us_place=home,
            )
        ident.us_address = us_address(rng, home)
        ident.driver_licence = _driver_licence(rng, home.state)
        if rng.random() < passport_p:
            ident.passport = identifiers.us_passport(rng)
        if rng.random() < 0.6:
            ident.phone = identifiers.us_phone(rng, home.area_code)
        return ident

    def new_foreign(
        self, rng: random.Random, role: str, given: str, family: str, country: str
    ) -> Identity:
        """A person outside both countries (a precursor vendor abroad), known only by name."""
        return Identity(
            key=self._key(),
            style=country,
            sex="male" if rng.random() < 0.6 else "female",
            given=given,
            paternal=family,
            maternal=None,
            middle=None,
            birth=date(rng.randint(1960, 2000), 1, 1) + timedelta(days=rng.randrange(365)),
            birth_place="",
            role=role,
        )

    def namesake(self, rng: random.Random, other: Identity, role: str) -> Identity:
        """A different person with the same name (a father, a son, a common name): the hard
        negative that matching must not merge."""
        years = rng.choice((-27, -24, 22, 25, rng.randint(-9, 9) or 4))
        birth = date(min(2005, max(1940, other.birth.year + years)), 1, 1) + timedelta(
            days=rng.randrange(365)
        )
        place = self.mx_place(rng) if other.style == "mx" else None
        ident = Identity(
            key=self._key(),
            style=other.style,
            sex=other.sex,
            given=other.given,
            paternal=other.paternal,
            maternal=other.maternal,
            middle=other.middle,
            birth=birth,
            birth_place=other.birth_place,
            role=role,
            mx_place=place,
        )
        if place is not None:
            ident.curp = identifiers.curp(
                rng, other.given, other.paternal, other.maternal, birth, other.sex, place.curp_code
            )
            ident.mx_address = mx_address(rng, place)
        else:
            us = self.us_place(rng, border=True)
            ident.us_place = us
            ident.us_address = us_address(rng, us)
            ident.driver_licence = _driver_licence(rng, us.state)
        return ident

    def record(
        self,
        rng: random.Random,
        ident: Identity,
        side: str,
        agency: str,
        line: str,
        on: date | None = None,
    ) -> str:
        """The id of ``side``'s record of ``ident``, writing it first if the side lacks one."""
        existing = ident.records.get(side)
        if existing is not None:
            return existing
        props: dict[str, PropValue]
        tags: list[str] = []
        if ident.style not in ("mx", "us-hispanic", "us-anglo"):
            props = _foreign(ident)
        elif side == ident.home:
            props = _canonical(rng, ident)
        elif side == "us":
            props, tags = _us_view_of_mexican(rng, ident)
        else:
            props, tags = _mx_view_of_us(rng, ident)
        if side != ident.home:
            ident.drift = tags
        eid = self.world.add(
            rng, "people", agency, "person", "Person", props, line, on or REFERENCE_DATE
        )
        ident.records[side] = eid
        birth = props.get("birthDate")
        ident.views[side] = (
            str(props["name"]),
            birth.isoformat() if isinstance(birth, date) else "",
        )
        if len(ident.records) == 2:
            self.world.truth.add(
                "people_pairs",
                {
                    "key": ident.key,
                    "mx": ident.records["mx"],
                    "us": ident.records["us"],
                    "name": ident.full_name,
                    "variant": ident.drift,
                    "role": ident.role,
                },
            )
        return eid


def _driver_licence(rng: random.Random, state: str) -> str:
    return identifiers.from_pattern(rng, catalog.us_states()[state].dl_pattern)


def _foreign(ident: Identity) -> dict[str, PropValue]:
    return {
        "name": f"{ident.given} {ident.paternal}",
        "firstName": ident.given,
        "lastName": ident.paternal,
        "nationality": ident.style,
        "country": ident.style,
    }


def _canonical(rng: random.Random, ident: Identity) -> dict[str, PropValue]:
    if ident.style == "mx":
        last = " ".join(p for p in (ident.paternal, ident.maternal) if p)
        full = ident.full_name
        first = ident.given
        if rng.random() < 0.1:  # some agencies keep names in capitals, accents and all
            full, first, last = full.upper(), first.upper(), last.upper()
        return {
            "name": full,
            "firstName": first,
            "lastName": last,
            "birthDate": ident.birth,
            "birthPlace": ident.birth_place,
            "gender": ident.sex,
            "nationality": "mx",
            "country": "mx",
            "idNumber": ident.curp if rng.random() < 0.9 else None,
            "taxNumber": ident.rfc,
            "passportNumber": ident.passport,
            "weakAlias": ident.alias if ident.alias and rng.random() < 0.85 else None,
            "address": ident.mx_address,
            "phone": ident.phone if ident.phone and ident.phone.startswith("+52") else None,
        }
    return {
        "name": ident.full_name,
        "firstName": ident.given,
        "middleName": ident.middle,
        "lastName": " ".join(p for p in (ident.paternal, ident.maternal) if p),
        "birthDate": ident.birth,
        "birthPlace": ident.birth_place,
        "gender": ident.sex,
        "nationality": "us",
        "country": "us",
        "idNumber": ident.driver_licence,
        "passportNumber": ident.passport,
        "address": ident.us_address,
        "phone": ident.phone if ident.phone and ident.phone.startswith("+1") else None,
    }


def _drift_birth(rng: random.Random, birth: date, swap_p: float, tags: list[str]) -> date | None:
    """Birth dates cross the border with day and month swapped (DD/MM vs MM/DD), a year off,
    or not at all."""
    roll = rng.random()
    if roll < swap_p and birth.day <= 12 and birth.day != birth.month:
        tags.append("dob-swapped")
        return date(birth.year, birth.day, birth.month)
    if roll < swap_p + 0.03:
        tags.append("dob-year")
        try:
            return birth.replace(year=birth.year + rng.choice((-1, 1)))
        except ValueError:
            return birth.replace(year=birth.year + 1, day=28)
    if roll < swap_p + 0.10:
        tags.append("dob-missing")
        return None
    return birth


def _us_view_of_mexican(
    rng: random.Random, ident: Identity
) -> tuple[dict[str, PropValue], list[str]]:
    parts, tags = us_form_of_mexican(rng, ident.given, ident.paternal, ident.maternal, ident.sex)
    birth = _drift_birth(rng, ident.birth, 0.08, tags)
    passport = None
    if ident.passport and rng.random() < 0.35:
        passport = ident.passport
        tags.append("shared-passport")
    id_numbers = [ident.driver_licence] if ident.driver_licence else []
    if ident.curp and rng.random() < 0.08:  # the matrícula consular carries the CURP
        id_numbers.append(ident.curp)
        tags.append("shared-curp")
    alias = None
    if ident.alias and rng.random() < 0.4:
        alias = strip_accents(ident.alias)
        tags.append("alias")
    address = ident.us_address or (strip_accents(ident.mx_address) if ident.mx_address else None)
    return {
        "name": parts.full,
        "firstName": parts.first,
        "middleName": parts.middle,
        "lastName": parts.last,
        "birthDate": birth,
        "gender": ident.sex,
        "nationality": "mx",
        "country": "us" if ident.us_address else "mx",
        "idNumber": id_numbers,
        "passportNumber": passport,
        "weakAlias": alias,
        "address": address,
    }, tags


def _mx_view_of_us(rng: random.Random, ident: Identity) -> tuple[dict[str, PropValue], list[str]]:
    parts, tags = mexican_form_of_us(rng, ident.given, ident.middle, ident.paternal)
    if ident.maternal:
        parts = type(parts)(parts.first, parts.middle, f"{parts.last} {ident.maternal}")
    birth = _drift_birth(rng, ident.birth, 0.15, tags)
    passport = None
    if ident.passport and rng.random() < 0.5:
        passport = ident.passport
        tags.append("shared-passport")
    return {
        "name": parts.full,
        "firstName": parts.first,
        "middleName": parts.middle,
        "lastName": parts.last,
        "birthDate": birth,
        "gender": ident.sex,
        "nationality": "us",
        "passportNumber": passport,
        "address": ident.mx_address,
    }, tags
