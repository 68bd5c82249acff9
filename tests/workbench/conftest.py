"""A small node for the workbench tests: José (Mexican markings), a partner's US person, an
H3 entity a limited analyst must not see, a vehicle linking José, and two accounts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from paridad.store.database import Database
from paridad.workbench import accounts
from tests.conftest import MARKINGS, entity

US_MARKINGS = {**MARKINGS, "origin_country": "US", "origin_agency": "ATF", "handling": "H0"}
SECRET_MARKINGS = {**MARKINGS, "handling": "H3"}
PASSWORD = "correct horse battery staple"


@dataclass
class Workbench:
    node: Node
    analyst: str = "ana"
    supervisor: str = "sofia"
    password: str = PASSWORD
    jose: str = "mx-person-jose"
    partner: str = "us-person-john"
    secret: str = "mx-person-secret"
    car: str = "mx-vehicle-1"


def make_workbench(path: Path) -> Workbench:
    node = Node.init(path, "MX", "FGR", name="mx-fgr-test")
    own = [
        entity(
            "mx-person-jose",
            "Person",
            name="José de la Cruz Ramírez",
            firstName="José",
            lastName="de la Cruz Ramírez",
            birthDate="1979-04-02",
            nationality="mx",
        ),
        entity("mx-person-secret", "Person", SECRET_MARKINGS, name="Joselito Ramírez Secreto"),
        entity("mx-vehicle-1", "Vehicle", registrationNumber="ABC1234", owner="mx-person-jose"),
    ]
    partner = [entity("us-person-john", "Person", US_MARKINGS, name="John Ramirez Walker")]
    db = Database(node.store_url)
    try:
        records = [entity_from_dict(i, "local", "2026-01-01T00:00:00", "test") for i in own]
        records += [
            entity_from_dict(i, "partner-us-atf-test", "2026-01-02T00:00:00", "test")
            for i in partner
        ]
        with db.transaction() as tx:
            tx.put_records(records)
        accounts.ensure_tables(db)
        accounts.create_user(
            db, "ana", PASSWORD, "analyst", display_name="Ana Analista", max_handling="H2"
        )
        accounts.create_user(db, "sofia", PASSWORD, "supervisor", max_handling="H3")
    finally:
        db.close()
    return Workbench(node)


def add_entities(workbench: Workbench, dataset: str, *items: dict[str, object]) -> None:
    """Store more entities on the test node, as ``dataset`` (``partner-…`` for received)."""
    db = Database(workbench.node.store_url)
    try:
        records = [entity_from_dict(i, dataset, "2026-01-03T00:00:00", "test") for i in items]
        with db.transaction() as tx:
            tx.put_records(records)
    finally:
        db.close()


@pytest.fixture
def workbench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workbench:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    return make_workbench(tmp_path / "node")
