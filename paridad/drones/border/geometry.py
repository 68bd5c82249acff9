"""The US–Mexico boundary in metres: signed distances, the ambiguity band, sides and ports.

The reference line is the US Census boundary (``source: census`` in ``data/boundary.json``):
it is the US government's own cartographic line, and at the land ports of entry it lies closer
to the real crossings than Natural Earth does (median 0.12 km against 0.77 km over the 47
ports). Natural Earth is kept only to size the ambiguity band: where the two public sources
disagree, nobody should be told a drone crossed until it is clear of both.

Distances are measured in a Lambert conformal conic projection fitted to the border (standard
parallels 27° and 32.5° N, central meridian 106° W), corrected by the projection's scale factor
at each point's latitude (at most about 0.1 %), so they are metres on the ground to well under
a metre per kilometre. The nearest point of the line is found with a k-d tree over the line's
vertices densified every 50 m and an exact projection onto the two segments beside the nearest
vertex; this agrees with an exhaustive search to centimetres and handles a few hundred thousand
points per second on one core, which a busy night of sensor tracks needs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely  # type: ignore[import-untyped,unused-ignore]
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Proj, Transformer
from scipy.spatial import cKDTree  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.border.errors import (
    MSG_BAD_LINE,
    MSG_BAD_MARGIN,
    MSG_BAD_POSITION,
    MSG_LINE_DIRECTION,
    MSG_NO_LINE,
    MSG_NO_PORTS,
    MSG_NOT_GEOJSON,
    MSG_NOT_ONE_POSITION,
    MSG_SHAPES,
    MSG_UNREADABLE,
    BorderDataError,
    InvalidPosition,
)
from paridad.drones.border.ports import PORTS_FILE, Port, load_ports
from paridad.drones.border.sectors import sector_at_longitude

BOUNDARY_FILE = Path(__file__).parent / "data" / "boundary.json"
REFERENCE_SOURCE = "census"
ALTERNATE_SOURCE = "natural-earth"

# A Lambert conformal conic along the border: conformal, so local distances and angles hold.
PROJECTION = (
    "+proj=lcc +lat_1=27 +lat_2=32.5 +lat_0=29.5 +lon_0=-106 +datum=WGS84 +units=m +no_defs"
)
DEFAULT_MARGIN_M = 50.0
DEFAULT_WINDOW_M = 1000.0
_DENSIFY_M = 50.0  # vertex spacing of the k-d tree over each line
_BAND_STEP_M = 100.0  # spacing of the ambiguity table along the reference line

FloatArray = NDArray[np.float64]

_GEOD = Geod(ellps="WGS84")


class _Projection:
    """Forward and inverse LCC transforms plus the scale factor as a function of latitude."""

    def __init__(self) -> None:
        self.forward = Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)
        self.inverse = Transformer.from_crs(PROJECTION, "EPSG:4326", always_xy=True)
        # For a conic projection the scale factor depends on latitude only; tabulate it so that
        # correcting a million distances is one interpolation.
        self._lats = np.linspace(-89.0, 89.0, 1781)
        factors = Proj(PROJECTION).get_factors(np.full_like(self._lats, -106.0), self._lats)
        self._scale = np.asarray(factors.meridional_scale, dtype=np.float64)

    def xy(self, lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
        x, y = self.forward.transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def lonlat(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        lon, lat = self.inverse.transform(x, y)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def scale(self, lat: FloatArray) -> FloatArray:
        return np.interp(lat, self._lats, self._scale)


@cache
def _projection() -> _Projection:
    return _Projection()


class _Polyline:
    """A projected line with a nearest-point query that also says which side a point is on.

    The side comes from the segment the nearest point lies on, or, when that point is a
    vertex, from the sum of the two neighbouring segments' left normals (the "pseudo-normal"),
    which is the only choice that is right on both the convex and the concave side of a bend.
    Beyond either end the line is taken as extended along its end segment.
    """

    def __init__(self, xy: FloatArray, spacing_m: float = _DENSIFY_M) -> None:
        line = shapely.segmentize(shapely.LineString(xy), spacing_m)
        dense = np.asarray(shapely.get_coordinates(line), dtype=np.float64)
        keep = np.ones(len(dense), dtype=bool)
        keep[1:] = np.any(dense[1:] != dense[:-1], axis=1)
        self.vertices = dense[keep]
        self.line = shapely.LineString(self.vertices)
        seg = np.diff(self.vertices, axis=0)
        self.seg_len = np.hypot(seg[:, 0], seg[:, 1])
        self.unit = seg / self.seg_len[:, None]
        self.cumulative = np.concatenate([[0.0], np.cumsum(self.seg_len)])
        self.length = float(self.cumulative[-1])
        normals = np.column_stack([-self.unit[:, 1], self.unit[:, 0]])  # left of travel
        pseudo = np.empty_like(self.vertices)
        pseudo[0] = normals[0]
        pseudo[-1] = normals[-1]
        pseudo[1:-1] = normals[:-1] + normals[1:]
        self.pseudo_normal = pseudo
        self.tree = cKDTree(self.vertices)

    def nearest(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Unsigned distance, position along the line and side (+1 left, -1 right) per point."""
        q = np.column_stack([x, y])
        _, vertex = self.tree.query(q)
        vertex = np.asarray(vertex, dtype=np.intp)
        last_seg = len(self.seg_len) - 1
        best_d = np.full(len(q), np.inf)
        best_s = np.zeros(len(q), dtype=np.intp)
        best_t = np.zeros(len(q))
        for offset in (-1, 0):  # the segments ending and starting at the nearest vertex
            s = np.clip(vertex + offset, 0, last_seg)
            a = self.vertices[s]
            rel = q - a
            t = np.clip(np.einsum("ij,ij->i", rel, self.unit[s]) / self.seg_len[s], 0.0, 1.0)
            foot = a + (t * self.seg_len[s])[:, None] * self.unit[s]
            d = np.hypot(q[:, 0] - foot[:, 0], q[:, 1] - foot[:, 1])
            better = d < best_d
            best_d = np.where(better, d, best_d)
            best_s = np.where(better, s, best_s)
            best_t = np.where(better, t, best_t)
        a = self.vertices[best_s]
        cross = self.unit[best_s, 0] * (q[:, 1] - a[:, 1]) - self.unit[best_s, 1] * (
            q[:, 0] - a[:, 0]
        )
        # At a vertex (t clamped to 0 or 1) use the pseudo-normal there; at the line's ends
        # that is the end segment's own normal, i.e. the extended line.
        at_vertex = (best_t <= 0.0) | (best_t >= 1.0)
        v = np.where(best_t >= 1.0, best_s + 1, best_s)
        rel_v = q - self.vertices[v]
        dot = np.einsum("ij,ij->i", rel_v, self.pseudo_normal[v])
        side_value = np.where(at_vertex, dot, cross)
        side = np.where(side_value >= 0.0, 1.0, -1.0)
        along = self.cumulative[best_s] + best_t * self.seg_len[best_s]
        return best_d, along, side

    def points_at(self, along: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The points at distances ``along`` the line (clamped to its ends)."""
        along = np.clip(along, 0.0, self.length)
        s = np.clip(
            np.searchsorted(self.cumulative, along, side="right") - 1, 0, len(self.seg_len) - 1
        )
        offset = along - self.cumulative[s]
        points = self.vertices[s] + offset[:, None] * self.unit[s]
        return points[:, 0], points[:, 1]


@dataclass(frozen=True)
class Measurement:
    """One pass over a batch of positions: what the crossing watch and ``side`` need."""

    signed_m: FloatArray
    ambiguity_m: FloatArray


class Border:
    """The boundary, its ambiguity band and the ports of entry; see the module docstring.

    ``reference`` and ``alternate`` are shapely LineStrings in (longitude, latitude), west to
    east: the Census line (what distances are measured to) and the Natural Earth line.
    """

    def __init__(
        self,
        reference: Any,
        alternate: Any,
        ports: tuple[Port, ...] | list[Port],
        *,
        margin_m: float = DEFAULT_MARGIN_M,
        window_m: float = DEFAULT_WINDOW_M,
    ) -> None:
        ref_coords = _line_coords(reference, REFERENCE_SOURCE)
        alt_coords = _line_coords(alternate, ALTERNATE_SOURCE)
        if not ports:
            raise BorderDataError(MSG_NO_PORTS, path="-")
        if not (isinstance(margin_m, int | float) and math.isfinite(margin_m) and margin_m >= 0):
            raise BorderDataError(MSG_BAD_MARGIN, value=margin_m)
        if not (isinstance(window_m, int | float) and math.isfinite(window_m) and window_m >= 0):
            raise BorderDataError(MSG_BAD_MARGIN, value=window_m)
        self.reference = shapely.LineString(ref_coords)
        self.alternate = shapely.LineString(alt_coords)
        self.ports: tuple[Port, ...] = tuple(ports)
        self.margin_m = float(margin_m)
        self.window_m = float(window_m)
        self._proj = _projection()
        self._ref = _Polyline(np.column_stack(self._proj.xy(ref_coords[:, 0], ref_coords[:, 1])))
        self._alt = _Polyline(np.column_stack(self._proj.xy(alt_coords[:, 0], alt_coords[:, 1])))
        self._band = self._band_table()
        port_lon = np.array([p.longitude for p in self.ports])
        port_lat = np.array([p.latitude for p in self.ports])
        self._port_x, self._port_y = self._proj.xy(port_lon, port_lat)

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def load(cls) -> Border:
        """The border as shipped (Census reference, 50 m margin); built once per process."""
        return _load_shipped()

    @classmethod
    def from_files(
        cls,
        boundary: Path | str = BOUNDARY_FILE,
        ports: Path | str = PORTS_FILE,
        *,
        margin_m: float = DEFAULT_MARGIN_M,
        window_m: float = DEFAULT_WINDOW_M,
    ) -> Border:
        """A border from a boundary GeoJSON and a ports YAML, for other margins or test data."""
        lines = read_boundary(boundary)
        return cls(
            lines[REFERENCE_SOURCE],
            lines[ALTERNATE_SOURCE],
            load_ports(ports),
            margin_m=margin_m,
            window_m=window_m,
        )

    def _band_table(self) -> FloatArray:
        """Separation of the two sources every 100 m along the reference, widened to the
        maximum over ±window and plus the margin: the band's half-width there.

        The separation is taken both ways (reference samples to the alternate line, and the
        alternate's samples onto the reference) so a spike of either line is seen.
        """
        ref, alt = self._ref, self._alt
        steps = math.ceil(ref.length / _BAND_STEP_M) + 1
        along = np.minimum(np.arange(steps) * _BAND_STEP_M, ref.length)
        px, py = ref.points_at(along)
        sep_there, _, _ = alt.nearest(px, py)
        sep = sep_there / self._proj.scale(self._proj.lonlat(px, py)[1])
        alt_along = np.arange(0.0, alt.length, _BAND_STEP_M / 2)
        ax, ay = alt.points_at(alt_along)
        back, ref_along, _ = ref.nearest(ax, ay)
        back = back / self._proj.scale(self._proj.lonlat(ax, ay)[1])
        bins = np.clip(np.rint(ref_along / _BAND_STEP_M).astype(np.intp), 0, steps - 1)
        np.maximum.at(sep, bins, back)
        half = round(self.window_m / _BAND_STEP_M)
        if half > 0:
            padded = np.pad(sep, half, mode="edge")
            windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
            sep = windows.max(axis=1)
        return np.asarray(sep + self.margin_m, dtype=np.float64)

    # -- queries -----------------------------------------------------------------------------

    def measure(self, lat: ArrayLike, lon: ArrayLike) -> Measurement:
        """Signed distance (m, > 0 on the US side) and band half-width (m) in one pass, flat."""
        lat_a, lon_a = _positions(lat, lon)
        x, y = self._proj.xy(lon_a, lat_a)
        dist, along, side = self._ref.nearest(x, y)
        scale = self._proj.scale(lat_a)
        index = np.clip(np.rint(along / _BAND_STEP_M).astype(np.intp), 0, len(self._band) - 1)
        return Measurement(signed_m=side * dist / scale, ambiguity_m=self._band[index].copy())

    def signed_distance_m(self, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
        """Metres to the reference line, positive on the US (north) side, negative in Mexico;
        the result has the broadcast shape of the inputs (a 0-d array for two floats)."""
        shape = _shape(lat, lon)
        return self.measure(lat, lon).signed_m.reshape(shape)

    def ambiguity_m(self, lat: ArrayLike, lon: ArrayLike) -> FloatArray:
        """Half-width of the ambiguity band at the reference point nearest each position: the
        largest separation of the two sources within ±window along the line, plus the margin."""
        shape = _shape(lat, lon)
        return self.measure(lat, lon).ambiguity_m.reshape(shape)

    def side(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.str_]:
        """ "US", "MX" or "band" per position: "band" where |distance| ≤ the band half-width."""
        shape = _shape(lat, lon)
        m = self.measure(lat, lon)
        out = np.where(
            np.abs(m.signed_m) <= m.ambiguity_m,
            "band",
            np.where(m.signed_m > 0, "US", "MX"),
        )
        return np.asarray(out, dtype="<U4").reshape(shape)

    def nearest_port(self, lat: float, lon: float) -> tuple[Port, float]:
        """The nearest port of entry and its geodesic distance in metres."""
        index, metres = self.nearest_ports(lat, lon)
        if index.size != 1:
            raise InvalidPosition(MSG_NOT_ONE_POSITION, count=index.size)
        return self.ports[int(index[0])], float(metres[0])

    def nearest_ports(self, lat: ArrayLike, lon: ArrayLike) -> tuple[NDArray[np.intp], FloatArray]:
        """Vectorised :meth:`nearest_port`: indices into ``ports`` and metres, flat."""
        lat_a, lon_a = _positions(lat, lon)
        x, y = self._proj.xy(lon_a, lat_a)
        dist = np.hypot(self._port_x[None, :] - x[:, None], self._port_y[None, :] - y[:, None])
        index = np.argmin(dist, axis=1)
        port_lon = np.array([p.longitude for p in self.ports])[index]
        port_lat = np.array([p.latitude for p in self.ports])[index]
        _, _, metres = _GEOD.inv(lon_a, lat_a, port_lon, port_lat)
        return index, np.asarray(metres, dtype=np.float64)

    def sector(self, lat: float, lon: float) -> str:
        """The US Border Patrol sector of the stretch of line nearest the position (see
        :mod:`paridad.drones.border.sectors` for the longitude cut points)."""
        names = self.sectors(lat, lon)
        if names.size != 1:
            raise InvalidPosition(MSG_NOT_ONE_POSITION, count=names.size)
        return str(names[0])

    def sectors(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.str_]:
        """Vectorised :meth:`sector`, flat."""
        lat_a, lon_a = _positions(lat, lon)
        x, y = self._proj.xy(lon_a, lat_a)
        _, along, _ = self._ref.nearest(x, y)
        fx, fy = self._ref.points_at(along)
        line_lon, _ = self._proj.lonlat(fx, fy)
        return np.array([sector_at_longitude(v) for v in line_lon.tolist()], dtype=np.str_)

    def length_m(self, source: str = REFERENCE_SOURCE) -> float:
        """Length of a source's line along the projection, in metres (about 0.1 % scale)."""
        return self._ref.length if source == REFERENCE_SOURCE else self._alt.length


@cache
def _load_shipped() -> Border:
    return Border.from_files()


def read_boundary(path: Path | str = BOUNDARY_FILE) -> dict[str, Any]:
    """The LineStrings of a boundary GeoJSON by their ``source`` property, as shapely lines."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BorderDataError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BorderDataError(MSG_NOT_GEOJSON, path=str(path))
    features = data.get("features")
    if not isinstance(features, list):
        raise BorderDataError(MSG_NOT_GEOJSON, path=str(path))
    lines: dict[str, Any] = {}
    for feature in features:
        if not isinstance(feature, dict):
            continue
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        source = props.get("source") if isinstance(props, dict) else None
        if not isinstance(source, str) or not isinstance(geometry, dict):
            continue
        if geometry.get("type") != "LineString":
            continue
        coords = geometry.get("coordinates")
        try:
            array = np.asarray(coords, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise BorderDataError(MSG_BAD_LINE, source=source) from exc
        lines[source] = shapely.LineString(_line_coords(array, source))
    for source in (REFERENCE_SOURCE, ALTERNATE_SOURCE):
        if source not in lines:
            raise BorderDataError(MSG_NO_LINE, path=str(path), source=source)
    return lines


def _line_coords(line: Any, source: str) -> FloatArray:
    """Validated (lon, lat) vertices of a line given as shapely, array or nested lists."""
    try:
        coords = np.asarray(
            shapely.get_coordinates(line) if isinstance(line, shapely.Geometry) else line,
            dtype=np.float64,
        )
    except (TypeError, ValueError) as exc:
        raise BorderDataError(MSG_BAD_LINE, source=source) from exc
    if coords.ndim != 2 or coords.shape[0] < 2 or coords.shape[1] < 2:
        raise BorderDataError(MSG_BAD_LINE, source=source)
    coords = coords[:, :2]
    lon, lat = coords[:, 0], coords[:, 1]
    if not (
        np.all(np.isfinite(coords)) and np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)
    ):
        raise BorderDataError(MSG_BAD_LINE, source=source)
    if not np.any(np.diff(coords, axis=0) != 0):
        raise BorderDataError(MSG_BAD_LINE, source=source)
    if lon[0] >= lon[-1]:
        raise BorderDataError(MSG_LINE_DIRECTION, source=source)
    return coords


def _shape(lat: ArrayLike, lon: ArrayLike) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(np.shape(lat), np.shape(lon)))
    except ValueError as exc:
        raise InvalidPosition(MSG_SHAPES, lat_count=np.size(lat), lon_count=np.size(lon)) from exc


def _positions(lat: ArrayLike, lon: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Flat float64 arrays of broadcast latitudes and longitudes, checked for range."""
    shape = _shape(lat, lon)
    try:
        lat_a = np.broadcast_to(np.asarray(lat, dtype=np.float64), shape).ravel()
        lon_a = np.broadcast_to(np.asarray(lon, dtype=np.float64), shape).ravel()
    except (TypeError, ValueError) as exc:
        raise InvalidPosition(MSG_BAD_POSITION, lat=str(lat)[:40], lon=str(lon)[:40]) from exc
    bad = ~(
        np.isfinite(lat_a) & np.isfinite(lon_a) & (np.abs(lat_a) <= 90) & (np.abs(lon_a) <= 180)
    )
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidPosition(MSG_BAD_POSITION, lat=lat_a[i], lon=lon_a[i])
    return lat_a, lon_a
