"""The ports-of-entry list: complete enough, on the line, and nearest-port lookups."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely  # type: ignore[import-untyped,unused-ignore]

from paridad.drones.border import Border, BorderDataError, load_ports
from paridad.drones.border.geometry import _projection


def test_list_covers_the_border(border: Border) -> None:
    ports = border.ports
    assert 45 <= len(ports) <= 50
    codes = [p.code for p in ports]
    assert len(set(codes)) == len(codes)
    assert codes[0] == "san-ysidro" and "brownsville-veterans" in codes
    assert {p.state_us for p in ports} == {"US-CA", "US-AZ", "US-NM", "US-TX"}
    assert {p.state_mx for p in ports} == {
        "MX-BCN",
        "MX-SON",
        "MX-CHH",
        "MX-COA",
        "MX-NLE",
        "MX-TAM",
    }
    assert all(p.name and p.name_es for p in ports)


def test_every_port_is_within_2_km_of_the_census_line(border: Border) -> None:
    proj = _projection()
    coords = np.asarray(border.reference.coords)
    line = shapely.LineString(np.column_stack(proj.xy(coords[:, 0], coords[:, 1])))
    lat = np.array([p.latitude for p in border.ports])
    lon = np.array([p.longitude for p in border.ports])
    x, y = proj.xy(lon, lat)
    far = {
        p.code: round(float(d))
        for p, d in zip(border.ports, shapely.distance(line, shapely.points(x, y)), strict=True)
        if d > 2_000
    }
    assert far == {}


def test_nearest_port_of_san_ysidro_is_san_ysidro(border: Border) -> None:
    sy = next(p for p in border.ports if p.code == "san-ysidro")
    port, metres = border.nearest_port(sy.latitude, sy.longitude)
    assert port is sy and metres == pytest.approx(0.0, abs=0.01)


def test_nearest_port_distance_is_geodesic(border: Border) -> None:
    # 0.01° of latitude north of the DeConcini port is ~1.11 km.
    port, metres = border.nearest_port(31.3430, -110.9427)
    assert port.code == "nogales-deconcini"
    assert metres == pytest.approx(1_109, abs=5)


def test_vectorised_nearest_ports(border: Border) -> None:
    index, metres = border.nearest_ports([32.5423, 25.8840], [-117.0297, -97.4760])
    assert [border.ports[i].code for i in index] == ["san-ysidro", "brownsville-veterans"]
    assert metres.shape == (2,)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ports.yaml"
    path.write_text(text, encoding="utf-8")
    return path


ENTRY = (
    "{code: a, name: A, name_es: A, state_us: US-TX, state_mx: MX-TAM, "
    "latitude: 26.0, longitude: -98.0}"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ports: []", "lists no ports"),
        ("other: 1", "lists no ports"),
        ("ports: [1]", "invalid entry"),
        (f"ports: [{ENTRY.replace('code: a, ', '')}]", "invalid code"),
        (f"ports: [{ENTRY.replace('26.0', '126.0')}]", "invalid latitude"),
        (f"ports: [{ENTRY.replace('-98.0', 'west')}]", "invalid longitude"),
        (f"ports: [{ENTRY}, {ENTRY}]", "appears twice"),
        ("ports: [", "Cannot read"),
    ],
)
def test_malformed_port_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(BorderDataError, match=message):
        load_ports(_write(tmp_path, text))


def test_a_valid_port_file_loads(tmp_path: Path) -> None:
    (port,) = load_ports(_write(tmp_path, f"ports: [{ENTRY}]"))
    assert port.code == "a" and port.latitude == 26.0 and port.to_dict()["state_mx"] == "MX-TAM"
