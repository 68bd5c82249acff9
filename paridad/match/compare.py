"""Comparing filter pairs (Dice), and turning scored pairs into hits or a one-to-one linkage.

Dice is ``2·|A∧B| / (|A| + |B|)`` per segment of the packed filters: an AND and a popcount
over 64-bit words (``numpy.bitwise_count``), vectorised over many pairs at once. The
segments' agreements are weighed into a probability by :mod:`paridad.match.scoring`. A *hit*
is a pair at or above the threshold, which is all a hit/no-hit query reveals. Linking two
whole collections additionally assumes each record has at most one partner and keeps the
best pairs greedily (the usual choice in PPRL tools; optimal assignment gains little here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paridad.match.clk import Bits, Encodings

Index = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float32]


def segment_dice(
    left: Encodings, right: Encodings, li: Index, ri: Index
) -> npt.NDArray[np.float32]:
    """Dice of every segment of the pairs (left[li[k]], right[ri[k]]): one row per pair."""
    starts = [a for a, _ in left.bounds]
    common = np.add.reduceat(
        np.bitwise_count(left.bits[li] & right.bits[ri]).astype(np.int32), starts, axis=1
    )
    total = left.counts[li] + right.counts[ri]
    return (2.0 * common / np.maximum(total, 1)).astype(np.float32)


def dice_all(
    left: Bits, left_counts: npt.NDArray[np.int32], right: Bits, right_counts: npt.NDArray[np.int32]
) -> npt.NDArray[np.float32]:
    """Dice of every left filter against every right one (a query against a list, or a
    throughput measurement), in blocks that keep memory flat."""
    out = np.empty((len(left), len(right)), dtype=np.float32)
    step = max(1, (1 << 22) // max(1, len(right) * left.shape[1]))
    for start in range(0, len(left), step):
        block = left[start : start + step]
        common = np.bitwise_count(block[:, None, :] & right[None, :, :]).sum(axis=2, dtype=np.int32)
        total = left_counts[start : start + step, None] + right_counts[None, :]
        out[start : start + step] = 2.0 * common / np.maximum(total, 1)
    return out


def clk_agreement(
    left: Encodings, right: Encodings, li: Index, ri: Index, chunk: int = 1 << 16
) -> npt.NDArray[np.float32]:
    """Per pair and segment, how far the Dice stands above that of unrelated filters, on
    [0, 1]; NaN where either record lacks the segment.

    Balanced filters are half ones, so unrelated ones have a Dice near one half: that is the
    zero of the scale. Unbalanced filters are sparse and start from zero.
    """
    baseline = 0.5 if left.balanced else 0.0
    out = np.empty((len(li), len(left.bounds)), dtype=np.float32)
    for start in range(0, len(li), chunk):
        a = li[start : start + chunk]
        b = ri[start : start + chunk]
        dice = segment_dice(left, right, a, b)
        agree = np.clip((dice - baseline) / (1.0 - baseline), 0.0, 1.0)
        agree[~(left.present[a] & right.present[b])] = np.nan
        out[start : start + chunk] = agree
    return out


@dataclass
class Matches:
    """Scored pairs of record positions (left, right), best first."""

    left: Index
    right: Index
    score: Scores

    @classmethod
    def empty(cls) -> Matches:
        return cls(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float32))

    def __len__(self) -> int:
        return len(self.left)

    @classmethod
    def concat(cls, parts: list[Matches]) -> Matches:
        """Join partial results and drop repeated pairs (blocking finds some pairs twice)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls.empty()
        left = np.concatenate([p.left for p in parts])
        right = np.concatenate([p.right for p in parts])
        score = np.concatenate([p.score for p in parts])
        order = np.lexsort((-score, right, left))
        left, right, score = left[order], right[order], score[order]
        keep = np.ones(len(left), dtype=bool)
        keep[1:] = (left[1:] != left[:-1]) | (right[1:] != right[:-1])
        return cls(left[keep], right[keep], score[keep]).sorted()

    def sorted(self) -> Matches:
        order = np.lexsort((self.right, self.left, -self.score))
        return Matches(self.left[order], self.right[order], self.score[order])

    def at_least(self, threshold: float) -> Matches:
        keep = self.score >= threshold
        return Matches(self.left[keep], self.right[keep], self.score[keep])


def one_to_one(matches: Matches) -> Matches:
    """Keep the best-scoring pairs such that no record is used twice (greedy)."""
    ordered = matches.sorted()
    used_left: set[int] = set()
    used_right: set[int] = set()
    keep = np.zeros(len(ordered), dtype=bool)
    for k, (a, b) in enumerate(zip(ordered.left.tolist(), ordered.right.tolist(), strict=True)):
        if a in used_left or b in used_right:
            continue
        used_left.add(a)
        used_right.add(b)
        keep[k] = True
    return Matches(ordered.left[keep], ordered.right[keep], ordered.score[keep])


def best_per_left(matches: Matches) -> Matches:
    """For each left record only its best pair: one answer per hit/no-hit query."""
    ordered = matches.sorted()
    _, first = np.unique(ordered.left, return_index=True)
    keep = np.zeros(len(ordered), dtype=bool)
    keep[first] = True
    return Matches(ordered.left[keep], ordered.right[keep], ordered.score[keep]).sorted()
