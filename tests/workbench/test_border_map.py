"""The border map's data: base layers served by the node, recoveries, corridors and drone
alerts through need-to-know, and the page's files all local."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from paridad.workbench import assets
from paridad.workbench.app import create_workbench
from tests.conftest import entity
from tests.workbench.conftest import SECRET_MARKINGS, US_MARKINGS, Workbench, add_entities
from tests.workbench.test_app import sign_in

PATH = {"type": "LineString", "coordinates": [[-106.50, 31.70], [-106.49, 31.76]]}


@pytest.fixture
def client(workbench: Workbench) -> Iterator[TestClient]:
    add_entities(
        workbench,
        "local",
        entity("mx-gun-1", "Firearm", serialNumber="ABC123", make="Colt"),
        entity(
            "mx-rec-1",
            "FirearmRecovery",
            firearm="mx-gun-1",
            date="2025-03-01",
            state="Sonora",
            municipality="Nogales",
            latitude="31.30",
            longitude="-110.94",
        ),
        entity(
            "mx-rec-2",
            "FirearmRecovery",
            firearm="mx-gun-1",
            state="Sonora",
            latitude="31.32",
            longitude="-110.90",
        ),
        # No position: listed nowhere on the map, and no error either.
        entity("mx-rec-nowhere", "FirearmRecovery", firearm="mx-gun-1", latitude="north"),
        entity(
            "mx-rec-secret",
            "FirearmRecovery",
            SECRET_MARKINGS,
            latitude="25.0",
            longitude="-100.0",
            state="Nuevo León",
        ),
        entity("us-acq-1", "FirearmAcquisition", US_MARKINGS, firearm="mx-gun-1", state="az"),
        entity("mx-trace-1", "FirearmTrace", recovery="mx-rec-1", acquisition="us-acq-1"),
        entity("mx-trace-2", "FirearmTrace", recovery="mx-rec-2", acquisition="us-acq-1"),
        entity("mx-trace-3", "FirearmTrace", recovery="mx-rec-secret", acquisition="us-acq-1"),
    )
    add_entities(
        workbench,
        "partner-us-atf-test",
        entity(
            "us-alert-1",
            "DroneAlert",
            US_MARKINGS,
            alertType="crossing",
            date="2026-11-01T03:00:00Z",
            latitude="31.76",
            longitude="-106.49",
            direction="northbound",
            nearestPort="El Paso",
            path=orjson.dumps(PATH).decode(),
        ),
    )
    with TestClient(create_workbench(workbench.node.path), follow_redirects=False) as c:
        yield c


def test_layers_hold_what_the_user_may_see(client: TestClient, workbench: Workbench) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    answer = client.get("/map/layers.json")
    assert answer.status_code == 200
    data = answer.json()
    recoveries = {f["id"]: f for f in data["recoveries"]["features"]}
    assert set(recoveries) == {"mx-rec-1", "mx-rec-2"}
    assert recoveries["mx-rec-1"]["geometry"]["coordinates"] == [-110.94, 31.30]
    assert recoveries["mx-rec-1"]["properties"]["municipality"] == "Nogales"
    # One corridor, Arizona to Sonora, of the two traces the analyst may see (not the H3 one).
    assert [
        (c["source"], c["source_name"], c["destination"], c["traces"]) for c in data["corridors"]
    ] == [("AZ", "Arizona", "Sonora", 2)]
    assert data["corridors"][0]["to"] == pytest.approx([31.31, -110.92])
    alerts = data["alerts"]["features"]
    assert {f["geometry"]["type"] for f in alerts} == {"Point", "LineString"}
    point = next(f for f in alerts if f["geometry"]["type"] == "Point")
    assert point["properties"]["partner"] is True and point["properties"]["kind"] == "crossing"
    track = next(f for f in alerts if f["geometry"]["type"] == "LineString")
    assert track["geometry"]["coordinates"] == PATH["coordinates"]
    assert data["withheld"] == 1
    assert "Nuevo León" not in answer.text


def test_a_supervisor_sees_the_h3_recovery_and_its_corridor(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.supervisor, workbench.password)
    data = client.get("/map/layers.json").json()
    assert "mx-rec-secret" in {f["id"] for f in data["recoveries"]["features"]}
    assert sorted((c["destination"], c["traces"]) for c in data["corridors"]) == [
        ("Nuevo León", 1),
        ("Sonora", 2),
    ]


def test_the_border_layer_has_both_lines_and_every_port(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    answer = client.get("/map/border.json")
    assert answer.status_code == 200
    features = answer.json()["features"]
    sources = {
        f["properties"]["source"] for f in features if f["properties"]["layer"] == "boundary"
    }
    assert sources == {"census", "natural-earth"}
    ports = [f for f in features if f["properties"]["layer"] == "port"]
    assert len(ports) == 47
    assert all(-118 < f["geometry"]["coordinates"][0] < -97 for f in ports)


def test_the_page_is_translated_and_every_file_is_served_by_the_node(
    client: TestClient, workbench: Workbench
) -> None:
    assert client.get("/map").headers["location"] == "/login"
    assert client.get("/map/layers.json").status_code == 303
    sign_in(client, workbench.analyst, workbench.password)
    page = client.get("/map", headers={"Accept-Language": "es"})
    assert page.status_code == 200 and "Mapa de la frontera" in page.text
    assert "http://" not in page.text and "https://" not in page.text
    for name in assets.MAP:
        assert client.get(f"/static/vendor/{name}").status_code == 200, name
    assert client.get("/static/border-map.js").status_code == 200


def test_missing_browser_files_are_named_not_hidden(
    client: TestClient, workbench: Workbench, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "VENDOR", assets.VENDOR / "absent")
    sign_in(client, workbench.analyst, workbench.password)
    page = client.get("/map", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert 'id="assets-missing"' in page.text and "leaflet.js" in page.text
    assert "border-map.js" not in page.text
