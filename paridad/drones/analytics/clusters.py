"""Single-linkage clustering of points within a radius, in linear time for real data.

Two sites belong together when a chain of sites, each within ``radius_m`` of the next, joins
them (union-find over close pairs). Comparing all pairs is quadratic: 20,000 launch-site
estimates would be 200 million distance checks. Instead the points go into a 3-D grid on the
unit sphere (straight-line chord distance is monotone in great-circle distance, so the grid
needs no projection and works at any latitude) with cubes of side ``c / √3``, where ``c`` is
the chord of ``radius_m``:

* any two points in one cube are within ``radius_m`` of each other, so a cube starts as one
  component and its points are never compared among themselves;
* two points within ``radius_m`` lie at most two cubes apart on each axis, so only the
  5 × 5 × 5 block around a cube can hold a neighbour, and each pair of cubes is looked at once;
* union-find works on cubes, and a pair of cubes already in one component is skipped before
  any distance is computed; otherwise their points are compared at once (vectorised), and any
  pair within reach joins the two.

:class:`ClusterStats` counts the distance checks, so tests can assert the structure (checks
grow with the points, not with their square) rather than a time on a noisy machine.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from paridad.drones.analytics.geo import EARTH_RADIUS_M

_FORWARD = tuple(
    offset
    for offset in itertools.product(range(-2, 3), repeat=3)
    if offset > (0, 0, 0)  # each unordered pair of cubes once
)


@dataclass
class ClusterStats:
    """Work done by :func:`cluster_within`: points, occupied cubes, cube pairs whose points
    were compared, and point-to-point distance checks."""

    points: int = 0
    cubes: int = 0
    cube_pairs: int = 0
    pair_checks: int = 0


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_within(
    lats: Sequence[float],
    lons: Sequence[float],
    radius_m: float,
    stats: ClusterStats | None = None,
) -> list[int]:
    """A cluster label per point: points joined by chains of steps of at most ``radius_m``.

    Labels are the index of the cluster's first point, so they are stable for a given input.
    """
    stats = stats if stats is not None else ClusterStats()
    n = len(lats)
    stats.points += n
    if n == 0:
        return []
    phi = np.radians(np.asarray(lats, dtype=np.float64))
    lam = np.radians(np.asarray(lons, dtype=np.float64))
    xyz = np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
    chord = 2.0 * math.sin(min(radius_m / (2.0 * EARTH_RADIUS_M), math.pi / 2))
    side = chord / math.sqrt(3.0)
    keys = np.floor(xyz / side).astype(np.int64)
    cubes, cube_of_point = np.unique(keys, axis=0, return_inverse=True)
    cube_of_point = cube_of_point.reshape(-1)
    stats.cubes += len(cubes)
    by_cube = np.argsort(cube_of_point, kind="stable")
    bounds = np.searchsorted(cube_of_point[by_cube], np.arange(len(cubes) + 1))
    members = [by_cube[bounds[i] : bounds[i + 1]] for i in range(len(cubes))]
    sets = _UnionFind(len(cubes))
    reach = chord * chord * (1.0 + 1e-12)
    for i, j in _neighbour_cubes(cubes):
        if sets.find(i) == sets.find(j):
            continue
        stats.cube_pairs += 1
        a, b = xyz[members[i]], xyz[members[j]]
        stats.pair_checks += len(a) * len(b)
        if bool((((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2) <= reach).any()):
            sets.union(i, j)
    label_of_root: dict[int, int] = {}
    return [label_of_root.setdefault(sets.find(c), p) for p, c in enumerate(cube_of_point.tolist())]


def _neighbour_cubes(cubes: np.ndarray[Any, np.dtype[np.int64]]) -> Iterator[tuple[int, int]]:
    """Pairs of occupied cubes (indices into the lexicographically sorted ``cubes``) at most
    two apart on every axis, each pair once.

    The cubes are numbered row-major in their bounding box, which keeps the sorted order, so
    each of the 62 forward offsets is one vectorised binary search. A box too large for 64-bit
    numbers (points spread over the globe with a radius of metres) falls back to a dictionary.
    """
    low = cubes.min(axis=0) - 2
    span = cubes.max(axis=0) - low + 3
    if float(span[0]) * float(span[1]) * float(span[2]) < 2.0**62:
        base = cubes - low
        code = (base[:, 0] * span[1] + base[:, 1]) * span[2] + base[:, 2]
        for dx, dy, dz in _FORWARD:
            target = code + (dx * span[1] + dy) * span[2] + dz
            at = np.minimum(np.searchsorted(code, target), len(code) - 1)
            found = np.nonzero(code[at] == target)[0]
            yield from zip(found.tolist(), at[found].tolist(), strict=True)
        return
    index = {key: i for i, key in enumerate(map(tuple, cubes.tolist()))}
    for i, (kx, ky, kz) in enumerate(cubes.tolist()):
        for dx, dy, dz in _FORWARD:
            j = index.get((kx + dx, ky + dy, kz + dz))
            if j is not None:
                yield i, j
