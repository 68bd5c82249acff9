"""Drones, fuel, meetings and the Spanish in the data."""

from __future__ import annotations

import json
from collections import Counter

from paridad.synth import geo
from tests.synth.conftest import Scenario


def test_hotspots_lie_south_of_the_line(scenario: Scenario) -> None:
    hotspots = scenario.truth["drone_hotspots"]
    per_sector = Counter(h["sector"] for h in hotspots)
    assert all(5 <= n <= 20 for n in per_sector.values())
    for h in hotspots:
        d = geo.side_of_line(h["latitude"], h["longitude"])
        assert -3.1 < d < -0.15, h  # 0.2-3 km inside Mexico


def test_flights_follow_sector_and_mission_mix(scenario: Scenario) -> None:
    flights = scenario.truth["drone_flights"]
    sectors = Counter(f["sector"] for f in flights)
    assert abs(sectors["Rio Grande Valley"] / len(flights) - 0.5) < 0.1
    missions = Counter(f["mission"] for f in flights)
    assert missions["spotter"] > missions["payload"] > 0
    crossing = [f for f in flights if f["crossings"]]
    assert 2 < len(flights) / len(crossing) < 8  # detections outnumber crossings 4-6x
    assert all(f["crossings"] == 0 or f["direction"] != "none" for f in flights)
    reused = [f for f in flights if f["hotspot"]]
    assert len(reused) / len(flights) > 0.4


def test_tracks_count_their_own_crossings(scenario: Scenario) -> None:
    for side in ("mx", "us"):
        tracks = list(scenario.of(side, "DroneTrack"))
        assert tracks
        for track in tracks:
            p = track["properties"]
            n = int(p["crossings"][0])
            assert (n == 0) == (p["crossingDirection"] == ["none"])
            if "path" in p:
                path = json.loads(p["path"][0])
                assert path["type"] == "LineString" and len(path["coordinates"]) >= 2
        detections = list(scenario.of(side, "DroneDetection"))
        sensors = {d["properties"]["sensor"][0].split("-")[0] for d in detections}
        assert sensors == {side.upper()}  # each side holds only its own sensors


def test_remote_id_is_a_small_share_of_illicit_flights(scenario: Scenario) -> None:
    illicit = [f for f in scenario.truth["drone_flights"] if f["mission"] != "hobby"]
    share = sum(f["remote_id"] for f in illicit) / len(illicit)
    assert share < 0.15


def test_fuel_networks_meet_the_money(scenario: Scenario) -> None:
    typologies = {t["id"]: t for t in scenario.truth["typologies"]}
    for net in scenario.truth["fuel_networks"]:
        assert net["incidents"] and net["companies"] and net["typologies"]
        for tid in net["typologies"]:
            assert typologies[tid]["kind"] == "fan-in"
    states = Counter(i["properties"]["state"][0] for i in scenario.of("mx", "FuelTheftIncident"))
    assert {"Hidalgo", "Puebla", "Guanajuato"} <= set(states)


def test_meetings_and_commitments(scenario: Scenario) -> None:
    for side in ("mx", "us"):
        meetings = sorted(scenario.of(side, "Meeting"), key=lambda m: m["properties"]["date"])
        assert [m["properties"]["date"][0] for m in meetings] == ["2025-09-26", "2025-12-11"]
        assert meetings[0]["properties"]["city"] == ["McAllen, Texas"]
        assert meetings[1]["properties"]["city"] == ["Ciudad de México"]
        delegations = " ".join(meetings[1]["properties"]["delegationMx"])
        delegations += " ".join(meetings[1]["properties"]["delegationUs"])
        assert "Roberto Velasco Álvarez" in delegations and "Ronald Johnson" in delegations
        commitments = list(scenario.of(side, "Commitment"))
        assert len(commitments) >= 10
        lines = {c["properties"]["lineOfWork"][0] for c in commitments}
        assert {"firearms", "drones", "finance", "fuel", "extradition", "seizure"} <= lines
        quotes = " ".join(c["properties"]["quote"][0] for c in commitments)
        for phrase in ("Misión Cortafuegos", "conectar plataformas analíticas", "enero de 2026"):
            assert phrase in quotes
        ids = {m["id"] for m in meetings}
        assert all(c["properties"]["meeting"][0] in ids for c in commitments)


def test_spanish_is_kept(scenario: Scenario) -> None:
    names = [p["properties"]["name"][0] for p in scenario.of("mx", "Person")]
    accented = sum(any(c in n for c in "áéíóúÁÉÍÓÚñÑ") for n in names)
    assert accented / len(names) > 0.4
    compound = sum(
        any(n.startswith(g) for g in ("José Luis", "María Guadalupe", "Juan Carlos")) for n in names
    )
    assert compound > 0
    two_surnames = sum(
        len(p["properties"].get("lastName", [""])[0].split()) >= 2
        for p in scenario.of("mx", "Person")
        if p["properties"].get("nationality") == ["mx"]
    )
    assert two_surnames > len(names) * 0.6
