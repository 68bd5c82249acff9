"""Alerts stored as the node's own DroneAlert entities and handed to the partner through the
release gate of the drone agreement: what crosses, what does not, and what waits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from paridad.drones.alerts import Alert
from paridad.drones.alerts.handoff import AUDIT_KIND, PURPOSE, AlertHandoff, alert_entity
from paridad.drones.alerts.listing import list_alerts
from paridad.exchange.context import Exchange
from paridad.exchange.courier import Courier
from paridad.exchange.inbox import Inbox
from paridad.exchange.pairing import pair
from paridad.exchange.partners import Partner
from paridad.node import Node


@dataclass
class Linked:
    mx: Exchange
    us: Exchange
    courier: Courier


@pytest.fixture
def linked(tmp_path: Path) -> Iterator[Linked]:
    suffix = uuid.uuid4().hex[:6]
    mx = Node.init(tmp_path / "mx", "MX", "SEDENA", name=f"mx-sedena-{suffix}")
    us = Node.init(tmp_path / "us", "US", "CBP", name=f"us-cbp-{suffix}")
    pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2", template="border-security")
    with Exchange(mx) as mx_ex, Exchange(us) as us_ex:
        inbox = Inbox(us_ex)

        def link(partner: Partner, body: bytes) -> dict[str, Any]:
            return inbox.receive(orjson.loads(body)["envelopes"]).to_dict()

        yield Linked(mx_ex, us_ex, Courier(mx_ex, link))


def crossing(t: float = 1_773_540_000.0, track: str = "T7") -> Alert:
    return Alert(
        kind="crossing",
        track_id=track,
        time=t,
        latitude=31.3325,
        longitude=-110.5,
        altitude=82.0,
        speed=11.5,
        heading=2.0,
        distance_m=0.0,
        ambiguity_m=657.0,
        sector="Tucson",
        port="Nogales – DeConcini",
        port_distance_m=40_000.0,
        direction="northbound",
        serial="1581F5FKD229400T",
        sensors=("MX-RADAR-3", "MX-RF-2"),
        detection_id="mx-000123",
        path=((t - 2, 31.3321, -110.5), (t - 1, 31.3323, -110.5)),
    )


def test_an_alert_is_stored_audited_and_released_under_the_drone_agreement(linked: Linked) -> None:
    handoff = AlertHandoff(linked.mx)
    assert handoff.partners == [linked.us.name]
    result = handoff.hand_off([crossing()])
    assert result.stored == 1 and result.shared == {linked.us.name: 1}
    kinds = [r[0] for r in linked.mx.db.query("SELECT kind FROM audit_entries")]
    assert AUDIT_KIND in kinds and "release" in kinds
    linked.courier.deliver(linked.us.name)
    received = list_alerts(linked.us)
    assert len(received) == 1
    row = received[0]
    assert row.sender == linked.mx.name and row.kind == "crossing"
    assert row.direction == "northbound" and row.serial == "1581F5FKD229400T"
    # The agreement's flow leaves the node's sensor identifiers out.
    props = {p for p, _ in linked.us.candidates([row.id])[0].values}
    assert "sensors" not in props and {"path", "detectionId", "sector"} <= props
    own = list_alerts(linked.mx)
    assert own[0].sender is None


def test_alerts_of_one_batch_travel_in_one_envelope(linked: Linked) -> None:
    alerts = [crossing(1_773_540_000.0 + i, track=f"T{i}") for i in range(5)]
    AlertHandoff(linked.mx).hand_off(alerts)
    rows = linked.mx.db.query("SELECT COUNT(*) FROM outbox")
    assert rows[0][0] == 1


def test_without_a_drone_agreement_nothing_is_handed_over(tmp_path: Path) -> None:
    mx = Node.init(tmp_path / "mx", "MX", "SEDENA", name="mx-only")
    us = Node.init(tmp_path / "us", "US", "CBP", name="us-only")
    pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2")  # firearms only
    with Exchange(mx) as ex:
        handoff = AlertHandoff(ex)
        assert handoff.partners == []
        result = handoff.hand_off([crossing()])
        assert result.stored == 1 and result.shared == {}
        assert ex.db.query("SELECT COUNT(*) FROM outbox")[0][0] == 0


def test_a_partner_that_is_down_gets_its_alerts_later(linked: Linked) -> None:
    AlertHandoff(linked.mx).hand_off([crossing()])

    def down(partner: Partner, body: bytes) -> dict[str, Any]:
        raise OSError("connection refused")

    outcome = Courier(linked.mx, down).deliver(linked.us.name)
    assert outcome.error and list_alerts(linked.us) == []
    with linked.mx.db.transaction() as tx:
        tx.execute("UPDATE outbox SET next_attempt_at = '2000-01-01'")
    linked.courier.deliver(linked.us.name)
    assert len(list_alerts(linked.us)) == 1


def test_the_entity_line_carries_the_alert(linked: Linked) -> None:
    line = alert_entity(crossing(), AlertHandoff(linked.mx).markings)
    assert line["schema"] == "DroneAlert"
    assert line["markings"]["purpose"] == [PURPOSE]
    assert line["markings"]["origin_agency"] == "SEDENA"
    path = orjson.loads(line["properties"]["path"][0])
    assert path["type"] == "LineString" and path["coordinates"][0] == [-110.5, 31.3321]
