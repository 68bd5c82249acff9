"""The workbench's pages without a browser: sessions, need-to-know, language, facets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from paridad.audit.log import AuditLog
from paridad.i18n import catalog_ids, translate
from paridad.store.database import Database
from paridad.workbench.app import MESSAGES, create_workbench
from tests.workbench.conftest import Workbench

TEMPLATES = Path(__file__).resolve().parents[2] / "paridad" / "workbench" / "templates"


@pytest.fixture
def client(workbench: Workbench) -> Iterator[TestClient]:
    with TestClient(create_workbench(workbench.node.path), follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, user: str, password: str) -> None:
    answer = client.post("/login", data={"username": user, "password": password})
    assert answer.status_code == 303, answer.text


def test_pages_need_a_session(client: TestClient, workbench: Workbench) -> None:
    for path in ("/search?q=jose", f"/entity/{workbench.jose}", "/"):
        answer = client.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"] in ("/login", "/search")
    assert client.get("/search").headers["location"] == "/login"


def test_wrong_password_is_401_with_a_translated_error(
    client: TestClient, workbench: Workbench
) -> None:
    answer = client.post(
        "/login",
        data={"username": workbench.analyst, "password": "nope"},
        headers={"Accept-Language": "es-MX,es;q=0.9"},
    )
    assert answer.status_code == 401
    assert translate("Wrong user name or password.", "es") in answer.text
    assert '<html lang="es">' in answer.text
    assert "paridad_session" not in answer.headers.get("set-cookie", "")


def test_sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_it(
    client: TestClient, workbench: Workbench
) -> None:
    answer = client.post(
        "/login", data={"username": workbench.analyst, "password": workbench.password}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/search"
    cookie = answer.headers["set-cookie"].lower()
    assert "paridad_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert client.get("/search").status_code == 200
    token = client.cookies["paridad_session"]
    assert client.post("/logout").headers["location"] == "/login"
    client.cookies.set("paridad_session", token)  # a closed session is no key
    assert client.get("/search").status_code == 303


def test_search_finds_jose_without_accents_and_hides_what_the_user_may_not_see(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    page = client.get("/search", params={"q": "jose ramirez"}).text
    assert f'data-id="{workbench.jose}"' in page
    assert "José de la Cruz Ramírez" in page
    assert workbench.secret not in page  # H3, the analyst stops at H2
    both = client.get("/search", params={"q": "ramirez"}).text
    assert f'data-id="{workbench.partner}"' in both
    assert workbench.secret not in both


def test_facets_count_only_visible_entities_and_filter(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    page = client.get("/search", params={"q": "ramirez"}).text
    facet = re.search(r'<ul class="facet" id="facet-country">(.*?)</ul>', page, re.S)
    assert facet is not None
    counts = dict(re.findall(r'data-value="(\w+)">\w+</a> <span class="count">(\d+)', facet[1]))
    assert counts == {"MX": "1", "US": "1"}  # the H3 Mexican person is not counted
    handling = re.search(r'id="facet-handling">(.*?)</ul>', page, re.S)
    assert handling is not None and "H3" not in handling[1]
    only_us = client.get("/search", params={"q": "ramirez", "country": "US"}).text
    assert f'data-id="{workbench.partner}"' in only_us
    assert f'data-id="{workbench.jose}"' not in only_us


def test_a_supervisor_sees_the_h3_entity(client: TestClient, workbench: Workbench) -> None:
    sign_in(client, workbench.supervisor, workbench.password)
    page = client.get("/search", params={"q": "ramirez"}).text
    assert f'data-id="{workbench.secret}"' in page
    assert client.get(f"/entity/{workbench.secret}").status_code == 200


def test_a_forbidden_entity_is_403_translated(client: TestClient, workbench: Workbench) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    client.cookies.set("paridad_lang", "es")
    answer = client.get(f"/entity/{workbench.secret}")
    assert answer.status_code == 403
    assert "Joselito" not in answer.text
    expected = "You may not see this entity: it is outside your cases or handling level."
    assert translate(expected, "es") in answer.text
    assert client.get("/entity/nobody-here").status_code == 404


def test_entity_page_shows_provenance_markings_and_links(
    client: TestClient, workbench: Workbench
) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    client.cookies.set("paridad_lang", "en")
    page = client.get(f"/entity/{workbench.jose}").text
    assert "1979-04-02" in page and ">local<" in page  # value and its dataset
    assert "H1 · Not for use in judicial proceedings" in page
    assert "TLP:AMBER" in page
    assert 'id="partner-badge"' not in page
    assert f'href="/entity/{workbench.car}"' in page  # the vehicle owned by José


def test_viewing_partner_data_is_audited(client: TestClient, workbench: Workbench) -> None:
    sign_in(client, workbench.analyst, workbench.password)
    db = Database(workbench.node.store_url)
    try:
        log = AuditLog(db)
        before = log.size()
        page = client.get(f"/entity/{workbench.partner}").text
        assert 'id="partner-badge"' in page
        entries = log.entries(before, log.size())
    finally:
        db.close()
    views = [e for e in entries if e.kind == "view"]
    assert len(views) == 1 and views[0].actor == workbench.analyst
    assert views[0].details["entities"] == [workbench.partner]


def test_language_cookie_and_accept_language(client: TestClient, workbench: Workbench) -> None:
    assert '<html lang="es">' in client.get("/login").text  # a Mexican node speaks Spanish
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.8"}).text
    assert '<html lang="en">' in english
    answer = client.get("/lang/en", headers={"Referer": "http://testserver/login"})
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert "paridad_lang=en" in answer.headers["set-cookie"]
    assert '<html lang="en">' in client.get("/login").text
    evil = client.get("/lang/es", headers={"Referer": "https://evil.example/x"})
    assert evil.headers["location"] == "/search"


def test_every_template_string_is_a_marked_message() -> None:
    """A template may only show msgids of MESSAGES, which the catalogue tools extract."""
    used: set[str] = set()
    for path in TEMPLATES.glob("*.html"):
        used.update(re.findall(r'\bt\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
        used.update(re.findall(r"\bt\(\s*'([^']+)'", path.read_text(encoding="utf-8")))
    used.update(("Type", "Country of origin", "Handling code", "Not found", "Not allowed"))
    assert used <= set(MESSAGES), sorted(used - set(MESSAGES))
    assert not set(MESSAGES) - catalog_ids("es"), "every page label has its Spanish"
