"""The agreements and audit pages on two paired in-process nodes: the Mexican node's
workbench lists the agreement and the reciprocity figures after a share, and its auditor
reads, verifies and proves the audit log — and sees the damage when a row is edited."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from paridad.audit.log import AuditLog
from paridad.exchange.reciprocity import reciprocity
from paridad.exchange.workflows.share import share
from paridad.i18n import format_number, translate
from paridad.workbench import accounts
from paridad.workbench.oversight import MSG_MAY_NOT_AUDIT, PAGE
from tests.exchange.conftest import Pair
from tests.workbench.paired import PURPOSE, sign_in
from tests.workbench.paired import client as client  # the fixtures
from tests.workbench.paired import pair as pair
from tests.workbench.paired import pair_nodes as pair_nodes


def figure(page: str, name: str) -> tuple[str, str]:
    """The sent and received cells of one reciprocity row."""
    found = re.search(
        rf'data-figure="{name}">.*?class="count sent">([^<]*)</td>'
        r'<td class="count received">([^<]*)</td>',
        page,
    )
    assert found is not None, name
    return found.group(1), found.group(2)


def tamper(pair: Pair, idx: int) -> None:
    """Edit one audit row behind the log's back, as anyone with database access could."""
    with pair.mx.ex.db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET actor = ? WHERE idx = ?", ("nadie", idx))


def test_may_audit_is_for_auditors_supervisors_and_administrators_only() -> None:
    def user(role: str, active: bool = True) -> accounts.User:
        return accounts.User("someone", role, "", (), "H3", active)

    assert [r for r in accounts.ROLES if accounts.may_audit(user(r))] == [
        "supervisor",
        "auditor",
        "administrator",
    ]
    assert not accounts.may_audit(user("auditor", active=False))
    assert user("auditor").may_audit and not user("analyst").may_audit


def test_agreements_list_the_flows_and_the_reciprocity_after_a_share(
    pair: Pair, client: TestClient
) -> None:
    result = share(pair.mx.ex, pair.us.name, PURPOSE, ["mx-firearm-0", "mx-person-0"])
    assert result.released == 2
    pair.flush()
    sign_in(client, "ana")  # every signed-in role sees the agreements
    page = client.get("/agreements")
    assert page.status_code == 200
    text = page.text
    agreement = pair.agreement
    assert f'id="agreement-{agreement.id}"' in text and 'data-state="in-force"' in text
    assert "In force" in text and agreement.legal_basis in text
    assert "Firearms trafficking" in text  # the purpose in the reader's language
    for flow in agreement.flows:
        assert f'data-sender="{flow.sender}" data-recipient="{flow.recipient}"' in text
        assert f"TLP:{flow.max_tlp}" in text
        assert f"{format_number(flow.retention_days, 'en')} days" in text
    assert "Serial number" in text  # a property that may cross, by its label
    assert f"{format_number(agreement.rfi_deadline_hours, 'en')} hours" in text
    assert f"{format_number(agreement.rate_limit_per_minute, 'en')} messages per minute" in text

    (figures,) = reciprocity(pair.mx.ex)
    assert figures.records_sent == 2
    assert f"Reciprocity with {pair.us.name}" in text
    assert figure(text, "records") == ("2", "0")
    assert figure(text, "entities") == ("2", "0")
    assert figure(text, "rfis") == ("0", "0")
    assert 'id="agreements-link"' in text and 'id="audit-link"' not in text


def test_agreements_in_spanish(pair: Pair, client: TestClient) -> None:
    sign_in(client, "ana")
    client.cookies.set("paridad_lang", "es")
    text = client.get("/agreements").text
    assert '<html lang="es">' in text
    assert "Tráfico de armas" in text  # the purpose vocabulary's Spanish
    assert translate("Agreements and reciprocity", "es") in text
    assert translate("In force", "es") in text


def test_the_audit_log_is_for_auditors_only(pair: Pair, client: TestClient) -> None:
    sign_in(client, "ana")
    for path in ("/audit", "/audit/0"):
        refused = client.get(path)
        assert refused.status_code == 403
        assert translate(MSG_MAY_NOT_AUDIT, "en") in refused.text
        assert 'id="entries"' not in refused.text
    assert client.post("/audit/verify").status_code == 403
    client.cookies.set("paridad_lang", "es")
    assert translate(MSG_MAY_NOT_AUDIT, "es") in client.get("/audit").text

    client.post("/logout")
    assert client.get("/audit").status_code == 303  # no session: back to sign-in


def test_an_auditor_reads_the_log_and_verifies_it(pair: Pair, client: TestClient) -> None:
    sign_in(client, "aurora")
    page = client.get("/audit")
    assert page.status_code == 200
    text = page.text
    size = AuditLog(pair.mx.ex.db).size()
    assert f'data-idx="{size - 1}" data-kind="login"' in text  # the sign-in just made
    assert "aurora" in text and "outcome: success" in text
    assert 'id="audit-link"' in text

    verified = client.post("/audit/verify")
    assert verified.status_code == 200
    assert 'data-ok="yes"' in verified.text
    assert f"OK: {size} entries" in verified.text

    tamper(pair, 1)
    damaged = client.post("/audit/verify").text
    assert 'data-ok="no"' in damaged
    assert "Audit entry 1 was altered: its content no longer matches its hash." in damaged
    assert "Problems found: 1" in damaged

    client.cookies.set("paridad_lang", "es")
    spanish = client.post("/audit/verify").text
    assert "La entrada de auditoría 1 fue alterada" in spanish
    assert "Problemas encontrados: 1" in spanish


def test_an_entry_shows_its_inclusion_proof(pair: Pair, client: TestClient) -> None:
    sign_in(client, "aurora")
    size = AuditLog(pair.mx.ex.db).size()
    page = client.get("/audit/1")
    assert page.status_code == 200
    assert 'data-verified="yes"' in page.text
    assert f"in the log&#39;s tree of {format_number(size, 'en')} entries" in page.text
    assert page.text.count("<li><code>") >= 1  # the path is shown, hash by hash
    root = AuditLog(pair.mx.ex.db).root(AuditLog(pair.mx.ex.db).size())
    assert root.hex() in page.text

    tamper(pair, 1)
    broken = client.get("/audit/1")
    assert broken.status_code == 200 and 'data-verified="no"' in broken.text
    assert "The proof does not verify" in broken.text
    assert 'data-verified="yes"' in client.get("/audit/0").text  # the others still prove

    missing = client.get(f"/audit/{size + 50}")
    assert missing.status_code == 404


def test_the_log_pages_by_a_hundred(pair: Pair, client: TestClient) -> None:
    log = AuditLog(pair.mx.ex.db)
    for n in range(PAGE + 20):
        log.append_now("query", "tester", {"n": n})
    sign_in(client, "aurora")
    size = log.size()
    first = client.get("/audit").text
    shown = [int(i) for i in re.findall(r'data-idx="(\d+)"', first)]
    assert shown == list(range(size - 1, size - 1 - PAGE, -1))
    older = re.search(r'href="/audit\?before=(\d+)" id="older"', first)
    assert older is not None and int(older.group(1)) == shown[-1]
    second = client.get(f"/audit?before={older.group(1)}").text
    rest = [int(i) for i in re.findall(r'data-idx="(\d+)"', second)]
    assert rest == list(range(shown[-1] - 1, -1, -1))
    assert 'id="older"' not in second and 'id="newest"' in second
