"""Accounts, sign-in, sessions and need-to-know on both backends (paridad.workbench.accounts)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from paridad.audit.log import LOGIN, AuditLog
from paridad.model.markings import parse_markings
from paridad.node import Node
from paridad.store.database import Database
from paridad.workbench import accounts
from paridad.workbench.accounts import (
    SESSION_IDLE,
    SESSION_MAX,
    AccountError,
    User,
    authenticate,
    close_session,
    create_user,
    get_user,
    list_users,
    may_view,
    open_session,
    session_user,
    set_active,
    set_password,
)
from tests.conftest import MARKINGS

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(node: Node) -> Iterator[Database]:
    opened = Database(node.store_url)
    accounts.ensure_tables(opened)
    yield opened
    opened.close()


def _logins(db: Database) -> list[tuple[str, dict[str, object]]]:
    log = AuditLog(db)
    return [(e.actor, dict(e.details)) for e in reversed(log.find(kind=LOGIN))]


def test_create_get_and_list(db: Database) -> None:
    made = create_user(
        db,
        "ana.lopez",
        PASSWORD,
        "analyst",
        display_name=" Ana López ",
        cases=["FGR-2026-001", "FGR-2026-001", "FGR-2026-002"],
        max_handling="H1",
    )
    assert made == User(
        "ana.lopez", "analyst", "Ana López", ("FGR-2026-001", "FGR-2026-002"), "H1", True
    )
    assert get_user(db, "ana.lopez") == made
    assert get_user(db, "nobody") is None
    create_user(db, "zoe", PASSWORD + "!", "auditor")
    assert [u.username for u in list_users(db)] == ["ana.lopez", "zoe"]
    assert list_users(db)[1] == User("zoe", "auditor", "", (), "H3", True)


def test_password_is_stored_hashed_with_its_parameters(db: Database) -> None:
    create_user(db, "ana", PASSWORD, "analyst")
    stored = str(db.query("SELECT password FROM workbench_users")[0][0])
    assert PASSWORD not in stored
    scheme, n, r, p, salt, key = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**15), "8", "1")
    # A second account with the same password gets another salt, so another hash.
    create_user(db, "bea", PASSWORD, "analyst")
    other = str(db.query("SELECT password FROM workbench_users WHERE username = 'bea'")[0][0])
    assert other.split("$")[4] != salt and other.split("$")[5] != key


def test_authenticate_and_audit(db: Database) -> None:
    create_user(db, "ana", PASSWORD, "supervisor")
    user = authenticate(db, "ana", PASSWORD, source="10.0.0.7")
    assert user is not None and user.role == "supervisor"
    assert authenticate(db, "ana", PASSWORD + "x", source="10.0.0.8") is None
    assert authenticate(db, "ghost", PASSWORD, source="10.0.0.9") is None
    set_active(db, "ana", False)
    assert authenticate(db, "ana", PASSWORD, source="10.0.0.7") is None
    assert _logins(db) == [
        ("ana", {"outcome": "success", "role": "supervisor", "source": "10.0.0.7"}),
        ("ana", {"outcome": "failure", "reason": "wrong-password", "source": "10.0.0.8"}),
        ("ghost", {"outcome": "failure", "reason": "unknown-user", "source": "10.0.0.9"}),
        ("ana", {"outcome": "failure", "reason": "inactive", "source": "10.0.0.7"}),
    ]
    bodies = " ".join(str(r[0]) for r in db.query("SELECT body FROM audit_entries"))
    assert "correct horse" not in bodies
    set_active(db, "ana", True)
    assert authenticate(db, "ana", PASSWORD) is not None


def test_unknown_user_still_runs_the_kdf(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    create_user(db, "ana", PASSWORD, "analyst")
    calls: list[int] = []
    real = accounts._scrypt

    def counting(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
        calls.append(n)
        return real(password, salt, n, r, p, length)

    monkeypatch.setattr(accounts, "_scrypt", counting)
    authenticate(db, "ana", "wrong password here")
    authenticate(db, "nobody-at-all", "wrong password here")
    assert calls == [2**15, 2**15]


def test_old_parameters_are_rehashed_at_sign_in(db: Database) -> None:
    create_user(db, "ana", PASSWORD, "analyst")
    salt = b"0123456789abcdef"
    key = accounts._scrypt(PASSWORD, salt, 1024, 8, 1, 32)
    weak = f"scrypt$1024$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"
    with db.transaction() as tx:
        tx.execute("UPDATE workbench_users SET password = ? WHERE username = 'ana'", (weak,))
    assert authenticate(db, "ana", PASSWORD) is not None
    stored = str(db.query("SELECT password FROM workbench_users")[0][0])
    assert stored.startswith(f"scrypt${2**15}$8$1$")
    assert authenticate(db, "ana", PASSWORD) is not None


def test_set_password_ends_sessions(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    token = open_session(db, user, now=T0)
    set_password(db, "ana", "a brand new passphrase", now=T0)
    assert session_user(db, token, now=T0) is None
    assert authenticate(db, "ana", PASSWORD) is None
    assert authenticate(db, "ana", "a brand new passphrase") == user


def test_session_lifecycle(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    token = open_session(db, user, now=T0)
    assert len(token) >= 40
    stored = [str(r[0]) for r in db.query("SELECT token_hash FROM workbench_sessions")]
    assert token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert session_user(db, token, now=T0 + timedelta(minutes=5)) == user
    assert session_user(db, token + "x", now=T0) is None
    assert session_user(db, "", now=T0) is None
    close_session(db, token)
    assert session_user(db, token, now=T0 + timedelta(minutes=6)) is None
    assert db.query("SELECT COUNT(*) FROM workbench_sessions")[0][0] == 0


def test_idle_expiry_refreshed_by_use(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    token = open_session(db, user, now=T0)
    almost = SESSION_IDLE - timedelta(seconds=1)
    # Each use moves the idle clock forward.
    assert session_user(db, token, now=T0 + almost) == user
    assert session_user(db, token, now=T0 + 2 * almost) == user
    assert session_user(db, token, now=T0 + 3 * almost + SESSION_IDLE) is None
    # The expired session was deleted, so it stays dead even at an earlier time.
    assert session_user(db, token, now=T0 + 2 * almost) is None
    assert db.query("SELECT COUNT(*) FROM workbench_sessions")[0][0] == 0


def test_max_lifetime_despite_use(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    token = open_session(db, user, now=T0)
    step = timedelta(minutes=20)
    moment = T0
    while moment + step < T0 + SESSION_MAX:
        moment += step
        assert session_user(db, token, now=moment) == user
    assert session_user(db, token, now=T0 + SESSION_MAX) is None


def test_open_session_sweeps_expired_ones(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    open_session(db, user, now=T0)
    open_session(db, user, now=T0 + timedelta(minutes=10))
    later = open_session(db, user, now=T0 + SESSION_IDLE + timedelta(minutes=1))
    assert db.query("SELECT COUNT(*) FROM workbench_sessions")[0][0] == 2
    assert session_user(db, later, now=T0 + SESSION_IDLE + timedelta(minutes=2)) == user


def test_disabled_user_loses_sessions(db: Database) -> None:
    user = create_user(db, "ana", PASSWORD, "analyst")
    token = open_session(db, user, now=T0)
    set_active(db, "ana", False)
    assert session_user(db, token, now=T0) is None
    assert get_user(db, "ana") == User("ana", "analyst", "", (), "H3", False)
    # A session somehow left for a disabled account is refused too.
    set_active(db, "ana", True)
    token = open_session(db, user, now=T0)
    with db.transaction() as tx:
        tx.execute("UPDATE workbench_users SET active = 0")
    assert session_user(db, token, now=T0) is None


def test_may_view_by_handling_and_cases() -> None:
    h1 = parse_markings(MARKINGS)
    h3 = parse_markings({**MARKINGS, "handling": "H3"})
    h0 = parse_markings({**MARKINGS, "handling": "H0"})
    everyone = User("sup", "supervisor", "", (), "H3", True)
    limited = User("ana", "analyst", "", ("C-1", "C-2"), "H1", True)
    assert may_view(everyone, h3) and may_view(everyone, h0, ["C-9"])
    assert may_view(limited, h1, ["C-2"]) and may_view(limited, h0, ["C-9", "C-1"])
    assert not may_view(limited, h3, ["C-1"])  # handling above the user's
    assert not may_view(limited, h1, ["C-3"])  # not in the user's cases
    assert not may_view(limited, h1)  # in no case at all
    assert not may_view(User("old", "analyst", "", (), "H3", False), h0)


@pytest.mark.parametrize(
    ("username", "password", "role", "options", "msgid"),
    [
        ("Ana", PASSWORD, "analyst", {}, accounts.MSG_BAD_USERNAME),
        ("an", PASSWORD, "analyst", {}, accounts.MSG_BAD_USERNAME),
        ("ana lópez", PASSWORD, "analyst", {}, accounts.MSG_BAD_USERNAME),
        ("a" * 65, PASSWORD, "analyst", {}, accounts.MSG_BAD_USERNAME),
        ("ana", PASSWORD, "chief", {}, accounts.MSG_BAD_ROLE),
        ("ana", PASSWORD, "analyst", {"max_handling": "H9"}, accounts.MSG_BAD_HANDLING),
        ("ana", "short pass", "analyst", {}, accounts.MSG_SHORT_PASSWORD),
        ("ana.lopez.mx", "ana.lopez.mx", "analyst", {}, accounts.MSG_PASSWORD_IS_USERNAME),
        ("ana", PASSWORD, "analyst", {"cases": [" "]}, accounts.MSG_BAD_CASE),
    ],
)
def test_refusals(
    db: Database,
    username: str,
    password: str,
    role: str,
    options: dict[str, object],
    msgid: str,
) -> None:
    with pytest.raises(AccountError) as caught:
        create_user(db, username, password, role, **options)  # type: ignore[arg-type]
    assert caught.value.msgid == msgid
    assert list_users(db) == []


def test_refusals_on_existing_and_missing_users(db: Database) -> None:
    create_user(db, "ana", PASSWORD, "analyst")
    with pytest.raises(AccountError) as caught:
        create_user(db, "ana", PASSWORD, "auditor")
    assert caught.value.msgid == accounts.MSG_USER_EXISTS
    kept = get_user(db, "ana")
    assert kept is not None and kept.role == "analyst"
    with pytest.raises(AccountError) as missing:
        set_password(db, "ghost", PASSWORD)
    assert missing.value.msgid == accounts.MSG_UNKNOWN_USER
    with pytest.raises(AccountError) as missing:
        set_active(db, "ghost", False)
    assert missing.value.msgid == accounts.MSG_UNKNOWN_USER
    with pytest.raises(AccountError) as short:
        set_password(db, "ana", "too short")
    assert short.value.msgid == accounts.MSG_SHORT_PASSWORD


def test_cases_keep_accents(db: Database) -> None:
    create_user(db, "ana", PASSWORD, "liaison", cases=["Operación Frontera"])
    assert json.loads(str(db.query("SELECT cases FROM workbench_users")[0][0])) == [
        "Operación Frontera"
    ]
    user = get_user(db, "ana")
    assert user is not None and user.cases == ("Operación Frontera",)


def test_the_demo_account_gets_a_fresh_password_each_time(db: Database) -> None:
    first = accounts.reset_demo_account(db, "analista")
    assert accounts.authenticate(db, "analista", first) is not None
    accounts.set_active(db, "analista", False)
    second = accounts.reset_demo_account(db, "analista")
    assert second != first and len(second) >= 12
    assert accounts.authenticate(db, "analista", first) is None
    user = accounts.authenticate(db, "analista", second)
    assert user is not None and user.role == "analyst" and user.active
