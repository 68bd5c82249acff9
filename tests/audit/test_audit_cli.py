"""``paridad audit`` as an operator runs it, on a node of each backend, in Spanish and English."""

from __future__ import annotations

import json
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner, Result

from paridad.audit import merkle
from paridad.audit.heads import (
    SignedTreeHead,
    record_partner_head,
    sign_head,
    verify_head_signature,
)
from paridad.audit.log import AuditError, AuditLog
from paridad.cli.audit_commands import make_audit_group
from paridad.exchange.identity import NodeIdentity
from paridad.i18n import set_lang
from paridad.node import Node
from paridad.store.database import Database


@pytest.fixture
def db(node: Node) -> Iterator[Database]:
    opened = Database(node.store_url)
    yield opened
    opened.close()


def paridad(*args: str) -> Result:
    """The audit group under a root group, as paridad.cli.commands registers it; built after
    the test chose its language, because help texts are part of the commands."""
    root = click.Group("paridad")
    root.add_command(make_audit_group())
    return CliRunner().invoke(root, list(args))


def fill(db: Database) -> AuditLog:
    log = AuditLog(db)
    log.append_now("login", "ana.ruiz", {"from": "10.0.0.7"})
    log.append_now("release", "mx-fgr", {"entity": "mx-p-1", "to": "us-atf"})
    log.append_now("view", "ana.ruiz", {"entity": "us-p-9", "por": "Análisis"})
    return log


def test_verify_a_clean_node_and_sign_its_head(node: Node, db: Database) -> None:
    fill(db)
    result = paridad("audit", "head", str(node.path))
    assert result.exit_code == 0, result.output
    head = SignedTreeHead.from_dict(json.loads(result.output))
    assert (head.node, head.size) == (node.config.name, 3)
    verify_head_signature(head, node.identity().verify_key)
    result = paridad("audit", "verify", str(node.path))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "OK: 3 entries, 1 signed heads, 0 partner heads"


def test_verify_reports_tampering_in_spanish_and_exits_1(node: Node, db: Database) -> None:
    fill(db)
    with db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET actor = ? WHERE idx = 1", ("nadie",))
    set_lang("es")
    result = paridad("audit", "verify", str(node.path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "La entrada de auditoría 1 fue alterada: su contenido ya no coincide con su hash.",
        "Problemas encontrados: 1",
    ]


def test_the_installed_command_exits_1_on_a_tampered_log(node: Node, db: Database) -> None:
    """Through ``paridad.cli.main`` (the installed entry point), not a test runner: click
    returns the code of ``Exit(1)`` outside standalone mode, and main must still exit 1."""
    from paridad.cli import main

    fill(db)
    main(["--lang", "en", "audit", "verify", str(node.path)])  # a clean log returns
    with db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET actor = ? WHERE idx = 1", ("nadie",))
    with pytest.raises(SystemExit) as tampered:
        main(["--lang", "en", "audit", "verify", str(node.path)])
    assert tampered.value.code == 1


def test_verify_checks_partner_heads_it_has_no_key_for(node: Node, db: Database) -> None:
    partner = NodeIdentity.generate()
    record_partner_head(
        db, "us-atf", sign_head(fill(db), partner, "us-atf"), partner.verify_key, None
    )
    result = paridad("audit", "verify", str(node.path))
    assert result.exit_code == 1
    assert "No signing key is registered for us-atf; its 1 tree heads" in result.output


def test_log_lists_entries_newest_first(node: Node, db: Database) -> None:
    fill(db)
    result = paridad("audit", "log", str(node.path), "--kind", "view")
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and "\tview\tana.ruiz\t" in result.output
    assert "Análisis" in result.output
    result = paridad("audit", "log", str(node.path), "--limit", "2", "--json")
    listed = json.loads(result.output)
    assert [e["idx"] for e in listed] == [2, 1] and listed[1]["details"]["to"] == "us-atf"
    result = paridad("audit", "log", str(node.path), "--kind", "recall")
    assert result.output.strip() == "The audit log has no such entries."
    assert paridad("audit", "log", str(node.path), "--kind", "nonsense").exit_code == 2


def test_prove_prints_a_proof_that_verifies(node: Node, db: Database) -> None:
    log = fill(db)
    for _ in range(4):
        log.append_now("query", "ana.ruiz", {"q": "ortega"})
    result = paridad("audit", "prove", str(node.path), "2", "--size", "5")
    assert result.exit_code == 0, result.output
    proof = json.loads(result.output)
    assert (proof["index"], proof["size"]) == (2, 5)
    assert proof["root"] == log.root(5).hex()
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leaf"]),
        2,
        5,
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(proof["root"]),
    )
    whole = json.loads(paridad("audit", "prove", str(node.path), "6").output)
    assert whole["size"] == 7 and whole["root"] == log.root().hex()
    out_of_range = paridad("audit", "prove", str(node.path), "9")
    assert isinstance(out_of_range.exception, AuditError)


def test_prove_refuses_an_edited_entry(node: Node, db: Database) -> None:
    fill(db)
    with db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET kind = ? WHERE idx = 0", ("view",))
    result = paridad("audit", "prove", str(node.path), "0")
    assert isinstance(result.exception, AuditError)
    assert "does not verify: the log is damaged" in str(result.exception)


def test_help_is_translated() -> None:
    set_lang("es")
    result = paridad("audit", "--help")
    assert "bitácora de auditoría" in result.output
    result = paridad("audit", "prove", "--help")
    assert "Tamaño del árbol" in result.output
