"""Two paired nodes for exchange tests, on SQLite or PostgreSQL.

The in-process link delivers a courier's request body straight to the partner's inbox — the
same bytes and the same code as over HTTPS, minus the socket — so workflow tests are fast;
tests in ``test_serve.py`` and ``test_kill.py`` run real ``paridad serve`` processes over
mutual TLS.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from paridad.exchange.context import Exchange
from paridad.exchange.courier import Courier
from paridad.exchange.inbox import Inbox
from paridad.exchange.pairing import pair
from paridad.exchange.partners import Partner
from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from paridad.policy.agreement import Agreement
from tests.conftest import MARKINGS, entity, postgres_url

US_MARKINGS = {**MARKINGS, "origin_country": "US", "origin_agency": "ATF"}


@dataclass
class Side:
    node: Node
    ex: Exchange
    inbox: Inbox
    courier: Courier

    @property
    def name(self) -> str:
        return self.node.config.name


@dataclass
class Pair:
    mx: Side
    us: Side
    agreement: Agreement

    def flush(self, rounds: int = 20) -> None:
        """Deliver both outboxes until nothing moves (replies trigger further messages)."""
        for _ in range(rounds):
            moved = 0
            for side in (self.mx, self.us):
                for recipient in side.courier.pending():
                    moved += side.courier.deliver(recipient).acknowledged
            if not moved:
                return


def load(side: Side, items: list[dict[str, Any]], dataset: str = "local") -> None:
    records = [entity_from_dict(i, dataset, "2026-01-01T00:00:00", "test") for i in items]
    with side.ex.db.transaction() as tx:
        tx.put_records(records)


def sample_entities(country: str = "MX", n: int = 3) -> list[dict[str, Any]]:
    marks = MARKINGS if country == "MX" else US_MARKINGS
    prefix = country.lower()
    out: list[dict[str, Any]] = []
    for i in range(n):
        out.append(
            entity(
                f"{prefix}-firearm-{i}",
                "Firearm",
                marks,
                serialNumber=f"SN{i:05d}X",
                make="Colt",
                model="M4",
                caliber="5.56",
                notes=f"secret informant note {i}",
            )
        )
        out.append(
            entity(
                f"{prefix}-person-{i}",
                "Person",
                marks,
                name=f"Persona Ejemplo {i}",
                firstName="Persona",
                lastName=f"Ejemplo {i}",
                birthDate="1980-01-01",
                phone="+525511112222",
            )
        )
    return out


@pytest.fixture(params=["sqlite", "postgres"])
def pair_nodes(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pair]:
    if request.param == "postgres":
        base = postgres_url()
        if base is None:
            pytest.skip("PostgreSQL not configured (set PARIDAD_TEST_DATABASE_URL)")
        monkeypatch.setenv("PARIDAD_DATABASE_URL", base)
    suffix = uuid.uuid4().hex[:8]
    mx = Node.init(tmp_path / "mx", "MX", "FGR", name=f"mx-fgr-{suffix}")
    us = Node.init(tmp_path / "us", "US", "ATF", name=f"us-atf-{suffix}")
    agreement = pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2")
    sides: dict[str, Side] = {}
    exchanges = {n.config.name: Exchange(n) for n in (mx, us)}
    inboxes = {name: Inbox(ex) for name, ex in exchanges.items()}

    def link(partner: Partner, body: bytes) -> dict[str, Any]:
        return inboxes[partner.node].receive(orjson.loads(body)["envelopes"]).to_dict()

    for node in (mx, us):
        ex = exchanges[node.config.name]
        sides[node.config.country] = Side(node, ex, inboxes[node.config.name], Courier(ex, link))
    yield Pair(sides["MX"], sides["US"], agreement)
    for side in sides.values():
        side.ex.close()
    if request.param == "postgres":
        from paridad.store.postgres import PostgresStore

        for node in (mx, us):
            store = PostgresStore(node.store_url)
            store.drop()
            store.close()
