"""A Mexican node's workbench paired with a US node, for pages that show exchange data.

Import the fixtures into a test module (``from tests.workbench.paired import client, pair``)
as tests/exchange's modules import ``pair_nodes``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paridad.workbench import accounts
from paridad.workbench.app import create_workbench
from tests.exchange.conftest import Pair, load, sample_entities
from tests.exchange.conftest import pair_nodes as pair_nodes  # the two-node fixture
from tests.workbench.conftest import PASSWORD

PURPOSE = "firearms-trafficking"


@pytest.fixture
def pair(pair_nodes: Pair) -> Pair:
    """The pair, with records on the Mexican side and an analyst (ana), a liaison officer
    (lucia) and an auditor (aurora) on its workbench."""
    load(pair_nodes.mx, sample_entities("MX", n=2))
    db = pair_nodes.mx.ex.db
    accounts.ensure_tables(db)
    accounts.create_user(db, "ana", PASSWORD, "analyst")
    accounts.create_user(db, "lucia", PASSWORD, "liaison")
    accounts.create_user(db, "aurora", PASSWORD, "auditor")
    return pair_nodes


@pytest.fixture
def client(pair: Pair) -> Iterator[TestClient]:
    with TestClient(create_workbench(pair.mx.node.path), follow_redirects=False) as c:
        c.cookies.set("paridad_lang", "en")
        yield c


def sign_in(client: TestClient, user: str) -> None:
    answer = client.post("/login", data={"username": user, "password": PASSWORD})
    assert answer.status_code == 303, answer.text
