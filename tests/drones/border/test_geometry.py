"""Signed distances, the ambiguity band and sides, against places whose side is not in doubt,
against an exhaustive computation, and with malformed input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.border import Border, BorderDataError, InvalidPosition
from paridad.drones.border.geometry import BOUNDARY_FILE, _projection
from paridad.drones.border.ports import PORTS_FILE

# (name, lat, lon, expected sign, smallest and largest plausible |distance| in metres).
# Bounds are generous: city centres are a few km from the river or the fence, and the
# packaged line is generalised by up to ~2 km along the Rio Grande.
PLACES = [
    ("San Diego downtown", 32.7157, -117.1611, +1, 15_000, 30_000),
    ("Tijuana centre", 32.5149, -117.0382, -1, 1_000, 6_000),
    ("El Paso downtown", 31.7587, -106.4869, +1, 200, 4_000),
    ("Ciudad Juárez centre", 31.7200, -106.4600, -1, 1_000, 8_000),
    ("Laredo downtown", 27.5306, -99.4803, +1, 1_000, 8_000),
    ("Nuevo Laredo centre", 27.4763, -99.5164, -1, 500, 6_000),
    ("Brownsville downtown", 25.9017, -97.4975, +1, 200, 5_000),
    ("Matamoros centre", 25.8690, -97.5027, -1, 500, 6_000),
    ("Tucson", 32.2226, -110.9747, +1, 90_000, 110_000),
    ("Hermosillo", 29.0729, -110.9559, -1, 230_000, 270_000),
]


@pytest.mark.parametrize(("name", "lat", "lon", "sign", "low", "high"), PLACES)
def test_known_places_have_the_right_side_and_distance(
    border: Border, name: str, lat: float, lon: float, sign: int, low: float, high: float
) -> None:
    d = float(border.signed_distance_m(lat, lon))
    assert np.sign(d) == sign, name
    assert low <= abs(d) <= high, (name, d)


def test_clear_cases_are_us_or_mx_and_not_band(border: Border) -> None:
    lat = np.array([32.7157, 32.5149, 32.2226, 29.0729])
    lon = np.array([-117.1611, -117.0382, -110.9747, -110.9559])
    assert border.side(lat, lon).tolist() == ["US", "MX", "US", "MX"]


def test_shapes_follow_the_input(border: Border) -> None:
    scalar = border.signed_distance_m(32.7, -117.1)
    assert isinstance(scalar, np.ndarray) and scalar.shape == ()
    grid = border.signed_distance_m(np.full((3, 4), 32.0), np.linspace(-111, -110, 4))
    assert grid.shape == (3, 4)
    assert border.ambiguity_m([32.0, 31.5], [-111.0, -110.0]).shape == (2,)
    sides = border.side([[32.7, 28.0]], [[-117.1, -105.0]])
    assert sides.shape == (1, 2) and sides.dtype.kind == "U"
    assert border.signed_distance_m(np.array([]), np.array([])).shape == (0,)


def test_distances_match_an_exhaustive_search(border: Border) -> None:
    """The k-d tree shortcut against shapely's brute-force distance to the whole line, and the
    sign against a polygon closing the line to the north, on points from 1 m to 100 km away."""
    rng = np.random.default_rng(11)
    coords = np.asarray(border.reference.coords)
    i = rng.integers(0, len(coords) - 1, 5000)
    f = rng.random(5000)
    lon = coords[i, 0] + f * (coords[i + 1, 0] - coords[i, 0])
    lat = coords[i, 1] + f * (coords[i + 1, 1] - coords[i, 1])
    spread = rng.choice([1e-5, 1e-3, 1e-2, 0.1, 1.0], 5000)
    lat = lat + rng.normal(0, 1, 5000) * spread
    lon = lon + rng.normal(0, 1, 5000) * spread
    d = border.signed_distance_m(lat, lon)

    proj = _projection()
    x, y = proj.xy(lon, lat)
    line_xy = np.column_stack(proj.xy(coords[:, 0], coords[:, 1]))
    exact = shapely.distance(shapely.LineString(line_xy), shapely.points(x, y)) / proj.scale(lat)
    assert np.abs(np.abs(d) - exact).max() < 0.5

    far = 5e6
    north = shapely.Polygon(
        np.vstack(
            [
                line_xy,
                [line_xy[-1, 0] + far, line_xy[-1, 1]],
                [line_xy[-1, 0] + far, line_xy[-1, 1] + far],
                [line_xy[0, 0] - far, line_xy[0, 1] + far],
                [line_xy[0, 0] - far, line_xy[0, 1]],
            ]
        )
    )
    inside = shapely.contains_xy(north, x, y)
    clear = np.abs(d) > 1.0
    assert np.array_equal(inside[clear], d[clear] > 0)


def test_distance_is_metres_on_the_ground(border: Border) -> None:
    """10 km due north of a point of the straight 31°20' N stretch is 10 km from the line."""
    from pyproj import Geod

    lon, lat, _ = Geod(ellps="WGS84").fwd(-110.5, 31.3323, 0.0, 10_000.0)
    assert float(border.signed_distance_m(lat, lon)) == pytest.approx(10_000, abs=30)


def test_band_is_at_least_the_margin_and_covers_the_other_source(border: Border) -> None:
    rng = np.random.default_rng(5)
    lon = rng.uniform(-117, -97.2, 2000)
    lat = np.interp(lon, *np.asarray(border.reference.coords).T)
    band = border.ambiguity_m(lat, lon)
    assert band.min() >= border.margin_m
    assert band.max() < 5_000 + border.margin_m
    # Every vertex of the Natural Earth line lies inside the band: the band is exactly the
    # disagreement of the sources.
    alt = np.asarray(border.alternate.coords)
    assert set(border.side(alt[:, 1], alt[:, 0]).tolist()) == {"band"}


def test_band_widens_where_the_sources_disagree(border: Border) -> None:
    # Straight surveyed line near Nogales: the sources nearly agree. Lower Rio Grande: they
    # disagree by kilometres.
    nogales = float(border.ambiguity_m(31.333, -110.94))
    valley = float(border.ambiguity_m(26.19, -98.37))
    assert nogales < 1_000 < valley


def test_a_different_margin_shifts_the_band(border: Border) -> None:
    wide = Border(border.reference, border.alternate, border.ports, margin_m=550.0)
    lat, lon = 31.333, -110.94
    assert float(wide.ambiguity_m(lat, lon)) == pytest.approx(
        float(border.ambiguity_m(lat, lon)) + 500.0
    )


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(float("nan"), -110.0), (31.0, float("inf")), (91.0, -110.0), (31.0, -181.0), ("x", 1.0)],
)
def test_bad_positions_raise_a_clear_error(border: Border, lat: object, lon: object) -> None:
    with pytest.raises(InvalidPosition) as err:
        border.signed_distance_m(lat, lon)  # type: ignore[arg-type]
    assert "Invalid position" in str(err.value)
    assert err.value.msgid.startswith("Invalid position")


def test_mismatched_shapes_raise(border: Border) -> None:
    with pytest.raises(InvalidPosition, match="3 latitudes and 2 longitudes"):
        border.signed_distance_m([31.0, 31.1, 31.2], [-110.0, -110.1])


def test_scalar_queries_refuse_arrays(border: Border) -> None:
    with pytest.raises(InvalidPosition, match="One position"):
        border.nearest_port([31.0, 31.1], [-110.0, -110.1])  # type: ignore[arg-type]
    with pytest.raises(InvalidPosition, match="One position"):
        border.sector([31.0, 31.1], [-110.0, -110.1])  # type: ignore[arg-type]


def _write_boundary(tmp_path: Path, features: list[dict[str, object]]) -> Path:
    path = tmp_path / "boundary.json"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(source: str, coords: object) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"source": source},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


GOOD = [[-117.0, 32.5], [-110.0, 31.3], [-97.2, 26.0]]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([_feature("census", GOOD)], "no LineString with source natural-earth"),
        ([_feature("census", GOOD[::-1]), _feature("natural-earth", GOOD)], "west to east"),
        ([_feature("census", GOOD[:1]), _feature("natural-earth", GOOD)], "at least two"),
        (
            [_feature("census", [[-117.0, 95.0], [-97.0, 26.0]]), _feature("natural-earth", GOOD)],
            "at least two",
        ),
        ([_feature("census", "nope"), _feature("natural-earth", GOOD)], "at least two"),
    ],
)
def test_malformed_boundary_files_are_refused(
    tmp_path: Path, features: list[dict[str, object]], message: str
) -> None:
    path = _write_boundary(tmp_path, features)
    with pytest.raises(BorderDataError, match=message):
        Border.from_files(path, PORTS_FILE)


def test_unreadable_or_foreign_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(BorderDataError, match="Cannot read"):
        Border.from_files(tmp_path / "missing.json", PORTS_FILE)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(BorderDataError, match="Cannot read"):
        Border.from_files(bad, PORTS_FILE)
    bad.write_text(json.dumps({"type": "Topology"}))
    with pytest.raises(BorderDataError, match="not a GeoJSON FeatureCollection"):
        Border.from_files(bad, PORTS_FILE)


def test_negative_margin_is_refused(border: Border) -> None:
    with pytest.raises(BorderDataError, match="margin"):
        Border(border.reference, border.alternate, border.ports, margin_m=-1.0)


def test_a_small_valid_border_works(tmp_path: Path) -> None:
    path = _write_boundary(
        tmp_path,
        [_feature("census", GOOD), _feature("natural-earth", [[-117.0, 32.51], [-97.2, 26.01]])],
    )
    small = Border.from_files(path, PORTS_FILE, margin_m=10.0)
    assert float(small.signed_distance_m(33.0, -115.0)) > 0
    assert float(small.signed_distance_m(28.0, -105.0)) < 0  # the line is at ~29.2° N there


def test_the_shipped_border_is_built_once() -> None:
    assert Border.load() is Border.load()
    assert BOUNDARY_FILE.exists()
