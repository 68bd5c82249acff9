"""GeoJSON (RFC 7946 order, closed counter-clockwise polygons, valid JSON) and KML 2.2 (parses
back, one placemark per feature, folders in the reader's language); malformed input is left
out and counted, never fatal."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from paridad.drones.analytics import geo
from paridad.drones.analytics.export import FOLDERS, GX_NS, KML_NS, iso, to_geojson, to_kml
from paridad.drones.analytics.hotspots import hotspot_scores, hotspots
from paridad.drones.analytics.sites import EXTRAPOLATED, SiteEstimate, launch_sites, repeat_sites
from paridad.i18n import LANGS, Lang, translate
from tests.drones.analytics.fakes import FakeCrossing, FakeTrack, flight, posix

SITE = (32.53, -116.93)
NS = {"k": KML_NS, "gx": GX_NS}


def _layers() -> tuple[list[FakeTrack], list[FakeCrossing]]:
    tracks = []
    crossings = []
    for i in range(3):
        start = posix(2024, 3, 6 + i, 2, zone="America/Tijuana")
        points = flight(*SITE, start=start, seconds=120, speed=8.0, climb=2.5, alt0=0.0, max_alt=90)
        tracks.append(FakeTrack(id=f"t{i}", points=points[10:], serial=f"SN{i}"))
        crossings.append(FakeCrossing(f"t{i}", start + 60, *geo.from_local(*SITE, 0, 480)))
    no_alt = flight(*SITE, start=posix(2024, 3, 9, 3), seconds=30, alt0=None)
    tracks.append(FakeTrack(id="no-alt", points=no_alt))
    tracks.append(FakeTrack(id="one", points=[(posix(2024, 3, 9, 4), *SITE, None)]))
    return tracks, crossings


def _malformed() -> tuple[list[FakeTrack], list[FakeCrossing]]:
    tracks = [
        FakeTrack(id="empty", points=[]),
        FakeTrack(id="nan", points=[(1.0, math.nan, -117.0, 1.0), (2.0, 32.0, math.inf, 1.0)]),
    ]
    crossings = [FakeCrossing("x", math.nan, 32.0, -117.0), FakeCrossing("y", 1.0, math.nan, 1.0)]
    return tracks, crossings


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def test_geojson_structure_and_order() -> None:
    tracks, crossings = _layers()
    spots = hotspots(tracks)
    sites = repeat_sites(launch_sites(tracks))
    bad_tracks, bad_crossings = _malformed()
    doc = to_geojson(tracks + bad_tracks, crossings + bad_crossings, spots, sites)
    json.dumps(doc, allow_nan=False)  # valid JSON: no NaN or infinity anywhere
    assert doc["type"] == "FeatureCollection"
    assert doc["skipped"] == {"tracks": 2, "points": 2, "crossings": 2, "sites": 0}
    kinds: dict[str, list[dict[str, Any]]] = {}
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        kinds.setdefault(feature["properties"]["kind"], []).append(feature)
    assert {k: len(v) for k, v in kinds.items()} == {
        "track": 5,
        "crossing": 3,
        "hotspot": len(spots),
        "repeat-site": 1,
    }
    first = kinds["track"][0]
    assert first["geometry"]["type"] == "LineString"
    lon, lat, alt = first["geometry"]["coordinates"][0]
    assert (lat, lon) == pytest.approx(tracks[0].points[0][1:3])  # [lon, lat], not [lat, lon]
    assert alt == pytest.approx(tracks[0].points[0][3])
    props = first["properties"]
    assert props["track_id"] == "t0" and props["serial"] == "SN0"
    assert props["sensors"] == ["rf-mx-1"] and props["countries"] == ["MX"]
    assert len(props["times"]) == len(first["geometry"]["coordinates"])
    assert props["times"][0] == iso(tracks[0].points[0][0]) and props["times"][0].endswith("Z")
    no_alt = next(f for f in kinds["track"] if f["id"] == "no-alt")
    assert all(len(p) == 2 for p in no_alt["geometry"]["coordinates"])
    single = next(f for f in kinds["track"] if f["id"] == "one")
    assert single["geometry"] == {"type": "Point", "coordinates": [SITE[1], SITE[0]]}
    for feature in kinds["hotspot"]:
        ring = feature["geometry"]["coordinates"][0]
        assert feature["geometry"]["type"] == "Polygon"
        assert ring[0] == ring[-1] and len(ring) == 7  # closed hexagon
        assert _signed_area(ring) > 0  # counter-clockwise exterior (right-hand rule)
        assert all(-118 < p[0] < -116 and 32 < p[1] < 33 for p in ring)
    crossing = kinds["crossing"][0]["properties"]
    assert crossing["track_id"] == "t0" and crossing["direction"] == "mx-to-us"
    site = kinds["repeat-site"][0]
    assert site["properties"]["count"] == 5  # every flight here starts at SITE
    assert site["geometry"]["coordinates"] == pytest.approx([SITE[1], SITE[0]], abs=1e-3)


def test_geojson_takes_scores_and_single_estimates_and_skips_bad_ones() -> None:
    tracks, _ = _layers()
    scores = hotspot_scores(tracks)
    estimate = SiteEstimate(*SITE, 40.0, EXTRAPOLATED, time=posix(2024, 3, 6, 9))
    bad = SiteEstimate(math.nan, 0.0, 40.0, EXTRAPOLATED)
    doc = to_geojson(hotspots=scores, sites=[estimate, bad])
    json.dumps(doc, allow_nan=False)
    assert doc["skipped"]["sites"] == 1
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds.count("hotspot") == len(scores) and kinds.count("site") == 1
    hot = next(f for f in doc["features"] if f["properties"]["kind"] == "hotspot")
    assert {"gi_star", "p_value", "hot"} <= set(hot["properties"])


def test_a_crossing_whose_serialisation_fails_is_still_drawn() -> None:
    class Broken(FakeCrossing):
        def to_dict(self) -> dict[str, Any]:
            raise RuntimeError("partner bug")

    doc = to_geojson(crossings=[Broken("t", 1_700_000_000.0, *SITE)])
    props = doc["features"][0]["properties"]
    assert props["track_id"] == "t" and props["time"] == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize("lang", LANGS)
def test_kml_parses_back_with_the_expected_placemarks(lang: Lang) -> None:
    tracks, crossings = _layers()
    spots = hotspots(tracks)
    sites = repeat_sites(launch_sites(tracks))
    bad_tracks, bad_crossings = _malformed()
    text = to_kml(tracks + bad_tracks, crossings + bad_crossings, spots, sites, lang=lang)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{{{KML_NS}}}kml"
    document = root.find("k:Document", NS)
    assert document is not None
    folders = {f.findtext("k:name", namespaces=NS): f for f in document.findall("k:Folder", NS)}
    assert set(folders) == {translate(name, lang) for name in FOLDERS.values()}

    def placemarks(key: str) -> list[ET.Element]:
        return folders[translate(FOLDERS[key], lang)].findall("k:Placemark", NS)

    assert len(placemarks("tracks")) == 5
    assert len(placemarks("crossings")) == 3
    assert len(placemarks("hotspots")) == len(spots)
    assert len(placemarks("sites")) == 1
    track = placemarks("tracks")[0].find("gx:Track", NS)
    assert track is not None
    whens = [w.text for w in track.findall("k:when", NS)]
    coords = [c.text or "" for c in track.findall("gx:coord", NS)]
    assert len(whens) == len(coords) == len(tracks[0].points)
    lon, lat, alt = (float(v) for v in coords[0].split())
    assert (lat, lon, alt) == pytest.approx(tracks[0].points[0][1:4])
    ring = placemarks("hotspots")[0].findtext(
        "k:Polygon/k:outerBoundaryIs/k:LinearRing/k:coordinates", namespaces=NS
    )
    assert ring is not None
    points = ring.split()
    assert points[0] == points[-1] and len(points) == 7
    stamp = placemarks("crossings")[0].findtext("k:TimeStamp/k:when", namespaces=NS)
    assert stamp == iso(crossings[0].time)
    skipped = {
        d.get("name"): d.findtext("k:value", namespaces=NS)
        for d in document.findall("k:ExtendedData/k:Data", NS)
    }
    assert skipped == {
        "skipped_tracks": "2",
        "skipped_points": "2",
        "skipped_crossings": "2",
        "skipped_sites": "0",
    }


def test_kml_folders_are_in_the_readers_language() -> None:
    spanish = ET.fromstring(to_kml(lang="es"))
    english = ET.fromstring(to_kml(lang="en"))
    names_es = [f.findtext("k:name", namespaces=NS) for f in spanish.iter(f"{{{KML_NS}}}Folder")]
    names_en = [f.findtext("k:name", namespaces=NS) for f in english.iter(f"{{{KML_NS}}}Folder")]
    assert names_en == list(FOLDERS.values())
    assert all(es != en for es, en in zip(names_es, names_en, strict=True))


def test_kml_escapes_data() -> None:
    track = FakeTrack(id='<b>&"x"', points=[(1_700_000_000.0, *SITE, 10.0)])
    root = ET.fromstring(to_kml([track], lang="en"))
    names = [e.text for e in root.iter(f"{{{KML_NS}}}name")]
    assert 'Track <b>&"x"' in names
