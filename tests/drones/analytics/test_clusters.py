"""Clustering within a radius: the same partition as comparing every pair, without comparing
every pair."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.drones.analytics import geo
from paridad.drones.analytics.clusters import ClusterStats, cluster_within


def _brute_force(points: list[tuple[float, float]], radius: float) -> list[int]:
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(points):
        for j in range(i + 1, len(points)):
            if geo.distance_m(*a, *points[j]) <= radius:
                parent[max(find(i), find(j))] = min(find(i), find(j))
    first: dict[int, int] = {}
    return [first.setdefault(find(i), i) for i in range(len(points))]


def _partition(labels: list[int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, set()).add(index)
    return {frozenset(g) for g in groups.values()}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-1500, 1500), st.floats(-1500, 1500)), min_size=0, max_size=60),
    st.sampled_from([50.0, 150.0, 400.0]),
    st.sampled_from([(32.5, -117.0), (25.9, -97.5), (0.0, 179.999), (89.99, 10.0)]),
)
def test_same_partition_as_all_pairs(
    offsets: list[tuple[float, float]], radius: float, origin: tuple[float, float]
) -> None:
    points = [geo.from_local(*origin, e, n) for e, n in offsets]
    points = [(lat, (lon + 180) % 360 - 180) for lat, lon in points]  # wrap the antimeridian
    labels = cluster_within([p[0] for p in points], [p[1] for p in points], radius)
    assert _partition(labels) == _partition(_brute_force(points, radius))


def test_chains_join_and_gaps_separate() -> None:
    origin = (32.5, -117.0)
    chain = [geo.from_local(*origin, 140.0 * i, 0.0) for i in range(5)]  # steps of 140 m
    apart = [geo.from_local(*origin, 0.0, 1000.0)]
    points = chain + apart
    labels = cluster_within([p[0] for p in points], [p[1] for p in points], 150.0)
    assert labels == [0, 0, 0, 0, 0, 5]


def test_twenty_thousand_points_need_linear_not_quadratic_work() -> None:
    rng = random.Random(3)
    origin = (31.0, -110.0)
    sites = [
        geo.from_local(*origin, rng.uniform(-80e3, 80e3), rng.uniform(-30e3, 30e3))
        for _ in range(800)
    ]
    points = []
    for _ in range(20_000):
        lat, lon = rng.choice(sites)
        points.append(geo.from_local(lat, lon, rng.gauss(0, 25), rng.gauss(0, 25)))
    stats = ClusterStats()
    labels = cluster_within([p[0] for p in points], [p[1] for p in points], 150.0, stats)
    n = len(points)
    assert stats.points == n
    assert stats.pair_checks < 20 * n  # all pairs would be n(n-1)/2 = 200 million
    assert stats.cube_pairs < 10 * stats.cubes
    # every planted site is found once (800 sites, a few hundred metres apart at the least)
    clusters = len(set(labels))
    assert 700 <= clusters <= 800


def test_empty_input() -> None:
    stats = ClusterStats()
    assert cluster_within([], [], 150.0, stats) == []
    assert stats.pair_checks == 0


def test_points_spread_over_the_globe_with_a_tiny_radius() -> None:
    """Cube numbers too large for 64 bits take the dictionary path; same answer."""
    rng = random.Random(5)
    points = []
    for _ in range(40):
        lat, lon = rng.uniform(-80, 80), rng.uniform(-179, 179)
        points += [
            (lat, lon),
            geo.from_local(lat, lon, 3.0, 0.0),
            geo.from_local(lat, lon, 0.0, 9.0),
        ]
    labels = cluster_within([p[0] for p in points], [p[1] for p in points], 5.0)
    assert _partition(labels) == _partition(_brute_force(points, 5.0))
    assert len(set(labels)) == 80  # each place: a pair 3 m apart and one 9 m away
