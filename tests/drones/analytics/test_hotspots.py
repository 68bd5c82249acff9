"""Hotspots: planted busy cells rank first, one busy track is not a hotspot, and Gi* marks
planted clusters hot but not a uniform background."""

from __future__ import annotations

import math
import random

import h3  # type: ignore[import-untyped, unused-ignore]
import pytest

from paridad.drones.analytics import geo
from paridad.drones.analytics.errors import AnalyticsError
from paridad.drones.analytics.hotspots import gi_star, hotspot_scores, hotspots
from paridad.drones.analytics.protocols import Skipped
from tests.drones.analytics.fakes import FakeCrossing, FakeTrack, Point

START = 1_717_200_000.0  # 2024-06-01
CENTRE = (32.40, -116.90)  # just south of the line east of Tijuana


def _leg(a: tuple[float, float], b: tuple[float, float], t0: float, n: int = 40) -> list[Point]:
    return [
        (t0 + i, a[0] + (b[0] - a[0]) * i / n, a[1] + (b[1] - a[1]) * i / n, 60.0)
        for i in range(n + 1)
    ]


def _planted_cells(resolution: int = 8) -> tuple[str, str, str]:
    a = geo.cell_of(*CENTRE, resolution)
    ring = [c for c in geo.disk(a, 1) if c != a]
    b = ring[0]
    c = next(x for x in ring[1:] if x in geo.disk(b, 1))  # adjacent to both a and b
    return a, b, c


def _planted_tracks(count: int, t0: float = START) -> list[FakeTrack]:
    """``count`` flights centre(a) -> centre(b) -> centre(c): each through exactly a, b, c."""
    a, b, c = (geo.cell_centre(x) for x in _planted_cells())
    tracks = []
    for i in range(count):
        start = t0 + 3600 * i
        points = _leg(a, b, start) + _leg(b, c, start + 41)
        tracks.append(FakeTrack(id=f"planted-{i}", points=points))
    return tracks


def _background(count: int, seed: int, radius: int = 6) -> list[FakeTrack]:
    """Short flights (three fixes within ~30 m of a cell centre) in cells drawn uniformly at
    random from the ``radius``-disk around CENTRE's cell: a uniform background on the grid."""
    rng = random.Random(seed)
    cells = sorted(geo.disk(geo.cell_of(*CENTRE, 8), radius))
    tracks = []
    for i in range(count):
        lat, lon = geo.cell_centre(rng.choice(cells))
        points: list[Point] = [(START + 60 * i + s, lat + s * 1e-4, lon, 50.0) for s in range(3)]
        tracks.append(FakeTrack(id=f"bg-{i}", points=points))
    return tracks


def test_planted_cells_rank_first_above_a_background() -> None:
    found = hotspots(_planted_tracks(25) + _background(300, seed=1), min_tracks=2)
    assert {h.cell for h in found[:3]} == set(_planted_cells())
    assert all(h.tracks >= 25 for h in found[:3])
    assert found[3].tracks < 25
    assert [h.tracks for h in found] == sorted((h.tracks for h in found), reverse=True)


def test_hotspot_fields_count_points_times_and_crossings() -> None:
    tracks = _planted_tracks(3)
    a, _, _ = _planted_cells()
    lat, lon = geo.cell_centre(a)
    crossings = [FakeCrossing("planted-0", START + 5, lat, lon), FakeCrossing("x", 0, math.nan, 0)]
    skipped = Skipped()
    found = {h.cell: h for h in hotspots(tracks, crossings=crossings, skipped=skipped)}
    spot = found[a]
    assert spot.track_ids == ("planted-0", "planted-1", "planted-2")
    in_a = sum(geo.cell_of(p[1], p[2], 8) == a for t in tracks for p in t.points)
    assert spot.points == in_a
    assert spot.crossings == 1
    assert spot.first_time == START
    assert spot.last_time == max(
        p[0] for t in tracks for p in t.points if geo.cell_of(p[1], p[2], 8) == a
    )
    assert (spot.lat, spot.lon) == pytest.approx((lat, lon))
    assert skipped.crossings == 1


def test_one_busy_track_is_not_a_hotspot() -> None:
    lat, lon = CENTRE
    busy = FakeTrack(
        id="hover",
        points=[(START + i, lat + 1e-5 * math.sin(i), lon, 40.0) for i in range(2000)],
    )
    other = FakeTrack(id="other", points=[(START, 32.0, -115.0, 40.0)])
    assert hotspots([busy, other], min_tracks=2) == []
    alone = hotspots([busy, other], min_tracks=1)
    assert alone[0].tracks == 1 and alone[0].points == 2000


def test_a_fast_sparse_track_counts_in_the_cells_between_its_fixes() -> None:
    lat, lon = CENTRE
    far_lat, far_lon = geo.from_local(lat, lon, 0, 2500)  # ~3 res-8 cells north in 10 s
    track = FakeTrack(
        id="fast", points=[(START, lat, lon, 50.0), (START + 10, far_lat, far_lon, 50.0)]
    )
    cells = {h.cell for h in hotspots([track], min_tracks=1)}
    line = h3.grid_path_cells(geo.cell_of(lat, lon, 8), geo.cell_of(far_lat, far_lon, 8))
    assert cells == {str(c) for c in line} and len(cells) > 2
    # but a gap of ten minutes is missing coverage, not a straight flight
    slow = FakeTrack(
        id="gap", points=[(START, lat, lon, 50.0), (START + 600, far_lat, far_lon, 50.0)]
    )
    assert len(hotspots([slow], min_tracks=1)) == 2


def test_malformed_tracks_are_skipped_and_counted() -> None:
    good = _planted_tracks(2)
    empty = FakeTrack(id="empty", points=[])
    nan = FakeTrack(
        id="nan", points=[(START, math.nan, -116.9, 10.0), (START + 1, 95.0, 0.0, None)]
    )
    skipped = Skipped()
    found = hotspots([*good, empty, nan], skipped=skipped)
    assert len(found) == 3
    assert skipped.tracks == 2 and skipped.points == 2


@pytest.mark.parametrize("bad", [-1, 16, 2.5])
def test_bad_resolution_is_a_clear_error(bad: object) -> None:
    with pytest.raises(AnalyticsError) as info:
        hotspots([], resolution=bad)  # type: ignore[arg-type]
    assert "H3 resolution" in str(info.value)


def test_bad_min_tracks_is_a_clear_error() -> None:
    with pytest.raises(AnalyticsError, match="min_tracks"):
        hotspots([], min_tracks=0)


def test_gi_star_matches_the_formula_on_a_small_example() -> None:
    centre = geo.cell_of(*CENTRE, 8)
    cells = geo.disk(centre, 2)  # 19 cells
    values = {c: 1.0 for c in cells} | {centre: 10.0}
    scores = {s.cell: s for s in gi_star(values, k=1)}
    n, mean = 19, 28 / 19
    s = math.sqrt(118 / 19 - mean**2)
    expected = (16 - mean * 7) / (s * math.sqrt((n * 7 - 49) / (n - 1)))
    assert scores[centre].gi_star == pytest.approx(expected)
    assert scores[centre].p_value == pytest.approx(0.5 * math.erfc(expected / math.sqrt(2)))
    ring2 = [c for c in cells if c not in geo.disk(centre, 1)]
    assert all(scores[c].gi_star < scores[centre].gi_star for c in ring2)


def test_gi_star_without_variation_marks_nothing() -> None:
    cells = geo.disk(geo.cell_of(*CENTRE, 8), 2)
    scores = gi_star({c: 3.0 for c in cells})
    assert all(s.gi_star == 0.0 and not s.hot for s in scores)


def test_planted_cluster_is_hot_and_the_uniform_background_is_not() -> None:
    background = _background(1000, seed=7)  # 127 cells, ~8 tracks each
    planted = _planted_tracks(25)
    scores = hotspot_scores(planted + background, k=1)
    hot = {s.cell for s in scores if s.hot}
    planted_cells = set(_planted_cells())
    assert planted_cells <= hot
    near = {c for p in planted_cells for c in geo.disk(p, 1)}
    assert not hot - near, "background cells away from the cluster were called hot"
    alone = hotspot_scores(background, k=1)
    assert len(alone) >= 120 and sum(s.tracks for s in alone) == 1000  # a cell may stay empty
    assert not [s for s in alone if s.hot]


def test_uniform_backgrounds_rarely_light_up() -> None:
    """Benjamini-Hochberg at 0.05 bounds the chance that a pure background shows *any* hot cell
    by 5%; over 20 independent backgrounds that is one on average, four or more ~2% of the time.
    Without the correction (a plain z > 1.96) every one of them would show several."""
    lit = 0
    naive = 0
    for seed in range(20):
        scores = hotspot_scores(_background(1000, seed=100 + seed), k=1)
        lit += any(s.hot for s in scores)
        naive += sum(s.gi_star > 1.96 for s in scores) > 0
    assert lit <= 3
    assert naive >= 12


def test_area_cells_count_as_zeros() -> None:
    planted = _planted_tracks(5)
    a = _planted_cells()[0]
    coverage = geo.disk(a, 4)
    without = {s.cell: s for s in hotspot_scores(planted)}
    with_area = {s.cell: s for s in hotspot_scores(planted, area=coverage)}
    assert len(with_area) == len(coverage) and len(without) == 3
    assert with_area[a].hot and with_area[a].gi_star > without[a].gi_star


def test_bad_area_cell_and_k_are_clear_errors() -> None:
    with pytest.raises(AnalyticsError, match="Not an H3 cell"):
        hotspot_scores(_planted_tracks(2), area=["not-a-cell"])
    with pytest.raises(AnalyticsError, match="k must be"):
        gi_star({}, k=0)
