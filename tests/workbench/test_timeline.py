"""Timelines of an entity and of a case, through the workbench with a signed-in analyst.

The node holds a small firearms case: a joint case, two recoveries pointing to it, the
recovered firearm and its purchase, and a third recovery with handling H3 that the analyst
(limited to H2) must never see — not as a row, not as a mark on the axis.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from paridad.i18n import format_date
from paridad.ingest.records import entity_from_dict
from paridad.model import model
from paridad.model.labels import property_label, schema_label
from paridad.store.database import Database
from paridad.workbench.app import create_workbench
from paridad.workbench.timeline import EVENTS, date_props
from tests.conftest import entity
from tests.workbench.conftest import SECRET_MARKINGS, Workbench
from tests.workbench.test_app import sign_in

CASE = "mx-case-rio"
FIREARM = "mx-firearm-1"
RECOVERY_1 = "mx-recovery-1"
RECOVERY_2 = "mx-recovery-2"
PURCHASE = "mx-acquisition-1"
HIDDEN = "mx-recovery-secret"


@pytest.fixture
def client(workbench: Workbench) -> Iterator[TestClient]:
    records = [
        entity(
            CASE,
            "JointCase",
            name="Operación Río",
            caseNumber="FGR/2024/017",
            openingDate="2024-01-15",
        ),
        entity(FIREARM, "Firearm", name="Pistola Glock 19", serialNumber="BXR123"),
        entity(
            RECOVERY_1,
            "FirearmRecovery",
            date="2024-03-05",
            municipality="Tijuana",
            firearm=FIREARM,
            case=CASE,
        ),
        entity(RECOVERY_2, "FirearmRecovery", date="2024-06-20", municipality="Nogales", case=CASE),
        entity(PURCHASE, "FirearmAcquisition", date="2023-11-02", firearm=FIREARM),
        entity(
            HIDDEN,
            "FirearmRecovery",
            SECRET_MARKINGS,
            date="2024-04-10",
            municipality="Secreto",
            firearm=FIREARM,
            case=CASE,
        ),
    ]
    db = Database(workbench.node.store_url)
    try:
        with db.transaction() as tx:
            tx.put_records(
                [entity_from_dict(r, "local", "2026-01-03T00:00:00", "test") for r in records]
            )
    finally:
        db.close()
    with TestClient(create_workbench(workbench.node.path), follow_redirects=False) as c:
        sign_in(c, workbench.analyst, workbench.password)
        yield c


def rows(page: str) -> list[tuple[str, str]]:
    """(entity id, date) of every event row, in page order."""
    return re.findall(r'<tr class="event" data-id="([^"]+)" data-date="([^"]+)">', page)


def test_a_case_timeline_lists_its_entities_events_in_date_order(client: TestClient) -> None:
    client.cookies.set("paridad_lang", "en")
    answer = client.get(f"/entity/{CASE}/timeline")
    assert answer.status_code == 200, answer.text
    assert rows(answer.text) == [
        (CASE, "2024-01-15"),
        (RECOVERY_1, "2024-03-05"),
        (RECOVERY_2, "2024-06-20"),
    ]
    assert "Dated events of the case" in answer.text
    assert re.search(r'id="withheld">1 related', answer.text)  # counted, never shown


def test_linked_entities_dates_are_included_and_the_hidden_one_is_not(
    client: TestClient,
) -> None:
    page = client.get(f"/entity/{FIREARM}/timeline").text
    assert rows(page) == [(PURCHASE, "2023-11-02"), (RECOVERY_1, "2024-03-05")]
    assert HIDDEN not in page and "Secreto" not in page and "2024-04-10" not in page
    assert f'href="/entity/{PURCHASE}"' in page and f'href="/entity/{RECOVERY_1}"' in page


def test_an_entity_of_a_case_shows_the_whole_case(client: TestClient) -> None:
    page = client.get(f"/entity/{RECOVERY_2}/timeline").text
    assert [d for _, d in rows(page)] == ["2024-01-15", "2024-03-05", "2024-06-20"]
    assert HIDDEN not in page


def test_events_are_grouped_by_year_and_month(client: TestClient) -> None:
    client.cookies.set("paridad_lang", "en")
    page = client.get(f"/entity/{FIREARM}/timeline").text
    assert page.index('id="year-2023"') < page.index("<h3>November</h3>")
    assert page.index("<h3>November</h3>") < page.index('id="year-2024"')
    assert page.index('id="year-2024"') < page.index("<h3>March</h3>")


def test_labels_follow_the_language(client: TestClient) -> None:
    recovery = model.get("FirearmRecovery")
    joint = model.get("JointCase")
    assert recovery is not None and joint is not None
    for lang in ("es", "en"):
        client.cookies.set("paridad_lang", lang)
        page = client.get(f"/entity/{CASE}/timeline").text
        assert f'<html lang="{lang}">' in page
        assert f"<td>{format_date(date(2024, 3, 5), lang)}</td>" in page
        assert f"<td>{schema_label(recovery, lang)}</td>" in page
        assert f"<td>{property_label(joint.properties['openingDate'], lang)}</td>" in page
    client.cookies.set("paridad_lang", "es")
    spanish = client.get(f"/entity/{CASE}/timeline").text
    assert "Aseguramiento de arma de fuego" in spanish and "Fecha de apertura" in spanish
    assert "<h3>marzo</h3>" in spanish and "5 de marzo de 2024" in spanish


def test_the_axis_has_one_mark_per_event_each_linking_to_its_entity(client: TestClient) -> None:
    page = client.get(f"/entity/{CASE}/timeline").text
    svg = re.search(r'<svg id="axis".*?</svg>', page, re.S)
    assert svg is not None
    links = re.findall(r'<a href="/entity/([^"]+)"><circle class="mark" cx="([\d.]+)"', svg[0])
    assert [i for i, _ in links] == [i for i, _ in rows(page)]
    xs = [float(x) for _, x in links]
    assert xs == sorted(xs) and xs[0] < xs[-1]  # earliest left, latest right
    assert "<script" not in page


def test_unknown_is_404_forbidden_is_403_and_no_session_goes_to_sign_in(
    client: TestClient, workbench: Workbench
) -> None:
    assert client.get("/entity/nobody-here/timeline").status_code == 404
    forbidden = client.get(f"/entity/{HIDDEN}/timeline")
    assert forbidden.status_code == 403 and "Secreto" not in forbidden.text
    assert client.get(f"/entity/{workbench.secret}/timeline").status_code == 403
    client.post("/logout")
    answer = client.get(f"/entity/{CASE}/timeline")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_the_entity_page_links_to_its_timeline(client: TestClient) -> None:
    page = client.get(f"/entity/{FIREARM}").text
    assert f'href="/entity/{FIREARM}/timeline" id="timeline-link"' in page


def test_a_supervisor_sees_the_h3_recovery_on_the_timeline(
    client: TestClient, workbench: Workbench
) -> None:
    client.post("/logout")
    sign_in(client, workbench.supervisor, workbench.password)
    assert (HIDDEN, "2024-04-10") in rows(client.get(f"/entity/{CASE}/timeline").text)


def test_dated_properties_come_from_the_model() -> None:
    names = set(date_props())
    assert {"date", "startDate", "endDate", "openingDate", "birthDate"} <= names
    assert "caseNumber" not in names and "municipality" not in names
    assert EVENTS == 500
