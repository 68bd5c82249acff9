"""Reading the two CSV files of ``paridad link`` and writing its matches.

Linkage answers for every record, so unlike ingest (which quarantines a bad row and goes on)
a file that cannot be read whole is refused with the reason and the line: a silently skipped
row would be a silent no-hit.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.match.features import Normalised, check_field, check_kind, normalise
from paridad.match.names import uses_mexican_letters

MSG_NO_FILE = N_("No such file: {path}")
MSG_NOT_UTF8 = N_("{path} is not UTF-8 text (line {line}).")
MSG_EMPTY = N_("{path} is empty: a header row is needed.")
MSG_NO_ID_COLUMN = N_("{path} has no id column '{column}'; its columns are: {columns}.")
MSG_NO_COLUMN = N_("Neither file has the column '{column}' named in --map.")
MSG_NOTHING_MAPPED = N_(
    "{path} has none of the columns named in --map; its columns are: {columns}."
)
MSG_BAD_MAP = N_("Mapping '{spec}' is not COLUMN=FIELD.")
MSG_NO_MAP = N_("Map at least one column to a field with --map COLUMN=FIELD.")
MSG_ROW_FIELDS = N_(
    "{path}, line {line}: the row has {found} fields but the header has {expected}."
)
MSG_EMPTY_ID = N_("{path}, line {line}: the id column '{column}' is empty.")
MSG_DUPLICATE_ID = N_("{path}, line {line}: the id '{id}' appears twice.")
MSG_BAD_CSV = N_("{path}, line {line}: not valid CSV: {reason}")


def parse_mapping(specs: Iterable[str]) -> dict[str, list[str]]:
    """``["Nombre=given_name", "Apellidos=surname"]`` -> field -> columns (several columns
    may feed one field; their values are joined with a space)."""
    out: dict[str, list[str]] = {}
    for spec in specs:
        column, sep, field = spec.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise ParidadError(MSG_BAD_MAP, spec=spec)
        out.setdefault(check_field(field.strip()), []).append(column.strip())
    if not out:
        raise ParidadError(MSG_NO_MAP)
    return out


@dataclass
class Side:
    """One file's records: ids in file order, their normalised fields, and its columns."""

    path: Path
    ids: list[str]
    records: list[Normalised]
    columns: list[str]


def check_columns(mapping: dict[str, list[str]], sides: Sequence[Side]) -> None:
    """Every mapped column must exist in at least one file (the two files may name their
    columns differently: ``--map nombre=given_name --map first=given_name``)."""
    for names in mapping.values():
        for name in names:
            if not any(name in side.columns for side in sides):
                raise ParidadError(MSG_NO_COLUMN, column=name)


def read_side(path: Path, mapping: dict[str, list[str]], id_column: str, kind: str) -> Side:
    """Read one file; mapped columns it lacks are left out (the other file may have them)."""
    check_kind(kind)
    if not path.is_file():
        raise ParidadError(MSG_NO_FILE, path=str(path))
    rows = _rows(path)
    try:
        header = next(rows)[1]
    except StopIteration:
        raise ParidadError(MSG_EMPTY, path=str(path)) from None
    header = [h.strip() for h in header]
    columns = ", ".join(header)
    if id_column not in header:
        raise ParidadError(MSG_NO_ID_COLUMN, path=str(path), column=id_column, columns=columns)
    index = {name: i for i, name in enumerate(header)}
    id_at = index[id_column]
    wanted = {
        field: [index[c] for c in cols if c in index]
        for field, cols in mapping.items()
        if any(c in index for c in cols)
    }
    if not wanted:
        raise ParidadError(MSG_NOTHING_MAPPED, path=str(path), columns=columns)
    ids: list[str] = []
    values: list[dict[str, str]] = []
    seen: set[str] = set()
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ParidadError(
                MSG_ROW_FIELDS, path=str(path), line=line, found=len(row), expected=len(header)
            )
        record_id = row[id_at].strip()
        if not record_id:
            raise ParidadError(MSG_EMPTY_ID, path=str(path), line=line, column=id_column)
        if record_id in seen:
            raise ParidadError(MSG_DUPLICATE_ID, path=str(path), line=line, id=record_id)
        seen.add(record_id)
        ids.append(record_id)
        values.append(
            {
                field: " ".join(row[i].strip() for i in at if row[i].strip())
                for field, at in wanted.items()
            }
        )
    mexican = uses_mexican_letters([v.get("sex", "") for v in values]) if "sex" in wanted else False
    return Side(path, ids, [normalise(v, kind, mexican) for v in values], header)


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each row; bad bytes and bad quoting become clear errors."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise ParidadError(MSG_NOT_UTF8, path=str(path), line=reader.line_num + 1) from None
            except csv.Error as exc:
                raise ParidadError(
                    MSG_BAD_CSV, path=str(path), line=reader.line_num, reason=str(exc)
                ) from None
            yield reader.line_num, row


def write_matches(path: Path, pairs: Sequence[tuple[str, str, float]]) -> None:
    """``left_id,right_id,score``, best first, written whole or not at all."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["left_id", "right_id", "score"])
        for left, right, score in pairs:
            writer.writerow([left, right, f"{score:.4f}"])
    tmp.replace(path)
