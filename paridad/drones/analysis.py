"""The analyst's view of a set of tracks: hotspots, launch sites and their reuse, maps and the
incident report — the analytics package applied with the node's defaults, computed once and
offered in every format (GeoJSON, KML, Markdown)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from paridad.drones.analytics import (
    Hotspot,
    OperatorPositions,
    RepeatSite,
    hotspots,
    incident_report,
    launch_sites,
    repeat_sites,
    to_geojson,
    to_kml,
)
from paridad.drones.border import CrossingEvent
from paridad.drones.tracking import Track
from paridad.i18n import Lang


@dataclass
class Analysis:
    tracks: Sequence[Track]
    crossings: Sequence[CrossingEvent]
    hotspots: list[Hotspot]
    repeat_sites: list[RepeatSite]
    operators: OperatorPositions | None = None

    def geojson(self) -> dict[str, Any]:
        return to_geojson(self.tracks, self.crossings, self.hotspots, self.repeat_sites)

    def kml(self, lang: Lang) -> str:
        return to_kml(self.tracks, self.crossings, self.hotspots, self.repeat_sites, lang=lang)

    def report(self, lang: Lang, title: str | None = None) -> str:
        return incident_report(
            self.tracks,
            self.crossings,
            lang=lang,
            title=title,
            hotspots=self.hotspots,
            sites=self.repeat_sites,
            operators=self.operators,
        )


def analyse(
    tracks: Sequence[Track],
    crossings: Sequence[CrossingEvent],
    operators: OperatorPositions | None = None,
) -> Analysis:
    sites = launch_sites(tracks, operators=operators)
    return Analysis(
        tracks=tracks,
        crossings=crossings,
        hotspots=hotspots(tracks, crossings=crossings),
        repeat_sites=repeat_sites(sites),
        operators=operators,
    )
