"""Misión Cortafuegos: US gun sales, straw-purchase rings, and guns recovered in Mexico.

The US side holds first retail purchases (ATF Form 4473 records as a trace reaches them) at
licensed dealers, with the multiple-sale reports the dealers filed; Mexico holds the guns it
recovered, with serials as read. The world plants, in the proportions of
``shared/research/domain.md`` ("Firearms module"):

* background buyers, 98-99% of whom buy one or two guns a year and ~1.5% of whom innocently
  trigger a multiple-sale report;
* straw-purchase rings: 2-8 purchasers and one broker, 3-12 visits over 1-6 months at 1-5
  dealers in one border state, 2-6 guns a visit, a preference for the same models;
* recoveries in Mexico: 70% traceable to a US retail sale, 17% foreign-made, 13%
  undetermined; of the US-sourced, 18% from rings (time-to-crime ~150 days) and the rest old
  guns (median 12 years) sold by state TX .40, AZ .15, CA .12, NM .05, other .28; serials
  intact .88, restored .06, obliterated .04, altered .02, and misread as officers misread them.

Multiple-sale reports are computed, not drawn: Form 3310.4 for 2+ handguns and Form 3310.12 for
2+ semi-automatic rifles > .22 with detachable magazines (AZ, CA, NM, TX, since 14 Aug 2011),
sold by one dealer to one person at once or within 5 consecutive business days (dealers here
open Monday to Saturday).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from paridad.i18n import N_
from paridad.synth import catalog, markings
from paridad.synth.cases import Case, CaseBook
from paridad.synth.cast import Cast, Group
from paridad.synth.catalog import FirearmModel, MxPlace
from paridad.synth.context import World
from paridad.synth.entities import coord, make_entity
from paridad.synth.identifiers import ascii_upper, from_pattern
from paridad.synth.organizations import Dealer, Orgs
from paridad.synth.people import Identity, People
from paridad.synth.rng import Weighted, lognormal, random_day
from paridad.synth.serials import near_serial, read_serial

WINDOW_START = date(2024, 1, 1)
WINDOW_END = date(2025, 12, 15)
DEMAND_LETTER_STATES = frozenset({"AZ", "CA", "NM", "TX"})
DEMAND_LETTER_START = date(2011, 8, 14)
BUSINESS_DAYS_WINDOW = 5  # "at one time or during any five consecutive business days"

# Trace outcome of Mexico recoveries (GAO-16-223): US-origin .70, foreign .17, undetermined .13.
TRACE_OUTCOME = {"us": 0.70, "foreign": 0.17, "undetermined": 0.13}
RING_SHARE_OF_US = 0.18  # time-to-crime mixture weight for Mexico recoveries
SOURCE_STATE = {"TX": 0.40, "AZ": 0.15, "CA": 0.12, "NM": 0.05}  # "other" takes the rest, .28
RECOVERY_TYPES = {"pistol": 0.47, "rifle": 0.33, "revolver": 0.15, "shotgun": 0.05}
SERIAL_CONDITION = {"intact": 0.88, "restored": 0.06, "obliterated": 0.04, "altered": 0.02}
RING_STATES = {"TX": 0.55, "AZ": 0.2, "CA": 0.15, "NM": 0.1}

ACQUISITION_COLUMNS = [
    "acquisition_id",
    "firearm_id",
    "serial",
    "make",
    "model",
    "caliber",
    "type",
    "manufacture_country",
    "importer",
    "sold_on",
    "price_usd",
    "dealer_id",
    "dealer_license",
    "dealer_name",
    "dealer_state",
    "dealer_county",
    "purchaser_id",
    "purchaser_name",
    "purchaser_dob",
    "multiple_sale_report",
    "multiple_sale_form",
    "handling_code",
]
RECOVERY_COLUMNS = [
    "recovery_id",
    "firearm_id",
    "serial",
    "make",
    "model",
    "caliber",
    "type",
    "importer_marks",
    "serial_condition",
    "serial_obliterated",
    "recovered_on",
    "state",
    "municipality",
    "latitude",
    "longitude",
    "agency",
    "case_number",
    "possessor_id",
    "possessor_name",
    "joint_case_id",
    "joint_case_number",
    "handling_code",
]


@dataclass(frozen=True)
class SourceMarkings:
    """Markings a CSV mapping file states once for all its rows; a row may override the
    handling code. The JSON Lines copy of each row carries exactly these markings."""

    agency: str
    legal_basis: str
    retain_until: date

    def for_row(self, handling: str = "H1") -> dict[str, Any]:
        return markings.fixed(
            self.agency, "firearms", self.legal_basis, self.retain_until, handling=handling
        )


ACQUISITION_MARKINGS = SourceMarkings(
    "ATF", "18 U.S.C. 923(g)(7) (trace requests)", date(2045, 12, 31)
)
RECOVERY_MARKINGS = SourceMarkings(
    "FGR", "Ley Federal de Armas de Fuego y Explosivos, art. 84", date(2035, 12, 31)
)
RECOVERING_AGENCIES = Weighted(
    [
        ("Secretaría de la Defensa Nacional (SEDENA)", 35),
        ("Fiscalía General de la República (FGR)", 25),
        ("Guardia Nacional", 20),
        ("Secretaría de Marina (SEMAR)", 8),
        ("Policía Estatal", 12),
    ]
)
_FGR_STATE = {
    "TS": "TAMPS",
    "SR": "SON",
    "BC": "BC",
    "CH": "CHIH",
    "CL": "COAH",
    "NL": "NL",
    "SL": "SIN",
    "DG": "DGO",
    "ZS": "ZAC",
    "JC": "JAL",
    "MN": "MICH",
    "GR": "GRO",
    "GT": "GTO",
    "MC": "MEX",
    "DF": "CDMX",
    "HG": "HGO",
    "PL": "PUE",
    "VZ": "VER",
    "QR": "QROO",
    "MS": "MOR",
    "OC": "OAX",
    "CS": "CHIS",
    "CM": "COL",
}


def business_index(day: date) -> int:
    """Days since 0001-01-01 counting Monday to Saturday only (Sunday has no index)."""
    weeks, weekday = divmod(day.toordinal() - 1, 7)
    return weeks * 6 + min(weekday, 5)


def multiple_sale_form(model: FirearmModel, state: str, day: date) -> str | None:
    """Which multiple-sale form a sale counts towards, if any."""
    if model.handgun:
        return "3310.4"
    if model.rifle_3310_12 and state in DEMAND_LETTER_STATES and day >= DEMAND_LETTER_START:
        return "3310.12"
    return None


@dataclass
class Sale:
    day: date
    dealer: Dealer
    model: FirearmModel
    serial: str
    price: float


@dataclass(frozen=True)
class SoldGun:
    """What the recovery side needs to know about a sale to plant a trace."""

    acquisition: str
    firearm: str
    serial: str
    model: FirearmModel
    state: str
    dealer: str
    day: date
    ring: int | None


@dataclass(eq=False)
class Ring:
    index: int
    group: Group
    state: str
    broker: Identity
    purchasers: list[Identity]
    dealers: list[Dealer]
    favourites: list[FirearmModel]
    start: date
    end: date
    case: Case | None
    guns: list[SoldGun]


def _weighted_dict(d: dict[str, float]) -> Weighted[str]:
    return Weighted(d.items())


class FirearmsBuilder:
    def __init__(
        self, world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook
    ) -> None:
        self.world = world
        self.people = people
        self.orgs = orgs
        self.cast = cast
        self.cases = cases
        self.rng = world.rng("firearms")
        self.acq_csv = world.writer.csv("us", "acquisitions", ACQUISITION_COLUMNS)
        self.rec_csv = world.writer.csv("mx", "recoveries", RECOVERY_COLUMNS)
        models = [m for m in catalog.firearm_models()]
        self.retail = Weighted((m, m.market_weight) for m in models if not m.foreign)
        self.ring_models = Weighted((m, m.ring_weight) for m in models)
        self.recovered_us = {
            t: Weighted((m, m.recovery_weight) for m in models if not m.foreign and m.type == t)
            for t in RECOVERY_TYPES
        }
        foreign = [m for m in models if m.foreign]
        self.recovered_foreign = {
            t: Weighted(
                (m, m.recovery_weight) for m in ([f for f in foreign if f.type == t] or foreign)
            )
            for t in RECOVERY_TYPES
        }
        self.serials: set[tuple[str, str]] = set()
        self.report_numbers: dict[tuple[str, int], int] = defaultdict(int)
        self.by_state: dict[str, list[Dealer]] = defaultdict(list)
        for dealer in orgs.dealers:
            self.by_state[dealer.place.state].append(dealer)
        self.dealer_pick = {
            st: Weighted((d, d.hot) for d in ds) for st, ds in self.by_state.items()
        }
        self.any_dealer = Weighted((d, d.hot) for d in orgs.dealers)
        self.mx_places = Weighted((p, p.recovery_weight) for p in catalog.mx_places())
        self.sales = 0
        self.multiple_sales = 0

    # -- sales ---------------------------------------------------------------------------

    def _serial(self, model: FirearmModel) -> str:
        while True:
            serial = from_pattern(self.rng, model.serial_pattern)
            if (model.make, serial) not in self.serials:
                self.serials.add((model.make, serial))
                return serial

    def _open_day(self, day: date) -> date:
        """Dealers are closed on Sundays: move a Sunday sale to the Saturday before."""
        return day - timedelta(days=1) if day.weekday() == 6 else day

    def _price(self, model: FirearmModel) -> float:
        base = {"pistol": 520.0, "revolver": 640.0, "rifle": 900.0, "shotgun": 380.0}
        price = base.get(model.type, 600.0) * self.rng.uniform(0.7, 1.5)
        if model.caliber == ".50 BMG":
            price = self.rng.uniform(8500, 12500)
        return round(price, 2)

    def _dealer_in(self, state: str) -> Dealer:
        pick = self.dealer_pick.get(state)
        return pick.pick(self.rng) if pick else self.any_dealer.pick(self.rng)

    def sell(
        self,
        buyer: Identity,
        sales: list[Sale],
        ring: int | None,
        handling: str,
        line_agency: str = "ATF",
    ) -> list[SoldGun]:
        """Write one buyer's purchases, with the multiple-sale reports the dealers filed."""
        rng = self.rng
        first = min(s.day for s in sales)
        purchaser_id = self.people.record(rng, buyer, "us", line_agency, "firearms", first)
        name, dob = buyer.views["us"]
        sales.sort(key=lambda s: (s.day, s.dealer.ffl, s.serial))
        reports = self._reports(sales)
        out: list[SoldGun] = []
        marks = ACQUISITION_MARKINGS.for_row(handling)
        grouped: dict[str, tuple[str, list[str]]] = {}
        for i, sale in enumerate(sales):
            firearm_id = self.world.new_id("us", "ATF", "firearm")
            acq_id = self.world.new_id("us", "ATF", "acq")
            form, report = reports.get(i, (None, None))
            m = sale.model
            self.world.emit(
                "us",
                "firearms",
                make_entity(
                    firearm_id,
                    "Firearm",
                    {
                        "serialNumber": sale.serial,
                        "make": m.make,
                        "model": m.model,
                        "caliber": m.caliber,
                        "type": m.type,
                        "manufactureCountry": m.country,
                        "importerMarks": m.importer or None,
                    },
                    marks,
                ),
            )
            place = sale.dealer.place
            self.world.emit(
                "us",
                "firearms",
                make_entity(
                    acq_id,
                    "FirearmAcquisition",
                    {
                        "firearm": firearm_id,
                        "purchaser": purchaser_id,
                        "dealer": sale.dealer.id,
                        "dealerLicense": sale.dealer.ffl,
                        "date": sale.day,
                        "state": place.state,
                        "county": place.county,
                        "amount": f"{sale.price:.2f}",
                        "currency": "USD",
                        "multipleSaleReport": report,
                        "multipleSaleForm": form,
                    },
                    marks,
                ),
            )
            self.acq_csv.row(
                {
                    "acquisition_id": acq_id,
                    "firearm_id": firearm_id,
                    "serial": sale.serial,
                    "make": m.make,
                    "model": m.model,
                    "caliber": m.caliber,
                    "type": m.type,
                    "manufacture_country": m.country,
                    "importer": m.importer,
                    "sold_on": sale.day.strftime("%m/%d/%Y"),
                    "price_usd": f"{sale.price:.2f}",
                    "dealer_id": sale.dealer.id,
                    "dealer_license": sale.dealer.ffl,
                    "dealer_name": sale.dealer.name,
                    "dealer_state": place.state,
                    "dealer_county": place.county,
                    "purchaser_id": purchaser_id,
                    "purchaser_name": name,
                    "purchaser_dob": date.fromisoformat(dob).strftime("%m/%d/%Y") if dob else "",
                    "multiple_sale_report": report or "",
                    "multiple_sale_form": form or "",
                    "handling_code": handling,
                },
                entities=4,
            )
            if report:
                grouped.setdefault(report, (sale.dealer.id, []))[1].append(acq_id)
            out.append(
                SoldGun(
                    acq_id, firearm_id, sale.serial, m, place.state, sale.dealer.id, sale.day, ring
                )
            )
        for report, (dealer_id, acquisitions) in grouped.items():
            form = "3310.4" if report.startswith("3310.4-") else "3310.12"
            self.world.truth.add(
                "multiple_sales",
                {
                    "report": report,
                    "form": form,
                    "purchaser": purchaser_id,
                    "dealer": dealer_id,
                    "acquisitions": acquisitions,
                    "ring": ring,
                },
            )
            self.multiple_sales += 1
        self.sales += len(sales)
        return out

    def _reports(self, sales: list[Sale]) -> dict[int, tuple[str, str]]:
        """Multiple-sale report (form, number) per sale index, from the reporting rules."""
        buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, sale in enumerate(sales):
            form = multiple_sale_form(sale.model, sale.dealer.place.state, sale.day)
            if form:
                buckets[(sale.dealer.ffl, form)].append(i)
        out: dict[int, tuple[str, str]] = {}
        for (_, form), idx in buckets.items():
            idx.sort(key=lambda i: business_index(sales[i].day))
            components: list[list[int]] = [[idx[0]]]
            for prev, cur in itertools.pairwise(idx):
                gap = business_index(sales[cur].day) - business_index(sales[prev].day)
                if gap < BUSINESS_DAYS_WINDOW:
                    components[-1].append(cur)
                else:
                    components.append([cur])
            for comp in components:
                if len(comp) < 2:
                    continue
                first = sales[comp[0]]
                key = (form, first.day.year)
                self.report_numbers[key] += 1
                number = (
                    f"{form}-{first.dealer.place.state}-{first.day.year}-"
                    f"{self.report_numbers[key]:06d}"
                )
                for i in comp:
                    out[i] = (form, number)
        return out

    # -- rings ---------------------------------------------------------------------------

    def rings(self) -> list[Ring]:
        rng = self.rng
        rings: list[Ring] = []
        state_pick = _weighted_dict(RING_STATES)
        for r in range(self.world.sizes.straw_rings):
            group = self.cast.pick(rng, "firearms")
            state = state_pick.pick(rng)
            local = self.by_state.get(state) or list(self.orgs.dealers)
            dealers = rng.sample(local, min(len(local), rng.randint(1, 5)))
            us_places = [p for p in catalog.us_places() if p.state == state]
            if rng.random() < 0.7:
                broker = self.people.new_mx(
                    rng, "broker", sex="male", born=(1975, 1995), us_place=rng.choice(us_places)
                )
            else:
                broker = rng.choice(group.lieutenants or group.members)
            purchasers: list[Identity] = []
            for _ in range(rng.randint(2, 8)):
                place = rng.choice(us_places)
                if rng.random() < 0.2:
                    purchasers.append(
                        self.people.new_mx(
                            rng, "straw-purchaser", born=(1985, 2004), us_place=place
                        )
                    )
                else:
                    purchasers.append(
                        self.people.new_us(
                            rng, "straw-purchaser", hispanic=0.7, born=(1983, 2004), place=place
                        )
                    )
            favourites = list({self.ring_models.pick(rng): None for _ in range(rng.randint(1, 3))})
            span = rng.randint(30, 180)
            start = random_day(rng, WINDOW_START, WINDOW_END - timedelta(days=span + 30))
            end = start + timedelta(days=span)
            known = rng.random() < 0.4
            case = None
            if known:
                case = self.cases.open(
                    rng,
                    "firearms",
                    f"Red de compradores simulados en {catalog.us_states()[state].name} "
                    f"vinculada a {group.name}",
                    f"Straw purchasing ring in {catalog.us_states()[state].name}",
                    end,
                    "FGR",
                    "ATF",
                )
            ring = Ring(
                r, group, state, broker, purchasers, dealers, favourites, start, end, case, []
            )
            for buyer in purchasers:
                sales: list[Sale] = []
                for _ in range(rng.randint(3, 12)):
                    day = self._open_day(random_day(rng, start, end))
                    dealer = rng.choice(dealers)
                    for _ in range(rng.randint(2, 6)):
                        model = (
                            rng.choice(favourites)
                            if rng.random() < 0.7
                            else (self.ring_models.pick(rng))
                        )
                        sales.append(
                            Sale(day, dealer, model, self._serial(model), self._price(model))
                        )
                ring.guns += self.sell(buyer, sales, r, "H2" if known else "H1")
            self._record_ring(ring)
            rings.append(ring)
        self.world.step(N_("straw rings"), len(rings))
        return rings

    def _record_ring(self, ring: Ring) -> None:
        rng = self.rng
        broker_us = None
        broker_mx = None
        if ring.case is not None or rng.random() < 0.3:
            broker_us = self.people.record(
                rng, ring.broker, "us", "HSI" if ring.case else "CBP", "firearms", ring.start
            )
        if ring.case is not None or rng.random() < 0.5:
            broker_mx = self.people.record(rng, ring.broker, "mx", "FGR", "firearms", ring.start)
        purchaser_ids = [p.records["us"] for p in ring.purchasers]
        if ring.case is not None:
            ring.case.add("us", broker_us)
            for pid in purchaser_ids:
                ring.case.add("us", pid)
                self.world.add(
                    rng,
                    "relationships",
                    "ATF",
                    "associate",
                    "Associate",
                    {
                        "person": pid,
                        "associate": broker_us,
                        "relationship": "straw purchaser recruited by broker",
                        "startDate": ring.start,
                    },
                    "firearms",
                    ring.end,
                )
            ring.case.add("mx", broker_mx)
            ring.case.add("mx", self.orgs.record(rng, ring.group.org, "mx", "FGR", "firearms"))
        self.world.truth.add(
            "straw_rings",
            {
                "ring": ring.index,
                "group": ring.group.name,
                "state": ring.state,
                "broker_key": ring.broker.key,
                "broker_us": broker_us,
                "broker_mx": broker_mx,
                "purchasers": purchaser_ids,
                "dealers": [d.id for d in ring.dealers],
                "models": [f"{m.make} {m.model}" for m in ring.favourites],
                "start": ring.start.isoformat(),
                "end": ring.end.isoformat(),
                "acquisitions": [g.acquisition for g in ring.guns],
                "case": ring.case.number if ring.case else None,
            },
        )

    # -- background buyers -----------------------------------------------------------------

    def background(self) -> None:
        rng = self.rng
        states = catalog.us_states()
        for i in range(self.world.sizes.background_buyers):
            border = rng.random() < 0.7
            buyer = self.people.new_us(
                rng, "buyer", hispanic=0.4 if border else 0.15, border=border, born=(1950, 2004)
            )
            assert buyer.us_place is not None
            home = self._dealer_in(buyer.us_place.state)
            sales: list[Sale] = []
            for year in (2024, 2025):
                n = rng.choices((0, 1, 2, 3), (0.15, 0.55, 0.28, 0.02))[0]
                for _ in range(n):
                    day = self._open_day(
                        random_day(rng, date(year, 1, 1), min(WINDOW_END, date(year, 12, 31)))
                    )
                    dealer = home if rng.random() < 0.8 else self.any_dealer.pick(rng)
                    model = self.retail.pick(rng)
                    sales.append(Sale(day, dealer, model, self._serial(model), self._price(model)))
            if not sales:
                model = self.retail.pick(rng)
                day = self._open_day(random_day(rng, WINDOW_START, WINDOW_END))
                sales.append(Sale(day, home, model, self._serial(model), self._price(model)))
            if rng.random() < 0.01:
                # The innocent multiple sale: a matched pair of pistols, two AR rifles.
                day = self._open_day(random_day(rng, WINDOW_START, WINDOW_END))
                kind = "rifle" if states[home.place.state].border and rng.random() < 0.3 else "hg"
                for k in range(2):
                    while True:
                        model = self.retail.pick(rng)
                        if (kind == "hg" and model.handgun) or (
                            kind == "rifle" and model.rifle_3310_12
                        ):
                            break
                    gap = timedelta(days=rng.choice((0, 0, 1, 2, 3)) if k else 0)
                    sales.append(
                        Sale(
                            self._open_day(day + gap),
                            home,
                            model,
                            self._serial(model),
                            self._price(model),
                        )
                    )
            self.sell(buyer, sales, None, "H1")
            if i % 2000 == 1999:
                self.world.step(N_("gun buyers"), i + 1)
        self.world.step(N_("gun sales"), self.sales)

    # -- old sales found by traces -----------------------------------------------------------

    def old_sale(self, recovered: date, model: FirearmModel, state: str) -> SoldGun:
        """The first retail sale of a gun that crossed years ago (median 12 yr, σ_log 0.6)."""
        rng = self.rng
        day = recovered - timedelta(days=int(lognormal(rng, 12 * 365.25, 0.6)))
        if day < date(1986, 1, 1):
            day = date(1986, 1, 1) + timedelta(days=rng.randrange(3650))
        day = self._open_day(day)
        dealer = self._dealer_in(state)
        places = [p for p in catalog.us_places() if p.state == dealer.place.state]
        buyer = self.people.new_us(
            rng,
            "buyer",
            hispanic=0.35,
            born=(max(1925, day.year - 70), day.year - 21),
            place=rng.choice(places),
        )
        sale = Sale(day, dealer, model, self._serial(model), self._price(model))
        return self.sell(buyer, [sale], None, "H1")[0]

    def decoy(self, gun: SoldGun) -> str:
        """Another real sale whose serial is one character off the traced gun's."""
        rng = self.rng
        other = self.retail.pick(rng)
        serial = near_serial(rng, gun.serial)
        if (other.make, serial) in self.serials:
            serial = near_serial(rng, serial)
        self.serials.add((other.make, serial))
        day = self._open_day(random_day(rng, date(1995, 1, 1), WINDOW_END))
        dealer = self._dealer_in(gun.state)
        buyer = self.people.new_us(rng, "buyer", born=(1940, 2000), place=dealer.place)
        sale = Sale(day, dealer, other, serial, self._price(other))
        return self.sell(buyer, [sale], None, "H1")[0].acquisition

    # -- recoveries in Mexico ------------------------------------------------------------------

    def recoveries(self, rings: list[Ring]) -> None:
        rng = self.rng
        n = self.world.sizes.recoveries
        n_us = round(n * TRACE_OUTCOME["us"])
        n_ring_target = round(n_us * RING_SHARE_OF_US)
        n_foreign = round(n * TRACE_OUTCOME["foreign"])
        labels = ["us"] * (n_us - n_ring_target) + ["foreign"] * n_foreign
        labels += ["undetermined"] * (n - n_us - n_foreign)
        rng.shuffle(labels)
        pool = [g for ring in rings for g in ring.guns]
        rng.shuffle(pool)
        recovered: set[str] = set()
        ring_by_index = {r.index: r for r in rings}
        other_states = Weighted(
            (s.state, s.pop_weight) for s in catalog.us_states().values() if not s.border
        )
        source = Weighted([*SOURCE_STATE.items(), ("other", 0.28)])
        types = _weighted_dict(RECOVERY_TYPES)
        conditions = _weighted_dict(SERIAL_CONDITION)
        ring_done = 0
        made = 0
        pool_i = 0
        while made < n:
            size = rng.choices((1, 2, 3, 4, 6, 8), (55, 18, 12, 7, 5, 3))[0]
            event_guns: list[tuple[str, SoldGun | None, FirearmModel]] = []
            rec_day = random_day(rng, WINDOW_START, WINDOW_END)
            ring: Ring | None = None
            if ring_done < n_ring_target and pool_i < len(pool) and rng.random() < 0.25:
                seed_gun = pool[pool_i]
                pool_i += 1
                rec_day = seed_gun.day + timedelta(days=int(lognormal(rng, 150, 0.9)))
                if seed_gun.acquisition not in recovered and rec_day <= WINDOW_END:
                    assert seed_gun.ring is not None
                    ring = ring_by_index[seed_gun.ring]
                    mates = [
                        g
                        for g in ring.guns
                        if g.day <= rec_day and g.acquisition not in recovered and g is not seed_gun
                    ]
                    chosen = [seed_gun, *rng.sample(mates, min(len(mates), size - 1))]
                    chosen = chosen[: n_ring_target - ring_done]
                    for g in chosen:
                        recovered.add(g.acquisition)
                        event_guns.append(("us", g, g.model))
                    ring_done += len(chosen)
                else:
                    rec_day = random_day(rng, WINDOW_START, WINDOW_END)
            if not event_guns:
                for _ in range(min(size, len(labels))):
                    label = labels.pop()
                    t = types.pick(rng)
                    if label == "foreign":
                        model = self.recovered_foreign[t].pick(rng)
                        event_guns.append(("foreign", None, model))
                        continue
                    model = self.recovered_us[t].pick(rng)
                    if label == "undetermined":
                        event_guns.append(("undetermined", None, model))
                        continue
                    state = source.pick(rng)
                    if state == "other":
                        state = other_states.pick(rng)
                    event_guns.append(("us", self.old_sale(rec_day, model, state), model))
            if not event_guns:  # labels exhausted while ring guns are still owed
                labels.append("us")
                continue
            made += len(event_guns)
            self._recovery_event(rng, rec_day, event_guns, ring, conditions)
        self.world.step(N_("firearm recoveries"), made)

    def _possessor(self, rng: random.Random, ring: Ring | None) -> Identity | None:
        if ring is not None:
            nationals = [p for p in ring.purchasers if p.style == "mx"]
            if nationals and rng.random() < 0.25:
                return rng.choice(nationals)
            return rng.choice(ring.group.members or [ring.group.leader])
        roll = rng.random()
        if roll < 0.4:
            return None
        if roll < 0.5:
            return rng.choice(self.cast.pick(rng, "firearms").members)
        return self.people.new_mx(rng, "possessor", born=(1970, 2006), alias_p=0.15)

    def _recovery_event(
        self,
        rng: random.Random,
        day: date,
        guns: list[tuple[str, SoldGun | None, FirearmModel]],
        ring: Ring | None,
        conditions: Weighted[str],
    ) -> None:
        """One seizure: one place, one date, one case file, maybe one possessor, 1-8 guns."""
        place: MxPlace = self.mx_places.pick(rng)
        agency = RECOVERING_AGENCIES.pick(rng)
        muni = ascii_upper(place.municipality).replace(" ", "")[:3]
        case_number = (
            f"FED/{_FGR_STATE.get(place.curp_code, place.curp_code)}/{muni}/"
            f"{rng.randrange(10**7):07d}/{day.year}"
        )
        lat = place.lat + rng.uniform(-0.05, 0.05)
        lon = place.lon + rng.uniform(-0.05, 0.05)
        possessor = self._possessor(rng, ring)
        possessor_id = None
        possessor_name = ""
        if possessor is not None:
            possessor_id = self.people.record(rng, possessor, "mx", "FGR", "firearms", day)
            possessor_name = possessor.views["mx"][0]
        case = ring.case if ring is not None else None
        if case is not None:
            case.add("mx", possessor_id)
        handling = "H1" if case is not None else "H0"
        marks = RECOVERY_MARKINGS.for_row(handling)
        for origin, sold, model in guns:
            condition = conditions.pick(rng)
            true_serial = (
                sold.serial if sold is not None else from_pattern(rng, model.serial_pattern)
            )
            read, errors = read_serial(rng, true_serial, condition)
            make = rng.choice(model.make_variants) if rng.random() < 0.6 else model.make.upper()
            caliber = rng.choice(model.caliber_variants) if rng.random() < 0.7 else model.caliber
            model_name = model.model.upper() if rng.random() < 0.8 else ""
            importer = model.importer if model.importer and rng.random() < 0.5 else ""
            obliterated = "true" if condition in ("obliterated", "restored") else "false"
            firearm_id = self.world.new_id("mx", "FGR", "firearm")
            recovery_id = self.world.new_id("mx", "FGR", "recovery")
            self.world.emit(
                "mx",
                "firearms",
                make_entity(
                    firearm_id,
                    "Firearm",
                    {
                        "serialNumber": read or None,
                        "make": make,
                        "model": model_name or None,
                        "caliber": caliber,
                        "type": model.type,
                        "importerMarks": importer or None,
                        "serialCondition": condition,
                        "serialObliterated": obliterated,
                    },
                    marks,
                ),
            )
            self.world.emit(
                "mx",
                "firearms",
                make_entity(
                    recovery_id,
                    "FirearmRecovery",
                    {
                        "firearm": firearm_id,
                        "date": day,
                        "state": place.state,
                        "municipality": place.municipality,
                        "latitude": coord(lat),
                        "longitude": coord(lon),
                        "agency": agency,
                        "caseNumber": case_number,
                        "possessor": possessor_id,
                        "case": case.mx_id if case else None,
                    },
                    marks,
                ),
            )
            self.rec_csv.row(
                {
                    "recovery_id": recovery_id,
                    "firearm_id": firearm_id,
                    "serial": read,
                    "make": make,
                    "model": model_name,
                    "caliber": caliber,
                    "type": model.type,
                    "importer_marks": importer,
                    "serial_condition": condition,
                    "serial_obliterated": obliterated,
                    "recovered_on": day.strftime("%d/%m/%Y"),
                    "state": place.state,
                    "municipality": place.municipality,
                    "latitude": coord(lat),
                    "longitude": coord(lon),
                    "agency": agency,
                    "case_number": case_number,
                    "possessor_id": possessor_id or "",
                    "possessor_name": possessor_name,
                    "joint_case_id": case.mx_id if case else "",
                    "joint_case_number": case.number if case else "",
                    "handling_code": handling,
                },
                entities=2 + (possessor_id is not None) + (case is not None),
            )
            decoys = []
            if sold is not None and condition != "obliterated" and rng.random() < 0.2:
                decoys.append(self.decoy(sold))
            self.world.truth.add(
                "traces",
                {
                    "recovery": recovery_id,
                    "firearm_mx": firearm_id,
                    "origin": origin,
                    "acquisition": sold.acquisition if sold else None,
                    "firearm_us": sold.firearm if sold else None,
                    "dealer": sold.dealer if sold else None,
                    "source_state": sold.state if sold else None,
                    "ring": sold.ring if sold else None,
                    "time_to_crime_days": (day - sold.day).days if sold else None,
                    "make": model.make,
                    "type": model.type,
                    "serial_true": true_serial,
                    "serial_read": read,
                    "serial_condition": condition,
                    "misread": errors,
                    "traceable": sold is not None and condition in ("intact", "restored"),
                    "decoys": decoys,
                },
            )


def generate(world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook) -> None:
    builder = FirearmsBuilder(world, people, orgs, cast, cases)
    rings = builder.rings()
    builder.background()
    builder.recoveries(rings)
