"""Fellegi–Sunter weights for compared pairs: how much each segment's agreement says.

Each segment of a pair (name, birth, place, identifiers) is compared — Dice on the filters,
or a string comparator on plaintext — and the agreement put in one of a few *levels*
(near-identical … different), or marked missing when either record lacks the segment.
Fellegi and Sunter give every level two probabilities: ``m`` that a true match shows it and
``u`` that an unrelated pair does. A pair's evidence is the sum of ``log(m/u)`` over its
segments; with the prior odds of a match it becomes a probability, the score we threshold.

``u`` is measured on the data at hand, from random pairs of the two collections (nearly all
non-matches), so the weights fit it: on FEBRL a shared surname is rare and strong evidence,
among a small pool of Mexican surnames much less. ``m`` is a prior per segment, kept with the
scheme (:data:`paridad.match.clk.SEGMENTS`): estimating it by EM on blocked candidates, as
Splink does with care, proved unstable here (the candidates are enriched in agreement, and EM
took the enrichment for matches). Missing segments add nothing, which is how a record without
a birth date stays linkable.

A fitted model is a record of its own (:meth:`FellegiSunter.to_dict`), so both nodes can see
the weights behind a decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from paridad.match.compare import Index, Scores

MODEL_NAME = "fellegi-sunter"
MODEL_VERSION = 1

# Lower bounds of the agreement levels, best first; below the last is "different".
LEVELS = (0.92, 0.8, 0.7, 0.6, 0.5, 0.35)
N_LEVELS = len(LEVELS) + 1
MISSING = N_LEVELS  # level code for "a record lacks this segment"

# What unrelated pairs look like before any are measured: nearly always "different". It
# counts as PRIOR_PAIRS sampled pairs, so it decides for two tiny files and fades for large.
U_PRIOR = (0.0001, 0.0004, 0.001, 0.004, 0.02, 0.1, 0.8745)
PRIOR_PAIRS = 2000

Agreements = npt.NDArray[np.float32]  # one row per pair, one column per segment, NaN: missing
Comparator = Callable[[Index, Index], Agreements]


def levels_of(agreement: Agreements) -> npt.NDArray[np.int8]:
    """Agreement in [0, 1] (NaN where missing) -> level codes."""
    levels = np.full(agreement.shape, len(LEVELS), dtype=np.int8)
    filled = np.nan_to_num(agreement, nan=-1.0)
    for level, bound in reversed(list(enumerate(LEVELS))):
        levels[filled >= bound] = level
    levels[np.isnan(agreement)] = MISSING
    return levels


@dataclass
class FellegiSunter:
    """m and u per segment and level, and the prior odds of a match."""

    segments: list[str]
    m: npt.NDArray[np.float64]
    u: npt.NDArray[np.float64]
    prior: float
    sampled: int = 0

    @classmethod
    def fit(
        cls,
        compare: Comparator,
        n_left: int,
        n_right: int,
        segments: Sequence[str],
        m: Sequence[Sequence[float]],
        samples: int = 100_000,
        seed: int = 0,
    ) -> FellegiSunter:
        """Measure ``u`` on random pairs; the prior assumes every record of the smaller side
        could have one partner. The seed only picks which pairs are sampled."""
        rng = np.random.default_rng(seed)
        total = n_left * n_right
        k = min(samples, total)
        if k == total:
            li = np.repeat(np.arange(n_left, dtype=np.int64), n_right)
            ri = np.tile(np.arange(n_right, dtype=np.int64), n_left)
        else:
            li = rng.integers(0, n_left, size=k, dtype=np.int64)
            ri = rng.integers(0, n_right, size=k, dtype=np.int64)
        levels = levels_of(compare(li, ri)) if k else np.zeros((0, len(segments)), np.int8)
        u = _frequencies(levels, len(segments))
        prior = min(n_left, n_right) / max(1, total)
        return cls(list(segments), np.asarray(m, dtype=np.float64), u, min(prior, 0.5), int(k))

    def log_ratio(self, levels: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Sum over segments of log(m/u) for each row of levels (missing adds nothing)."""
        weights = np.log(self.m) - np.log(self.u)
        weights = np.concatenate([weights, np.zeros((len(weights), 1))], axis=1)
        out = np.zeros(len(levels), dtype=np.float64)
        for g in range(levels.shape[1]):
            out += weights[g, levels[:, g]]
        return out

    def probability(self, agreement: Agreements) -> Scores:
        logit = self.log_ratio(levels_of(agreement)) + np.log(self.prior / (1.0 - self.prior))
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50))), dtype=np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": MODEL_NAME,
            "version": MODEL_VERSION,
            "levels": list(LEVELS),
            "segments": self.segments,
            "m": np.round(self.m, 6).tolist(),
            "u": np.round(self.u, 6).tolist(),
            "prior": self.prior,
            "sampled_pairs": self.sampled,
        }


def _frequencies(levels: npt.NDArray[np.int8], n_segments: int) -> npt.NDArray[np.float64]:
    """Share of each level per segment among sampled pairs where the segment is present,
    with :data:`U_PRIOR` worth :data:`PRIOR_PAIRS` pairs added, so no level is impossible
    for a non-match, no weight is infinite, and a handful of pairs (which may all be true
    matches) cannot make agreement look common."""
    prior = np.asarray(U_PRIOR, dtype=np.float64) * PRIOR_PAIRS
    out = np.empty((n_segments, N_LEVELS), dtype=np.float64)
    for g in range(n_segments):
        counts = np.bincount(levels[:, g], minlength=N_LEVELS + 1)[:N_LEVELS] + prior
        out[g] = counts / counts.sum()
    return out
