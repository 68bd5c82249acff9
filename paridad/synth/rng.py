"""Seeded randomness for the synthetic world.

Every part of the generator draws from its own ``random.Random``, derived from the scenario
seed and the part's name, so that adding or changing one part never shifts the numbers another
part draws. ``random.Random`` seeded with a string hashes it with SHA-512, which does not depend
on ``PYTHONHASHSEED``; nothing here touches the global generator or the clock.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def sub_random(seed: int, name: str) -> random.Random:
    """The generator for one named part of the scenario built from ``seed``."""
    return random.Random(f"paridad.synth/{seed}/{name}")


class Weighted(Generic[T]):
    """A fixed weighted choice, prepared once and drawn many times (faster than ``choices``)."""

    __slots__ = ("_cum", "_total", "items")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        kept = [(item, float(w)) for item, w in pairs if w > 0]
        if not kept:
            raise ValueError("Weighted needs at least one positive weight")
        self.items: tuple[T, ...] = tuple(item for item, _ in kept)
        self._cum = list(accumulate(w for _, w in kept))
        self._total = self._cum[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect_right(self._cum, rng.random() * self._total)]

    def __len__(self) -> int:
        return len(self.items)


def lognormal(rng: random.Random, median: float, sigma: float) -> float:
    """A lognormal draw parameterised the way the research notes state it: median and σ_log."""
    return rng.lognormvariate(math.log(median), sigma)


def clipped_normal(rng: random.Random, mu: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, rng.gauss(mu, sigma)))


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's method for small λ, a rounded normal approximation above 30."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A uniform day in [start, end]."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def random_moment(rng: random.Random, day: date, night_share: float = 0.0) -> datetime:
    """A time on ``day``; with ``night_share`` it falls between 19:00 and 05:00 that often."""
    if rng.random() < night_share:
        minute = (19 * 60 + rng.randrange(10 * 60)) % (24 * 60)
    else:
        minute = 5 * 60 + rng.randrange(14 * 60)
    return datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randrange(60))


def sample_distinct(rng: random.Random, items: Sequence[T], k: int) -> list[T]:
    """Up to ``k`` distinct items, in a seeded order."""
    return rng.sample(list(items), min(k, len(items)))
