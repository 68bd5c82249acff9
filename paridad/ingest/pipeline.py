"""The ingest pipeline: one source file into the node's store, all or nothing.

Every record either becomes entities or lands in the quarantine with its reason; the whole
file is one transaction, so a crash (or SIGKILL) part-way leaves the store as it was; and a
file already ingested (same bytes, same mapping) is recognised by its digest and skipped, so
re-running an ingest changes nothing.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from paridad import settings
from paridad.errors import InvalidMapping, ParidadError
from paridad.i18n import N_
from paridad.ingest.convert import Converter
from paridad.ingest.mapping import TabularMapping
from paridad.ingest.sources import (
    SourceRecord,
    count_lines,
    csv_header,
    file_digest,
    read_csv,
    read_lines,
)
from paridad.model.markings import Markings
from paridad.store.base import IngestRun, QuarantinedRecord, Store

MSG_NO_FILE = N_("No such file: {path}")
MSG_CSV_NEEDS_MAPPING = N_(
    "A CSV file needs a mapping file (--mapping) to say what its columns mean."
)
MSG_UNKNOWN_FORMAT = N_("Cannot tell the format of {path}; use .csv, .jsonl or .ndjson.")
MSG_BAD_DATASET = N_("Dataset name '{name}' must be 1-64 lower-case letters, digits, '-' or '_'.")

DATASET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".ftm", ".json")

Progress = Callable[[int], None]


@dataclass
class IngestReport:
    dataset: str
    source: str
    digest: str
    entities: int = 0
    statements: int = 0
    quarantined: int = 0
    skipped: bool = False
    seconds: float = 0.0
    reasons: Counter[str] = field(default_factory=Counter)
    # One example of each reason (its parameters), to show the user a complete message.
    examples: dict[str, dict[str, str]] = field(default_factory=dict)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def check_dataset(name: str) -> str:
    if not DATASET_NAME.match(name):
        raise ParidadError(MSG_BAD_DATASET, name=name)
    return name


def source_format(path: Path, mapping: TabularMapping | None) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if mapping is None:
            raise InvalidMapping(MSG_CSV_NEEDS_MAPPING)
        return "csv"
    if suffix in JSONL_SUFFIXES or path.name.endswith(".jsonl.txt"):
        return "jsonl"
    raise ParidadError(MSG_UNKNOWN_FORMAT, path=str(path))


def ingest_file(
    store: Store,
    path: Path,
    *,
    dataset: str | None = None,
    mapping: TabularMapping | None = None,
    default_markings: Markings | None = None,
    force: bool = False,
    progress: Callable[[int, int], Progress] | None = None,
) -> IngestReport:
    """Load ``path`` into ``store``. ``progress(total_lines, done)`` gets a per-record tick."""
    started = time.perf_counter()
    if not path.is_file():
        raise ParidadError(MSG_NO_FILE, path=str(path))
    fmt = source_format(path, mapping)
    name = check_dataset(dataset or (mapping.dataset if mapping else path.stem.split(".")[0]))
    extra = Path(mapping.path).read_bytes() if mapping and Path(mapping.path).is_file() else b""
    digest = file_digest(path, extra)
    report = IngestReport(dataset=name, source=path.name, digest=digest)
    if not force and store.find_run(name, digest) is not None:
        report.skipped = True
        report.seconds = time.perf_counter() - started
        return report

    markings = default_markings or (mapping.markings if mapping else None)
    if fmt == "csv":
        assert mapping is not None
        mapping.check_columns(csv_header(path))
        records: Iterator[SourceRecord] = read_csv(path)
    else:
        records = read_lines(path)
    tick = progress(count_lines(path), 0) if progress else None

    run = IngestRun(dataset=name, source=path.name, digest=digest, started_at=_now())
    converter = Converter(name, run.started_at, f"{path.name}#{digest[:12]}", mapping, markings)
    seen_ids: set[str] = set()
    with store.writer() as writer:
        if hasattr(writer, "batch_statements"):
            writer.batch_statements = settings.ingest_batch()
        for result in map(converter, records):
            if tick is not None:
                tick(1)
            if result.error is None:
                for record in result.records:
                    writer.put(record)
                    seen_ids.add(record.id)
                    report.statements += len(record.rows)
                continue
            exc = result.error
            params = {k: str(v) for k, v in exc.params.items()}
            report.quarantined += 1
            report.reasons[exc.msgid] += 1
            report.examples.setdefault(exc.msgid, params)
            writer.quarantine(
                QuarantinedRecord(
                    dataset=name,
                    source=path.name,
                    line=result.line,
                    record=result.payload,
                    msgid=exc.msgid,
                    params=params,
                    created_at=run.started_at,
                )
            )
        report.entities = len(seen_ids)
        run.entities, run.statements = report.entities, report.statements
        run.quarantined = report.quarantined
        run.finished_at = _now()
        writer.finish_run(run)
    report.seconds = time.perf_counter() - started
    return report
