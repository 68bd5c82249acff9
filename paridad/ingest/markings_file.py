"""Default markings from a YAML file, for sources (like plain FtM exports) that carry none."""

from __future__ import annotations

from pathlib import Path

import yaml

from paridad.errors import InvalidMarkings, ParidadError
from paridad.i18n import N_
from paridad.model.markings import Markings, parse_markings

MSG_UNREADABLE = N_("Cannot read markings file {path}: {reason}")


def load_markings(path: Path) -> Markings:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParidadError(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
    try:
        return parse_markings(data)
    except InvalidMarkings as exc:
        raise ParidadError(MSG_UNREADABLE, path=str(path), reason=exc.localized()) from None
