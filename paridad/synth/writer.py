"""Streams the scenario to disk and describes what it wrote.

Entities go to their file the moment they are made (the large scale is over a million lines and
must not sit in memory). Lines are serialised with sorted keys, so the same seed gives the same
bytes; the manifest records each file's entity count and SHA-256 so a consumer can tell two
scenarios apart without reading them.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from pathlib import Path
from typing import IO, Any

import orjson

from paridad.synth.entities import Entity

_JSON_OPTS = orjson.OPT_SORT_KEYS


class CsvSink:
    """One CSV file: a header, then rows of strings, written with the csv module."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self._fh: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._fh, lineterminator="\n")
        self._writer.writerow(header)
        self.header = header
        self.rows = 0
        self.entities = 0

    def row(self, values: dict[str, str], entities: int) -> None:
        """Write one row; ``entities`` is how many entities its mapping makes of it."""
        self._writer.writerow([values.get(col, "") for col in self.header])
        self.rows += 1
        self.entities += entities

    def close(self) -> None:
        self._fh.close()


class ScenarioWriter:
    """All output files of one scenario under ``out``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._files: dict[str, IO[bytes]] = {}
        self._counts: Counter[str] = Counter()
        self._schemata: dict[str, Counter[str]] = {"mx": Counter(), "us": Counter()}
        self._csv: dict[str, CsvSink] = {}
        self._extra: list[str] = []

    def emit(self, side: str, name: str, entity: Entity) -> None:
        rel = f"{side}/{name}.jsonl"
        fh = self._files.get(rel)
        if fh is None:
            path = self.out / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = path.open("wb")
            self._files[rel] = fh
        fh.write(orjson.dumps(entity, option=_JSON_OPTS))
        fh.write(b"\n")
        self._counts[rel] += 1
        self._schemata[side][entity["schema"]] += 1

    def csv(self, side: str, name: str, header: list[str]) -> CsvSink:
        rel = f"{side}/{name}.csv"
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        sink = CsvSink(path, header)
        self._csv[rel] = sink
        return sink

    def text(self, rel: str, content: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        self._extra.append(rel)

    def side_count(self, side: str) -> int:
        return sum(self._schemata[side].values())

    def close(self) -> dict[str, Any]:
        """Close every file and return the manifest's ``files`` and ``counts`` parts."""
        for fh in self._files.values():
            fh.close()
        for sink in self._csv.values():
            sink.close()
        files: dict[str, dict[str, Any]] = {}
        for rel in sorted(self._counts):
            files[rel] = {"entities": self._counts[rel], "sha256": _sha256(self.out / rel)}
        for rel, sink in sorted(self._csv.items()):
            files[rel] = {
                "entities": sink.entities,
                "rows": sink.rows,
                "sha256": _sha256(self.out / rel),
            }
        for rel in sorted(self._extra):
            files[rel] = {"entities": 0, "sha256": _sha256(self.out / rel)}
        counts: Counter[str] = Counter()
        for side_counts in self._schemata.values():
            counts.update(side_counts)
        return {
            "files": dict(sorted(files.items())),
            "counts": dict(sorted(counts.items())),
            "sides": {
                side: {"entities": sum(c.values()), "counts": dict(sorted(c.items()))}
                for side, c in sorted(self._schemata.items())
            },
        }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
