"""The money behind fentanyl: accounts, ordinary payments, and laundering typologies.

Mexico's UIF holds Mexican accounts (18-digit CLABE with its control digit) and the payments it
sees; FinCEN holds US accounts (ABA routing at the bank, account number) and US payments. A
cross-border wire is held by both, each with its own copy carrying the same UETR, and each side
keeps a record of the foreign counterparty account: those pairs go into the truth.

Ordinary traffic (payroll, suppliers, rent, remittances home) surrounds the planted typologies
of ``shared/research/finance.md``: fan-in, fan-out, cycle, scatter-gather, gather-scatter,
funnel accounts (many sub-$10,000 cash deposits in different cities, then a fast wire out,
FIN-2014-A005), structuring just under the US CTR ($10,000) and Mexico's USD-cash report
(USD 500) thresholds, and rapid pass-through of armoured-car cash to a Mexican bank
(FIN-2025-Alert001).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from paridad.i18n import N_
from paridad.synth import catalog, identifiers
from paridad.synth.cases import Case, CaseBook
from paridad.synth.cast import Cast, Group
from paridad.synth.context import World
from paridad.synth.organizations import BankRef, Org, Orgs
from paridad.synth.people import Identity, People
from paridad.synth.rng import Weighted, lognormal, random_day

WINDOW_START = date(2025, 1, 1)
WINDOW_END = date(2025, 12, 15)
US_CTR_THRESHOLD = 10_000.0  # 31 CFR 1010.311: cash over $10,000
MX_USD_CASH_REPORT = 500.0  # reports of USD cash operations from USD 500 (finance.md 5.2)
USD_PER_MXN = 0.054  # the approximate 2025 rate of paridad/finance/inputs/rates.yaml
TYPOLOGIES = (
    "fan-in",
    "fan-out",
    "cycle",
    "scatter-gather",
    "gather-scatter",
    "funnel",
    "structuring",
    "rapid-pass-through",
)
_AGENCY = {"mx": "UIF", "us": "FinCEN"}
_CHINESE_NAMES = ("Wang Fang", "Li Na", "Zhang Wei", "Liu Yang", "Chen Jing", "Zhao Lei")


@dataclass(eq=False)
class Account:
    key: str
    country: str
    number: str
    bank: BankRef
    holder: Identity | Org
    currency: str
    opened: date
    records: dict[str, str] = field(default_factory=dict)


@dataclass
class Instance:
    """One planted typology being built."""

    kind: str
    group: Group | None
    accounts: list[Account] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)

    def use(self, *accounts: Account) -> None:
        for acct in accounts:
            if acct not in self.accounts:
                self.accounts.append(acct)


class Finance:
    """Accounts, payments and typologies; other lines (fuel, seizures) plant through it too."""

    def __init__(self, world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook):
        self.world = world
        self.people = people
        self.orgs = orgs
        self.cast = cast
        self.cases = cases
        self.rng = world.rng("finance")
        self._n = 0
        self._instances = 0
        self._in_typology = False  # typology amounts are planned in US dollars
        self.mx_population: list[Account] = []
        self.us_population: list[Account] = []
        self.typology_accounts: list[tuple[Account, Group | None, Case | None]] = []
        self.payments = {"mx": 0, "us": 0}
        us_cities = catalog.us_places()
        self.branches = Weighted((p, p.weight) for p in us_cities)
        self.border_places = [p for p in us_cities if catalog.us_states()[p.state].border]

    # -- accounts ----------------------------------------------------------------------------

    def open_account(
        self, rng: random.Random, holder: Identity | Org, country: str, on: date | None = None
    ) -> Account:
        bank = self.orgs.bank(rng, country)
        if country == "mx":
            number = identifiers.clabe(rng, bank.bank.code)
            currency = "MXN" if rng.random() < 0.9 else "USD"
        elif country == "us":
            number = f"{rng.randrange(10**9, 10**12)}"
            currency = "USD"
        else:
            number = f"62{rng.randrange(10**15, 10**16)}"
            currency = "CNY"
        self._n += 1
        opened = on or (date(rng.randint(2012, 2024), 1, 1) + timedelta(days=rng.randrange(365)))
        return Account(f"A{self._n:07d}", country, number, bank, holder, currency, opened)

    def holder_record(self, rng: random.Random, holder: Identity | Org, side: str) -> str:
        agency = _AGENCY[side]
        if isinstance(holder, Identity):
            return self.people.record(rng, holder, side, agency, "finance")
        return self.orgs.record(rng, holder, side, agency, "finance")

    def account_record(self, rng: random.Random, acct: Account, side: str) -> str:
        """``side``'s record of the account (a counterparty account abroad included)."""
        existing = acct.records.get(side)
        if existing:
            return existing
        agency = _AGENCY[side]
        holder_id = self.holder_record(rng, acct.holder, side)
        home = side == acct.country
        bank_id = None
        if acct.bank.bank.country in ("mx", "us"):
            bank_id = self.orgs.record(rng, acct.bank.org, side, agency, "finance")
        bank_name = acct.bank.org.name_mx if side == "mx" else acct.bank.org.name_us
        kind = {"mx": "Cuenta de cheques", "us": "Checking"}.get(acct.country, "Current account")
        eid = self.world.add(
            rng,
            "finance",
            agency,
            "account",
            "BankAccount",
            {
                "accountNumber": acct.number,
                "bank": bank_id,
                "bankName": bank_name,
                "country": acct.country,
                "currency": acct.currency,
                "accountType": kind if home else None,
                "openingDate": acct.opened if home else None,
                "description": f"ABA {acct.bank.routing}" if acct.bank.routing else None,
            },
            "finance",
            acct.opened,
        )
        self.world.add(
            rng,
            "finance",
            agency,
            "ownership",
            "Ownership",
            {"owner": holder_id, "asset": eid, "role": "titular" if side == "mx" else "holder"},
            "finance",
            acct.opened,
        )
        acct.records[side] = eid
        if len(acct.records) == 2:
            self.world.truth.add(
                "account_pairs",
                {"key": acct.key, "mx": acct.records["mx"], "us": acct.records["us"]},
            )
        return eid

    # -- payments ----------------------------------------------------------------------------

    def pay(
        self,
        rng: random.Random,
        payer: Account | None,
        payee: Account,
        amount: float,
        when: datetime,
        purpose: str,
        depositor: Identity | None = None,
        branch: str | None = None,
        currency: str | None = None,
    ) -> list[str]:
        """Write the payment on every side that sees it; return the ids written."""
        countries = {payee.country} | ({payer.country} if payer else set())
        sides = [s for s in ("mx", "us") if s in countries]
        international = len(countries) > 1
        ref = identifiers.uetr(rng) if international else f"{rng.getrandbits(48):012X}"
        cur = currency or (payer.currency if payer else payee.currency)
        if international:
            cur = "USD"
        elif cur == "MXN" and self._in_typology:
            # A typology is planned in dollars end to end; a leg inside Mexico is in pesos.
            amount = round(amount / USD_PER_MXN, 2)
        ids: dict[str, str] = {}
        for side in sides:
            agency = _AGENCY[side]
            payer_id = None
            payer_acct_id = None
            if payer is not None:
                payer_acct_id = self.account_record(rng, payer, side)
                payer_id = self.holder_record(rng, payer.holder, side)
            elif depositor is not None:
                payer_id = self.holder_record(rng, depositor, side)
            desc = f"{purpose}; sucursal {branch}" if side == "mx" and branch else purpose
            if side == "us" and branch:
                desc = f"{purpose}; branch {branch}"
            ids[side] = self.world.add(
                rng,
                "finance",
                agency,
                "payment",
                "Payment",
                {
                    "payer": payer_id,
                    "payerAccount": payer_acct_id,
                    "beneficiary": self.holder_record(rng, payee.holder, side),
                    "beneficiaryAccount": self.account_record(rng, payee, side),
                    "amount": f"{amount:.2f}",
                    "currency": cur,
                    "date": when,
                    "purpose": purpose,
                    "description": desc,
                    "transactionNumber": ref,
                },
                "finance",
                when.date(),
            )
            self.payments[side] += 1
        if len(ids) == 2:
            self.world.truth.add("payment_pairs", {"mx": ids["mx"], "us": ids["us"], "uetr": ref})
        return list(ids.values())

    # -- background --------------------------------------------------------------------------

    def population(self) -> None:
        """Ordinary account holders on both sides, including families split by the border."""
        rng = self.rng
        n = self.world.sizes.finance_people
        for _ in range(n):
            ident = self.people.new_mx(rng, "account-holder", born=(1950, 2005))
            self.mx_population.append(self.open_account(rng, ident, "mx"))
        for _ in range(n):
            if rng.random() < 0.3:
                # A Mexican national working in the US: the remittance sender.
                place = (
                    rng.choice(self.border_places)
                    if rng.random() < 0.6
                    else (self.branches.pick(rng))
                )
                ident = self.people.new_mx(rng, "remitter", born=(1965, 2003), us_place=place)
            else:
                ident = self.people.new_us(rng, "account-holder", hispanic=0.45)
            self.us_population.append(self.open_account(rng, ident, "us"))
        for _ in range(self.world.sizes.finance_companies):
            business_mx = self.orgs.front_mx(rng, kind="company-mx")
            self.mx_population.append(self.open_account(rng, business_mx, "mx"))
            business_us = self.orgs.front_us(rng, rng.choice(self.border_places), "company-us")
            self.us_population.append(self.open_account(rng, business_us, "us"))
        for acct in self.mx_population:
            self.account_record(rng, acct, "mx")
        for acct in self.us_population:
            self.account_record(rng, acct, "us")

    def background(self) -> None:
        rng = self.rng
        n = self.world.sizes.background_payments
        mx_people = [a for a in self.mx_population if isinstance(a.holder, Identity)]
        mx_firms = [a for a in self.mx_population if isinstance(a.holder, Org)]
        us_people = [a for a in self.us_population if isinstance(a.holder, Identity)]
        us_firms = [a for a in self.us_population if isinstance(a.holder, Org)]
        remitters = [
            a for a in us_people if isinstance(a.holder, Identity) and a.holder.style == "mx"
        ]
        kinds = Weighted(
            [
                ("p2p", 0.35),
                ("payroll", 0.25),
                ("supplier", 0.2),
                ("remittance", 0.15),
                ("trade", 0.05),
            ]
        )
        for side, people, firms in (("mx", mx_people, mx_firms), ("us", us_people, us_firms)):
            for _ in range(n):
                kind = kinds.pick(rng)
                when = _moment(rng)
                if kind == "remittance" and remitters:
                    if side == "mx":
                        continue  # counted on the US loop; both sides see it
                    src = rng.choice(remitters)
                    dst = rng.choice(mx_people)
                    self.pay(
                        rng, src, dst, round(lognormal(rng, 350, 0.6), 2), when, "Remesa familiar"
                    )
                elif kind == "trade":
                    src, dst = rng.choice(us_firms), rng.choice(mx_firms)
                    if rng.random() < 0.5:
                        src, dst = dst, src
                    self.pay(
                        rng, src, dst, round(lognormal(rng, 18000, 0.9), 2), when, "Trade invoice"
                    )
                elif kind == "payroll":
                    src, dst = rng.choice(firms), rng.choice(people)
                    amount = lognormal(rng, 9000 if side == "mx" else 2400, 0.4)
                    self.pay(
                        rng,
                        src,
                        dst,
                        round(amount, 2),
                        when,
                        "Nómina" if side == "mx" else "Payroll",
                    )
                elif kind == "supplier":
                    src, dst = rng.sample(firms, 2)
                    amount = lognormal(rng, 60000 if side == "mx" else 7000, 1.0)
                    self.pay(
                        rng,
                        src,
                        dst,
                        round(amount, 2),
                        when,
                        "Pago a proveedor" if side == "mx" else "Supplier payment",
                    )
                else:
                    src, dst = rng.sample(people, 2)
                    amount = lognormal(rng, 1500 if side == "mx" else 200, 1.0)
                    self.pay(
                        rng,
                        src,
                        dst,
                        round(amount, 2),
                        when,
                        "Transferencia SPEI" if side == "mx" else "P2P transfer",
                    )
        self.world.step(N_("payments"), self.payments["mx"] + self.payments["us"])

    # -- typologies --------------------------------------------------------------------------

    def _mule(self, rng: random.Random, country: str) -> Account:
        if country == "mx":
            return self.open_account(rng, self.people.new_mx(rng, "mule", born=(1975, 2005)), "mx")
        if country == "cn":
            given, family = rng.choice(_CHINESE_NAMES).split()
            return self.open_account(
                rng, self.people.new_foreign(rng, "precursor-vendor", given, family, "cn"), "cn"
            )
        ident = self.people.new_us(rng, "mule", hispanic=0.5, border=rng.random() < 0.6)
        return self.open_account(rng, ident, "us")

    def front(self, rng: random.Random, group: Group | None, country: str) -> Account:
        fronts = (group.fronts_mx if country == "mx" else group.fronts_us) if group else []
        if fronts and rng.random() < 0.7:
            org = rng.choice(fronts)
        else:
            org = (
                self.orgs.front_mx(rng)
                if country == "mx"
                else self.orgs.front_us(rng, rng.choice(self.border_places))
            )
            if group is not None:
                (group.fronts_mx if country == "mx" else group.fronts_us).append(org)
        return self.open_account(rng, org, country)

    def typologies(self) -> None:
        rng = self.rng
        for kind in TYPOLOGIES:
            for _ in range(self.world.sizes.typology_instances):
                group = self.cast.pick(rng, "finance")
                self.plant(rng, kind, group)
        self.world.step(N_("typologies"), self._instances)

    def plant(
        self,
        rng: random.Random,
        kind: str,
        group: Group | None,
        target: Account | None = None,
        note: str | None = None,
    ) -> dict[str, object]:
        """Plant one instance of ``kind``; returns its truth record."""
        inst = Instance(kind, group)
        start = datetime.combine(
            random_day(rng, WINDOW_START, WINDOW_END - timedelta(days=40)), datetime.min.time()
        ) + timedelta(hours=rng.randint(8, 18))
        self._in_typology = True
        try:
            getattr(self, "_" + kind.replace("-", "_"))(rng, inst, start, target)
        finally:
            self._in_typology = False
        self._instances += 1
        case = None
        if group is not None and rng.random() < 0.3:
            case = self.cases.open(
                rng,
                "finance",
                f"Flujos financieros ilícitos ({kind}) vinculados a {group.name}",
                f"Illicit financial flows ({kind}) linked to {group.name}",
                start.date() + timedelta(days=45),
                "UIF",
                "FinCEN",
            )
            for acct in inst.accounts:
                for side in sorted(acct.records):
                    case.add(side, self.holder_record(rng, acct.holder, side))
        for acct in inst.accounts:
            self.typology_accounts.append((acct, group, case))
        record: dict[str, object] = {
            "id": f"TY-{self._instances:05d}",
            "kind": kind,
            "group": group.name if group else None,
            "accounts": [eid for a in inst.accounts for eid in a.records.values()],
            "accounts_by_side": {
                side: [a.records[side] for a in inst.accounts if side in a.records]
                for side in ("mx", "us")
            },
            "payments": inst.payments,
            "case": case.number if case else None,
            "note": note,
        }
        self.world.truth.add("typologies", record)
        return record

    def _fan_in(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        country = rng.choice(("mx", "us"))
        hub = target or self.front(rng, inst.group, country)
        inst.use(hub)
        base = lognormal(rng, 3000 if hub.country == "us" else 2500, 0.3)  # USD
        for _ in range(rng.randint(8, 20)):
            src = self._mule(rng, hub.country if rng.random() < 0.8 else "us")
            inst.use(src)
            when = start + timedelta(hours=rng.uniform(0, 240))
            inst.payments += self.pay(
                rng, src, hub, round(base * rng.uniform(0.85, 1.15), 2), when, "Pago de servicios"
            )

    def _fan_out(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        hub = target or self.front(rng, inst.group, "us")
        inst.use(hub)
        precursor = rng.random() < 0.4
        for _ in range(rng.randint(8, 20)):
            dst = self._mule(rng, "cn" if precursor else rng.choice(("mx", "mx", "us")))
            inst.use(dst)
            when = start + timedelta(hours=rng.uniform(0, 240))
            amount = rng.uniform(300, 2500) if precursor else lognormal(rng, 2500, 0.4)
            inst.payments += self.pay(rng, hub, dst, round(amount, 2), when, "Invoice payment")

    def _cycle(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        ring = [
            self.front(rng, inst.group, rng.choice(("mx", "us"))) for _ in range(rng.randint(3, 6))
        ]
        inst.use(*ring)
        amount = lognormal(rng, 85000, 0.5)
        when = start
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            inst.payments += self.pay(rng, a, b, round(amount, 2), when, "Servicios de consultoría")
            amount *= rng.uniform(0.97, 0.995)
            when += timedelta(hours=rng.uniform(12, 72))

    def _scatter_gather(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        src = self.front(rng, inst.group, "us")
        dst = target or self.front(rng, inst.group, "mx")
        mids = [self._mule(rng, rng.choice(("us", "mx"))) for _ in range(rng.randint(3, 8))]
        inst.use(src, *mids, dst)
        total = lognormal(rng, 120000, 0.5)
        for mid in mids:
            share = total / len(mids) * rng.uniform(0.9, 1.1)
            t1 = start + timedelta(hours=rng.uniform(0, 48))
            inst.payments += self.pay(rng, src, mid, round(share, 2), t1, "Anticipo")
            t2 = t1 + timedelta(hours=rng.uniform(6, 96))
            inst.payments += self.pay(rng, mid, dst, round(share * 0.98, 2), t2, "Pago de factura")

    def _gather_scatter(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        hub = target or self.front(rng, inst.group, rng.choice(("mx", "us")))
        sources = [self._mule(rng, hub.country) for _ in range(rng.randint(3, 8))]
        sinks = [self._mule(rng, rng.choice(("mx", "us"))) for _ in range(rng.randint(3, 8))]
        inst.use(*sources, hub, *sinks)
        total = 0.0
        for src in sources:
            amount = lognormal(rng, 9000, 0.3)
            total += amount
            inst.payments += self.pay(
                rng,
                src,
                hub,
                round(amount, 2),
                start + timedelta(hours=rng.uniform(0, 72)),
                "Depósito",
            )
        later = start + timedelta(days=4)
        for dst in sinks:
            inst.payments += self.pay(
                rng,
                hub,
                dst,
                round(total / len(sinks) * 0.97, 2),
                later + timedelta(hours=rng.uniform(0, 72)),
                "Transferencia",
            )

    def _funnel(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        """Cash under $10,000 paid in at branches across the country, wired out within days."""
        holder = self.people.new_us(rng, "funnel-holder", hispanic=0.7, border=True)
        funnel = self.open_account(rng, holder, "us")
        exit_to = target or self.front(rng, inst.group, "mx" if rng.random() < 0.7 else "us")
        inst.use(funnel)
        depositors = [
            self.people.new_us(rng, "depositor", hispanic=0.6) for _ in range(rng.randint(3, 8))
        ]
        total = 0.0
        when = start
        for _ in range(rng.randint(10, 40)):
            branch = self.branches.pick(rng)
            amount = round(rng.uniform(0.7, 0.99) * US_CTR_THRESHOLD, 2)
            total += amount
            when += timedelta(hours=rng.uniform(2, 20))
            inst.payments += self.pay(
                rng,
                None,
                funnel,
                amount,
                when,
                "Cash deposit",
                depositor=rng.choice(depositors),
                branch=f"{branch.city}, {branch.state}",
            )
        inst.use(exit_to)
        out_at = when + timedelta(hours=rng.uniform(4, 72))
        inst.payments += self.pay(
            rng,
            funnel,
            exit_to,
            round(total * rng.uniform(0.95, 0.99), 2),
            out_at,
            "Wire transfer - merchandise",
        )

    def _structuring(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        if rng.random() < 0.5:
            holder = self.people.new_us(rng, "structurer", hispanic=0.5, border=True)
            acct = self.open_account(rng, holder, "us")
            limit, currency = US_CTR_THRESHOLD, "USD"
            low, purpose = 0.9, "Cash deposit"
        else:
            holder = self.people.new_mx(rng, "structurer", born=(1960, 2000))
            acct = self.open_account(rng, holder, "mx")
            acct.currency = "USD"
            limit, currency = MX_USD_CASH_REPORT, "USD"
            low, purpose = 0.88, "Depósito en efectivo en dólares"
        inst.use(acct)
        when = start
        for _ in range(rng.randint(5, 15)):
            when += timedelta(hours=rng.uniform(20, 80))
            amount = round(limit * rng.uniform(low, 0.999), 2)
            branch = (
                f"{self.branches.pick(rng).city}"
                if acct.country == "us"
                else catalog.mx_places()[rng.randrange(len(catalog.mx_places()))].municipality
            )
            inst.payments += self.pay(
                rng,
                None,
                acct,
                amount,
                when,
                purpose,
                depositor=holder,
                branch=branch,
                currency=currency,
            )

    def _rapid_pass_through(
        self, rng: random.Random, inst: Instance, start: datetime, target: Account | None
    ) -> None:
        """Armoured-car cash credited to a US business with a Mexican affiliate, wired south
        within hours (FIN-2025-Alert001)."""
        business = self.front(rng, inst.group, "us")
        dest = target or self.front(rng, inst.group, "mx")
        inst.use(business, dest)
        when = start
        for _ in range(rng.randint(1, 4)):
            amount = round(lognormal(rng, 120000, 0.6), 2)
            inst.payments += self.pay(
                rng,
                None,
                business,
                amount,
                when,
                "Armored car cash delivery",
                depositor=None,
                branch=f"{rng.choice(self.border_places).city}",
            )
            out = when + timedelta(hours=rng.uniform(1, 10))
            inst.payments += self.pay(
                rng,
                business,
                dest,
                round(amount * rng.uniform(0.95, 0.99), 2),
                out,
                "Pago a filial en México",
            )
            when += timedelta(days=rng.uniform(3, 12))


def _moment(rng: random.Random) -> datetime:
    day = random_day(rng, WINDOW_START, WINDOW_END)
    return datetime(
        day.year, day.month, day.day, rng.randint(7, 21), rng.randrange(60), rng.randrange(60)
    )


def generate(world: World, people: People, orgs: Orgs, cast: Cast, cases: CaseBook) -> Finance:
    finance = Finance(world, people, orgs, cast, cases)
    finance.population()
    finance.background()
    finance.typologies()
    return finance
