"""``paridad`` as the installed command runs it, for tests: exit code, stdout and stderr."""

from __future__ import annotations

import pytest

from paridad.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``paridad ARGS`` through :func:`paridad.cli.main` (so exit codes are the real
    ones, not a test runner's) and return the code with what it printed."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
