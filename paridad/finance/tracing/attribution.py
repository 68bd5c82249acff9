"""Which incoming transfers paid for each outgoing one, and how much of the seed's money
each traced transfer carried.

Every reached account keeps its holdings as *lots*, one per incoming transfer. When money
leaves, it is taken from the lots by one of two rules, the two that courts and forensic
accountants use:

- **fifo**, first in, first out: the oldest money leaves first;
- **proportional** (the "haircut"): every outgoing transfer takes the same share of every
  lot the account holds at that moment.

Money an account pays out beyond what it was seen to receive in the window is its *own*
(earlier balance or income not in the data); it dilutes, and is reported, never invented.
With every outgoing transfer's funding known, the seed's money is followed forward (the share
of each transfer paid for by the seed's transfers), or backward (how much of each earlier
transfer ended up in the seed).
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Method = Literal["fifo", "proportional"]
METHODS: tuple[Method, ...] = ("fifo", "proportional")
CASH = "cash"  # the origin of money paid in over the counter
OWN = ""  # the label of money an account pays out that the window never saw arrive
_EPS = 1e-9


@dataclass(frozen=True)
class Transfer:
    tx_id: str
    ts: int
    src: str | None
    dst: str | None
    amount: float  # US dollars


Funding = dict[str, dict[str, float]]  # outgoing tx -> {incoming tx (or OWN): amount}


def chronological(ledger: Iterable[Transfer]) -> list[Transfer]:
    """The one order every step walks: by time, and within a second deposits and transfers
    before withdrawals (a same-second pass-through has money to pass)."""
    return sorted(ledger, key=lambda t: (t.ts, t.dst is None, t.tx_id))


@dataclass
class _Lot:
    tx_id: str
    left: float


def funding(ledger: Iterable[Transfer], method: Method, within: set[str] | None = None) -> Funding:
    """For each outgoing transfer (of the accounts ``within``, all when None), the incoming
    transfers (lots) that paid for it."""
    lots: dict[str, deque[_Lot]] = defaultdict(deque)
    out: Funding = {}
    for t in chronological(ledger):
        if t.src is not None and (within is None or t.src in within):
            out[t.tx_id] = _take(lots[t.src], t.amount, method)
        if t.dst is not None and t.amount > 0 and (within is None or t.dst in within):
            lots[t.dst].append(_Lot(t.tx_id, t.amount))
    return out


def _take(held: deque[_Lot], amount: float, method: Method) -> dict[str, float]:
    paid: dict[str, float] = defaultdict(float)
    need = amount
    if method == "fifo":
        while need > _EPS and held:
            lot = held[0]
            use = min(lot.left, need)
            paid[lot.tx_id] += use
            need -= use
            lot.left -= use
            if lot.left <= _EPS:
                held.popleft()
    else:
        total = sum(lot.left for lot in held)
        if total > _EPS:
            share = min(amount, total) / total
            for lot in held:
                use = lot.left * share
                paid[lot.tx_id] += use
                lot.left -= use
            need -= min(amount, total)
            kept = [lot for lot in held if lot.left > _EPS]
            held.clear()
            held.extend(kept)
    if need > _EPS:
        paid[OWN] += need
    return dict(paid)


def forward(
    ledger: list[Transfer], seeds: set[str], within: set[str], method: Method
) -> dict[str, float]:
    """Of each transfer, the dollars that were the seeds' money.

    Everything the seeds pay out in the window is theirs; a transfer further on carries the
    seeds' share of the lots that paid for it. Only accounts ``within`` the walk pass money
    on (the ledger of an account beyond it is not complete).
    """
    funded = funding(ledger, method, within | seeds)
    by_id = {t.tx_id: t for t in ledger}
    carried: dict[str, float] = {}
    for t in chronological(ledger):
        if t.src is None or t.src not in within:
            continue
        if t.src in seeds:
            carried[t.tx_id] = t.amount
            continue
        value = 0.0
        for lot, used in funded.get(t.tx_id, {}).items():
            if lot != OWN and lot in carried and by_id[lot].amount > 0:
                value += carried[lot] * used / by_id[lot].amount
        if value > _EPS:
            carried[t.tx_id] = value
    return carried


def backward(
    ledger: list[Transfer], seeds: set[str], within: set[str], method: Method
) -> tuple[dict[str, float], dict[str, float]]:
    """Of each transfer, the dollars of it that ended up in the seeds; and, per account, the
    dollars of the seeds' money that were its own (the origins).

    Everything the seeds received in the window counts; a transfer further back counts for
    the share of it that paid for transfers already counted. A payer beyond the walk
    (``within``) is an origin: its ledger is not complete enough to look behind it.
    """
    funded = funding(ledger, method, within)
    by_id = {t.tx_id: t for t in ledger}
    reached: dict[str, float] = defaultdict(float)
    origins: dict[str, float] = defaultdict(float)
    for t in reversed(chronological(ledger)):
        if t.dst in seeds and t.src not in seeds:
            reached[t.tx_id] += t.amount
        value = reached.get(t.tx_id, 0.0)
        if value <= _EPS:
            continue
        if t.src is None:
            origins[CASH] += value  # cash paid in: the trail ends at the counter
            continue
        if t.src not in within:
            origins[t.src] += value
            continue
        share = value / t.amount if t.amount > 0 else 0.0
        for lot, used in funded.get(t.tx_id, {}).items():
            if lot == OWN:
                origins[t.src] += used * share
            elif by_id[lot].src not in seeds:
                reached[lot] += used * share
    return {k: v for k, v in reached.items() if v > _EPS}, dict(origins)
