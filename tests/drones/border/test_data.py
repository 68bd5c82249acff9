"""The shipped boundary lines: where they start and end, their direction, their length and how
far apart the two public sources are."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.border import Border
from paridad.drones.border.geometry import BOUNDARY_FILE, _projection

PACIFIC = (32.534, -117.124)
GULF = (25.956, -97.146)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    from pyproj import Geod

    return float(Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]) / 1000


def test_file_has_two_sourced_public_domain_lines() -> None:
    data = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    props = {f["properties"]["source"]: f["properties"] for f in data["features"]}
    assert set(props) == {"natural-earth", "census"}
    assert props["natural-earth"]["package"] == "world-atlas"
    assert props["census"]["package"] == "us-atlas"
    for p in props.values():
        assert p["licence"] == "public domain"
        assert p["version"] and p["file"].endswith(".json")
    for feature in data["features"]:
        coords = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "LineString"
        # Rounded to 1e-5 degree.
        assert all(round(v, 5) == v for point in coords for v in point)


@pytest.mark.parametrize("line", ["reference", "alternate"])
def test_lines_run_west_to_east_from_the_pacific_to_the_gulf(border: Border, line: str) -> None:
    coords = np.asarray(getattr(border, line).coords)
    (lon0, lat0), (lon1, lat1) = coords[0], coords[-1]
    assert _km(lat0, lon0, *PACIFIC) < 3
    assert _km(lat1, lon1, *GULF) < 3
    # West to east overall, and never wandering outside the border's latitudes.
    assert lon0 < lon1
    assert coords[:, 1].min() > 25.8 and coords[:, 1].max() < 32.8


@pytest.mark.parametrize("source", ["census", "natural-earth"])
def test_lengths_are_those_of_a_generalised_border(border: Border, source: str) -> None:
    # The treaty border is about 3,145 km following every meander of the Rio Grande; both
    # packaged lines are 1:10m generalisations that cut the meanders (measured: ~2,645 km).
    # Below 2,500 km a stretch would be missing; above 3,300 km the line would double back.
    assert 2_500_000 < border.length_m(source) < 3_300_000


def test_sources_agree_within_5_km_everywhere(border: Border) -> None:
    proj = _projection()
    for a, b in ((border.reference, border.alternate), (border.alternate, border.reference)):
        ca, cb = np.asarray(a.coords), np.asarray(b.coords)
        la = shapely.LineString(np.column_stack(proj.xy(ca[:, 0], ca[:, 1])))
        lb = shapely.LineString(np.column_stack(proj.xy(cb[:, 0], cb[:, 1])))
        samples = shapely.line_interpolate_point(la, np.linspace(0, la.length, 4000))
        gap = shapely.distance(lb, samples)
        assert gap.max() < 5_000
        # ...and they are not the same line: the band has something to measure.
        assert gap.max() > 1_000
