"""Who may sign in to a node's workbench, and what each person may see there.

Accounts live in the node's own store, never in a shared directory: each agency alone decides
who works on its node (invariant 1, sovereignty). An account has a role, and need-to-know
limits: the cases the person works on and the highest handling code they may see, so the
workbench can refuse a view before anything is rendered (:func:`may_view`).

Passwords are hashed with scrypt (memory-hard, in the standard library), and stored as a
self-describing string ``scrypt$n$r$p$salt$hash`` so the cost can rise later: an account whose
hash uses older parameters is re-hashed at its next successful sign-in. Every sign-in attempt,
good or bad, goes into the node's audit log (invariant 4) with its outcome and source, never
the password; an unknown username costs the same scrypt time as a wrong password, so the
response time does not tell an attacker which usernames exist.

Sessions are opaque random tokens held by the browser; the store keeps only their SHA-256, so
a copy of the database does not let anyone take over a session. A session ends when unused for
:data:`SESSION_IDLE`, at the latest :data:`SESSION_MAX` after sign-in, when the account is
disabled or its password changes.

Every function takes an optional ``now`` so expiry can be tested without waiting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from paridad.audit.log import LOGIN, AuditLog
from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.model.markings import Markings
from paridad.model.vocabularies import vocabulary
from paridad.store.database import Database, Tx

ROLES: tuple[str, ...] = ("analyst", "supervisor", "liaison", "auditor", "administrator")
# What each role is called on screen (the codes above are what is stored and audited).
ROLE_LABELS: dict[str, str] = {
    "analyst": N_("Analyst"),
    "supervisor": N_("Supervisor"),
    "liaison": N_("Liaison officer"),
    "auditor": N_("Auditor"),
    "administrator": N_("Administrator"),
}
SESSION_IDLE = timedelta(minutes=30)  # a session unused this long expires
SESSION_MAX = timedelta(hours=8)  # and none lives longer than this

MIN_PASSWORD = 12
USERNAME_RE = re.compile(r"[a-z0-9._-]{3,64}")

# scrypt cost: 2**15 x 8 x 1 needs 32 MiB and tens of milliseconds per attempt, which makes
# guessing offline expensive while a sign-in stays instant for a person.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# A stored hash is read back from the database; refuse absurd costs rather than exhaust memory.
_MAX_N = 2**20

# Reasons recorded in the audit log for a refused sign-in (codes, not prose: audit queries
# filter on them).
UNKNOWN_USER = "unknown-user"
WRONG_PASSWORD = "wrong-password"
INACTIVE = "inactive"

MSG_BAD_USERNAME = N_(
    "'{username}' is not a valid username: use 3 to 64 lowercase letters, digits, '.', '_' or '-'."
)
MSG_BAD_ROLE = N_("'{role}' is not a role; the roles are: {roles}.")
MSG_BAD_HANDLING = N_("'{code}' is not a handling code; the codes are: {codes}.")
MSG_SHORT_PASSWORD = N_("The password must have at least {min} characters.")
MSG_PASSWORD_IS_USERNAME = N_("The password must not be the username.")
MSG_USER_EXISTS = N_("There is already a user '{username}' on this node.")
MSG_UNKNOWN_USER = N_("There is no user '{username}' on this node.")
MSG_BAD_CASE = N_("'{case}' is not a valid case reference: it must be 1 to 200 characters.")

DDL = """
CREATE TABLE IF NOT EXISTS workbench_users (
    username TEXT PRIMARY KEY, role TEXT NOT NULL, display_name TEXT NOT NULL,
    cases TEXT NOT NULL, max_handling TEXT NOT NULL, active BIGINT NOT NULL,
    password TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS workbench_sessions (
    token_hash TEXT PRIMARY KEY, username TEXT NOT NULL, created_at TEXT NOT NULL,
    last_used TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workbench_sessions_user ON workbench_sessions (username);
CREATE INDEX IF NOT EXISTS workbench_sessions_used ON workbench_sessions (last_used);
"""

_USER_COLUMNS = "username, role, display_name, cases, max_handling, active"


@dataclass(frozen=True)
class User:
    """An account as the workbench sees it; the password hash never leaves this module."""

    username: str
    role: str
    display_name: str
    cases: tuple[str, ...]  # case references the user may see; () = every case
    max_handling: str  # highest handling code (vocabulary "handling") the user may see
    active: bool

    @property
    def may_audit(self) -> bool:
        """:func:`may_audit` for templates, which show the audit link by the same rule the
        route applies and cannot call module functions."""
        return may_audit(self)


class AccountError(ParidadError):
    """An account request refused: a bad username, role, handling code or password."""


# Each Database gets its tables created (and its audit log opened) once, not on every call:
# creating tables is not allowed inside a transaction and costs a round trip on PostgreSQL.
_ready: weakref.WeakKeyDictionary[Database, AuditLog] = weakref.WeakKeyDictionary()


def ensure_tables(db: Database) -> None:
    """Create the account and session tables, and the audit log's, if they do not exist.

    Never inside a transaction (see :meth:`Database.ensure`)."""
    _audit(db)


def _audit(db: Database) -> AuditLog:
    log = _ready.get(db)
    if log is None:
        db.ensure(DDL)
        log = AuditLog(db)  # creates the audit tables
        _dummy_hash()  # made now, so the first unknown username costs no more than the next
        _ready[db] = log
    return log


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _iso(moment: datetime) -> str:
    """UTC, fixed width: ISO strings of the same form compare in time order in SQL too."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


# --- passwords ---------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    # OpenSSL refuses by default above 32 MiB, exactly what n=2**15, r=8 needs; allow twice.
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=length,
        maxmem=2 * 128 * n * r * p + (1 << 20),
    )


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password`` with the current parameters."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; a malformed hash matches nothing."""
    try:
        scheme, n_text, r_text, p_text, salt_text, key_text = stored.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt, key = base64.b64decode(salt_text), base64.b64decode(key_text)
    except ValueError:
        return False
    if scheme != "scrypt" or not (1 < n <= _MAX_N) or not (0 < r <= 64) or not (0 < p <= 16):
        return False
    if not key:
        return False
    try:
        candidate = _scrypt(password, salt, n, r, p, len(key))
    except ValueError:
        return False
    return hmac.compare_digest(candidate, key)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than the current ones."""
    parts = stored.split("$")
    return parts[:4] != ["scrypt", str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]


@cache
def _dummy_hash() -> str:
    """A hash no password matches, so an unknown username costs a real scrypt run."""
    return hash_password(secrets.token_urlsafe(32))


# --- validation --------------------------------------------------------------------------


def _check_username(username: str) -> None:
    if not USERNAME_RE.fullmatch(username):
        raise AccountError(MSG_BAD_USERNAME, username=username)


def _check_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(MSG_SHORT_PASSWORD, min=MIN_PASSWORD)
    if password.strip().casefold() == username.casefold():
        raise AccountError(MSG_PASSWORD_IS_USERNAME)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(MSG_BAD_ROLE, role=role, roles=", ".join(ROLES))


def _check_handling(code: str) -> None:
    handling = vocabulary("handling")
    if code not in handling:
        raise AccountError(MSG_BAD_HANDLING, code=code, codes=", ".join(handling.codes))


def _clean_cases(cases: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for case in cases:
        text = str(case).strip()
        if not text or len(text) > 200 or any(ord(c) < 32 for c in text):
            raise AccountError(MSG_BAD_CASE, case=case)
        if text not in out:
            out.append(text)
    return tuple(out)


# --- accounts ----------------------------------------------------------------------------


def _user(row: Sequence[Any]) -> User:
    username, role, display_name, cases, max_handling, active = row
    return User(
        username=str(username),
        role=str(role),
        display_name=str(display_name),
        cases=tuple(str(c) for c in json.loads(cases)),
        max_handling=str(max_handling),
        active=bool(active),
    )


def create_user(
    db: Database,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str = "",
    cases: Sequence[str] = (),
    max_handling: str = "H3",
    now: datetime | None = None,
) -> User:
    """Add an active account; refuses (:class:`AccountError`) anything the rules forbid."""
    _check_username(username)
    _check_role(role)
    _check_handling(max_handling)
    _check_password(username, password)
    cleaned = _clean_cases(cases)
    user = User(username, role, display_name.strip(), cleaned, max_handling, True)
    hashed = hash_password(password)
    at = _iso(_now(now))
    _audit(db)
    with db.transaction() as tx:
        added = tx.execute(
            "INSERT INTO workbench_users (username, role, display_name, cases, max_handling, "
            "active, password, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT (username) DO NOTHING",
            (
                username,
                role,
                user.display_name,
                json.dumps(list(cleaned), ensure_ascii=False),
                max_handling,
                1,
                hashed,
                at,
                at,
            ),
        )
        if not added:
            raise AccountError(MSG_USER_EXISTS, username=username)
    return user


def get_user(db: Database, username: str) -> User | None:
    _audit(db)
    rows = db.query(f"SELECT {_USER_COLUMNS} FROM workbench_users WHERE username = ?", (username,))
    return _user(rows[0]) if rows else None


def list_users(db: Database) -> list[User]:
    """Every account, active or not, by username."""
    _audit(db)
    rows = db.query(f"SELECT {_USER_COLUMNS} FROM workbench_users ORDER BY username")
    return [_user(r) for r in rows]


def _end_sessions(tx: Tx, username: str) -> None:
    tx.execute("DELETE FROM workbench_sessions WHERE username = ?", (username,))


def set_password(
    db: Database, username: str, password: str, *, now: datetime | None = None
) -> None:
    """Replace the password and end the user's open sessions (a change after a suspected
    compromise must lock out whoever holds the old session)."""
    _check_password(username, password)
    hashed = hash_password(password)
    _audit(db)
    with db.transaction() as tx:
        changed = tx.execute(
            "UPDATE workbench_users SET password = ?, updated_at = ? WHERE username = ?",
            (hashed, _iso(_now(now)), username),
        )
        if not changed:
            raise AccountError(MSG_UNKNOWN_USER, username=username)
        _end_sessions(tx, username)


def set_active(db: Database, username: str, active: bool, *, now: datetime | None = None) -> None:
    """Enable or disable an account; disabling ends its sessions at once. Accounts are
    disabled, never deleted, so the audit log's actors keep meaning someone."""
    _audit(db)
    with db.transaction() as tx:
        changed = tx.execute(
            "UPDATE workbench_users SET active = ?, updated_at = ? WHERE username = ?",
            (1 if active else 0, _iso(_now(now)), username),
        )
        if not changed:
            raise AccountError(MSG_UNKNOWN_USER, username=username)
        if not active:
            _end_sessions(tx, username)


def authenticate(
    db: Database,
    username: str,
    password: str,
    *,
    source: str = "",
    now: datetime | None = None,
) -> User | None:
    """The user if ``password`` is theirs and the account is active, else ``None``.

    The attempt is recorded in the audit log either way, with its source (for example the
    client address) and, when refused, the reason; the password is never recorded. Why a
    sign-in failed is for the audit log, not for the person at the keyboard: callers show one
    message for every refusal.
    """
    log = _audit(db)
    rows = db.query(
        f"SELECT {_USER_COLUMNS}, password FROM workbench_users WHERE username = ?",
        (username,),
    )
    # The same scrypt work whether or not the username exists.
    stored = str(rows[0][-1]) if rows else _dummy_hash()
    matches = verify_password(password, stored)
    user = _user(rows[0][:-1]) if rows else None
    actor = username[:64]
    if user is None:
        reason: str | None = UNKNOWN_USER
    elif not matches:
        reason = WRONG_PASSWORD
    elif not user.active:
        reason = INACTIVE
    else:
        reason = None
    with db.transaction() as tx:
        if reason is None:
            assert user is not None
            details = {"outcome": "success", "role": user.role, "source": source}
            if needs_rehash(stored):
                tx.execute(
                    "UPDATE workbench_users SET password = ?, updated_at = ? WHERE username = ?",
                    (hash_password(password), _iso(_now(now)), username),
                )
        else:
            details = {"outcome": "failure", "reason": reason, "source": source}
        log.append(tx, LOGIN, actor, details)
    return user if reason is None else None


# --- sessions ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(db: Database, user: User, *, now: datetime | None = None) -> str:
    """Start a session for ``user`` (already authenticated) and return its token for the
    cookie. Only the token's SHA-256 is stored. Expired sessions of anyone are swept here,
    so the table does not grow with sessions nobody closed."""
    moment = _now(now)
    token = secrets.token_urlsafe(32)
    at = _iso(moment)
    _audit(db)
    with db.transaction() as tx:
        tx.execute(
            "DELETE FROM workbench_sessions WHERE last_used <= ? OR created_at <= ?",
            (_iso(moment - SESSION_IDLE), _iso(moment - SESSION_MAX)),
        )
        tx.execute(
            "INSERT INTO workbench_sessions (token_hash, username, created_at, last_used) "
            "VALUES (?,?,?,?)",
            (_token_hash(token), user.username, at, at),
        )
    return token


def session_user(db: Database, token: str, *, now: datetime | None = None) -> User | None:
    """The user of a live session, marking it used now; ``None`` when the token is unknown,
    the session expired (idle or past its maximum) or the account is disabled or gone. A
    dead session met here is deleted."""
    if not token or len(token) > 256:
        return None
    moment = _now(now)
    key = _token_hash(token)
    _audit(db)
    with db.transaction() as tx:
        rows = tx.query(
            "SELECT s.created_at, s.last_used, u.username, u.role, u.display_name, u.cases, "
            "u.max_handling, u.active FROM workbench_sessions s LEFT JOIN workbench_users u "
            "ON u.username = s.username WHERE s.token_hash = ?",
            (key,),
        )
        if not rows:
            return None
        created_at, last_used, *user_row = rows[0]
        created = datetime.fromisoformat(str(created_at))
        used = datetime.fromisoformat(str(last_used))
        live = (
            user_row[0] is not None
            and bool(user_row[-1])
            and moment - used < SESSION_IDLE
            and moment - created < SESSION_MAX
        )
        if not live:
            tx.execute("DELETE FROM workbench_sessions WHERE token_hash = ?", (key,))
            return None
        tx.execute(
            "UPDATE workbench_sessions SET last_used = ? WHERE token_hash = ?",
            (_iso(max(moment, used)), key),
        )
        return _user(user_row)


def close_session(db: Database, token: str) -> None:
    """Sign out: the session is deleted, so the token is worthless even if copied."""
    _audit(db)
    with db.transaction() as tx:
        tx.execute("DELETE FROM workbench_sessions WHERE token_hash = ?", (_token_hash(token),))


# --- need to know ------------------------------------------------------------------------


def may_view(user: User, markings: Markings, cases: Iterable[str] = ()) -> bool:
    """Whether ``user`` may see an entity with these markings in these cases.

    The handling code must be at most the user's (the vocabulary runs from least to most
    restrictive); a user limited to cases sees only entities of one of them, so an entity in
    no case is hidden from them. A disabled account sees nothing.
    """
    if not user.active:
        return False
    handling = vocabulary("handling")
    if handling.rank(markings.handling) > handling.rank(user.max_handling):
        return False
    if user.cases:
        return not set(user.cases).isdisjoint(cases)
    return True


# Roles that answer, approve and refuse what partners ask; an auditor only looks, and an
# administrator manages accounts, not cases.
ACTING_ROLES: tuple[str, ...] = ("analyst", "supervisor", "liaison")


def may_act(user: User) -> bool:
    """Whether ``user`` may act on the inbox (answer, approve, grant or refuse a partner's
    request). The one place this rule lives: pages hide the actions and routes refuse them
    with the same answer."""
    return user.active and user.role in ACTING_ROLES


AUDITING_ROLES: tuple[str, ...] = ("auditor", "supervisor", "administrator")


def may_audit(user: User) -> bool:
    """Whether ``user`` may read the audit log and verify it. The log records who looked at
    what and who asked for what, so reading it is itself need-to-know; this is the one
    place the rule lives, for the pages, the links to them and the routes alike."""
    return user.active and user.role in AUDITING_ROLES


def reset_demo_account(db: Database, username: str) -> str:
    """The demo's analyst account with a fresh random password, returned for printing: a
    demo never ships a fixed password that would keep working on a node left running."""
    password = secrets.token_urlsafe(12)
    if get_user(db, username) is None:
        create_user(db, username, password, "analyst", display_name="Demo")
    else:
        set_password(db, username, password)
        set_active(db, username, True)
    return password
