"""The trace: each recovered gun matched to the first retail sale it most likely came from.

Candidates come from the serial, in two passes, both joins inside DuckDB so that millions of
sales are never walked in Python:

1. **Within one edit.** Both serials are folded (look-alikes to one character) and expanded
   to themselves plus every one-character deletion; two serials within one edit (a dropped,
   doubled, swapped or misread character) always share one of these strings (the symmetric
   deletion idea behind SymSpell). One hash join over the deletions finds them all.
2. **What is left.** A recovery with no acceptable candidate is tried as a fragment (the
   first or last characters of the marks, the rest ground away) and as a read with unknown
   positions ("AB?12*"), each by joining on the serial's first or last characters and
   checking the rest in the same query.

Every candidate is then weighed (:mod:`paridad.trace.scoring`) with make, model, calibre and
type; a recovery gets its best candidate when it is clearly the best, or nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from paridad.trace.calibers import caliber_key
from paridad.trace.layouts import ACQUISITIONS, RECOVERIES, load_csv
from paridad.trace.makes import make_key
from paridad.trace.models import model_key, type_key
from paridad.trace.records import Acquisition, Recovery, TraceMatch
from paridad.trace.scoring import (
    DENSITY_PRIOR,
    MIN_WEIGHT,
    Side,
    choose,
    feasible,
    probability,
    weigh,
)
from paridad.trace.serials import (
    ReadSerial,
    deletion_variants,
    folded_key,
    read_serial,
    serial_match,
)

Progress = Callable[[str], None]

# The same folding as paridad.match.identifiers (canonical_serial, then fold_serial), in SQL.
FOLD_SQL = (
    "translate(upper(regexp_replace(strip_accents(lower({col})), '[^0-9a-z]', '', 'g')),"
    " 'ODILSBZ', '0011582')"
)
# Characters at either end a second-pass search keys on (fragments use all they have).
END_CHARS = 3
# Sales sampled to measure how crowded the serial space is; the measure is smoothed toward
# scoring.DENSITY_PRIOR as if DENSITY_WEIGHT samples had shown that many neighbours each.
DENSITY_SAMPLE = 20_000
DENSITY_WEIGHT = 20.0
# The serial and each of its one-character deletions, hashed, as a DuckDB list: joining on
# 64-bit hashes instead of strings halves the join; every pair is checked on the strings after.
_VARIANTS_SQL = (
    "list_transform(range(0, length(f) + 1),"
    " i -> hash(CASE WHEN i = 0 THEN f ELSE substr(f, 1, i - 1) || substr(f, i + 1) END))"
)
# A serial length a make counts as usual when at least this share of its sales have it.
USUAL_LENGTH_SHARE = 0.01


@dataclass
class TraceSummary:
    """What a run did: how many recoveries were traced, left alone, or too close to call."""

    recoveries: int = 0
    acquisitions: int = 0
    traced: int = 0
    ambiguous: int = 0
    unreadable: int = 0
    by_serial_match: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def untraced(self) -> int:
        return self.recoveries - self.traced

    def to_dict(self) -> dict[str, Any]:
        return {
            "recoveries": self.recoveries,
            "acquisitions": self.acquisitions,
            "traced": self.traced,
            "untraced": self.untraced,
            "ambiguous": self.ambiguous,
            "unreadable": self.unreadable,
            "by_serial_match": dict(sorted(self.by_serial_match.items())),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _Read:
    """One recovery as the tracer uses it."""

    recovery_id: str
    serial: ReadSerial
    side: Side
    recovered_on: date | None


def _side(make: str, model: str, caliber: str, kind: str) -> Side:
    return Side(make_key(make), model_key(model), caliber_key(caliber), type_key(kind))


class Tracer:
    """Traces the ``recoveries`` table against the ``acquisitions`` table of a connection
    (both in the layouts of :mod:`paridad.trace.layouts`, ``row`` numbering each)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, progress: Progress | None = None):
        self.con = con
        self.progress = progress or (lambda stage: None)
        self.summary = TraceSummary()
        self.density: dict[tuple[str, int], float] = {}
        self.usual_length: dict[str, int] = {}

    def run(self) -> list[TraceMatch]:
        import time

        started = time.perf_counter()
        reads = self._reads()
        self.summary.recoveries = len(reads)
        self.summary.unreadable = sum(1 for r in reads.values() if not r.serial.usable)
        self.progress("fold")
        self._fold_acquisitions()
        self.progress("candidates")
        first = self._within_one_edit(reads)
        matches, unresolved = self._decide(reads, first)
        if unresolved:
            self.progress("second-pass")
            second = self._second_pass(reads, unresolved)
            for row, candidates in first.items():
                if row in unresolved:
                    second.setdefault(row, []).extend(candidates)
            more, _ = self._decide(reads, second)
            matches.update(more)
        self.summary.traced = len(matches)
        for match in matches.values():
            kind = match.serial_match
            self.summary.by_serial_match[kind] = self.summary.by_serial_match.get(kind, 0) + 1
        self.summary.seconds = time.perf_counter() - started
        return [matches[row] for row in sorted(matches)]

    # -- inputs ---------------------------------------------------------------------------------

    def _reads(self) -> dict[int, _Read]:
        rows = self.con.execute(
            "SELECT row, recovery_id, serial, make, model, caliber, type, recovered_on"
            " FROM recoveries"
        ).fetchall()
        reads = {
            int(row): _Read(rid, read_serial(serial), _side(make, model, cal, kind), day)
            for row, rid, serial, make, model, cal, kind, day in rows
        }
        folded = pa.table(
            {
                "ri": pa.array(list(reads), pa.int64()),
                "f": pa.array([r.serial.folded for r in reads.values()], pa.string()),
                "make": pa.array([r.side.make for r in reads.values()], pa.string()),
            }
        )
        self.con.register("read_serials_in", folded)
        self.con.execute("CREATE OR REPLACE TEMP TABLE read_serials AS FROM read_serials_in")
        self.con.unregister("read_serials_in")
        return reads

    def _fold_acquisitions(self) -> None:
        folded = FOLD_SQL.format(col="serial")
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE folded AS SELECT row AS ai, {folded} AS f"
            " FROM acquisitions"
        )
        counts = self.con.execute(
            "SELECT a.make, length(f.f), count(*) FROM folded f"
            " JOIN acquisitions a ON a.row = f.ai GROUP BY 1, 2"
        ).fetchall()
        self.summary.acquisitions = sum(int(n) for _, _, n in counts)
        per_make: dict[str, dict[int, int]] = {}
        for make, length, n in counts:
            lengths = per_make.setdefault(make_key(make), {})
            lengths[int(length)] = lengths.get(int(length), 0) + int(n)
        everything: dict[int, int] = {}
        for lengths in per_make.values():
            for length, n in lengths.items():
                everything[length] = everything.get(length, 0) + n
        per_make[""] = everything
        makes = sorted({str(make) for make, _, _ in counts})
        table = pa.table(
            {
                "make": pa.array(makes, pa.string()),
                "key": pa.array([make_key(m) for m in makes], pa.string()),
            }
        )
        self.con.register("sale_makes_in", table)
        self.con.execute("CREATE OR REPLACE TEMP TABLE sale_makes AS FROM sale_makes_in")
        self.con.unregister("sale_makes_in")
        self.usual_length = {
            key: max(
                (k for k, n in lengths.items() if n >= USUAL_LENGTH_SHARE * sum(lengths.values())),
                default=0,
            )
            for key, lengths in per_make.items()
        }

    # -- candidates -----------------------------------------------------------------------------

    def _within_one_edit(self, reads: dict[int, _Read]) -> dict[int, list[tuple[Any, ...]]]:
        """Sales within one edit of each read, and (same join) of a sample of sales: how
        many same-make neighbours a sale has is how likely a chance one-edit match is."""
        rows: list[int] = []
        keys: list[str] = []
        for row, read in reads.items():
            if read.serial.usable and read.serial.pattern is None:
                for key in deletion_variants(read.serial.folded):
                    rows.append(row)
                    keys.append(key)
        variants = pa.table({"ri": pa.array(rows, pa.int64()), "k": pa.array(keys, pa.string())})
        every = max(1, self.summary.acquisitions // DENSITY_SAMPLE)
        self.con.register("read_variants", variants)
        try:
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE sampled AS SELECT ai, f FROM folded"
                f" WHERE length(f) >= 2 AND hash(ai) % {every} = 0"
            )
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE pairs AS"
                " WITH probe AS (SELECT ri, hash(k) AS k FROM read_variants UNION ALL"
                f"  SELECT -ai AS ri, unnest({_VARIANTS_SQL}) AS k FROM sampled),"
                f" sale_variants AS (SELECT ai, unnest({_VARIANTS_SQL}) AS k"
                "  FROM folded WHERE length(f) >= 2)"
                " SELECT DISTINCT v.ri, s.ai FROM probe v JOIN sale_variants s ON v.k = s.k"
            )
        finally:
            self.con.unregister("read_variants")
        self._densities()
        # Sharing a deletion means within two edits; only one edit is evidence (serials.py),
        # and a one-edit sale of another make is none (an equal serial is weighed anyway).
        found = self.con.execute(
            f"SELECT {_CANDIDATE_COLUMNS} FROM pairs p JOIN acquisitions a ON a.row = p.ai"
            " JOIN read_serials r ON r.ri = p.ri JOIN folded s ON s.ai = p.ai"
            " JOIN sale_makes m ON m.make = a.make"
            " WHERE p.ri > 0 AND (r.f = s.f"
            f"  OR (damerau_levenshtein(r.f, s.f) = 1 AND {_SAME_MAKER}))"
        ).fetchall()
        return _by_recovery(found)

    def _densities(self) -> None:
        """Same-make sales one edit away from a sampled sale, per make and serial length,
        smoothed toward ``DENSITY_PRIOR`` so a handful of samples proves little."""
        rows = self.con.execute(
            "WITH near AS ("
            "  SELECT -p.ri AS s, count(*) AS n FROM pairs p"
            "  JOIN folded f0 ON f0.ai = -p.ri JOIN folded f1 ON f1.ai = p.ai"
            "  JOIN acquisitions a0 ON a0.row = -p.ri JOIN acquisitions a1 ON a1.row = p.ai"
            "  WHERE p.ri < 0 AND p.ai <> -p.ri AND lower(a0.make) = lower(a1.make)"
            "   AND damerau_levenshtein(f0.f, f1.f) = 1 GROUP BY 1)"
            " SELECT lower(a.make), length(s.f), count(*), coalesce(sum(near.n), 0)"
            " FROM sampled s JOIN acquisitions a ON a.row = s.ai"
            " LEFT JOIN near ON near.s = s.ai GROUP BY 1, 2"
        ).fetchall()
        self.density = {
            (make, int(length)): (float(found) + DENSITY_PRIOR * DENSITY_WEIGHT)
            / (float(samples) + DENSITY_WEIGHT)
            for make, length, samples, found in rows
        }

    def _second_pass(
        self, reads: dict[int, _Read], unresolved: set[int]
    ) -> dict[int, list[tuple[Any, ...]]]:
        """Fragments and reads with unknown positions, keyed on the serial's ends."""
        ri: list[int] = []
        side: list[str] = []
        size: list[int] = []
        key: list[str] = []
        check: list[str] = []  # "exact": the key is the whole read; "regex": check the pattern
        pattern: list[str | None] = []

        def add(row: int, s: str, k: str, how: str, regex: str | None) -> None:
            ri.append(row)
            side.append(s)
            size.append(len(k))
            key.append(k)
            check.append(how)
            pattern.append(regex)

        for row in unresolved:
            read = reads[row].serial
            if not read.usable:
                continue
            if read.pattern is not None:
                head, tail = _fixed_ends(read.raw)
                if len(head) >= END_CHARS:
                    add(row, "p", head, "regex", read.pattern)
                if len(tail) >= END_CHARS:
                    add(row, "s", tail, "regex", read.pattern)
                continue
            # Only a read shorter than this make's serials can be what is left of one.
            usual = self.usual_length.get(reads[row].side.make, self.usual_length.get("", 0))
            if read.known < usual:
                add(row, "p", read.folded, "exact", None)
                add(row, "s", read.folded, "exact", None)
        if not ri:
            return {}
        keys = pa.table(
            {
                "ri": pa.array(ri, pa.int64()),
                "side": pa.array(side, pa.string()),
                "n": pa.array(size, pa.int64()),
                "k": pa.array(key, pa.string()),
                "how": pa.array(check, pa.string()),
                "pattern": pa.array(pattern, pa.string()),
            }
        )
        self.con.register("read_ends", keys)
        try:
            found = self.con.execute(
                "WITH lengths AS (SELECT DISTINCT side, n FROM read_ends),"
                " sale_ends AS ("
                "  SELECT f.ai, f.f, l.side, l.n,"
                "   CASE WHEN l.side = 'p' THEN substr(f.f, 1, l.n) ELSE right(f.f, l.n) END AS k"
                "  FROM folded f JOIN lengths l ON length(f.f) > l.n),"
                " matched AS (SELECT DISTINCT e.ri, s.ai FROM read_ends e JOIN sale_ends s"
                "  ON e.side = s.side AND e.n = s.n AND e.k = s.k"
                "  WHERE (e.how = 'exact' AND length(s.f) > e.n)"
                "   OR (e.how = 'regex' AND regexp_full_match(s.f, e.pattern))),"
                " pairs AS (SELECT q.ri, q.ai FROM matched q"
                "  JOIN acquisitions a ON a.row = q.ai JOIN sale_makes m ON m.make = a.make"
                f"  JOIN read_serials r ON r.ri = q.ri WHERE {_SAME_MAKER}"
                f"  QUALIFY count(*) OVER (PARTITION BY q.ri) <= {MAX_FRAGMENT_CANDIDATES})"
                f" SELECT {_CANDIDATE_COLUMNS} FROM pairs p"
                " JOIN acquisitions a ON a.row = p.ai"
            ).fetchall()
        finally:
            self.con.unregister("read_ends")
        return _by_recovery(found)

    # -- decisions ------------------------------------------------------------------------------

    def _decide(
        self, reads: dict[int, _Read], candidates: dict[int, list[tuple[Any, ...]]]
    ) -> tuple[dict[int, TraceMatch], set[int]]:
        """The chosen match per recovery, and the recoveries with no acceptable candidate
        (ambiguous ones are counted, not retried: a second pass cannot settle a tie)."""
        matches: dict[int, TraceMatch] = {}
        unresolved = {row for row, r in reads.items() if r.serial.usable}
        for row, rows in candidates.items():
            read = reads[row]
            best: dict[str, tuple[float, str, tuple[str, ...], date | None]] = {}
            for _, aid, serial, make, model, cal, kind, sold_on in rows:
                if not feasible(sold_on, read.recovered_on):
                    continue
                how = serial_match(read.serial, serial)
                if how is None:
                    continue
                crowding = self.density.get((make.lower(), len(folded_key(serial))), DENSITY_PRIOR)
                evidence = weigh(
                    how[0],
                    how[1],
                    read.serial.known,
                    read.side,
                    _side(make, model, cal, kind),
                    crowding,
                )
                if aid not in best or evidence.weight > best[aid][0]:
                    best[aid] = (evidence.weight, evidence.serial_match, evidence.agreed, sold_on)
            chosen = choose([(w, aid) for aid, (w, *_rest) in best.items()])
            if chosen is None:
                if any(w >= MIN_WEIGHT for w, *_rest in best.values()):
                    unresolved.discard(row)
                    self.summary.ambiguous += 1
                continue
            weight, aid = chosen
            _, how_matched, agreed, sold_on = best[aid]
            ttc = (
                (read.recovered_on - sold_on).days
                if read.recovered_on is not None and sold_on is not None
                else None
            )
            matches[row] = TraceMatch(
                read.recovery_id, aid, round(probability(weight), 4), ttc, how_matched, agreed
            )
            unresolved.discard(row)
        return matches, unresolved


# A sale whose make may be the read's: either is unknown, or their makers meet.
_SAME_MAKER = (
    "(r.make NOT LIKE '=%' OR m.key NOT LIKE '=%' OR list_has_any("
    "string_split(substr(r.make, 2), '|'), string_split(substr(m.key, 2), '|')))"
)
# More sales than this fitting a fragment is a question for an analyst, not a trace.
MAX_FRAGMENT_CANDIDATES = 25
_CANDIDATE_COLUMNS = (
    "p.ri, a.acquisition_id, a.serial, a.make, a.model, a.caliber, a.type, a.sold_on"
)


def _by_recovery(rows: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    out: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        out.setdefault(int(row[0]), []).append(row)
    return out


def _fixed_ends(raw: str) -> tuple[str, str]:
    """The folded characters before the first and after the last unknown position."""
    text = raw.strip()
    cut = [i for i, c in enumerate(text) if c in "?_*"]
    head = read_serial(text[: cut[0]]).folded if cut else ""
    tail = read_serial(text[cut[-1] + 1 :]).folded if cut else ""
    return head, tail


# -- entry points -------------------------------------------------------------------------------


def connect(memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that spills to a temporary directory past its memory limit."""
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/paridad-trace-spill'")
    if memory_limit:
        con.execute("SET memory_limit = ?", [memory_limit])
    return con


def trace(
    recoveries: Sequence[Recovery],
    acquisitions: Sequence[Acquisition],
    progress: Progress | None = None,
) -> list[TraceMatch]:
    """Trace records held in memory (a node's entities, a test's rows)."""
    return trace_with_summary(recoveries, acquisitions, progress)[0]


def trace_with_summary(
    recoveries: Sequence[Recovery],
    acquisitions: Sequence[Acquisition],
    progress: Progress | None = None,
) -> tuple[list[TraceMatch], TraceSummary]:
    con = connect()
    try:
        _load_records(con, "recoveries", recoveries, "recovered_on")
        _load_records(con, "acquisitions", acquisitions, "sold_on")
        tracer = Tracer(con, progress)
        return tracer.run(), tracer.summary
    finally:
        con.close()


def _load_records(
    con: duckdb.DuckDBPyConnection, table: str, records: Sequence[Any], date_column: str
) -> None:
    layout = RECOVERIES if table == "recoveries" else ACQUISITIONS
    columns: dict[str, pa.Array] = {
        "row": pa.array(range(1, len(records) + 1), pa.int64()),
    }
    for name in layout.columns:
        values = [getattr(r, name) for r in records]
        if name == date_column:
            columns[name] = pa.array(values, pa.date32())
        else:
            columns[name] = pa.array([v or "" for v in values], pa.string())
    con.register(f"{table}_in", pa.table(columns))
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table}_in")
    con.unregister(f"{table}_in")


def trace_csv(
    recoveries: Path,
    acquisitions: Path,
    out: Path,
    *,
    explain: bool = False,
    progress: Progress | None = None,
) -> TraceSummary:
    """``paridad trace``: read the two layouts, write one best match per traced recovery."""
    import csv

    con = connect()
    try:
        (progress or (lambda stage: None))("load")
        load_csv(con, recoveries, RECOVERIES)
        load_csv(con, acquisitions, ACQUISITIONS)
        tracer = Tracer(con, progress)
        matches = tracer.run()
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        header = ["recovery_id", "acquisition_id", "score", "ttc_days"]
        writer.writerow(header + (["serial_match", "agreed"] if explain else []))
        for m in matches:
            row = [m.recovery_id, m.acquisition_id, f"{m.score:.4f}", m.ttc_days]
            if explain:
                row += [m.serial_match, " ".join(m.agreed)]
            writer.writerow(["" if v is None else v for v in row])
    partial.replace(out)
    return tracer.summary
