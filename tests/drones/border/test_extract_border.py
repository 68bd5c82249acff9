"""The TopoJSON decoding of scripts/extract_border.py on tiny hand-made topologies."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "extract_border.py"


@pytest.fixture(scope="module")
def extract() -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_border", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_border"] = module
    spec.loader.exec_module(module)
    return module


def test_arcs_are_delta_decoded_and_transformed(extract: ModuleType) -> None:
    topology = {
        "transform": {"scale": [0.5, 0.25], "translate": [-100, 20]},
        "arcs": [[[0, 0], [2, 4], [2, -4]]],
    }
    assert extract.decode_arcs(topology) == [[(-100.0, 20.0), (-99.0, 21.0), (-98.0, 20.0)]]


def test_negative_arc_index_is_the_arc_reversed(extract: ModuleType) -> None:
    arcs = [[(0.0, 0.0), (1.0, 0.0)], [(1.0, 0.0), (1.0, 1.0)]]
    assert extract.arc_points(arcs, ~1) == [(1.0, 1.0), (1.0, 0.0)]
    assert extract.ring_points(arcs, [0, 1]) == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]


def _square_topology() -> dict[str, Any]:
    # Two countries side by side sharing the arc x=1 (0 <= y <= 1); no transform.
    arcs = [
        [[1, 0], [1, 1]],  # 0: shared edge, south to north
        [[1, 1], [0, 1], [0, 0], [1, 0]],  # 1: west country's other edges
        [[1, 0], [2, 0], [2, 1], [1, 1]],  # 2: east country's other edges
    ]
    return {
        "type": "Topology",
        "arcs": arcs,
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "id": "484", "arcs": [[0, 1]]},
                    {"type": "Polygon", "id": "840", "arcs": [[2, ~0]]},
                ],
            }
        },
    }


def test_shared_arcs_make_the_boundary(extract: ModuleType) -> None:
    line = extract.natural_earth_line(_square_topology())
    assert line == [(1.0, 0.0), (1.0, 1.0)]


def test_chain_flips_and_joins_pieces(extract: ModuleType) -> None:
    pieces = [[(1.0, 0.0), (2.0, 0.0)], [(0.0, 0.0), (1.0, 0.0)], [(3.0, 0.0), (2.0, 0.0)]]
    assert extract.west_to_east(extract.chain(pieces)) == [
        (0.0, 0.0),
        (1.0, 0.0),
        (2.0, 0.0),
        (3.0, 0.0),
    ]
    with pytest.raises(SystemExit):
        extract.chain([[(0.0, 0.0), (1.0, 0.0)], [(5.0, 5.0), (6.0, 5.0)]])


def test_census_line_takes_the_southern_way_round(
    extract: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A "nation" ring: a southern edge with a dip (the border) from the west end to the east
    # end, and a long way round the north.
    ring = [
        [-117.0, 32.5],
        [-110.0, 31.3],
        [-97.2, 26.0],
        [-80.0, 25.0],
        [-70.0, 45.0],
        [-125.0, 49.0],
        [-124.0, 40.0],
        [-117.0, 32.5],
    ]
    arc = [ring[0]] + [[b[0] - a[0], b[1] - a[1]] for a, b in itertools.pairwise(ring)]
    topology = {
        "transform": {"scale": [1, 1], "translate": [0, 0]},
        "arcs": [arc],
        "objects": {"nation": {"geometries": [{"type": "Polygon", "arcs": [[0]]}]}},
    }
    monkeypatch.setattr(extract, "PACIFIC_END", (32.5, -117.0))
    monkeypatch.setattr(extract, "GULF_END", (26.0, -97.2))
    assert extract.census_line(topology) == [(-117.0, 32.5), (-110.0, 31.3), (-97.2, 26.0)]


def test_rounding_drops_repeated_vertices(extract: ModuleType) -> None:
    assert extract.rounded([(1.000001, 2.0), (1.000002, 2.0), (1.5, 2.123456)]) == [
        [1.0, 2.0],
        [1.5, 2.12346],
    ]
