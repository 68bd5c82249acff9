"""Where a flight started and ended, and which of those places are used again and again.

Sensors rarely see a drone on the ground: it is picked up tens of metres up, already moving
away from its operator. So the launch site is estimated, from the strongest evidence first:

1. ``operator`` — a Remote ID System message carries the operator's own position; the one
   closest in time to the track's start (within ``operator_window_s``) is used when it lies
   within ``operator_radius_m`` of the kinematic estimate below (a position far away is more
   likely a spoofed or stale message than a pilot 2 km from where the drone took off).
   Uncertainty: the Remote ID horizontal accuracy, 30.5 m at 95% (14 CFR 89).
2. ``extrapolated`` — the first fix has a height above ground: the drone has been climbing
   for about ``height / climb_rate`` seconds (capped at ``max_extrapolation_s``); walk back
   along the velocity fitted to the first few fixes for that long. Uncertainty: the sensor's
   30 m plus half the distance walked, since the climb rate is a guess good to a factor of
   two either way (a drone that climbs vertically and only then flies off is not moving while
   it climbs).
3. ``first-point`` — no height, or a height at ground level, or no velocity: the first fix
   itself. On the ground it is good to the sensor's 30 m; with no height the drone may have
   flown for a while before it was seen: a median 80 m flying height at 2.5 m/s and a 12 m/s
   cruise (the domain notes) is ~380 m, so the uncertainty is 400 m.

Landing sites are the mirror image (last fixes, forward in time; ``last-point``).

Heights are taken as above ground level (Remote ID's height above take-off, or a sensor's
AGL); for altitudes above sea level pass ``ground_altitude_m``. Repeat sites cluster the
estimates with :func:`paridad.drones.analytics.clusters.cluster_within` (single linkage within
``radius_m``, linear in the number of estimates); a chain of sites each 150 m from the next
merges, which along a road is what an analyst wants to see anyway.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from paridad.drones.analytics import geo
from paridad.drones.analytics.clusters import ClusterStats, cluster_within
from paridad.drones.analytics.errors import require_at_least, require_positive
from paridad.drones.analytics.protocols import (
    Fix,
    OperatorPositions,
    PathLike,
    Skipped,
    finite_position,
    track_fixes,
    track_id,
    track_serial,
)
from paridad.drones.analytics.time_of_day import is_night
from paridad.i18n import N_

OPERATOR = "operator"
EXTRAPOLATED = "extrapolated"
FIRST_POINT = "first-point"
LAST_POINT = "last-point"
METHODS = (OPERATOR, EXTRAPOLATED, FIRST_POINT, LAST_POINT)
METHOD_LABELS = {
    OPERATOR: N_("operator position (Remote ID)"),
    EXTRAPOLATED: N_("extrapolated along the track"),
    FIRST_POINT: N_("first fix"),
    LAST_POINT: N_("last fix"),
}

SENSOR_UNCERTAINTY_M = 30.0
OPERATOR_UNCERTAINTY_M = 30.5
NO_HEIGHT_UNCERTAINTY_M = 400.0
TYPICAL_SPEED_MPS = 12.0
ON_GROUND_M = 5.0
VELOCITY_WINDOW_S = 10.0  # fit the velocity to the fixes of the first (last) ten seconds...
VELOCITY_MIN_FIXES = 3  # ...or to the first (last) three, whichever spans more
VELOCITY_MAX_SPAN_S = 60.0


@dataclass(frozen=True, slots=True)
class SiteEstimate:
    """An estimated launch or landing site and how it was estimated (see :data:`METHODS`)."""

    lat: float
    lon: float
    uncertainty_m: float
    method: str
    time: float | None = None  # estimated take-off (landing) time, POSIX seconds


@dataclass(frozen=True, slots=True)
class RepeatSite:
    """A place several flights started (or ended) from."""

    lat: float
    lon: float
    count: int
    track_ids: tuple[str, ...]
    first_time: float
    last_time: float
    night_share: float  # share of the flights that started (ended) in the dark
    radius_m: float  # distance from the centre to the furthest estimate


def _velocity(fixes: Sequence[Fix]) -> tuple[float, float] | None:
    """East and north m/s fitted (least squares) to the leading fixes, or None."""
    start = fixes[0]
    window = [f for f in fixes if f.time - start.time <= VELOCITY_WINDOW_S]
    if len(window) < VELOCITY_MIN_FIXES:
        window = [
            f for f in fixes[:VELOCITY_MIN_FIXES] if f.time - start.time <= VELOCITY_MAX_SPAN_S
        ]
    if len(window) < 2:
        return None
    times = [f.time - start.time for f in window]
    mean_t = sum(times) / len(times)
    spread = sum((t - mean_t) ** 2 for t in times)
    if spread < 0.25:  # all within a fraction of a second: no usable motion
        return None
    local = [geo.to_local(start.lat, start.lon, f.lat, f.lon) for f in window]
    mean_e = sum(e for e, _ in local) / len(local)
    mean_n = sum(n for _, n in local) / len(local)
    ve = sum((t - mean_t) * (e - mean_e) for t, (e, _) in zip(times, local, strict=True)) / spread
    vn = sum((t - mean_t) * (n - mean_n) for t, (_, n) in zip(times, local, strict=True)) / spread
    return ve, vn


def _kinematic(
    fixes: Sequence[Fix],
    rate: float,
    ground: float,
    max_back_s: float,
    plain_method: str,
) -> SiteEstimate:
    """The site behind ``fixes[0]`` going back in (``fixes``') time; the times may be negated."""
    first = fixes[0]
    if first.alt is None:
        return SiteEstimate(first.lat, first.lon, NO_HEIGHT_UNCERTAINTY_M, plain_method, first.time)
    height = first.alt - ground
    if height <= ON_GROUND_M:
        return SiteEstimate(first.lat, first.lon, SENSOR_UNCERTAINTY_M, plain_method, first.time)
    back_s = min(height / rate, max_back_s)
    velocity = _velocity(fixes)
    if velocity is None:
        spread = SENSOR_UNCERTAINTY_M + TYPICAL_SPEED_MPS * back_s
        return SiteEstimate(first.lat, first.lon, spread, plain_method, first.time - back_s)
    ve, vn = velocity
    lat, lon = geo.from_local(first.lat, first.lon, -ve * back_s, -vn * back_s)
    walked = math.hypot(ve, vn) * back_s
    return SiteEstimate(
        lat, lon, SENSOR_UNCERTAINTY_M + 0.5 * walked, EXTRAPOLATED, first.time - back_s
    )


def _operator_near(
    serial: str | None,
    operators: OperatorPositions | None,
    time: float,
    estimate: SiteEstimate,
    window_s: float,
    radius_m: float,
) -> SiteEstimate | None:
    if serial is None or not operators:
        return None
    best: tuple[float, float, float, float] | None = None  # (|dt|, time, lat, lon)
    for record in operators.get(serial, ()):
        try:
            when, lat, lon = (float(v) for v in record)
        except (TypeError, ValueError):
            continue
        position = finite_position(lat, lon)
        if position is None or position == (0.0, 0.0) or not math.isfinite(when):
            continue  # Remote ID sends 0, 0 for "operator position unknown"
        gap = abs(when - time)
        if gap <= window_s and (best is None or gap < best[0]):
            best = (gap, when, *position)
    if best is None:
        return None
    _, when, lat, lon = best
    if geo.distance_m(lat, lon, estimate.lat, estimate.lon) > radius_m:
        return None
    return SiteEstimate(lat, lon, OPERATOR_UNCERTAINTY_M, OPERATOR, estimate.time)


def _site(
    path: PathLike,
    *,
    landing: bool,
    rate: float,
    operators: OperatorPositions | None,
    ground_altitude_m: float,
    max_extrapolation_s: float,
    operator_radius_m: float,
    operator_window_s: float,
    skipped: Skipped | None,
) -> SiteEstimate | None:
    rate = require_positive("climb_rate_mps" if not landing else "descent_rate_mps", rate)
    max_back = require_positive("max_extrapolation_s", max_extrapolation_s)
    fixes = track_fixes(path, skipped)
    if not fixes:
        return None
    if landing:  # run time backwards: the last fix becomes the first
        mirrored = [Fix(-f.time, f.lat, f.lon, f.alt) for f in reversed(fixes)]
        found = _kinematic(mirrored, rate, ground_altitude_m, max_back, LAST_POINT)
        estimate = SiteEstimate(
            found.lat,
            found.lon,
            found.uncertainty_m,
            found.method,
            None if found.time is None else -found.time,
        )
        anchor = fixes[-1].time
    else:
        estimate = _kinematic(fixes, rate, ground_altitude_m, max_back, FIRST_POINT)
        anchor = fixes[0].time
    operator = _operator_near(
        track_serial(path), operators, anchor, estimate, operator_window_s, operator_radius_m
    )
    return operator or estimate


def launch_site(
    path: PathLike,
    *,
    climb_rate_mps: float = 2.5,
    operators: OperatorPositions | None = None,
    ground_altitude_m: float = 0.0,
    max_extrapolation_s: float = 120.0,
    operator_radius_m: float = 500.0,
    operator_window_s: float = 300.0,
    skipped: Skipped | None = None,
) -> SiteEstimate | None:
    """Where ``path`` most likely took off (see the module's docstring); None with no fix."""
    return _site(
        path,
        landing=False,
        rate=climb_rate_mps,
        operators=operators,
        ground_altitude_m=ground_altitude_m,
        max_extrapolation_s=max_extrapolation_s,
        operator_radius_m=operator_radius_m,
        operator_window_s=operator_window_s,
        skipped=skipped,
    )


def landing_site(
    path: PathLike,
    *,
    descent_rate_mps: float = 2.0,
    operators: OperatorPositions | None = None,
    ground_altitude_m: float = 0.0,
    max_extrapolation_s: float = 120.0,
    operator_radius_m: float = 500.0,
    operator_window_s: float = 300.0,
    skipped: Skipped | None = None,
) -> SiteEstimate | None:
    """Where ``path`` most likely landed: the mirror of :func:`launch_site`."""
    return _site(
        path,
        landing=True,
        rate=descent_rate_mps,
        operators=operators,
        ground_altitude_m=ground_altitude_m,
        max_extrapolation_s=max_extrapolation_s,
        operator_radius_m=operator_radius_m,
        operator_window_s=operator_window_s,
        skipped=skipped,
    )


def launch_sites(
    paths: Iterable[PathLike],
    *,
    operators: OperatorPositions | None = None,
    landing: bool = False,
    skipped: Skipped | None = None,
) -> list[tuple[str, float, SiteEstimate]]:
    """``(track id, time, estimate)`` for every path with a fix: the input of
    :func:`repeat_sites`. ``landing=True`` gives landing sites instead."""
    out: list[tuple[str, float, SiteEstimate]] = []
    for path in paths:
        if landing:
            estimate = landing_site(path, operators=operators, skipped=skipped)
        else:
            estimate = launch_site(path, operators=operators, skipped=skipped)
        if estimate is not None and estimate.time is not None:
            out.append((track_id(path), estimate.time, estimate))
    return out


def repeat_sites(
    estimates: Iterable[tuple[str, float, SiteEstimate]],
    radius_m: float = 150,
    min_count: int = 2,
    *,
    stats: ClusterStats | None = None,
    skipped: Skipped | None = None,
) -> list[RepeatSite]:
    """Clusters of estimated sites within ``radius_m`` (single linkage) used at least
    ``min_count`` times, most used first. An estimate with a non-finite position or time is
    skipped (counted in ``skipped.sites``)."""
    radius = require_positive("radius_m", radius_m)
    require_at_least("min_count", min_count, 1)
    rows: list[tuple[str, float, float, float]] = []
    for item in estimates:
        try:
            ident, time, site = item
            position = finite_position(site.lat, site.lon)
            when = float(time)
        except (TypeError, ValueError, AttributeError):
            position, when = None, math.nan
        if position is None or not math.isfinite(when):
            if skipped is not None:
                skipped.sites += 1
            continue
        rows.append((str(ident), when, *position))
    labels = cluster_within([r[2] for r in rows], [r[3] for r in rows], radius, stats)
    groups: dict[int, list[tuple[str, float, float, float]]] = {}
    for row, label in zip(rows, labels, strict=True):
        groups.setdefault(label, []).append(row)
    found: list[RepeatSite] = []
    for members in groups.values():
        if len(members) < min_count:
            continue
        members.sort(key=lambda r: r[1])
        lat, lon = geo.centre_of([(r[2], r[3]) for r in members])
        found.append(
            RepeatSite(
                lat=lat,
                lon=lon,
                count=len(members),
                track_ids=tuple(r[0] for r in members),
                first_time=members[0][1],
                last_time=members[-1][1],
                night_share=sum(is_night(r[1], r[2], r[3]) for r in members) / len(members),
                radius_m=max(geo.distance_m(lat, lon, r[2], r[3]) for r in members),
            )
        )
    found.sort(key=lambda s: (-s.count, s.first_time))
    return found
