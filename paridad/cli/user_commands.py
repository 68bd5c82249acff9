"""``paridad user``: the workbench accounts of a node (add, list, disable, enable, password).

Accounts are kept by each node for itself (see :mod:`paridad.workbench.accounts` and
docs/workbench.md); these commands are how its administrator manages them from the machine
the node runs on, before any workbench account exists to do it in a browser.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from paridad import settings
from paridad.cli.output import echo_json
from paridad.errors import NodeError
from paridad.i18n import N_, _, translate
from paridad.node import Node
from paridad.store.database import Database

MSG_NO_NODE = N_("Say which node to use: --node DIR or PARIDAD_NODE.")


@contextmanager
def _opened(path: Path | None) -> Iterator[Database]:
    default = settings.default_node()
    chosen = path or (Path(default) if default else None)
    if chosen is None:
        raise NodeError(MSG_NO_NODE)
    db = Database(Node.open(chosen).store_url)
    try:
        yield db
    finally:
        db.close()


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin for scripts, else asked twice, unechoed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(
        click.prompt(
            _("Password"),
            hide_input=True,
            confirmation_prompt=_("Repeat the password"),
        )
    )


class _InOrder(click.Group):
    """Lists subcommands in the order an administrator needs them, not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def make_user_group() -> click.Group:
    from paridad.model.vocabularies import vocabulary
    from paridad.workbench import accounts

    node_option = click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Node directory (default: PARIDAD_NODE)."),
    )
    stdin_option = click.option(
        "--password-stdin",
        is_flag=True,
        help=_("Read the password from the first line of standard input instead of asking."),
    )
    username_argument = click.argument("username")

    @click.group(
        cls=_InOrder,
        help=_(
            "Workbench accounts of this node: who may sign in, in which role, and which cases "
            "and handling codes each person may see."
        ),
    )
    def user() -> None:
        pass

    @user.command(
        "add",
        help=_(
            "Add an account; the password is asked twice (at least 12 characters, not the "
            "username)."
        ),
    )
    @username_argument
    @click.option(
        "--role", required=True, type=click.Choice(accounts.ROLES), help=_("The user's role.")
    )
    @click.option("--display-name", default="", help=_("The name shown in the workbench."))
    @click.option(
        "--case",
        "cases",
        multiple=True,
        help=_("A case the user may see; repeat for more. Without it: every case."),
    )
    @click.option(
        "--max-handling",
        default="H3",
        show_default=True,
        type=click.Choice(vocabulary("handling").codes),
        help=_("The most restrictive handling code the user may see."),
    )
    @stdin_option
    @node_option
    def add(
        username: str,
        role: str,
        display_name: str,
        cases: tuple[str, ...],
        max_handling: str,
        password_stdin: bool,
        node_dir: Path | None,
    ) -> None:
        with _opened(node_dir) as db:
            password = _read_password(password_stdin)
            created = accounts.create_user(
                db,
                username,
                password,
                role,
                display_name=display_name,
                cases=cases,
                max_handling=max_handling,
            )
        click.echo(
            _(
                "User {username} added as {role}.",
                username=created.username,
                role=translate(accounts.ROLE_LABELS[created.role]).lower(),
            )
        )

    @user.command("list", help=_("List the node's accounts, enabled or not."))
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    @node_option
    def list_(as_json: bool, node_dir: Path | None) -> None:
        with _opened(node_dir) as db:
            users = accounts.list_users(db)
        if as_json:
            echo_json(
                [
                    {
                        "username": u.username,
                        "role": u.role,
                        "display_name": u.display_name,
                        "cases": list(u.cases),
                        "max_handling": u.max_handling,
                        "active": u.active,
                    }
                    for u in users
                ]
            )
            return
        if not users:
            click.echo(_("No accounts yet; add one with 'paridad user add'."))
            return
        for u in users:
            state = _("enabled") if u.active else _("disabled")
            cases = ", ".join(u.cases) if u.cases else _("every case")
            click.echo(
                f"{u.username}\t{translate(accounts.ROLE_LABELS[u.role])}\t{state}\t"
                f"{u.max_handling}\t{cases}\t{u.display_name}"
            )

    @user.command(
        "disable", help=_("Disable an account and end its sessions; it is never deleted.")
    )
    @username_argument
    @node_option
    def disable(username: str, node_dir: Path | None) -> None:
        with _opened(node_dir) as db:
            accounts.set_active(db, username, False)
        click.echo(_("User {username} disabled; their sessions are closed.", username=username))

    @user.command("enable", help=_("Enable a disabled account again."))
    @username_argument
    @node_option
    def enable(username: str, node_dir: Path | None) -> None:
        with _opened(node_dir) as db:
            accounts.set_active(db, username, True)
        click.echo(_("User {username} enabled.", username=username))

    @user.command(
        "password", help=_("Set a new password for an account and end its open sessions.")
    )
    @username_argument
    @stdin_option
    @node_option
    def password(username: str, password_stdin: bool, node_dir: Path | None) -> None:
        with _opened(node_dir) as db:
            if accounts.get_user(db, username) is None:
                raise accounts.AccountError(accounts.MSG_UNKNOWN_USER, username=username)
            accounts.set_password(db, username, _read_password(password_stdin))
        click.echo(
            _("Password of {username} changed; their sessions are closed.", username=username)
        )

    return user
