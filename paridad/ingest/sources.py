"""Reading source files record by record without ever losing one.

A malformed record (broken JSON, a row with the wrong number of fields, bytes that are not
UTF-8) is yielded with its error instead of raising, so the pipeline can quarantine it and
carry on with the next record.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from paridad.errors import InvalidRecord
from paridad.i18n import N_

MSG_BAD_JSON = N_("Line is not valid JSON: {reason}")
MSG_BAD_ENCODING = N_("The record contains bytes that are not UTF-8.")
MSG_FIELD_COUNT = N_("The row has {found} fields but the header has {expected}.")
MSG_TOO_LARGE = N_("The record is larger than {max} bytes.")

MAX_RECORD = 8 * 1024 * 1024
csv.field_size_limit(min(sys.maxsize, MAX_RECORD))


@dataclass
class SourceRecord:
    line: int
    data: Any
    raw: str
    error: InvalidRecord | None = None


def file_digest(path: Path, extra: bytes = b"") -> str:
    """SHA-256 of the file (and of the mapping, when one is used): the identity of an ingest."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    digest.update(extra)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    lines = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            lines += chunk.count(b"\n")
    return lines


def read_lines(path: Path) -> Iterator[SourceRecord]:
    """Raw JSON Lines, not yet parsed: parsing happens where the record is converted, which may
    be a worker process (see :mod:`paridad.ingest.convert`)."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if raw.strip():
                yield SourceRecord(number, raw, "")


def parse_line(source: SourceRecord) -> SourceRecord:
    """Parse one raw JSON line; a line that is not JSON comes back with its error."""
    raw = source.data
    assert isinstance(raw, bytes)
    number = source.line
    if len(raw) > MAX_RECORD:
        return SourceRecord(
            number, None, _text(raw[:2000]), InvalidRecord(MSG_TOO_LARGE, max=MAX_RECORD)
        )
    try:
        # orjson rejects invalid UTF-8 itself; tell that apart for a clearer reason.
        return SourceRecord(number, orjson.loads(raw), "")
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return SourceRecord(number, None, _text(raw), InvalidRecord(MSG_BAD_ENCODING))
        return SourceRecord(number, None, _text(raw), InvalidRecord(MSG_BAD_JSON, reason=exc))


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        return [h.strip() for h in next(reader, [])]


def read_csv(path: Path) -> Iterator[SourceRecord]:
    """Rows as dicts keyed by the (stripped) header; line numbers count the header as 1."""
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            raw = (
                ",".join(row)
                .encode("utf-8", errors="surrogateescape")
                .decode("utf-8", errors="replace")
            )
            if any(_has_surrogates(cell) for cell in row):
                yield SourceRecord(line, None, raw, InvalidRecord(MSG_BAD_ENCODING))
                continue
            if len(row) != len(header):
                yield SourceRecord(
                    line,
                    None,
                    raw,
                    InvalidRecord(MSG_FIELD_COUNT, found=len(row), expected=len(header)),
                )
                continue
            yield SourceRecord(line, dict(zip(header, (c.strip() for c in row), strict=True)), raw)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)
