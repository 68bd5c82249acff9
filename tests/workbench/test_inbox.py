"""The inbox page on two paired in-process nodes: the US node asks, the Mexican node's
workbench lists the request and answers or refuses it, and the US node receives the answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from paridad.audit.log import AuditLog
from paridad.exchange.workflows.requests import (
    expire_requests,
    get_request,
    request_consent,
    send_rfi,
)
from paridad.i18n import format_date, translate
from paridad.model.vocabularies import vocabulary
from paridad.workbench import accounts
from paridad.workbench.inbox import entity_list
from tests.exchange.conftest import Pair
from tests.workbench.paired import PURPOSE, sign_in
from tests.workbench.paired import client as client  # the fixtures
from tests.workbench.paired import pair as pair
from tests.workbench.paired import pair_nodes as pair_nodes


def incoming_rfi(pair: Pair, case: str = "ATF-2026-17", question: str = "Who held it?") -> str:
    rfi = send_rfi(pair.us.ex, pair.mx.name, PURPOSE, case, question)
    pair.flush()
    return rfi


def row(page: str, item_id: str) -> str:
    """The table row of one item (up to the next row)."""
    start = page.index(f'data-id="{item_id}"')
    end = page.find("<tr ", start)
    return page[start : end if end > 0 else len(page)]


def state(pair: Pair, request_id: str, direction: str) -> str:
    request = get_request(pair.mx.ex if direction == "in" else pair.us.ex, request_id, direction)
    assert request is not None
    return request.state


def test_may_act_is_for_analysts_supervisors_and_liaisons_only() -> None:
    def user(role: str, active: bool = True) -> accounts.User:
        return accounts.User("someone", role, "", (), "H3", active)

    assert [r for r in accounts.ROLES if accounts.may_act(user(r))] == [
        "analyst",
        "supervisor",
        "liaison",
    ]
    assert not accounts.may_act(user("analyst", active=False))


def test_an_rfi_is_listed_with_its_deadline_and_answered_from_the_page(
    pair: Pair, client: TestClient
) -> None:
    rfi = incoming_rfi(pair, question="Who held SN00000X?")
    sign_in(client, "ana")
    page = client.get("/inbox").text
    line = row(page, rfi)
    deadline = get_request(pair.mx.ex, rfi, "in").deadline  # type: ignore[union-attr]
    assert deadline is not None
    assert format_date(datetime.fromisoformat(deadline), "en") in line
    assert "Request for information" in line and "Who held SN00000X?" in line
    assert 'data-state="open"' in line and "Overdue" not in line
    assert 'data-action="answer"' in line and 'data-action="refuse"' in line
    assert "Inbox (1 open)" in page  # the header link counts what waits

    answer = client.post(
        f"/inbox/rfi/{rfi}/answer",
        data={"entities": "mx-firearm-0, mx-person-0", "note": "Two records"},
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/inbox?")
    after = client.get(answer.headers["location"]).text
    assert f"Request {rfi} answered." in after
    assert 'data-state="answered"' in row(after, rfi) and "Inbox (0 open)" in after
    assert state(pair, rfi, "in") == "answered"
    pair.flush()
    sent = get_request(pair.us.ex, rfi, "out")
    assert sent is not None and sent.state == "answered" and sent.records == 2
    assert {r.id for r in pair.us.ex.records(["mx-firearm-0", "mx-person-0"])} == {
        "mx-firearm-0",
        "mx-person-0",
    }

    again = client.post(f"/inbox/rfi/{rfi}/refuse", data={"reason": "other"})
    assert again.status_code == 409
    assert "no longer open" in again.text
    assert state(pair, rfi, "in") == "answered"


def test_refusing_with_a_reason_and_overdue_requests(pair: Pair, client: TestClient) -> None:
    rfi = incoming_rfi(pair)
    expire_requests(pair.mx.ex, now=datetime.now(UTC) + timedelta(days=5))
    sign_in(client, "lucia")
    line = row(client.get("/inbox").text, rfi)
    assert "Overdue" in line and 'data-action="refuse"' in line  # late, still answerable

    bad = client.post(f"/inbox/rfi/{rfi}/refuse", data={"reason": "tlp-too-high"})
    assert bad.status_code == 400  # a release-gate code is no reason for an analyst
    assert state(pair, rfi, "in") == "expired"

    answer = client.post(
        f"/inbox/rfi/{rfi}/refuse", data={"reason": "legal-impediment", "note": "Amparo"}
    )
    assert answer.status_code == 303
    assert f"Request {rfi} refused." in client.get(answer.headers["location"]).text
    pair.flush()
    sent = get_request(pair.us.ex, rfi, "out")
    assert sent is not None and sent.state == "refused" and sent.reason == "legal-impediment"


def test_a_consent_request_is_granted_from_the_page(pair: Pair, client: TestClient) -> None:
    from paridad.exchange.workflows.requests import answer_rfi

    rfi = incoming_rfi(pair)
    answer_rfi(pair.mx.ex, rfi, ["mx-firearm-0"])
    pair.flush()
    consent = request_consent(
        pair.us.ex, pair.mx.name, ["mx-firearm-0"], "judicial", "ATF-2026-17", "For the court"
    )
    pair.flush()
    sign_in(client, "ana")
    line = row(client.get("/inbox").text, consent)
    assert "Consent request" in line and "Use in judicial proceedings" in line
    assert client.post(f"/inbox/consent/{consent}/grant").status_code == 303
    pair.flush()
    assert state(pair, consent, "out") == "granted"
    assert client.post(f"/inbox/consent/{consent}/grant").status_code == 409


def test_an_auditor_sees_no_actions_and_may_not_post(pair: Pair, client: TestClient) -> None:
    rfi = incoming_rfi(pair)
    sign_in(client, "aurora")
    page = client.get("/inbox").text
    assert f'data-id="{rfi}"' in page
    assert 'action="/inbox/' not in page and "Actions" not in page
    log = AuditLog(pair.mx.ex.db)
    before = log.size()
    answer = client.post(f"/inbox/rfi/{rfi}/refuse", data={"reason": "other"})
    assert answer.status_code == 403
    assert "Your role may not answer, approve or refuse partner requests." in answer.text
    assert state(pair, rfi, "in") == "open"
    assert not [e for e in log.entries(before, log.size()) if e.kind in ("refusal", "answer")]


def test_the_inbox_needs_a_session_and_unknown_items_are_404(
    pair: Pair, client: TestClient
) -> None:
    assert client.get("/inbox").headers["location"] == "/login"
    assert client.post("/inbox/rfi/x/answer").headers["location"] == "/login"
    sign_in(client, "ana")
    assert client.post("/inbox/rfi/nothing-here/answer").status_code == 404
    rfi = incoming_rfi(pair)
    assert client.post(f"/inbox/consent/{rfi}/grant").status_code == 404  # not a consent
    assert client.post(f"/inbox/rfi/{rfi}/grant").status_code == 404  # not an RFI's action


def test_spanish_and_english_labels(pair: Pair, client: TestClient) -> None:
    rfi = incoming_rfi(pair)
    sign_in(client, "ana")
    refusal = vocabulary("refusal").term("legal-impediment")
    english = client.get("/inbox").text
    assert '<html lang="en">' in english and "Request for information" in english
    assert refusal.label("en") in english
    client.cookies.set("paridad_lang", "es")
    spanish = client.get("/inbox").text
    assert '<html lang="es">' in spanish and f'data-id="{rfi}"' in spanish
    assert refusal.label("es") in spanish  # the reasons, in the reader's language
    for label in ("Request for information", "Refuse", "Deadline", "Inbox ({count} open)"):
        assert translate(label, "es", count="1") in spanish


def test_entity_list_reads_what_people_type() -> None:
    assert entity_list(" a, b\nc  a ,") == ["a", "b", "c"]
