"""Extract the US–Mexico land boundary from two public-domain sources: ``make``-free, run once.

The drone module measures distances to the international boundary, and the two public sources
that ship it in packaged form disagree by up to a few kilometres along the Rio Grande. Keeping
both lets the product size an ambiguity band from their disagreement instead of pretending one
line is exact. This script fetches the npm tarballs of ``world-atlas`` (Natural Earth) and
``us-atlas`` (US Census cartographic boundaries), decodes their TopoJSON itself (no JavaScript,
no extra Python package) and writes ``paridad/drones/border/data/boundary.json``. Its output is
committed; the product never downloads anything.

Usage::

    .venv/bin/python scripts/extract_border.py            # fetches with `npm pack`
    .venv/bin/python scripts/extract_border.py --tarballs DIR   # uses DIR/*.tgz already fetched
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "paridad" / "drones" / "border" / "data" / "boundary.json"

WORLD_ATLAS = ("world-atlas", "2.0.2", "countries-10m.json")
US_ATLAS = ("us-atlas", "3.0.1", "nation-10m.json")
MEXICO_ID = "484"
USA_ID = "840"

# Where the land boundary meets the sea (lat, lon): the Pacific at Tijuana / San Ysidro's beach
# and the mouth of the Rio Grande on the Gulf.
PACIFIC_END = (32.534, -117.124)
GULF_END = (25.956, -97.146)

Point = tuple[float, float]  # (lon, lat)


def fetch_tarballs(dest: Path) -> dict[str, Path]:
    """Run ``npm pack`` for both packages into ``dest``; return the tarballs by package name."""
    specs = [f"{name}@{version}" for name, version, _ in (WORLD_ATLAS, US_ATLAS)]
    subprocess.run(["npm", "pack", "--silent", *specs], cwd=dest, check=True)
    return find_tarballs(dest)


def find_tarballs(folder: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for name, version, _ in (WORLD_ATLAS, US_ATLAS):
        path = folder / f"{name}-{version}.tgz"
        if not path.exists():
            raise SystemExit(f"missing {path}")
        out[name] = path
    return out


def read_member(tarball: Path, filename: str) -> dict[str, Any]:
    """Read ``package/<filename>`` from an npm tarball as JSON."""
    with tarfile.open(tarball, "r:gz") as tar:
        member = tar.extractfile(f"package/{filename}")
        if member is None:
            raise SystemExit(f"{filename} not found in {tarball}")
        data: dict[str, Any] = json.load(member)
    return data


# --- TopoJSON -------------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute (lon, lat) positions of every arc: undo delta encoding, then the transform."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        points: list[Point] = []
        if transform is None:
            points = [(float(p[0]), float(p[1])) for p in arc]
        else:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_points(arcs: list[list[Point]], index: int) -> list[Point]:
    """An arc by its TopoJSON index: ``~i`` (that is, ``-i - 1``) is arc ``i`` reversed."""
    return list(reversed(arcs[~index])) if index < 0 else list(arcs[index])


def rings_of(geometry: dict[str, Any]) -> list[list[int]]:
    """Every ring (a list of arc indices) of a Polygon or MultiPolygon geometry."""
    if geometry["type"] == "Polygon":
        return [list(ring) for ring in geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return [list(ring) for polygon in geometry["arcs"] for ring in polygon]
    raise SystemExit(f"unexpected geometry type {geometry['type']}")


def ring_points(arcs: list[list[Point]], ring: Sequence[int]) -> list[Point]:
    """Stitch a ring's arcs: each arc starts where the previous one ended, so drop the repeat."""
    points: list[Point] = []
    for index in ring:
        part = arc_points(arcs, index)
        points.extend(part if not points else part[1:])
    return points


def geometry_by_id(topology: dict[str, Any], obj: str, ident: str) -> dict[str, Any]:
    for geometry in topology["objects"][obj]["geometries"]:
        if str(geometry.get("id")) == ident:
            found: dict[str, Any] = geometry
            return found
    raise SystemExit(f"no geometry {ident!r} in object {obj!r}")


# --- the line ------------------------------------------------------------------------------


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine, mean Earth radius): enough to pick vertices."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def chain(pieces: Iterable[list[Point]]) -> list[Point]:
    """Join pieces end to end into one path, flipping pieces as needed.

    Shared arcs come out of the topology in no particular order; the land boundary is a single
    path, so each piece must touch the growing path at one of its two ends.
    """
    remaining = [p for p in pieces if len(p) >= 2]
    if not remaining:
        raise SystemExit("no boundary arcs found")
    path = remaining.pop(0)
    while remaining:
        for i, piece in enumerate(remaining):
            if piece[0] == path[-1]:
                path = path + piece[1:]
            elif piece[-1] == path[-1]:
                path = path + piece[::-1][1:]
            elif piece[-1] == path[0]:
                path = piece + path[1:]
            elif piece[0] == path[0]:
                path = piece[::-1] + path[1:]
            else:
                continue
            remaining.pop(i)
            break
        else:
            raise SystemExit(f"{len(remaining)} shared arcs do not join the boundary path")
    return path


def west_to_east(path: list[Point]) -> list[Point]:
    return path if path[0][0] <= path[-1][0] else path[::-1]


def natural_earth_line(topology: dict[str, Any]) -> list[Point]:
    """The arcs used by both Mexico's and the USA's outlines: their common land boundary."""
    arcs = decode_arcs(topology)
    mexico = {
        i if i >= 0 else ~i
        for r in rings_of(geometry_by_id(topology, "countries", MEXICO_ID))
        for i in r
    }
    usa = {
        i if i >= 0 else ~i
        for r in rings_of(geometry_by_id(topology, "countries", USA_ID))
        for i in r
    }
    shared = sorted(mexico & usa)
    return west_to_east(chain(arcs[i] for i in shared))


def nearest_index(points: Sequence[Point], target: tuple[float, float]) -> tuple[int, float]:
    lat, lon = target
    best = min(range(len(points)), key=lambda i: distance_km(points[i], (lon, lat)))
    return best, distance_km(points[best], (lon, lat))


def census_line(topology: dict[str, Any]) -> list[Point]:
    """The stretch of the US outline between the two sea ends that follows the border.

    us-atlas has no Mexico, so the boundary is cut out of the nation's outline: find the ring
    that comes closest to both ends, then of the two ways round the ring between those vertices
    keep the one that stays south (the other goes round the whole country by Florida, Maine,
    the Great Lakes and the Pacific coast).
    """
    arcs = decode_arcs(topology)
    nation = topology["objects"]["nation"]["geometries"][0]
    best: tuple[float, list[Point], int, int] | None = None
    for ring in rings_of(nation):
        points = ring_points(arcs, ring)
        if points[0] == points[-1]:
            points = points[:-1]
        west, dw = nearest_index(points, PACIFIC_END)
        east, de = nearest_index(points, GULF_END)
        if best is None or dw + de < best[0]:
            best = (dw + de, points, west, east)
    if best is None or best[0] > 20.0:
        raise SystemExit("no ring of the US outline reaches both ends of the border")
    _, points, west, east = best
    n = len(points)
    forward = [points[(west + k) % n] for k in range((east - west) % n + 1)]
    backward = [points[(west - k) % n] for k in range((west - east) % n + 1)]
    path = min((forward, backward), key=lambda p: max(lat for _, lat in p))
    return west_to_east(path)


def rounded(path: list[Point]) -> list[list[float]]:
    """Coordinates at 1e-5 degree (about 1 m), dropping consecutive duplicates that rounding makes."""
    out: list[list[float]] = []
    for lon, lat in path:
        point = [round(lon, 5), round(lat, 5)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def feature(
    source: str, package: tuple[str, str, str], path: list[Point], note: str
) -> dict[str, Any]:
    name, version, filename = package
    return {
        "type": "Feature",
        "properties": {
            "source": source,
            "package": name,
            "version": version,
            "file": filename,
            "licence": "public domain",
            "note": note,
        },
        "geometry": {"type": "LineString", "coordinates": rounded(path)},
    }


def build(tarballs: dict[str, Path]) -> dict[str, Any]:
    world = read_member(tarballs[WORLD_ATLAS[0]], WORLD_ATLAS[2])
    us = read_member(tarballs[US_ATLAS[0]], US_ATLAS[2])
    ne = natural_earth_line(world)
    census = census_line(us)
    for label, path in (("natural-earth", ne), ("census", census)):
        west_gap = distance_km(path[0], (PACIFIC_END[1], PACIFIC_END[0]))
        east_gap = distance_km(path[-1], (GULF_END[1], GULF_END[0]))
        print(
            f"{label}: {len(path)} vertices, starts {west_gap:.1f} km from the Pacific end, "
            f"ends {east_gap:.1f} km from the Gulf end",
            file=sys.stderr,
        )
        if west_gap > 20 or east_gap > 20:
            raise SystemExit(f"{label}: the line does not run from the Pacific to the Gulf")
    return {
        "type": "FeatureCollection",
        "properties": {
            "description": "US–Mexico international land boundary, Pacific to Gulf, west to east",
            "generator": "scripts/extract_border.py",
        },
        "features": [
            feature(
                "natural-earth",
                WORLD_ATLAS,
                ne,
                "Natural Earth 1:10m admin-0 countries (public domain), arcs shared by "
                "Mexico (484) and the United States (840)",
            ),
            feature(
                "census",
                US_ATLAS,
                census,
                "US Census Bureau cartographic boundary (public domain data), the US nation "
                "outline between the Pacific and Gulf ends of the border",
            ),
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tarballs", type=Path, help="folder holding the .tgz files already")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    if args.tarballs is not None:
        collection = build(find_tarballs(args.tarballs))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            collection = build(fetch_tarballs(Path(tmp)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
