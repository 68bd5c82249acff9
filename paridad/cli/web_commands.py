"""``paridad web``: serve the analysts' workbench of one node, or of several on consecutive
ports. The command parses its options and hands the nodes to
:func:`paridad.workbench.serving.serve`."""

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
        "node_dirs",
        multiple=True,
        type=click.Path(path_type=Path, file_okay=False),
        help=_(
            "Node directory (default: PARIDAD_NODE); repeat it to serve several nodes, each on "
            "the next port."
        ),
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
        help=_("Port to listen on (the first node's; the next nodes take the next ports)."),
    )
    def web(node_dirs: tuple[Path, ...], host: str, port: int) -> None:
        from paridad.workbench.serving import plan, serve

        default = settings.default_node()
        chosen = list(node_dirs) or ([Path(default)] if default else [])
        if not chosen:
            raise NodeError(MSG_NO_NODE)
        if port + len(chosen) - 1 > 65535:
            raise click.BadParameter(str(port), param_hint="--port")
        serve(
            plan(chosen, host, port),
            announce=lambda s: click.echo(_("Workbench of {node}: {url}", node=s.node, url=s.url)),
        )

    return web
