"""Fellegi–Sunter weights for compared pairs: how much each segment's agreement says.

Each segment of a pair (name, birth, place, identifiers) is compared — Dice on the filters,
or a string comparator on plaintext — and the agreement put in one of a few *levels*
(near-identical … different), or marked missing when either record lacks the segment.
Fellegi and Sunter give every level two probabilities: ``m`` that a true match shows it and
``u`` that an unrelated pair does. A pair's evidence is the sum of ``log(m/u)`` over its
segments; with the prior odds of a match it becomes a probability, the score we threshold.

``u`` is measured on the data at hand, from random pairs of the two collections (nearly all
non-matches), so the weights fit it: on FEBRL a shared surname is rare and strong evidence,
among a small pool of Mexican surnames much less. ``m`` starts from a prior per segment, kept
with the scheme (:data:`paridad.match.clk.SEGMENTS`), and is then learned from the data by EM
(:meth:`FellegiSunter.learn_m`) on the candidates the prior already finds likelier than not,
with ``u`` held fixed: how often true pairs disagree on a birth date or an address differs
from file to file. EM over *all* blocked candidates, with ``u`` free as well, proved unstable
(the candidates are enriched in agreement, and EM took the enrichment for matches); holding
``u`` and keeping to the pairs the prior trusts avoids that. Missing segments add nothing,
which is how a record without a birth date stays linkable.

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

# How many true pairs the scheme's m is worth when EM learns m from the candidates.
M_PRIOR_PAIRS = 200.0

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
    learned_from: int = 0

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

    def logit(self, levels: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Log odds of a match for each row of levels, prior included."""
        return self.log_ratio(levels) + float(np.log(self.prior / (1.0 - self.prior)))

    def probability(self, agreement: Agreements) -> Scores:
        return self.probability_of_levels(levels_of(agreement))

    def probability_of_levels(self, levels: npt.NDArray[np.int8]) -> Scores:
        logit = self.logit(levels)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50))), dtype=np.float32)

    def learn_m(
        self,
        levels: npt.NDArray[np.int8],
        prior_pairs: float = M_PRIOR_PAIRS,
        iterations: int = 30,
    ) -> FellegiSunter:
        """``m`` re-estimated by EM on candidate pairs (one row of levels each, no pair
        twice), with ``u`` held at what random pairs measured.

        Holding ``u`` is what keeps EM honest on blocked candidates: the non-matches among
        them may agree more than random pairs, but they can only be explained by ``u``, so
        EM cannot redefine "non-match" as "the bulk of the candidates". The scheme's ``m``
        enters as a Dirichlet prior worth ``prior_pairs`` matches, so a segment that few
        pairs have (or a small file) keeps its prior, and a large file learns how its own
        true pairs drift: FEBRL corrupts birth dates, a cross-border file loses them.
        """
        if not len(levels):
            return self
        n_segments = levels.shape[1]
        base = N_LEVELS + 1
        codes = np.zeros(len(levels), dtype=np.int64)
        for g in range(n_segments):
            codes = codes * base + levels[:, g].astype(np.int64)
        patterns, counts = np.unique(codes, return_counts=True)
        rows = np.empty((len(patterns), n_segments), dtype=np.int8)
        rest = patterns.copy()
        for g in reversed(range(n_segments)):
            rows[:, g] = rest % base
            rest //= base
        weight = counts.astype(np.float64)
        log_u = np.concatenate([np.log(self.u), np.zeros((n_segments, 1))], axis=1)
        u_part = np.zeros(len(rows))
        for g in range(n_segments):
            u_part += log_u[g, rows[:, g]]
        prior_m = self.m
        m = self.m.copy()
        share = 0.1
        for _ in range(iterations):
            log_m = np.concatenate([np.log(m), np.zeros((n_segments, 1))], axis=1)
            m_part = np.zeros(len(rows))
            for g in range(n_segments):
                m_part += log_m[g, rows[:, g]]
            logit = m_part - u_part + np.log(share / (1.0 - share))
            match = 1.0 / (1.0 + np.exp(-np.clip(logit, -50, 50)))
            expected = match * weight
            share = float(np.clip(expected.sum() / weight.sum(), 1e-6, 1 - 1e-6))
            for g in range(n_segments):
                seen = np.bincount(rows[:, g], weights=expected, minlength=base)[:N_LEVELS]
                m[g] = (seen + prior_pairs * prior_m[g]) / (seen.sum() + prior_pairs)
        return FellegiSunter(self.segments, m, self.u, self.prior, self.sampled, len(levels))

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
            "m_learned_from": self.learned_from,
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
