"""The link chart's data: relationships drawn as dated edges, need-to-know on every node and
relationship, partner nodes marked and their expansion receipted, errors as status codes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from paridad.audit.log import AuditLog
from paridad.store.database import Database
from paridad.workbench.app import create_workbench
from tests.conftest import entity
from tests.workbench.conftest import SECRET_MARKINGS, US_MARKINGS, Workbench, add_entities
from tests.workbench.test_app import sign_in

COMPANY = "mx-company-norte"


@pytest.fixture
def client(workbench: Workbench) -> Iterator[TestClient]:
    add_entities(
        workbench,
        "local",
        entity(COMPANY, "Company", name="Transportes del Norte"),
        entity(
            "mx-own-1",
            "Ownership",
            owner=workbench.jose,
            asset=COMPANY,
            startDate="2019-05-01",
            endDate="2022-01-31",
        ),
        # A tie to the H3 person, itself marked H3: neither may show to an H2 analyst.
        entity(
            "mx-family-1",
            "Family",
            SECRET_MARKINGS,
            person=workbench.jose,
            relative=workbench.secret,
            relationship="brother",
        ),
    )
    add_entities(
        workbench,
        "partner-us-atf-test",
        entity(
            "us-assoc-1",
            "Associate",
            US_MARKINGS,
            person=workbench.partner,
            associate=workbench.jose,
            startDate="2024",
        ),
    )
    with TestClient(create_workbench(workbench.node.path), follow_redirects=False) as c:
        yield c


def test_one_hop_draws_relationship_entities_as_dated_edges(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    answer = client.get(f"/entity/{workbench.jose}/links.json", headers={"Accept-Language": "es"})
    assert answer.status_code == 200
    data = answer.json()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {workbench.jose, COMPANY, workbench.car, workbench.partner}
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    ownership = edges[(workbench.jose, COMPANY)]
    assert (ownership["kind"], ownership["start"], ownership["end"]) == (
        "Ownership",
        "2019-05-01",
        "2022-01-31",
    )
    assert ownership["label"] == "Propiedad"
    assert edges[(workbench.partner, workbench.jose)]["kind"] == "Associate"
    assert edges[(workbench.car, workbench.jose)]["kind"] == "Vehicle:owner"
    assert edges[(workbench.car, workbench.jose)]["start"] == ""
    # The H3 tie is counted once, never named; what lies behind it is not even looked at.
    assert workbench.secret not in nodes
    assert data["withheld"] == 1
    assert "Joselito" not in answer.text
    assert nodes[workbench.partner]["partner"] is True
    assert nodes[workbench.jose]["partner"] is False


def test_a_supervisor_cleared_for_h3_sees_the_tie(client: TestClient, workbench: Workbench) -> None:
    sign_in(client, workbench.supervisor, workbench.password)
    data = client.get(f"/entity/{workbench.jose}/links.json").json()
    assert workbench.secret in {n["id"] for n in data["nodes"]}
    family = [e for e in data["edges"] if e["kind"] == "Family"]
    assert [(e["source"], e["target"]) for e in family] == [(workbench.jose, workbench.secret)]
    assert data["withheld"] == 0


def test_a_relationship_opened_on_its_own_links_its_ends_with_its_dates(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    data = client.get("/entity/mx-own-1/links.json").json()
    assert {n["id"] for n in data["nodes"]} == {"mx-own-1", workbench.jose, COMPANY}
    assert {e["start"] for e in data["edges"]} == {"2019-05-01"}


def test_expanding_partner_data_leaves_a_receipt_and_forbidden_is_403(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    db = Database(workbench.node.store_url)
    try:
        log = AuditLog(db)
        before = log.size()
        assert client.get(f"/entity/{workbench.partner}/links.json").status_code == 200
        views = [e for e in log.entries(before, log.size()) if e.kind == "view"]
    finally:
        db.close()
    assert len(views) == 1 and views[0].details["entities"] == [workbench.partner]
    refused = client.get(f"/entity/{workbench.secret}/links.json")
    assert refused.status_code == 403
    assert "Joselito" not in refused.text
    assert client.get("/entity/nobody/links.json").status_code == 404


def test_the_chart_page_is_translated_and_loads_only_the_nodes_files(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    page = client.get(f"/entity/{workbench.jose}/chart", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert "Gráfico de vínculos" in page.text
    sources = [part.split('"')[0] for part in page.text.split('<script src="')[1:]]
    assert sources and all(s.startswith("/static/") for s in sources)
    for source in sources:
        assert client.get(source).status_code == 200, source
    assert client.get(f"/entity/{workbench.jose}").text.count("/chart") == 1


def test_without_a_session_the_data_is_not_served(client: TestClient, workbench: Workbench) -> None:
    answer = client.get(f"/entity/{workbench.jose}/links.json")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
