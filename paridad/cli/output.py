"""Output every command shares: JSON for scripts, progress bars for people at a terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Pretty JSON on stdout, accents kept; dates and other values as their text."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def progress_bar(
    total: int,
    desc: str,
    enabled: bool | None,
    *,
    initial: int = 0,
    unit: str = "it",
) -> Callable[[int], None]:
    """A tqdm bar on stderr (shown on a terminal unless ``enabled`` says otherwise); the
    returned tick advances it and closes it at ``total``."""
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        initial=initial,
        unit=unit,
        desc=desc,
        disable=None if enabled is None else not enabled,
        leave=False,
        mininterval=0.5,
    )

    def tick(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return tick
