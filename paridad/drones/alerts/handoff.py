"""Handing alerts to the partner: stored as the node's own DroneAlert entities, then released
through the release gate under the drone agreement, signed and delivered by the courier.

Nothing here bypasses the exchange: an alert becomes an entity with markings (this node's
agency as originator, the agreement's legal basis, the ``border-security`` purpose), is
written to the store and the audit log, and crosses only as what the gate lets through for
that partner — the agreement's flow lists the properties an alert may carry, and leaves the
node's sensor identifiers out. Alerts of one batch travel in one envelope, so a burst of
alerts is one signature and one delivery, not fifty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from paridad.drones.alerts.rules import Alert
from paridad.exchange.context import Exchange
from paridad.exchange.workflows.share import share
from paridad.ingest.records import entity_from_dict
from paridad.model.markings import Markings, parse_markings

PURPOSE = "border-security"
DATASET = "drone-watch"
AUDIT_KIND = "ingest"  # alerts are data entering the node, from its own sensors
RETAIN_DAYS = 365


def alert_markings(ex: Exchange, today: date | None = None) -> Markings:
    """The markings of the node's own alerts: its agency originates them, for border security,
    releasable to both countries, kept a year unless the agreement keeps them less."""
    agreement = next(
        (a for a, terminated in ex.agreements() if not terminated and PURPOSE in a.purposes),
        None,
    )
    legal_basis = agreement.legal_basis if agreement else "Ley de la Guardia Nacional, art. 9"
    start = today or date.today()
    return parse_markings(
        {
            "origin_country": ex.country,
            "origin_agency": ex.agency,
            "handling": "H1",
            "tlp": "AMBER",
            "releasability": ["MX", "US"],
            "reliability": "B",
            "credibility": "2",
            "legal_basis": legal_basis,
            "purpose": [PURPOSE],
            "retain_until": (start + timedelta(days=RETAIN_DAYS)).isoformat(),
        }
    )


def alert_entity(alert: Alert, markings: Markings) -> dict[str, Any]:
    """A DroneAlert entity line (``{"id", "schema", "properties", "markings"}``)."""
    props: dict[str, list[str]] = {
        "alertType": [alert.kind],
        "date": [alert.when],
        "trackId": [alert.track_id],
        "latitude": [f"{alert.latitude:.6f}"],
        "longitude": [f"{alert.longitude:.6f}"],
        "distanceToLine": [f"{alert.distance_m:.1f}"],
        "ambiguity": [f"{alert.ambiguity_m:.1f}"],
        "sector": [alert.sector],
        "nearestPort": [alert.port],
        "portDistance": [f"{alert.port_distance_m:.0f}"],
    }
    optional = {
        "altitude": None if alert.altitude is None else f"{alert.altitude:.1f}",
        "speed": None if alert.speed is None else f"{alert.speed:.1f}",
        "heading": None if alert.heading is None else f"{alert.heading:.1f}",
        "direction": alert.direction,
        "droneSerial": alert.serial,
        "detectionId": alert.detection_id,
    }
    props.update({k: [v] for k, v in optional.items() if v})
    if alert.sensors:
        props["sensors"] = list(alert.sensors)
    if alert.path:
        line = {
            "type": "LineString",
            "coordinates": [[round(lo, 6), round(la, 6)] for _, la, lo in alert.path],
            "times": [
                datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")
                for t, _, _ in alert.path
            ],
        }
        props["path"] = [orjson.dumps(line).decode()]
    return {
        "id": alert.id,
        "schema": "DroneAlert",
        "properties": props,
        "markings": markings.to_dict(),
    }


@dataclass
class HandoffResult:
    stored: int = 0
    shared: dict[str, int] = field(default_factory=dict)
    refused: dict[str, dict[str, int]] = field(default_factory=dict)


class AlertHandoff:
    """Stores this node's alerts and hands them to ``partners`` (those with a drone agreement)."""

    def __init__(self, ex: Exchange, partners: Sequence[str] | None = None) -> None:
        self.ex = ex
        self.markings = alert_markings(ex)
        if partners is None:
            partners = [
                name for name in ex.partners() if ex.agreement_with(name, PURPOSE) is not None
            ]
        self.partners = list(partners)

    def hand_off(self, alerts: Sequence[Alert], actor: str = "drone-watch") -> HandoffResult:
        result = HandoffResult()
        if not alerts:
            return result
        seen = datetime.now(UTC).isoformat(timespec="seconds")
        records = [
            entity_from_dict(alert_entity(a, self.markings), DATASET, seen, "drones:watch")
            for a in alerts
        ]
        with self.ex.db.transaction() as tx:
            tx.put_records(records)
            self.ex.audit.append(
                tx,
                AUDIT_KIND,
                actor,
                {
                    "dataset": DATASET,
                    "source": "drone-watch",
                    "entities": len(records),
                    "alerts": [a.id for a in alerts],
                    "kinds": sorted({a.kind for a in alerts}),
                    "tracks": sorted({a.track_id for a in alerts}),
                },
            )
        result.stored = len(records)
        ids = [a.id for a in alerts]
        for partner in self.partners:
            shared = share(self.ex, partner, PURPOSE, ids, actor=actor)
            result.shared[partner] = shared.released
            if shared.refused:
                result.refused[partner] = dict(shared.refused)
        return result
