"""What every indicator returns: named, versioned rows with the reasons behind each one.

An indicator's answer can change when its rules change, so each carries a name and a version
and its rows keep the reasons as message ids with parameters: the same result reads in
Spanish to one analyst and in English to another, and can be stored and rendered later.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from paridad.errors import render_message
from paridad.i18n import Lang

# Time-to-crime thresholds in days (a year is counted as 365 days).
ONE_YEAR = 365
THREE_YEARS = 3 * 365


@dataclass(frozen=True)
class Reason:
    """Why a row was flagged: a translatable message id and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: Lang | None = None) -> str:
        return render_message(self.msgid, dict(self.params), lang)

    def to_dict(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": {k: _plain(v) for k, v in self.params.items()}}


@dataclass
class IndicatorResult:
    """Rows (dicts with the same keys as ``columns``, plus ``reasons``) and a summary.

    ``extra`` holds further tables an indicator writes beside its main one (the network's
    nodes and edges); ``title`` is a message id.
    """

    name: str
    version: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self, lang: Lang | None = None, limit: int | None = None) -> dict[str, Any]:
        rows = self.rows if limit is None else self.rows[:limit]
        return {
            "indicator": self.name,
            "version": self.version,
            "summary": {k: _plain(v) for k, v in self.summary.items()},
            "rows": [_json_row(r, lang) for r in rows],
            "row_count": len(self.rows),
        }

    def write_csv(self, directory: Path, lang: Lang | None = None) -> list[Path]:
        """One CSV for the rows (reasons rendered in ``lang``), one per extra table."""
        directory.mkdir(parents=True, exist_ok=True)
        written = [_write(directory / f"{self.name}.csv", self.columns, self.rows, lang)]
        for key, rows in self.extra.items():
            columns = list(rows[0]) if rows else []
            written.append(_write(directory / f"{self.name}_{key}.csv", columns, rows, lang))
        return written


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Reason):
        return value.to_dict()
    return value


def _json_row(row: Mapping[str, Any], lang: Lang | None) -> dict[str, Any]:
    out = {k: _plain(v) for k, v in row.items() if k != "reasons"}
    if "reasons" in row:
        out["reasons"] = [{**r.to_dict(), "text": r.render(lang)} for r in row["reasons"]]
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple, set)):
        return ";".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write(path: Path, columns: list[str], rows: list[dict[str, Any]], lang: Lang | None) -> Path:
    header = [c for c in columns if c != "reasons"]
    has_reasons = any("reasons" in r for r in rows) or "reasons" in columns
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header + (["reasons"] if has_reasons else []))
        for row in rows:
            cells = [_cell(row.get(c)) for c in header]
            if has_reasons:
                cells.append(" | ".join(r.render(lang) for r in row.get("reasons", [])))
            writer.writerow(cells)
    return path
