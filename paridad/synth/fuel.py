"""Huachicol: pipelines, illegal taps along a few corridors, and the networks behind them.

Pemex reports taps on its pipelines (Mexican side only); the FGR links some of them to
suspects. Taps cluster on hot stretches of the corridors in ``data/fuel.yaml`` (Hidalgo,
Puebla, Guanajuato, Jalisco, Tamaulipas). Each planted network has suspects, fuel front
companies (gas stations, tanker fleets) and the money that stolen fuel makes: cash from buyers
fanned into the fronts' accounts and a wire north to a US company, so the fuel line and the
money line meet in the data as they do in the reports that motivated the GIS commitments.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime

from paridad.i18n import N_
from paridad.synth import catalog, geo
from paridad.synth.cases import Case, CaseBook
from paridad.synth.cast import Cast, Group
from paridad.synth.context import World
from paridad.synth.entities import coord
from paridad.synth.finance import Finance
from paridad.synth.organizations import Orgs
from paridad.synth.people import Identity, People
from paridad.synth.rng import Weighted, lognormal, random_day

WINDOW_START = date(2024, 1, 1)
WINDOW_END = date(2025, 12, 15)
CLUSTER_SHARE = 0.7  # share of taps on a corridor's hot stretches [assumption]


@dataclass(frozen=True)
class Stop:
    lat: float
    lon: float
    municipality: str
    state: str


@dataclass(eq=False)
class Corridor:
    name: str
    code: str
    products: tuple[str, ...]
    weight: float
    route: tuple[Stop, ...]
    km: tuple[float, ...]  # cumulative distance at each stop
    tramos: list[tuple[str, str, float, float]] = field(default_factory=list)  # id, state, from, to
    hot: list[float] = field(default_factory=list)

    @property
    def length(self) -> float:
        return self.km[-1]

    def at(self, km: float) -> tuple[float, float, Stop]:
        km = min(max(km, 0.0), self.length)
        for i in range(len(self.route) - 1):
            if km <= self.km[i + 1] or i == len(self.route) - 2:
                a, b = self.route[i], self.route[i + 1]
                span = self.km[i + 1] - self.km[i] or 1.0
                t = (km - self.km[i]) / span
                near = a if t < 0.5 else b
                return a.lat + (b.lat - a.lat) * t, a.lon + (b.lon - a.lon) * t, near
        last = self.route[-1]
        return last.lat, last.lon, last

    def tramo(self, km: float) -> str:
        for tid, _, lo, hi in self.tramos:
            if lo <= km <= hi:
                return tid
        return self.tramos[-1][0]


@dataclass(eq=False)
class Network:
    index: int
    group: Group
    corridor: Corridor
    center: float
    suspects: list[Identity]
    fronts: list[str]
    case: Case | None
    incidents: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    typologies: list[str] = field(default_factory=list)


def _corridors() -> list[Corridor]:
    out = []
    for spec in catalog.load_yaml("fuel.yaml")["pipelines"]:
        route = tuple(
            Stop(float(s["lat"]), float(s["lon"]), str(s["municipality"]), str(s["state"]))
            for s in spec["route"]
        )
        km = [0.0]
        for a, b in itertools.pairwise(route):
            km.append(km[-1] + geo.distance_km(a.lat, a.lon, b.lat, b.lon))
        out.append(
            Corridor(
                str(spec["name"]),
                str(spec["code"]),
                tuple(spec["product"]),
                float(spec["tap_weight"]),
                route,
                tuple(km),
            )
        )
    return out


class FuelBuilder:
    def __init__(
        self,
        world: World,
        people: People,
        orgs: Orgs,
        cast: Cast,
        cases: CaseBook,
        finance: Finance,
    ) -> None:
        self.world = world
        self.people = people
        self.orgs = orgs
        self.cast = cast
        self.cases = cases
        self.finance = finance
        self.rng = world.rng("fuel")
        self.corridors = _corridors()

    def pipelines(self) -> None:
        """One Pipeline per corridor stretch within a state (a tramo), operated by Pemex."""
        rng = self.rng
        assert self.orgs.operator is not None
        operator = self.orgs.operator.records["mx"]
        for corridor in self.corridors:
            start = 0
            n = 0
            for i in range(1, len(corridor.route) + 1):
                if (
                    i == len(corridor.route)
                    or corridor.route[i].state != corridor.route[start].state
                ):
                    end = min(i, len(corridor.route) - 1)
                    n += 1
                    state = corridor.route[start].state
                    lo, hi = corridor.km[start], corridor.km[end]
                    pid = self.world.add(
                        rng,
                        "fuel",
                        "Pemex",
                        "pipeline",
                        "Pipeline",
                        {
                            "name": f"{corridor.name}, tramo {state}",
                            "pipelineId": f"{corridor.code}-{n:02d}",
                            "operator": operator,
                            "product": list(corridor.products),
                            "lengthKm": f"{max(hi - lo, 1.0):.1f}",
                            "state": state,
                            "country": "mx",
                        },
                        "fuel",
                        WINDOW_START,
                    )
                    corridor.tramos.append((pid, state, lo, hi))
                    start = i
            corridor.hot = [
                rng.uniform(0.1, 0.9) * corridor.length for _ in range(rng.randint(2, 4))
            ]

    def networks(self) -> list[Network]:
        rng = self.rng
        weights = Weighted((c, c.weight) for c in self.corridors)
        out = []
        for i in range(self.world.sizes.fuel_networks):
            group = self.cast.pick(rng, "fuel")
            corridor = weights.pick(rng)
            center = rng.choice(corridor.hot)
            _, _, stop = corridor.at(center)
            local = [p for p in catalog.mx_places() if p.state == stop.state] or None
            suspects = [rng.choice(group.members)] if group.members else []
            for _ in range(rng.randint(2, 7)):
                place = rng.choice(local) if local else None
                suspects.append(
                    self.people.new_mx(
                        rng, "fuel-thief", born=(1970, 2004), place=place, alias_p=0.3
                    )
                )
            case = None
            if rng.random() < 0.6:
                case = self.cases.open(
                    rng,
                    "fuel",
                    f"Tomas clandestinas en el {corridor.name} ({stop.municipality}, {stop.state})",
                    f"Illegal taps on the {corridor.name} near {stop.municipality}, {stop.state}",
                    random_day(rng, date(2024, 6, 1), WINDOW_END),
                    "FGR",
                    "HSI",
                )
            net = Network(i + 1, group, corridor, center, suspects, [], case)
            self._money(rng, net)
            out.append(net)
        return out

    def _money(self, rng: random.Random, net: Network) -> None:
        """Fuel fronts take cash from buyers (fan-in) and wire north to a US company."""
        fronts = [self.orgs.front_mx(rng, fuel=True) for _ in range(rng.randint(1, 3))]
        net.group.fronts_mx.extend(fronts)
        for org in fronts:
            acct = self.finance.open_account(rng, org, "mx")
            self.finance.account_record(rng, acct, "mx")
            net.fronts.append(org.records["mx"])
            rec = self.finance.plant(
                rng, "fan-in", net.group, target=acct, note=f"fuel network {net.index}"
            )
            net.typologies.append(str(rec["id"]))
            net.accounts.append(acct.records["mx"])
            if rng.random() < 0.6:
                us = self.finance.front(rng, net.group, "us")
                when = self.finance_time(rng)
                self.finance.pay(
                    rng,
                    acct,
                    us,
                    round(lognormal(rng, 150000, 0.5), 2),
                    when,
                    "Compra de aditivos y equipo",
                )
                net.accounts.append(acct.records["us"])
            for person in rng.sample(net.suspects, min(2, len(net.suspects))):
                director = self.people.record(rng, person, "mx", "FGR", "fuel")
                self.world.add(
                    rng,
                    "relationships",
                    "FGR",
                    "directorship",
                    "Directorship",
                    {
                        "director": director,
                        "organization": org.records["mx"],
                        "role": "Administrador único",
                    },
                    "fuel",
                    WINDOW_START,
                )

    def finance_time(self, rng: random.Random) -> datetime:
        day = random_day(rng, date(2025, 2, 1), date(2025, 11, 30))
        return datetime(day.year, day.month, day.day, rng.randint(8, 18), rng.randrange(60))

    def incidents(self, networks: list[Network]) -> None:
        rng = self.rng
        weights = Weighted((c, c.weight) for c in self.corridors)
        by_corridor: dict[str, list[Network]] = {}
        for network in networks:
            by_corridor.setdefault(network.corridor.code, []).append(network)
        for _ in range(self.world.sizes.fuel_incidents):
            corridor = weights.pick(rng)
            nets = by_corridor.get(corridor.code, [])
            net: Network | None = None
            if nets and rng.random() < 0.35:
                net = rng.choice(nets)
                km = rng.gauss(net.center, 3.0)
            elif rng.random() < CLUSTER_SHARE:
                km = rng.gauss(rng.choice(corridor.hot), 4.0)
            else:
                km = rng.uniform(0, corridor.length)
            km = min(max(km, 0.0), corridor.length)
            lat, lon, stop = corridor.at(km)
            lat, lon = geo.offset(lat, lon, rng.gauss(0, 0.15), rng.gauss(0, 0.15))
            day = random_day(rng, WINDOW_START, WINDOW_END)
            suspects: list[str] = []
            if net is not None and rng.random() < 0.6:
                for person in rng.sample(net.suspects, rng.randint(1, min(3, len(net.suspects)))):
                    suspects.append(self.people.record(rng, person, "mx", "FGR", "fuel", day))
            iid = self.world.add(
                rng,
                "fuel",
                "FGR" if suspects else "Pemex",
                "incident",
                "FuelTheftIncident",
                {
                    "date": day,
                    "pipeline": corridor.tramo(km),
                    "location": f"Km {int(km)}+{int(km % 1 * 1000):03d} del {corridor.name}, "
                    f"{stop.municipality}, {stop.state}",
                    "latitude": coord(lat),
                    "longitude": coord(lon),
                    "municipality": stop.municipality,
                    "state": stop.state,
                    "volumeLitres": f"{lognormal(rng, 12000, 1.0):.0f}",
                    "product": rng.choice(corridor.products),
                    "suspect": suspects,
                    "case": net.case.mx_id if net and net.case and suspects else None,
                },
                "fuel",
                day,
            )
            if net is not None:
                net.incidents.append(iid)
                if net.case is not None:
                    for sid in suspects:
                        net.case.add("mx", sid)
        self.world.step(N_("fuel theft incidents"), self.world.sizes.fuel_incidents)

    def record(self, networks: list[Network]) -> None:
        rng = self.rng
        for net in networks:
            if net.case is not None:
                for fid in net.fronts:
                    net.case.add("mx", fid)
                net.case.add("mx", self.orgs.record(rng, net.group.org, "mx", "FGR", "fuel"))
                for us in net.group.fronts_us:
                    if "us" in us.records:
                        net.case.add("us", us.records["us"])
            self.world.truth.add(
                "fuel_networks",
                {
                    "network": net.index,
                    "group": net.group.name,
                    "corridor": net.corridor.name,
                    "pipelines": [t[0] for t in net.corridor.tramos],
                    "center_km": round(net.center, 2),
                    "incidents": net.incidents,
                    "suspects": [p.records["mx"] for p in net.suspects if "mx" in p.records],
                    "companies": net.fronts,
                    "accounts": net.accounts,
                    "typologies": net.typologies,
                    "case": net.case.number if net.case else None,
                },
            )


def generate(
    world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook, finance: Finance
) -> None:
    builder = FuelBuilder(world, people, orgs, cast, cases, finance)
    builder.pipelines()
    networks = builder.networks()
    builder.incidents(networks)
    builder.record(networks)
