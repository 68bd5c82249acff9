"""A bulk population of transactions with planted typologies, for the speed benchmark.

The synthetic world (:mod:`paridad.synth.finance`) is the scenario for quality; it holds tens
of thousands of payments. Measuring a scan of ten million needs a population built for size:
background traffic drawn with numpy in one go — heavy-tailed activity (a few accounts busy,
most quiet), lognormal amounts, merchants taking card payments, firms paying the same
employees every month, cash deposits of varied size at one branch — and instances of every
typology planted in it, shaped like the world's, with their truth. Deterministic for a seed.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from paridad.finance.tables import TRANSACTIONS

START = 1_735_689_600  # 2025-01-01 UTC
YEAR = 365 * 86_400
DAY = 86_400
HOUR = 3_600


@dataclass(frozen=True)
class PopulationInfo:
    transactions: int
    accounts: int
    planted: int
    path: Path


class _Planter:
    """Planted instances, written as plain rows with their truth."""

    def __init__(self, rng: np.random.Generator, first_account: int) -> None:
        self.rng = rng
        self.next_account = first_account
        self.rows: list[tuple[int, int, int, float, str, str | None]] = []
        self.truth: list[dict[str, Any]] = []
        self.mexican: set[int] = set()

    def account(self, country: str | None = None) -> int:
        """A new account: in ``country``, or in Mexico or the US at random."""
        self.next_account += 1
        if country == "mx" or (country is None and self.rng.random() < 0.4):
            self.mexican.add(self.next_account)
        return self.next_account

    def country(self, account: int) -> str:
        return "mx" if account in self.mexican else "us"

    def pay(
        self,
        src: int,
        dst: int,
        amount: float,
        ts: float,
        kind: str = "transfer",
        location: str | None = None,
    ) -> None:
        self.rows.append((src, dst, int(ts), round(float(amount), 2), kind, location))

    def plant(self, kind: str) -> None:
        r = self.rng
        first = len(self.rows)
        t0 = START + r.uniform(0, YEAR - 60 * DAY)
        accounts: list[int] = []
        if kind in ("fan-in", "fan-out"):
            hub = self.account()
            base = r.lognormal(np.log(3000), 0.3)
            n = int(r.integers(6, 21))
            for _ in range(n):
                other = self.account()
                accounts.append(other)
                amount = base * r.uniform(0.85, 1.15)
                when = t0 + r.uniform(0, 10 * DAY)
                self.pay(*((other, hub) if kind == "fan-in" else (hub, other)), amount, when)
            accounts.append(hub)
        elif kind == "scatter-gather":
            src, dst = self.account(), self.account()
            total = r.lognormal(np.log(120_000), 0.5)
            mids = [self.account() for _ in range(int(r.integers(3, 9)))]
            for mid in mids:
                share = total / len(mids) * r.uniform(0.9, 1.1)
                t1 = t0 + r.uniform(0, 48 * HOUR)
                self.pay(src, mid, share, t1)
                self.pay(mid, dst, share * r.uniform(0.9, 0.99), t1 + r.uniform(6, 96) * HOUR)
            accounts = [src, *mids, dst]
        elif kind == "gather-scatter":
            hub = self.account()
            sources = [self.account() for _ in range(int(r.integers(3, 9)))]
            sinks = [self.account() for _ in range(int(r.integers(3, 9)))]
            total = 0.0
            for s in sources:
                amount = r.lognormal(np.log(9000), 0.3)
                total += amount
                self.pay(s, hub, amount, t0 + r.uniform(0, 72 * HOUR))
            for d in sinks:
                when = t0 + 4 * DAY + r.uniform(0, 72 * HOUR)
                self.pay(hub, d, total / len(sinks) * r.uniform(0.9, 0.99), when)
            accounts = [*sources, hub, *sinks]
        elif kind == "bipartite":
            left = [self.account() for _ in range(int(r.integers(2, 6)))]
            right = [self.account() for _ in range(int(r.integers(2, 6)))]
            base = r.lognormal(np.log(8000), 0.4)
            for s in left:
                for d in right:
                    self.pay(s, d, base * r.uniform(0.8, 1.2), t0 + r.uniform(0, 5 * DAY))
            accounts = [*left, *right]
        elif kind in ("cycle", "stack"):
            n = int(r.integers(3, 7)) if kind == "cycle" else int(r.integers(4, 8))
            chain = [self.account() for _ in range(n)]
            hops = (
                list(zip(chain, chain[1:] + chain[:1], strict=True))
                if kind == "cycle"
                else (list(itertools.pairwise(chain)))
            )
            amount, when = r.lognormal(np.log(85_000), 0.5), t0
            for a, b in hops:
                self.pay(a, b, amount, when)
                amount *= r.uniform(0.93, 0.995)
                when += r.uniform(12, 60) * HOUR
            accounts = chain
        elif kind == "funnel":
            funnel, exit_to = self.account("us"), self.account()
            total, when = 0.0, t0
            for _ in range(int(r.integers(8, 30))):
                amount = r.uniform(0.7, 0.99) * 10_000
                total += amount
                when += r.uniform(2, 20) * HOUR
                city = f"city-{int(r.integers(0, 60))}"
                self.pay(-1, funnel, amount, when, "cash_deposit", city)
            self.pay(
                funnel,
                exit_to,
                total * r.uniform(0.9, 0.99),
                when + r.uniform(4, 72) * HOUR,
                "wire",
            )
            accounts = [funnel, exit_to]
        elif kind == "structuring":
            acct, when = self.account("us"), t0
            for _ in range(int(r.integers(4, 15))):
                when += r.uniform(20, 80) * HOUR
                self.pay(-1, acct, 10_000 * r.uniform(0.85, 0.999), when, "cash_deposit", "city-0")
            accounts = [acct]
        elif kind == "rapid-pass-through":
            business, dest, when = self.account("us"), self.account("mx"), t0
            for _ in range(int(r.integers(1, 5))):
                amount = r.lognormal(np.log(120_000), 0.6) + 25_000
                self.pay(-1, business, amount, when, "cash_deposit", "armored-car")
                self.pay(
                    business,
                    dest,
                    amount * r.uniform(0.92, 0.99),
                    when + r.uniform(1, 20) * HOUR,
                    "wire",
                )
                when += r.uniform(3, 12) * DAY
            accounts = [business, dest]
        self.truth.append({"kind": kind, "accounts": accounts, "rows": (first, len(self.rows))})


KINDS = (
    "fan-in",
    "fan-out",
    "scatter-gather",
    "gather-scatter",
    "bipartite",
    "cycle",
    "stack",
    "funnel",
    "structuring",
    "rapid-pass-through",
)


def generate(n_transactions: int, seed: int, out: Path, per_million: int = 60) -> PopulationInfo:
    """Write ``transactions.parquet``, ``accounts.parquet`` and ``truth.json`` under ``out``."""
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_accounts = max(1_000, n_transactions // 20)
    planter = _Planter(rng, n_accounts + 10)
    for kind in KINDS:
        for _ in range(max(3, n_transactions * per_million // 1_000_000)):
            planter.plant(kind)
    n_bg = max(0, n_transactions - len(planter.rows))
    # Heavy-tailed activity: a Zipf-like weight per account.
    weights = 1.0 / np.arange(1, n_accounts + 1) ** 0.8
    weights /= weights.sum()
    src = rng.choice(n_accounts, size=n_bg, p=weights)
    dst = rng.choice(n_accounts, size=n_bg, p=weights[::-1].copy())
    same = src == dst
    dst[same] = (dst[same] + 1) % n_accounts
    ts = START + rng.uniform(0, YEAR, size=n_bg)
    amount = np.round(rng.lognormal(np.log(400), 1.3, size=n_bg), 2)
    kind_codes = rng.choice(4, size=n_bg, p=[0.6, 0.25, 0.1, 0.05])
    kinds = np.array(["transfer", "card", "cash_deposit", "wire"])[kind_codes]
    src_ids = np.char.add("A", src.astype(str)).astype(object)
    src_ids[kind_codes == 2] = None  # cash deposits have no paying account
    locations = np.full(n_bg, None, dtype=object)
    locations[kind_codes == 2] = "branch-home"  # a business's takings, at its own branch
    tx_ids = np.char.add("B", np.arange(n_bg).astype(str))
    countries = np.where(np.arange(n_accounts) % 3 == 0, "mx", "us")
    src_country = countries[src].astype(object)
    src_country[kind_codes == 2] = None
    background = pa.table(
        {
            "tx_id": tx_ids,
            "ts": ts.astype(np.int64),
            "src": src_ids,
            "dst": np.char.add("A", dst.astype(str)),
            "amount": amount,
            "currency": np.full(n_bg, "USD"),
            "amount_usd": amount,
            "type": kinds,
            "channel": np.full(n_bg, None, dtype=object),
            "location": locations,
            "src_country": src_country,
            "dst_country": countries[dst],
        },
        schema=TRANSACTIONS,
    )
    planted_rows = []
    for i, (s, d, t, a, k, loc) in enumerate(planter.rows):
        planted_rows.append(
            {
                "tx_id": f"P{i}",
                "ts": t,
                "src": None if s < 0 else f"A{s}",
                "dst": f"A{d}",
                "amount": a,
                "currency": "USD",
                "amount_usd": a,
                "type": k,
                "channel": None,
                "location": loc,
                "src_country": None if s < 0 else planter.country(s),
                "dst_country": planter.country(d),
            }
        )
    planted = pa.Table.from_pylist(planted_rows, schema=TRANSACTIONS)
    table = pa.concat_tables([background, planted])
    pq.write_table(table, out / "transactions.parquet", row_group_size=1_000_000)
    truth = [
        {
            "id": f"BP-{i:05d}",
            "kind": t["kind"],
            "accounts": [f"A{a}" for a in t["accounts"]],
            "transactions": [f"P{j}" for j in range(*t["rows"])],
        }
        for i, t in enumerate(planter.truth)
    ]
    (out / "truth.json").write_text(json.dumps({"typologies": truth}), encoding="utf-8")
    return PopulationInfo(table.num_rows, planter.next_account + 1, len(truth), out)
