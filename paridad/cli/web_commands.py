"""``paridad web``: serve the analysts' workbench of one node. The command parses its options
and hands the app built by :func:`paridad.workbench.app.create_workbench` to uvicorn."""

from __future__ import annotations

from pathlib import Path

import click

from paridad import settings
from paridad.errors import NodeError
from paridad.i18n import N_, _

MSG_NO_NODE = N_("Say which node to use: --node DIR or PARIDAD_NODE.")


def make_web_command() -> click.Command:
    """Build the command when the CLI is built, so its help is in the user's language."""

    @click.command("web", help=_("Serve the analysts' web workbench of a node."))
    @click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Node directory (default: PARIDAD_NODE)."),
    )
    @click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help=_("Address to listen on."),
    )
    @click.option(
        "--port",
        default=8080,
        show_default=True,
        type=click.IntRange(1, 65535),
        help=_("Port to listen on."),
    )
    def web(node_dir: Path | None, host: str, port: int) -> None:
        import uvicorn

        from paridad.workbench.app import create_workbench

        default = settings.default_node()
        chosen = node_dir or (Path(default) if default else None)
        if chosen is None:
            raise NodeError(MSG_NO_NODE)
        app = create_workbench(chosen)
        click.echo(
            _("Workbench of {node}: http://{host}:{port}/", node=chosen, host=host, port=port)
        )
        uvicorn.run(app, host=host, port=port, log_level="warning")

    return web
