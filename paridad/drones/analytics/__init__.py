"""Drone analytics: where drones fly (H3 hotspots and their significance), where they take
off and land, which sites are reused, when they fly, and the reports and maps analysts on both
sides read. The inputs are the tracker's tracks and the border's crossing events, read through
small protocols (:mod:`paridad.drones.analytics.protocols`) so this package depends on neither.
See ``docs/drone-analytics.md``.
"""

from __future__ import annotations

from paridad.drones.analytics.clusters import ClusterStats, cluster_within
from paridad.drones.analytics.errors import AnalyticsError
from paridad.drones.analytics.export import to_geojson, to_kml
from paridad.drones.analytics.hotspots import (
    Hotspot,
    HotspotScore,
    gi_star,
    hotspot_scores,
    hotspots,
)
from paridad.drones.analytics.protocols import (
    CrossingLike,
    Fix,
    OperatorPositions,
    PathLike,
    Skipped,
    clean_points,
)
from paridad.drones.analytics.report import incident_report
from paridad.drones.analytics.sites import (
    RepeatSite,
    SiteEstimate,
    landing_site,
    launch_site,
    launch_sites,
    repeat_sites,
)
from paridad.drones.analytics.time_of_day import (
    TimeOfDay,
    border_zone,
    is_night,
    solar_elevation,
    time_of_day,
)

__all__ = [
    "AnalyticsError",
    "ClusterStats",
    "CrossingLike",
    "Fix",
    "Hotspot",
    "HotspotScore",
    "OperatorPositions",
    "PathLike",
    "RepeatSite",
    "SiteEstimate",
    "Skipped",
    "TimeOfDay",
    "border_zone",
    "clean_points",
    "cluster_within",
    "gi_star",
    "hotspot_scores",
    "hotspots",
    "incident_report",
    "is_night",
    "landing_site",
    "launch_site",
    "launch_sites",
    "repeat_sites",
    "solar_elevation",
    "time_of_day",
    "to_geojson",
    "to_kml",
]
