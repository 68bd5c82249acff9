"""Docs and code check each other: every command, setting and schema is documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click

from paridad.cli import build
from paridad.model import PARIDAD_SCHEMATA
from paridad.model.vocabularies import vocabularies
from paridad.settings import SETTINGS

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(group: click.Group, prefix: str = "paridad") -> Iterator[str]:
    for name, command in group.commands.items():
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_every_cli_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in _commands(build("en")):
        assert f"## `{command}`" in text, f"{command} is not documented in docs/cli.md"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    for name in SETTINGS:
        assert f"`{name}`" in text, name


def test_every_schema_is_documented() -> None:
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    for name in PARIDAD_SCHEMATA:
        assert f"`{name}`" in text, name


def test_every_vocabulary_is_documented() -> None:
    text = (DOCS / "markings.md").read_text(encoding="utf-8")
    for name in vocabularies():
        assert f"`{name}`" in text, name


def test_readme_shows_the_two_commands() -> None:
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
