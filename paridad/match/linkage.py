"""The linkage pipeline as pure functions: records or encodings in, scored pairs out.

Two nodes run it like this (the exchange wires it; nothing here touches the network)::

    key = LinkageKey.derive(agreement_secret, agreement_id)   # both sides, never sent
    mine = encode_side(ids, records, key)                     # filters + blocking keys
    ...  mine.encodings and mine.keys cross to the partner; plaintext never does
    outcome = link_encoded(theirs, mine)                      # on the side that compares
    outcome.pairs()                                           # (their id, my id, score)

``paridad link`` runs the same pipeline on two local files, with a throw-away key, or on the
plaintext (``privacy="plain"``) for comparison.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from paridad.match.blocking import BlockKeys, KeyedBlocking
from paridad.match.clk import ClkEncoder, Encodings, LinkageKey, Scheme
from paridad.match.compare import Index, Matches, best_per_left, clk_agreement, one_to_one
from paridad.match.features import Normalised
from paridad.match.plain import SEGMENTS as PLAIN_SEGMENTS
from paridad.match.plain import plain_agreement
from paridad.match.scoring import Comparator, FellegiSunter, levels_of

# A hit (per query) needs even odds; linking whole collections one-to-one can accept weaker
# pairs, because the assignment already keeps only each record's best partner.
HIT_THRESHOLD = 0.5
LINK_THRESHOLD = 0.2

# Candidates below this probability under the scheme's m are dropped at once; those above
# are kept (with their agreement levels, not their filters) to learn m and be scored.
CANDIDATE_FLOOR = 1e-4
# EM learns m only from the candidates the scheme's m already finds likelier than not
# (log odds >= 0): among all candidates, namesakes that share a blocking key outnumber the
# true pairs, and EM would take their agreement for that of matches.
EM_MIN_LOG_ODDS = 0.0

# start(stage, total) -> tick(n): how long stages report progress (the CLI draws bars).
Progress = Callable[[str, int], Callable[[int], None]]


@dataclass
class EncodedSide:
    """What one node sends for linkage: hardened filters and keyed, pruned blocking keys."""

    encodings: Encodings
    keys: BlockKeys


def encode_side(
    ids: Sequence[str],
    records: Sequence[Normalised],
    key: LinkageKey,
    scheme: Scheme | None = None,
    blocking: KeyedBlocking | None = None,
    rng: np.random.Generator | None = None,
    progress: Progress | None = None,
) -> EncodedSide:
    encoder = ClkEncoder(key, scheme)
    tick = progress("encode", len(records)) if progress else None
    encodings = encoder.encode(ids, records, rng=rng, progress=tick)
    keys = (blocking or KeyedBlocking()).keys(key, records)
    return EncodedSide(encodings, keys)


@dataclass
class Outcome:
    """Scored pairs (positions into the two sides) and how they were found."""

    left_ids: list[str]
    right_ids: list[str]
    matches: Matches
    comparisons: int
    model: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)

    def pairs(self) -> list[tuple[str, str, float]]:
        return [
            (self.left_ids[a], self.right_ids[b], round(float(s), 4))
            for a, b, s in zip(
                self.matches.left.tolist(),
                self.matches.right.tolist(),
                self.matches.score.tolist(),
                strict=True,
            )
        ]


def link_encoded(
    left: EncodedSide,
    right: EncodedSide,
    threshold: float | None = None,
    one_to_one_only: bool = False,
    blocking: KeyedBlocking | None = None,
    scheme: Scheme | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Link two encoded sides: block on shared keys, score the candidates, keep the hits."""
    left.encodings.check_compatible(right.encodings)
    chosen = scheme or Scheme()

    def compare(li: Index, ri: Index) -> Any:
        return clk_agreement(left.encodings, right.encodings, li, ri)

    return _link(
        left.encodings.ids,
        right.encodings.ids,
        left.keys,
        right.keys,
        compare,
        [s.name for s in chosen.segments],
        [s.m for s in chosen.segments],
        threshold,
        one_to_one_only,
        blocking or KeyedBlocking(),
        progress,
    )


def link_plain(
    left_ids: Sequence[str],
    left: Sequence[Normalised],
    right_ids: Sequence[str],
    right: Sequence[Normalised],
    threshold: float | None = None,
    one_to_one_only: bool = False,
    blocking: KeyedBlocking | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """The same pipeline on plaintext: for two files on one node, and as the reference."""
    chosen = blocking or KeyedBlocking()
    key = LinkageKey.random()
    left_keys, right_keys = chosen.keys(key, left), chosen.keys(key, right)

    def compare(li: Index, ri: Index) -> Any:
        return plain_agreement(left, right, li, ri)

    m = [s.m for s in Scheme().segments]
    return _link(
        list(left_ids),
        list(right_ids),
        left_keys,
        right_keys,
        compare,
        list(PLAIN_SEGMENTS),
        m,
        threshold,
        one_to_one_only,
        chosen,
        progress,
        samples=20_000,
    )


def _distinct(
    left: list[Index], right: list[Index], levels: list[npt.NDArray[np.int8]]
) -> tuple[Index, Index, npt.NDArray[np.int8]]:
    """The kept candidates with every pair once (blocking finds some pairs under several
    keys; they compare alike, so any copy will do)."""
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, 0), np.int8)
    a, b, lv = np.concatenate(left), np.concatenate(right), np.concatenate(levels)
    order = np.lexsort((b, a))
    a, b, lv = a[order], b[order], lv[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return a[first], b[first], lv[first]


def _residual(
    chosen: Matches,
    left: Index,
    right: Index,
    levels: npt.NDArray[np.int8],
    model: FellegiSunter,
    limit: float,
    n_left: int,
    n_right: int,
) -> Matches:
    """A second look at the records the one-to-one assignment left without a partner.

    The prior odds assume every record of the smaller side may have one partner among all
    pairs. Once the first pass has paired most of them, the same assumption applied to what
    is left puts far fewer pairs in the denominator: a weak pair between two records that
    nobody else wants is likelier than the same pair among thousands of rivals. Where most
    records have no partner at all (a cross-border file), little is left over on the larger
    side and the prior barely moves.
    """
    rest_left = n_left - len(chosen)
    rest_right = n_right - len(chosen)
    if rest_left <= 0 or rest_right <= 0 or not len(left):
        return chosen
    free = ~np.isin(left, chosen.left) & ~np.isin(right, chosen.right)
    if not free.any():
        return chosen
    prior = min(0.5, min(rest_left, rest_right) / (rest_left * rest_right))
    second = replace(model, prior=max(prior, model.prior))
    scores = second.probability_of_levels(levels[free])
    extra = one_to_one(Matches(left[free], right[free], scores).at_least(limit))
    return Matches.concat([chosen, extra])


def _link(
    left_ids: list[str],
    right_ids: list[str],
    left_keys: BlockKeys,
    right_keys: BlockKeys,
    compare: Comparator,
    segments: list[str],
    m: Sequence[Sequence[float]],
    threshold: float | None,
    one_to_one_only: bool,
    blocking: KeyedBlocking,
    progress: Progress | None,
    samples: int = 100_000,
    learn_m: bool = True,
) -> Outcome:
    started = time.perf_counter()
    limit = (
        threshold
        if threshold is not None
        else (LINK_THRESHOLD if one_to_one_only else HIT_THRESHOLD)
    )
    model = FellegiSunter.fit(compare, len(left_ids), len(right_ids), segments, m, samples)
    fitted = time.perf_counter()
    tick = progress("compare", blocking.partitions) if progress else None
    kept_left: list[Index] = []
    kept_right: list[Index] = []
    kept_levels: list[npt.NDArray[np.int8]] = []
    comparisons = 0
    floor = float(np.log(CANDIDATE_FLOOR / (1.0 - CANDIDATE_FLOOR)))
    for li, ri in blocking.pairs(left_keys, right_keys):
        # A pair that shares several keys is scored once per key: cheaper than removing the
        # repeats first; they are dropped among the pairs kept.
        comparisons += len(li)
        levels = levels_of(compare(li, ri))
        keep = model.logit(levels) >= floor
        kept_left.append(li[keep])
        kept_right.append(ri[keep])
        kept_levels.append(levels[keep])
        if tick:
            tick(1)
    cand_left, cand_right, cand_levels = _distinct(kept_left, kept_right, kept_levels)
    if learn_m:
        model = model.learn_m(cand_levels[model.logit(cand_levels) >= EM_MIN_LOG_ODDS])
    scores = model.probability_of_levels(cand_levels)
    found = Matches(cand_left, cand_right, scores).at_least(limit)
    if one_to_one_only:
        chosen = one_to_one(found)
        chosen = _residual(
            chosen, cand_left, cand_right, cand_levels, model, limit, len(left_ids), len(right_ids)
        )
    else:
        chosen = found.sorted()
    done = time.perf_counter()
    return Outcome(
        left_ids,
        right_ids,
        chosen,
        comparisons,
        {**model.to_dict(), "threshold": limit, "one_to_one": one_to_one_only},
        {"fit": fitted - started, "compare": done - fitted},
    )


__all__ = [
    "HIT_THRESHOLD",
    "LINK_THRESHOLD",
    "EncodedSide",
    "Outcome",
    "best_per_left",
    "encode_side",
    "link_encoded",
    "link_plain",
]
