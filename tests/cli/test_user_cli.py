"""``paridad user`` as a node's administrator uses it: add, list, disable, enable, password."""

from __future__ import annotations

import io
import json

import pytest

from paridad.node import Node
from paridad.store.database import Database
from paridad.workbench import accounts
from tests.cli.run import run

PASSWORD = "correct horse battery staple"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _signs_in(node: Node, username: str, password: str) -> bool:
    with Database(node.store_url) as db:
        return accounts.authenticate(db, username, password, source="test") is not None


def test_add_list_disable_enable_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, node: Node
) -> None:
    where = ("--node", str(node.path))
    _stdin(monkeypatch, PASSWORD + "\n")
    code, out, err = run(
        capsys,
        "user",
        "add",
        "ana.lopez",
        "--role",
        "liaison",
        "--display-name",
        "Ana López",
        "--case",
        "FGR-1",
        "--case",
        "FGR-2",
        "--max-handling",
        "H1",
        "--password-stdin",
        *where,
    )
    assert code == 0, err
    assert "ana.lopez" in out and "liaison officer" in out
    _stdin(monkeypatch, PASSWORD + "!\n")
    assert (
        run(capsys, "user", "add", "zoe", "--role", "auditor", "--password-stdin", *where)[0] == 0
    )

    code, out, _ = run(capsys, "user", "list", "--json", *where)
    assert code == 0
    assert json.loads(out) == [
        {
            "username": "ana.lopez",
            "role": "liaison",
            "display_name": "Ana López",
            "cases": ["FGR-1", "FGR-2"],
            "max_handling": "H1",
            "active": True,
        },
        {
            "username": "zoe",
            "role": "auditor",
            "display_name": "",
            "cases": [],
            "max_handling": "H3",
            "active": True,
        },
    ]
    code, out, _ = run(capsys, "user", "list", *where)
    lines = out.splitlines()
    assert lines[0].split("\t")[:5] == [
        "ana.lopez",
        "Liaison officer",
        "enabled",
        "H1",
        "FGR-1, FGR-2",
    ]
    assert lines[1].split("\t")[:5] == ["zoe", "Auditor", "enabled", "H3", "every case"]
    assert _signs_in(node, "ana.lopez", PASSWORD)

    assert run(capsys, "user", "disable", "ana.lopez", *where)[0] == 0
    assert not _signs_in(node, "ana.lopez", PASSWORD)
    assert "disabled" in run(capsys, "user", "list", *where)[1].splitlines()[0]
    assert run(capsys, "user", "enable", "ana.lopez", *where)[0] == 0
    assert _signs_in(node, "ana.lopez", PASSWORD)

    _stdin(monkeypatch, "another long passphrase\n")
    code, out, err = run(capsys, "user", "password", "ana.lopez", "--password-stdin", *where)
    assert code == 0, err
    assert not _signs_in(node, "ana.lopez", PASSWORD)
    assert _signs_in(node, "ana.lopez", "another long passphrase")


def test_errors_are_translated(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, node: Node
) -> None:
    where = ("--node", str(node.path))
    _stdin(monkeypatch, "short\n")
    code, _, err = run(
        capsys, "user", "add", "ana", "--role", "analyst", "--password-stdin", *where
    )
    assert code == 2 and "at least 12 characters" in err
    code, out, _ = run(capsys, "user", "list", *where)
    assert code == 0 and "No accounts yet" in out

    code, _, err = run(capsys, "user", "disable", "ghost", *where)
    assert code == 2 and "There is no user 'ghost'" in err
    _stdin(monkeypatch, PASSWORD + "\n")
    code, _, err = run(capsys, "user", "password", "ghost", "--password-stdin", *where)
    assert code == 2 and "There is no user 'ghost'" in err

    code, _, err = run(capsys, "user", "add", "ana", "--role", "chief", *where)
    assert code == 2 and "chief" in err

    _stdin(monkeypatch, PASSWORD + "\n")
    assert (
        run(capsys, "user", "add", "ana", "--role", "analyst", "--password-stdin", *where)[0] == 0
    )
    _stdin(monkeypatch, PASSWORD + "\n")
    code, _, err = run(
        capsys, "user", "add", "ana", "--role", "auditor", "--password-stdin", *where
    )
    assert code == 2 and "already a user 'ana'" in err


def test_needs_a_node(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARIDAD_NODE", raising=False)
    code, _, err = run(capsys, "user", "list")
    assert code == 2 and "--node DIR or PARIDAD_NODE" in err
