"""The ``paridad`` command line: thin commands over the parts below, in Spanish or English.

The language is chosen before the commands are built (``--lang``, then ``PARIDAD_LANG``, then
the locale), because help texts are part of the commands. Every error that reaches the user
is a :class:`~paridad.errors.ParidadError`, printed translated, with a non-zero exit code.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from paridad.errors import ParidadError
from paridad.i18n import LANGS, detect_lang, set_lang
from paridad.i18n.toolkit import install_toolkit_translations
from paridad.process import tune_garbage_collector


def _lang_from_argv(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build(lang: str | None = None) -> click.Group:
    """Build the command tree in the language detected from ``lang`` and the environment."""
    chosen = detect_lang(lang)
    set_lang(chosen)
    install_toolkit_translations(chosen)
    from paridad.cli.commands import make_cli

    return make_cli()


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    requested = _lang_from_argv(args)
    if requested is not None and requested.split("_")[0].split("-")[0].lower() not in LANGS:
        # Let click report the bad choice, in the environment's language.
        requested = None
    cli = build(requested)
    tune_garbage_collector()
    try:
        # Outside standalone mode click returns (not raises) the code of ``ctx.exit(n)`` and
        # ``raise Exit(n)``: a failed ``audit verify`` must still exit non-zero.
        code = cli.main(args=args, prog_name="paridad", standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except ParidadError as exc:
        click.echo(click.style("Error: ", fg="red") + exc.localized(), err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
