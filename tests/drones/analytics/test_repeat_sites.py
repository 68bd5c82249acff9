"""Repeat launch sites: planted sites reused k times are found k times; sites 1 km apart stay
apart; twenty thousand estimates cluster without comparing every pair."""

from __future__ import annotations

import math
import random

import pytest

from paridad.drones.analytics import geo
from paridad.drones.analytics.clusters import ClusterStats
from paridad.drones.analytics.errors import AnalyticsError
from paridad.drones.analytics.protocols import Skipped
from paridad.drones.analytics.sites import (
    EXTRAPOLATED,
    RepeatSite,
    SiteEstimate,
    launch_sites,
    repeat_sites,
)
from tests.drones.analytics.fakes import FakeTrack, flight, posix

ORIGIN = (32.48, -116.80)  # Tecate, a few hundred metres south of the line
NIGHT = posix(2024, 3, 5, 2, zone="America/Tijuana")
NOON = posix(2024, 3, 5, 12, zone="America/Tijuana")


def _estimate(lat: float, lon: float, jitter: float, rng: random.Random) -> SiteEstimate:
    la, lo = geo.from_local(lat, lon, rng.gauss(0, jitter), rng.gauss(0, jitter))
    return SiteEstimate(la, lo, 40.0, EXTRAPOLATED)


def test_planted_sites_are_found_with_their_reuse_counts() -> None:
    rng = random.Random(1)
    uses = {0: 3, 1: 5, 2: 2, 3: 7}
    planted = {i: geo.from_local(*ORIGIN, 2500.0 * i, -800.0) for i in uses}
    rows = []
    for i, k in uses.items():
        for j in range(k):
            rows.append((f"site{i}-{j}", NIGHT + 86400 * j, _estimate(*planted[i], 20.0, rng)))
    for j in range(6):  # one-off launches far from everything
        rows.append(
            (f"single-{j}", NOON, _estimate(*geo.from_local(*ORIGIN, -9000.0, 3000.0 * j), 5, rng))
        )
    rng.shuffle(rows)
    found = repeat_sites(rows, radius_m=150, min_count=2)
    assert [s.count for s in found] == [7, 5, 3, 2]
    for site in found:
        i = int(site.track_ids[0][4])
        assert site.count == uses[i]
        assert {t.split("-")[0] for t in site.track_ids} == {f"site{i}"}
        assert geo.distance_m(site.lat, site.lon, *planted[i]) < 40
        assert site.first_time == NIGHT and site.last_time == NIGHT + 86400 * (site.count - 1)
        assert site.night_share == 1.0
        assert 0 < site.radius_m < 150
    singles = repeat_sites(rows, min_count=1)
    assert len(singles) == len(found) + 6


def test_sites_a_kilometre_apart_are_separate() -> None:
    rng = random.Random(2)
    a = ORIGIN
    b = geo.from_local(*ORIGIN, 1000.0, 0.0)
    rows = [(f"a{i}", NOON + i, _estimate(*a, 15, rng)) for i in range(4)]
    rows += [(f"b{i}", NIGHT + i, _estimate(*b, 15, rng)) for i in range(4)]
    found = repeat_sites(rows)
    assert len(found) == 2 and all(s.count == 4 for s in found)
    shares = sorted(s.night_share for s in found)
    assert shares == [0.0, 1.0]


def test_twenty_thousand_estimates_without_a_quadratic_loop() -> None:
    rng = random.Random(9)
    # 1000 sites on a 600 m lattice (±100 m), so no two are within reach of each other
    sites = [
        geo.from_local(
            *ORIGIN, 600.0 * x + rng.uniform(-100, 100), -600.0 * y + rng.uniform(-100, 100)
        )
        for x in range(40)
        for y in range(25)
    ]
    uses = [0] * len(sites)
    rows = []
    for n in range(20_000):
        i = rng.randrange(len(sites))
        uses[i] += 1
        rows.append((f"{i}-{n}", NOON + n, _estimate(*sites[i], 20.0, rng)))
    stats = ClusterStats()
    found = repeat_sites(rows, radius_m=150, min_count=1, stats=stats)
    assert stats.points == 20_000
    assert stats.pair_checks < 10 * 20_000  # comparing all pairs: 200 million
    assert len(found) == len(sites)
    for site in found:
        i = int(site.track_ids[0].split("-")[0])
        assert site.count == uses[i]
        assert {t.split("-")[0] for t in site.track_ids} == {str(i)}


def test_malformed_estimates_are_skipped_and_counted() -> None:
    good = SiteEstimate(*ORIGIN, 30.0, EXTRAPOLATED)
    rows: list[object] = [
        ("a", NOON, good),
        ("b", NOON, good),
        ("nan", NOON, SiteEstimate(math.nan, -116.8, 30.0, EXTRAPOLATED)),
        ("time", math.inf, good),
        ("short", NOON),
        None,
    ]
    skipped = Skipped()
    found = repeat_sites(rows, skipped=skipped)  # type: ignore[arg-type]
    assert [s.count for s in found] == [2]
    assert skipped.sites == 4


def test_estimates_from_tracks_feed_repeat_sites() -> None:
    tracks = []
    for i in range(3):
        points = flight(*ORIGIN, start=NIGHT + 86400 * i, seconds=60, speed=8, climb=2.5, alt0=0.0)
        tracks.append(
            FakeTrack(id=f"f{i}", points=[p for p in points if p[3] is not None and p[3] >= 50])
        )
    rows = launch_sites(tracks)
    assert [r[0] for r in rows] == ["f0", "f1", "f2"]
    found = repeat_sites(rows)
    assert len(found) == 1 and found[0].count == 3
    assert isinstance(found[0], RepeatSite)
    assert geo.distance_m(found[0].lat, found[0].lon, *ORIGIN) < 30


@pytest.mark.parametrize(("radius", "count"), [(0.0, 2), (-5.0, 2), (150.0, 0)])
def test_bad_parameters_are_clear_errors(radius: float, count: int) -> None:
    with pytest.raises(AnalyticsError):
        repeat_sites([], radius_m=radius, min_count=count)
