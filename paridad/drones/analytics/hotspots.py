"""Where drones fly: activity per H3 cell, and which cells are significantly hot.

Counting *tracks* per cell, not detections, is the point: one drone hovering for twenty
minutes leaves a thousand fixes in one hexagon but is one flight; analysts ask where many
flights go. So each track counts once in every cell it passes through — the cells of its
fixes plus, between two fixes close in time that land in non-adjacent cells, the cells of the
H3 grid line joining them (a drone at 15 m/s seen every 3 s can skip a resolution-10 cell).

A busy cell is not necessarily a hot one: next to a sensor every cell is busy. The
significance statistic is Getis-Ord Gi* over the k-ring neighbourhood, with binary weights
(the cell and its neighbours within ``k`` steps):

    Gi* = (Σ_j w_ij x_j − X̄ Σ_j w_ij) / (S · sqrt((n Σ_j w_ij² − (Σ_j w_ij)²) / (n − 1)))

with x_j the number of tracks in cell j, n the number of cells in the study area, X̄ their
mean and S = sqrt(Σ x_j² / n − X̄²). Under the null of no spatial clustering Gi* is
approximately standard normal, so a cell's one-sided p-value is 1 − Φ(Gi*). Because every
cell is tested, the cells called *hot* are those that pass the Benjamini–Hochberg procedure
at ``alpha`` (false discovery rate), so a uniform background with hundreds of cells does not
light up by chance. The study area is the cells some track touched, plus any ``area`` cells
the caller names (e.g. the sensors' coverage, which then count as zeros): a cell no track
reached may simply be unobserved, and counting it as zero would confuse coverage with activity.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from paridad.drones.analytics import geo
from paridad.drones.analytics.errors import (
    MSG_BAD_CELL,
    AnalyticsError,
    require_at_least,
    require_positive,
    require_resolution,
)
from paridad.drones.analytics.protocols import (
    CrossingLike,
    PathLike,
    Skipped,
    crossing_position,
    crossing_time,
    track_fixes,
    track_id,
)

# Fixes further apart in time than this are a gap in coverage, not a straight flight: the
# cells between them are not filled in.
MAX_GAP_S = 30.0
# And never more cells than this between two fixes (a guard against absurd jumps).
MAX_GAP_CELLS = 16


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One H3 cell's drone activity."""

    cell: str
    resolution: int
    tracks: int
    track_ids: tuple[str, ...]
    points: int  # fixes (detections) inside the cell
    first_time: float
    last_time: float
    crossings: int  # border crossings located in the cell
    lat: float  # cell centre
    lon: float


@dataclass(frozen=True, slots=True)
class HotspotScore:
    """A cell's Getis-Ord Gi* z-score and whether it is significantly hot."""

    cell: str
    tracks: int
    gi_star: float
    p_value: float  # one-sided, upper tail
    hot: bool  # significant after Benjamini-Hochberg at the chosen false discovery rate
    lat: float
    lon: float


@dataclass
class _Activity:
    tracks: set[str] = field(default_factory=set)
    points: int = 0
    first: float = math.inf
    last: float = -math.inf
    crossings: int = 0

    def seen(self, track: str, time: float) -> None:
        self.tracks.add(track)
        self.first = min(self.first, time)
        self.last = max(self.last, time)


def cell_activity(
    paths: Iterable[PathLike],
    resolution: int = 8,
    *,
    crossings: Iterable[CrossingLike] = (),
    skipped: Skipped | None = None,
) -> dict[str, _Activity]:
    """Tracks, fixes, times and crossings per cell (the raw material of both analyses)."""
    require_resolution(resolution)
    cells: dict[str, _Activity] = {}
    for path in paths:
        fixes = track_fixes(path, skipped)
        ident = track_id(path)
        previous: tuple[str, float] | None = None
        run_start = 0
        cell_list = [geo.cell_of(f.lat, f.lon, resolution) for f in fixes]
        for index, cell in enumerate(cell_list):
            time = fixes[index].time
            if previous is not None and previous[0] != cell and time - previous[1] <= MAX_GAP_S:
                line = geo.path_cells(previous[0], cell, MAX_GAP_CELLS) or []
                for step in range(1, len(line) - 1):
                    when = previous[1] + (time - previous[1]) * step / (len(line) - 1)
                    cells.setdefault(line[step], _Activity()).seen(ident, when)
            previous = (cell, time)
            # a run of fixes in one cell is booked at once (fixes are in time order)
            if index + 1 == len(cell_list) or cell_list[index + 1] != cell:
                activity = cells.setdefault(cell, _Activity())
                activity.points += index + 1 - run_start
                activity.seen(ident, fixes[run_start].time)
                activity.seen(ident, time)
                run_start = index + 1
    for crossing in crossings:
        position = crossing_position(crossing)
        at = crossing_time(crossing)
        if position is None or at is None:
            if skipped is not None:
                skipped.crossings += 1
            continue
        activity = cells.setdefault(geo.cell_of(*position, resolution), _Activity())
        activity.crossings += 1
        activity.first = min(activity.first, at)
        activity.last = max(activity.last, at)
    return cells


def hotspots(
    paths: Iterable[PathLike],
    resolution: int = 8,
    *,
    min_tracks: int = 2,
    crossings: Iterable[CrossingLike] = (),
    skipped: Skipped | None = None,
) -> list[Hotspot]:
    """The cells at least ``min_tracks`` distinct tracks passed through, busiest first.

    ``resolution`` 8 (cells ~0.7 km², ~460 m edge) matches launch-site reuse; 7 suits
    sector-wide maps. Malformed tracks and crossings are skipped and counted in ``skipped``.
    """
    require_at_least("min_tracks", min_tracks, 1)
    found: list[Hotspot] = []
    for cell, activity in cell_activity(
        paths, resolution, crossings=crossings, skipped=skipped
    ).items():
        if len(activity.tracks) < min_tracks:
            continue
        lat, lon = geo.cell_centre(cell)
        found.append(
            Hotspot(
                cell=cell,
                resolution=resolution,
                tracks=len(activity.tracks),
                track_ids=tuple(sorted(activity.tracks)),
                points=activity.points,
                first_time=activity.first,
                last_time=activity.last,
                crossings=activity.crossings,
                lat=lat,
                lon=lon,
            )
        )
    found.sort(key=lambda h: (-h.tracks, -h.points, -h.crossings, h.cell))
    return found


def _normal_upper_tail(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def _benjamini_hochberg(p_values: list[float], alpha: float) -> float:
    """The largest p-value still significant at false discovery rate ``alpha`` (−1: none)."""
    ordered = sorted(p_values)
    m = len(ordered)
    threshold = -1.0
    for rank, p in enumerate(ordered, start=1):
        if p <= alpha * rank / m:
            threshold = p
    return threshold


def gi_star(
    values: Mapping[str, float],
    *,
    k: int = 1,
    area: Iterable[str] = (),
    alpha: float = 0.05,
) -> list[HotspotScore]:
    """Getis-Ord Gi* of ``values`` (cell -> count) over each cell's ``k``-ring, hottest first.

    Cells of ``area`` missing from ``values`` count as zero. With fewer than three cells, or
    no variation at all, every z-score is 0 and nothing is hot.
    """
    require_at_least("k", k, 1)
    alpha = require_positive("alpha", alpha)
    cells = set(values) | {str(c) for c in area}
    for cell in cells:
        if not geo.is_cell(cell):
            raise AnalyticsError(MSG_BAD_CELL, cell=cell)
    x = {cell: float(values.get(cell, 0.0)) for cell in cells}
    n = len(cells)
    mean = sum(x.values()) / n if n else 0.0
    variance = sum(v * v for v in x.values()) / n - mean * mean if n else 0.0
    s = math.sqrt(variance) if variance > 1e-12 else 0.0
    raw: list[tuple[str, float]] = []
    for cell in cells:
        neighbours = [c for c in geo.disk(cell, k) if c in x]
        weight = len(neighbours)
        local = sum(x[c] for c in neighbours)
        spread = (n * weight - weight * weight) / (n - 1) if n > 2 else 0.0
        z = (local - mean * weight) / (s * math.sqrt(spread)) if s > 0 and spread > 0 else 0.0
        raw.append((cell, z))
    p_values = [_normal_upper_tail(z) for _, z in raw]
    threshold = _benjamini_hochberg(p_values, alpha) if raw else -1.0
    scores = []
    for (cell, z), p in zip(raw, p_values, strict=True):
        lat, lon = geo.cell_centre(cell)
        scores.append(
            HotspotScore(
                cell=cell,
                tracks=round(x[cell]),
                gi_star=z,
                p_value=p,
                hot=z > 0 and p <= threshold,
                lat=lat,
                lon=lon,
            )
        )
    scores.sort(key=lambda s: (-s.gi_star, s.cell))
    return scores


def hotspot_scores(
    paths: Iterable[PathLike],
    resolution: int = 8,
    *,
    k: int = 1,
    area: Iterable[str] = (),
    alpha: float = 0.05,
    skipped: Skipped | None = None,
) -> list[HotspotScore]:
    """Gi* of the number of distinct tracks per cell (see the module's docstring)."""
    activity = cell_activity(paths, resolution, skipped=skipped)
    counts = {cell: float(len(a.tracks)) for cell, a in activity.items() if a.tracks}
    return gi_star(counts, k=k, area=area, alpha=alpha)
