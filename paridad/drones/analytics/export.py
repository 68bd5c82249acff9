"""Maps out: GeoJSON (RFC 7946) for web maps and GIS, KML 2.2 for Google Earth and the C2
consoles that import it (the post-incident "forensic export" of the counter-UAS products).

Both take the same four layers — tracks, crossings, hotspots, sites — and leave out what
cannot be drawn (a track with no valid fix, a crossing with a NaN position), reporting how many
of each they left out: GeoJSON in a top-level ``"skipped"`` member (RFC 7946 §6.1 allows
foreign members), KML in the document's ``ExtendedData``. A map that silently loses a track is
worse than one that says it did.

Positions are ``[lon, lat]`` (``[lon, lat, alt]`` when every fix of a track has an altitude),
as RFC 7946 and KML both require; hotspot polygons are the H3 boundary as a closed,
counter-clockwise ring. KML is written with :mod:`xml.etree.ElementTree`, so names and
identifiers from the data are escaped by the library, never by string pasting.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from paridad.drones.analytics import geo
from paridad.drones.analytics.hotspots import Hotspot, HotspotScore
from paridad.drones.analytics.protocols import (
    CrossingLike,
    Fix,
    PathLike,
    Skipped,
    crossing_position,
    names,
    track_fixes,
    track_id,
    track_serial,
    valid_crossings,
)
from paridad.drones.analytics.sites import METHOD_LABELS, RepeatSite, SiteEstimate
from paridad.i18n import N_, Lang, translate

KML_NS = "http://www.opengis.net/kml/2.2"
GX_NS = "http://www.google.com/kml/ext/2.2"

FOLDERS = {
    "tracks": N_("Drone tracks"),
    "crossings": N_("Border crossings"),
    "hotspots": N_("Hotspots"),
    "sites": N_("Launch sites"),
}
DOCUMENT_NAME = N_("Drone activity")
DIRECTIONS = {
    "mx-to-us": N_("Mexico to United States"),
    "us-to-mx": N_("United States to Mexico"),
}
TRACK_NAME = N_("Track {track}")
CROSSING_NAME = N_("Crossing of {track}: {direction}")
HOTSPOT_NAME = N_("Cell {cell}: {tracks} tracks")
SITE_NAME = N_("Site used {count} times")
ESTIMATE_NAME = N_("Estimated site ({method})")

HotspotLike = Hotspot | HotspotScore
SiteLike = RepeatSite | SiteEstimate


def iso(time: float) -> str:
    """POSIX seconds as ISO-8601 UTC with a ``Z`` (milliseconds only when there are any)."""
    moment = datetime.fromtimestamp(time, tz=UTC)
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec).replace("+00:00", "Z")


def _positions(fixes: list[Fix]) -> list[list[float]]:
    with_alt = all(f.alt is not None for f in fixes)
    if with_alt:
        return [[f.lon, f.lat, float(f.alt or 0.0)] for f in fixes]
    return [[f.lon, f.lat] for f in fixes]


def _site_ok(site: object) -> bool:
    return all(
        isinstance(getattr(site, name, None), int | float)
        and math.isfinite(float(getattr(site, name)))
        for name in ("lat", "lon")
    )


def _hotspot_ok(hotspot: object) -> bool:
    cell = getattr(hotspot, "cell", None)
    return isinstance(cell, str) and geo.is_cell(cell)


def _finite(value: float) -> float | None:
    """JSON has no NaN: a non-finite number becomes null."""
    return value if math.isfinite(value) else None


def _track_feature(path: PathLike, fixes: list[Fix]) -> dict[str, Any]:
    positions = _positions(fixes)
    geometry: dict[str, Any] = (
        {"type": "LineString", "coordinates": positions}
        if len(positions) >= 2
        else {"type": "Point", "coordinates": positions[0]}
    )
    return {
        "type": "Feature",
        "id": track_id(path),
        "geometry": geometry,
        "properties": {
            "kind": "track",
            "track_id": track_id(path),
            "serial": track_serial(path),
            "sensors": list(names(getattr(path, "sensors", None))),
            "countries": list(names(getattr(path, "countries", None))),
            "times": [iso(f.time) for f in fixes],
            "start": iso(fixes[0].time),
            "end": iso(fixes[-1].time),
        },
    }


def _crossing_feature(crossing: CrossingLike) -> dict[str, Any]:
    lat, lon = crossing_position(crossing) or (math.nan, math.nan)
    try:
        properties = dict(crossing.to_dict())
    except Exception:  # a partner's object: its own serialisation must not stop the map
        properties = {
            "track_id": str(crossing.track_id),
            "time": iso(float(crossing.time)),
            "direction": str(crossing.direction),
            "sector": str(crossing.sector),
        }
    properties["kind"] = "crossing"
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }


def _hotspot_feature(hotspot: HotspotLike) -> dict[str, Any]:
    properties: dict[str, Any] = {"kind": "hotspot", "cell": hotspot.cell, "tracks": hotspot.tracks}
    if isinstance(hotspot, Hotspot):
        properties |= {
            "resolution": hotspot.resolution,
            "track_ids": list(hotspot.track_ids),
            "points": hotspot.points,
            "crossings": hotspot.crossings,
            "first_time": iso(hotspot.first_time) if math.isfinite(hotspot.first_time) else None,
            "last_time": iso(hotspot.last_time) if math.isfinite(hotspot.last_time) else None,
        }
    else:
        properties |= {
            "gi_star": _finite(hotspot.gi_star),
            "p_value": _finite(hotspot.p_value),
            "hot": hotspot.hot,
        }
    return {
        "type": "Feature",
        "id": hotspot.cell,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[list(p) for p in geo.cell_ring(hotspot.cell)]],
        },
        "properties": properties,
    }


def _site_feature(site: SiteLike) -> dict[str, Any]:
    if isinstance(site, RepeatSite):
        properties: dict[str, Any] = {
            "kind": "repeat-site",
            "count": site.count,
            "track_ids": list(site.track_ids),
            "first_time": iso(site.first_time),
            "last_time": iso(site.last_time),
            "night_share": _finite(site.night_share),
            "radius_m": _finite(site.radius_m),
        }
    else:
        properties = {
            "kind": "site",
            "method": site.method,
            "uncertainty_m": _finite(site.uncertainty_m),
            "time": iso(site.time) if site.time is not None and math.isfinite(site.time) else None,
        }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
        "properties": properties,
    }


def to_geojson(
    paths: Iterable[PathLike] = (),
    crossings: Iterable[CrossingLike] = (),
    hotspots: Iterable[HotspotLike] = (),
    sites: Iterable[SiteLike] = (),
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the four layers; ``"skipped"`` counts what was left out.

    Every feature's ``properties.kind`` says its layer: ``track``, ``crossing``, ``hotspot``,
    ``repeat-site`` or ``site``.
    """
    skipped = Skipped()
    features: list[dict[str, Any]] = []
    for path in paths:
        fixes = track_fixes(path, skipped)
        if fixes:
            features.append(_track_feature(path, fixes))
    features += [_crossing_feature(c) for c in valid_crossings(crossings, skipped)]
    for hotspot in hotspots:
        if _hotspot_ok(hotspot):
            features.append(_hotspot_feature(hotspot))
        else:
            skipped.sites += 1
    for site in sites:
        if _site_ok(site):
            features.append(_site_feature(site))
        else:
            skipped.sites += 1
    return {"type": "FeatureCollection", "features": features, "skipped": skipped.as_dict()}


# --- KML --------------------------------------------------------------------------------------


def _k(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _gx(tag: str) -> str:
    return f"{{{GX_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _extended(parent: ET.Element, values: dict[str, object]) -> None:
    data = _sub(parent, _k("ExtendedData"))
    for key, value in values.items():
        item = _sub(data, _k("Data"))
        item.set("name", key)
        _sub(item, _k("value"), "" if value is None else str(value))


def _coords(lon: float, lat: float, alt: float | None = None) -> str:
    return f"{lon!r},{lat!r}" if alt is None else f"{lon!r},{lat!r},{alt!r}"


def _kml_track(folder: ET.Element, path: PathLike, fixes: list[Fix], lang: Lang) -> None:
    placemark = _sub(folder, _k("Placemark"))
    _sub(placemark, _k("name"), translate(TRACK_NAME, lang, track=track_id(path)))
    _extended(
        placemark,
        {
            "track_id": track_id(path),
            "serial": track_serial(path),
            "sensors": ", ".join(names(getattr(path, "sensors", None))),
            "countries": ", ".join(names(getattr(path, "countries", None))),
        },
    )
    track = _sub(placemark, _gx("Track"))
    with_alt = all(f.alt is not None for f in fixes)
    _sub(track, _k("altitudeMode"), "relativeToGround" if with_alt else "clampToGround")
    for fix in fixes:
        _sub(track, _k("when"), iso(fix.time))
    for fix in fixes:
        alt = fix.alt if with_alt and fix.alt is not None else 0.0
        _sub(track, _gx("coord"), f"{fix.lon!r} {fix.lat!r} {alt!r}")


def _kml_point(
    folder: ET.Element,
    name: str,
    lon: float,
    lat: float,
    values: dict[str, object],
    when: str | None = None,
) -> ET.Element:
    """A point placemark, its children in the schema's order (name, time, data, geometry)."""
    placemark = _sub(folder, _k("Placemark"))
    _sub(placemark, _k("name"), name)
    if when is not None:
        _sub(_sub(placemark, _k("TimeStamp")), _k("when"), when)
    _extended(placemark, values)
    point = _sub(placemark, _k("Point"))
    _sub(point, _k("coordinates"), _coords(lon, lat))
    return placemark


def to_kml(
    paths: Iterable[PathLike] = (),
    crossings: Iterable[CrossingLike] = (),
    hotspots: Iterable[HotspotLike] = (),
    sites: Iterable[SiteLike] = (),
    *,
    lang: Lang,
) -> str:
    """A KML 2.2 document with one folder per layer, named in ``lang``; tracks are
    ``gx:Track`` (a time-stamped position per fix, so Google Earth can replay the flight)."""
    ET.register_namespace("", KML_NS)
    ET.register_namespace("gx", GX_NS)
    skipped = Skipped()
    root = ET.Element(_k("kml"))
    document = _sub(root, _k("Document"))
    _sub(document, _k("name"), translate(DOCUMENT_NAME, lang))
    counts = _sub(document, _k("ExtendedData"))  # filled at the end; the schema wants it here
    folders = {key: _sub(document, _k("Folder")) for key in FOLDERS}
    for key, folder in folders.items():
        _sub(folder, _k("name"), translate(FOLDERS[key], lang))
    for path in paths:
        fixes = track_fixes(path, skipped)
        if fixes:
            _kml_track(folders["tracks"], path, fixes, lang)
    for crossing in valid_crossings(crossings, skipped):
        lat, lon = crossing_position(crossing) or (math.nan, math.nan)
        direction = str(crossing.direction)
        shown = translate(DIRECTIONS[direction], lang) if direction in DIRECTIONS else direction
        name = translate(CROSSING_NAME, lang, track=crossing.track_id, direction=shown)
        _kml_point(
            folders["crossings"],
            name,
            lon,
            lat,
            {"track_id": crossing.track_id, "direction": direction, "sector": crossing.sector},
            when=iso(float(crossing.time)),
        )
    for hotspot in hotspots:
        if not _hotspot_ok(hotspot):
            skipped.sites += 1
            continue
        placemark = _sub(folders["hotspots"], _k("Placemark"))
        _sub(
            placemark,
            _k("name"),
            translate(HOTSPOT_NAME, lang, cell=hotspot.cell, tracks=hotspot.tracks),
        )
        _extended(placemark, {"cell": hotspot.cell, "tracks": hotspot.tracks})
        polygon = _sub(placemark, _k("Polygon"))
        ring = _sub(_sub(polygon, _k("outerBoundaryIs")), _k("LinearRing"))
        text = " ".join(_coords(lon, lat) for lon, lat in geo.cell_ring(hotspot.cell))
        _sub(ring, _k("coordinates"), text)
    for site in sites:
        if not _site_ok(site):
            skipped.sites += 1
            continue
        if isinstance(site, RepeatSite):
            name = translate(SITE_NAME, lang, count=site.count)
            values: dict[str, object] = {
                "count": site.count,
                "track_ids": ", ".join(site.track_ids),
                "radius_m": round(site.radius_m, 1),
                "night_share": round(site.night_share, 3),
            }
        else:
            method = METHOD_LABELS.get(site.method)
            shown = translate(method, lang) if method else site.method
            name = translate(ESTIMATE_NAME, lang, method=shown)
            values = {"method": site.method, "uncertainty_m": round(site.uncertainty_m, 1)}
        _kml_point(folders["sites"], name, site.lon, site.lat, values)
    for key, value in skipped.as_dict().items():
        item = _sub(counts, _k("Data"))
        item.set("name", f"skipped_{key}")
        _sub(item, _k("value"), str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
