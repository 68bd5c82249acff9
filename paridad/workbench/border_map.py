"""The border map: the international boundary, ports of entry, firearm recoveries, trafficking
corridors and drone alerts with their tracks, drawn offline.

Base layers come from public-domain data the node serves itself: the two boundary lines and
the ports of entry shipped with :mod:`paridad.drones.border`, and the US states (Census,
``us-atlas``) and country outlines (Natural Earth, ``world-atlas``) installed from the npm
registry at build time (:mod:`paridad.workbench.assets`). There is no tile server.

Data layers are the node's own entities, read with bounded queries and passed through
need-to-know like every other page: a recovery, a trace or an alert the user may not see is
neither drawn nor counted in a corridor.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from paridad.drones.border.geometry import BOUNDARY_FILE
from paridad.drones.border.ports import load_ports
from paridad.exchange.context import Exchange
from paridad.i18n import N_, Lang, translate
from paridad.store.database import Database
from paridad.workbench import assets
from paridad.workbench.accounts import User
from paridad.workbench.entity_access import Render
from paridad.workbench.views import partner_ids, visible

LIMIT = 5000  # entities of each layer read for one map

# US state postal codes (what acquisitions carry) to the names the Census outlines carry.
US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip

SCRIPT_MESSAGES: tuple[str, ...] = (
    N_("Recovered firearm"),
    N_("{count} traced guns from {source} to {destination}"),
    N_("Drone alert"),
    N_("Port of entry"),
    N_("Open the entity page"),
    N_("Could not load the map's data: {status}."),
    N_("{recoveries} recoveries, {corridors} corridors, {alerts} drone alerts shown."),
)
MESSAGES: tuple[str, ...] = (
    N_("Map"),
    N_("Border map"),
    N_("Layers"),
    N_("International boundary (Census)"),
    N_("International boundary (Natural Earth)"),
    N_("Ports of entry"),
    N_("Firearm recoveries"),
    N_("Trafficking corridors"),
    N_("Drone alerts and tracks"),
    N_(
        "Base layers: US Census and Natural Earth (public domain), served by this node;"
        " no tile server is used."
    ),
    N_("The map's browser files are not installed on this node: {files}. Run make install."),
    *SCRIPT_MESSAGES,
)


@dataclass
class MapLayers:
    recoveries: list[dict[str, Any]]
    corridors: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    withheld: int

    def as_json(self) -> dict[str, Any]:
        return {
            "recoveries": {"type": "FeatureCollection", "features": self.recoveries},
            "corridors": self.corridors,
            "alerts": {"type": "FeatureCollection", "features": self.alerts},
            "withheld": self.withheld,
        }


def _pivot(db: Database, schema: str, props: Iterable[str]) -> dict[str, dict[str, str]]:
    """The first value of each of ``props`` for at most :data:`LIMIT` entities of
    ``schema``, newest statements first."""
    wanted = list(props)
    marks = ",".join("?" * len(wanted))
    ids = [
        r[0]
        for r in db.query(
            "SELECT id FROM entities WHERE schema = ? ORDER BY id LIMIT ?", (schema, LIMIT)
        )
    ]
    out: dict[str, dict[str, str]] = {i: {} for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = db.query(
            f"SELECT entity_id, prop, value FROM statements WHERE entity_id IN"
            f" ({','.join('?' * len(chunk))}) AND prop IN ({marks})",
            [*chunk, *wanted],
        )
        for entity_id, prop, value in rows:
            out[entity_id].setdefault(prop, value)
    return out


def _coord(values: dict[str, str]) -> tuple[float, float] | None:
    try:
        lat, lon = float(values["latitude"]), float(values["longitude"])
    except (KeyError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def map_layers(db: Database, user: User) -> MapLayers:
    """Every data layer of the map that ``user`` may see."""
    recoveries = _pivot(
        db, "FirearmRecovery", ("latitude", "longitude", "date", "state", "municipality")
    )
    alerts = _pivot(
        db,
        "DroneAlert",
        ("latitude", "longitude", "date", "alertType", "direction", "nearestPort", "path"),
    )
    traces = _pivot(db, "FirearmTrace", ("recovery", "acquisition"))
    acquisitions = _pivot(db, "FirearmAcquisition", ("state",))
    captions = {
        r[0]: r[1]
        for start in range(0, len(recoveries), 500)
        for r in db.query(
            "SELECT id, caption FROM entities WHERE id IN"
            f" ({','.join('?' * len(list(recoveries)[start : start + 500]))})",
            list(recoveries)[start : start + 500],
        )
    }
    allowed = visible(db, user, [*recoveries, *alerts, *traces, *acquisitions])
    partners = partner_ids(db, [i for i in (*recoveries, *alerts) if i in allowed])
    withheld = sum(1 for i in (*recoveries, *alerts) if i not in allowed)

    points: list[dict[str, Any]] = []
    for entity_id, values in recoveries.items():
        where = _coord(values)
        if entity_id not in allowed or where is None:
            continue
        points.append(
            {
                "type": "Feature",
                "id": entity_id,
                "geometry": {"type": "Point", "coordinates": [where[1], where[0]]},
                "properties": {
                    "id": entity_id,
                    "caption": captions.get(entity_id, entity_id),
                    "date": values.get("date", ""),
                    "state": values.get("state", ""),
                    "municipality": values.get("municipality", ""),
                    "partner": entity_id in partners,
                },
            }
        )

    groups: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for trace_id, values in traces.items():
        recovery, acquisition = values.get("recovery", ""), values.get("acquisition", "")
        if not {trace_id, recovery, acquisition} <= allowed.keys():
            continue
        where = _coord(recoveries.get(recovery, {}))
        source = acquisitions.get(acquisition, {}).get("state", "")
        if where is None or not source:
            continue
        destination = recoveries[recovery].get("state", "")
        groups[(source.upper(), destination)].append(where)
    corridors = [
        {
            "source": source,
            "source_name": US_STATES.get(source, source),
            "destination": destination,
            "traces": len(found),
            "to": [
                statistics.fmean(p[0] for p in found),
                statistics.fmean(p[1] for p in found),
            ],
        }
        for (source, destination), found in sorted(groups.items(), key=lambda g: -len(g[1]))
    ]

    drone: list[dict[str, Any]] = []
    for entity_id, values in alerts.items():
        where = _coord(values)
        if entity_id not in allowed or where is None:
            continue
        properties = {
            "id": entity_id,
            "kind": values.get("alertType", ""),
            "date": values.get("date", ""),
            "direction": values.get("direction", ""),
            "port": values.get("nearestPort", ""),
            "partner": entity_id in partners,
        }
        drone.append(
            {
                "type": "Feature",
                "id": entity_id,
                "geometry": {"type": "Point", "coordinates": [where[1], where[0]]},
                "properties": properties,
            }
        )
        try:
            path = orjson.loads(values["path"]) if values.get("path") else None
        except orjson.JSONDecodeError:
            path = None
        if isinstance(path, dict) and path.get("type") == "LineString":
            line = {"type": "LineString", "coordinates": path.get("coordinates", [])}
            drone.append(
                {
                    "type": "Feature",
                    "id": f"{entity_id}:path",
                    "geometry": line,
                    "properties": {**properties, "track": True},
                }
            )
    return MapLayers(points, corridors, drone, withheld)


@cache
def border_geojson() -> bytes:
    """Both boundary lines and the ports of entry as one FeatureCollection."""
    shipped = orjson.loads(BOUNDARY_FILE.read_bytes())
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {"layer": "boundary", "source": f["properties"]["source"]},
        }
        for f in shipped["features"]
    ]
    for port in load_ports():
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [port.longitude, port.latitude]},
                "properties": {"layer": "port", "name": port.name, "name_es": port.name_es},
            }
        )
    return orjson.dumps({"type": "FeatureCollection", "features": features})


Handler = Callable[[Request, User, Lang], Response]


def register_map_routes(
    app: FastAPI,
    *,
    render: Render,
    page: Callable[[Handler], Callable[[Request], Response]],
    ex: Exchange,
) -> None:
    """``GET /map`` (the page), ``/map/border.json`` and ``/map/layers.json`` (its data)."""

    @app.get("/map", response_class=HTMLResponse)
    def border_map(request: Request) -> Response:
        def show(request: Request, user: User, lang: Lang) -> Response:
            texts = {m: translate(m, lang) for m in SCRIPT_MESSAGES}
            return render(
                request,
                "map.html",
                lang,
                user=user,
                missing=assets.missing(assets.MAP),
                texts=texts,
            )

        return page(show)(request)

    @app.get("/map/border.json")
    def border(request: Request) -> Response:
        def answer(request: Request, user: User, lang: Lang) -> Response:
            return Response(border_geojson(), media_type="application/geo+json")

        return page(answer)(request)

    @app.get("/map/layers.json")
    def layers(request: Request) -> Response:
        def answer(request: Request, user: User, lang: Lang) -> Response:
            return JSONResponse(map_layers(ex.db, user).as_json())

        return page(answer)(request)
