"""Canonical ids from judgements: which stored entities are one real person or company.

Clusters are *computed*, never stored: change a judgement and the clusters follow. The
computation is a union-find over the effective "same" judgements (see
:func:`paridad.resolve.judgements.effective`) that respects every effective analyst
"different" as a *cannot-link*: two groups are never joined if an analyst said that a member
of one is not a member of the other. That is what makes a split work even when the two
entities were only joined through a third (A=C and C=B by the model, then an analyst says
A≠B): the edge that would bring A and B together is the one left out.

Edges are taken in a fixed order, so the result is deterministic: analyst "same" first, newest
first (the latest intent wins a conflict), then the model's, highest score first. "unsure" and
a model's "different" join nothing. The canonical id of a cluster is its smallest entity id.

Judgements about entities that are no longer in the store (purged by a recall or retention)
are left out by the caller, so a purge quietly dissolves what it took part in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from paridad.resolve.judgements import DIFFERENT, SAME, Judgement


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.banned: dict[str, set[str]] = {}

    def find(self, x: str) -> str:
        parent = self.parent.setdefault(x, x)
        if parent == x:
            self.members.setdefault(x, {x})
            self.banned.setdefault(x, set())
            return x
        root = self.find(parent)
        self.parent[x] = root
        return root

    def ban(self, a: str, b: str) -> None:
        self.banned[self.find(a)].add(b)
        self.banned[self.find(b)].add(a)

    def conflict(self, ra: str, rb: str) -> bool:
        small, large = (ra, rb) if len(self.members[ra]) <= len(self.members[rb]) else (rb, ra)
        return not self.banned[small].isdisjoint(self.members[large])

    def union(self, a: str, b: str) -> bool:
        """Join the groups of ``a`` and ``b`` unless a cannot-link forbids it."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.conflict(ra, rb):
            return False
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.banned[ra] |= self.banned.pop(rb)
        return True


def _edge_order(j: Judgement) -> tuple[int, float, int, str, str]:
    if j.by_analyst:
        return (0, 0.0, -j.seq, j.left_id, j.right_id)
    return (1, -(j.score if j.score is not None else 0.0), 0, j.left_id, j.right_id)


@dataclass(frozen=True)
class Clustering:
    """The clusters that the effective judgements make (only clusters of two or more)."""

    canonical: dict[str, str] = field(default_factory=dict)
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Effective "same" judgements left out because an analyst's "different" forbade them.
    blocked: tuple[Judgement, ...] = ()

    def canonical_id(self, entity_id: str) -> str:
        """The id that stands for ``entity_id``'s cluster (itself when it stands alone)."""
        return self.canonical.get(entity_id, entity_id)

    def cluster_of(self, entity_id: str) -> tuple[str, ...]:
        """Every entity in ``entity_id``'s cluster, sorted (just itself when alone)."""
        return self.members.get(self.canonical_id(entity_id), (entity_id,))

    def clusters(self) -> list[tuple[str, ...]]:
        return [self.members[c] for c in sorted(self.members)]


def build_clusters(
    judgements: Iterable[Judgement], exists: Callable[[str], bool] | None = None
) -> Clustering:
    """Cluster from effective judgements (one per pair); ``exists`` filters purged entities."""
    chosen = [j for j in judgements if exists is None or (exists(j.left_id) and exists(j.right_id))]
    uf = _UnionFind()
    for j in chosen:
        if j.verdict == DIFFERENT and j.by_analyst:
            uf.ban(j.left_id, j.right_id)
    blocked: list[Judgement] = []
    for j in sorted((j for j in chosen if j.verdict == SAME), key=_edge_order):
        if not uf.union(j.left_id, j.right_id):
            blocked.append(j)
    canonical: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for root, group in uf.members.items():
        if len(group) < 2 or uf.find(root) != root:
            continue
        ordered = tuple(sorted(group))
        members[ordered[0]] = ordered
        for entity_id in ordered:
            canonical[entity_id] = ordered[0]
    return Clustering(canonical, members, tuple(blocked))
