"""Candidate generation and scoring with Splink: the two resolution models and how they train.

Each model is named and versioned (``person@1``, ``organization@1``); the version goes into
every judgement the model makes (``splink:person@1``), so a judgement can always be traced to
the comparisons that produced it. Change what a model compares and its version must change.

A model is Fellegi–Sunter, as Splink implements it: *blocking rules* choose which pairs are
compared at all (sharing an identifier, a birth date, a sorted name, a given name and a
surname sound, a surname sound and a birth year…), and each *comparison* sorts a pair into a
level (names exact, swapped, close, sharing three words…) whose weight is
``log2(m / u)``: how much likelier that level is among true matches (m) than among
non-matches (u). The weights add up to a match probability.

Where m and u come from (:func:`score`):

- ``em``: u from random pairs of this node's records, m by expectation maximisation over two
  training blocks, the share of matches from deterministic rules. Used when the node holds at
  least :data:`EM_MIN_RECORDS` records of the schema, because EM on a handful of records
  learns noise.
- ``priors``: the m and u written beside each level below — set from how the records of
  agencies on both sides drift (``docs/resolve.md``), not fitted — and only the share of
  matches is counted. Used for small nodes, and when EM fails.

The judgement's reason lists the level every comparison fell into with its weight, e.g.
``w=17.2 name:exact(+8.9) birth_date:swapped(+6.1) identifiers:shared(+16.4)``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from paridad.errors import ParidadError, first_line
from paridad.i18n import N_
from paridad.resolve.features import ORGANIZATION_COLUMNS, PERSON_COLUMNS

EM_MIN_RECORDS = 1_000
TRAININGS: tuple[str, ...] = ("auto", "em", "priors")
# How many of the deterministic rules' matches are thought to be all the matches (Splink's
# "recall" when it counts the share of matches); identifiers and exact names miss variants.
DETERMINISTIC_RECALL = 0.6

MSG_BAD_TRAINING = N_("Unknown training '{training}'; choose one of: {choices}.")

Progress = Callable[[str], None]


class ModelError(ParidadError):
    """A resolution model that cannot run as asked."""


@dataclass(frozen=True)
class Level:
    """One comparison level: a code (for reasons), the Splink level, its prior m and u."""

    code: str
    make: Callable[[], Any]
    m: float | None = None  # None: the null level (no evidence either way)
    u: float | None = None

    def creator(self) -> Any:
        level = self.make()
        if self.m is None:
            return level.configure(is_null_level=True, label_for_charts=self.code)
        return level.configure(
            m_probability=self.m, u_probability=self.u, label_for_charts=self.code
        )


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    def creator(self) -> Any:
        from splink.comparison_library import CustomComparison

        return CustomComparison(
            comparison_levels=[level.creator() for level in self.levels],
            output_column_name=self.name,
        )

    def code_for(self, gamma: int) -> str:
        """The level code of Splink's comparison vector value (-1 null, 0 else, up to n-1)."""
        if gamma < 0:
            return "null"
        scored = [level for level in self.levels if level.m is not None]
        return scored[len(scored) - 1 - gamma].code


@dataclass(frozen=True)
class ResolutionModel:
    """A named, versioned model for the entities of some schemata."""

    name: str
    version: int
    schemata: tuple[str, ...]
    columns: dict[str, str]
    comparisons: tuple[Comparison, ...]
    blocking: Callable[[], list[Any]]
    training_blocks: Callable[[], list[Any]]
    deterministic: Callable[[], list[Any]]

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def source(self) -> str:
        return f"splink:{self.key}"

    def settings(self, share: float | None = None) -> Any:
        """Splink settings; ``share`` fixes the share of matches instead of counting it."""
        from splink import SettingsCreator

        return SettingsCreator(
            probability_two_random_records_match=0.0001 if share is None else share,
            link_type="dedupe_only",
            unique_id_column_name="unique_id",
            comparisons=[c.creator() for c in self.comparisons],
            blocking_rules_to_generate_predictions=self.blocking(),
            retain_intermediate_calculation_columns=True,
            retain_matching_columns=True,  # Splink keeps the gamma_ columns only with it
        )


# --- the levels both models share ----------------------------------------------------------
def _cll() -> Any:
    import splink.comparison_level_library as cll

    return cll


def _null(column: str) -> Level:
    return Level("null", lambda: _cll().NullLevel(column))


def _else(m: float, u: float) -> Level:
    return Level("else", lambda: _cll().ElseLevel(), m, u)


def _exact(code: str, column: str, m: float, u: float) -> Level:
    # No term-frequency adjustment: in a small node every name looks common (two records of
    # twenty share it), which would drown the evidence it is meant to sharpen.
    return Level(code, lambda: _cll().ExactMatchLevel(column), m, u)


def _sql(code: str, sql: str, m: float, u: float) -> Level:
    return Level(code, lambda: _cll().CustomLevel(sql), m, u)


def _overlap(code: str, column: str, size: int, m: float, u: float) -> Level:
    return Level(code, lambda: _cll().ArrayIntersectLevel(column, size), m, u)


def _address() -> Comparison:
    no_address = (
        "(address_numbers_l IS NULL OR address_numbers_r IS NULL)"
        " AND (address_words_l IS NULL OR address_words_r IS NULL)"
    )
    return Comparison(
        "address",
        (
            Level("null", lambda: _cll().CustomLevel(no_address)),
            _overlap("same-numbers", "address_numbers", 2, 0.55, 0.0005),
            _overlap("same-words", "address_words", 3, 0.20, 0.02),
            _else(0.25, 0.9795),
        ),
    )


# --- persons -------------------------------------------------------------------------------
_SWAPPED = (
    "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)"
    " AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2)"
    " AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
)


@cache
def person_model() -> ResolutionModel:
    from splink import block_on

    name = Comparison(
        "name",
        (
            _null("name"),
            _exact("exact", "name", 0.45, 0.0005),
            _exact("reordered", "name_sorted", 0.08, 0.0001),
            Level("close", lambda: _cll().JaroWinklerLevel("name", 0.92), 0.17, 0.002),
            _overlap("three-words", "name_keys", 3, 0.12, 0.0006),
            _overlap("two-words", "name_keys", 2, 0.13, 0.02),
            _else(0.05, 0.9769),
        ),
    )
    birth = Comparison(
        "birth_date",
        (
            _null("birth_date"),
            _exact("exact", "birth_date", 0.80, 0.0001),
            _sql("swapped", _SWAPPED, 0.06, 0.00005),
            _sql(
                "other-year",
                "substr(birth_date_l, 6, 5) = substr(birth_date_r, 6, 5)",
                0.04,
                0.0027,
            ),
            Level("one-edit", lambda: _cll().LevenshteinLevel("birth_date", 1), 0.03, 0.01),
            _sql(
                "same-year", "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4)", 0.02, 0.02
            ),
            _else(0.05, 0.96735),
        ),
    )
    ids = Comparison(
        "identifiers",
        (
            _null("identifiers"),
            _overlap("shared", "identifiers", 1, 0.50, 0.00001),
            _sql(
                "curp-differs",
                "curp_l IS NOT NULL AND curp_r IS NOT NULL AND curp_l <> curp_r",
                0.005,
                0.3,
            ),
            _else(0.495, 0.69999),
        ),
    )
    nationality = Comparison(
        "nationality",
        (_null("nationality"), _exact("same", "nationality", 0.95, 0.6), _else(0.05, 0.4)),
    )
    gender = Comparison(
        "gender", (_null("gender"), _exact("same", "gender", 0.97, 0.55), _else(0.03, 0.45))
    )
    return ResolutionModel(
        name="person",
        version=1,
        schemata=("Person",),
        columns=PERSON_COLUMNS,
        comparisons=(name, birth, ids, nationality, gender, _address()),
        blocking=lambda: [
            block_on("identifiers", arrays_to_explode=["identifiers"]),
            block_on("birth_date"),
            block_on("name_sorted"),
            block_on("given", "surname_keys", arrays_to_explode=["surname_keys"]),
            block_on("birth_year", "surname_keys", arrays_to_explode=["surname_keys"]),
        ],
        training_blocks=lambda: [block_on("birth_date"), block_on("name_sorted")],
        deterministic=lambda: [
            "l.curp = r.curp",
            block_on("name", "birth_date"),
            block_on("name_sorted", "birth_date"),
        ],
    )


# --- organisations -------------------------------------------------------------------------
@cache
def organization_model() -> ResolutionModel:
    from splink import block_on

    name = Comparison(
        "name",
        (
            _null("name"),
            _exact("exact", "name", 0.70, 0.0005),
            _exact("reordered", "name_sorted", 0.05, 0.0001),
            Level("close", lambda: _cll().JaroWinklerLevel("name", 0.92), 0.12, 0.003),
            _overlap("two-words", "name_keys", 2, 0.08, 0.01),
            _else(0.05, 0.9864),
        ),
    )
    ids = Comparison(
        "identifiers",
        (
            _null("identifiers"),
            _overlap("shared", "identifiers", 1, 0.85, 0.00005),
            _else(0.15, 0.99995),
        ),
    )
    jurisdiction = Comparison(
        "jurisdiction",
        (_null("jurisdiction"), _exact("same", "jurisdiction", 0.95, 0.5), _else(0.05, 0.5)),
    )
    return ResolutionModel(
        name="organization",
        version=1,
        schemata=("Organization", "Company", "PublicBody"),
        columns=ORGANIZATION_COLUMNS,
        comparisons=(name, ids, jurisdiction, _address()),
        blocking=lambda: [
            block_on("identifiers", arrays_to_explode=["identifiers"]),
            block_on("name_sorted"),
            block_on("first_word", "jurisdiction"),
        ],
        training_blocks=lambda: [block_on("name_sorted"), "l.identifiers = r.identifiers"],
        deterministic=lambda: ["l.identifiers = r.identifiers", block_on("name_sorted")],
    )


MODELS: dict[str, Callable[[], ResolutionModel]] = {
    "Person": person_model,
    "Organization": organization_model,
}


# --- scoring -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    """A scored pair (ids in stored order) with the reason the model gives."""

    left_id: str
    right_id: str
    probability: float
    weight: float
    reason: str


@dataclass
class Scored:
    model: ResolutionModel
    training: str
    entities: int
    candidates: list[Candidate] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def arrow_table(model: ResolutionModel, rows: Sequence[dict[str, Any]]) -> Any:
    """The rows as an Arrow table with declared types (an all-null column keeps its type)."""
    import pyarrow as pa

    types = {"text": pa.string(), "list": pa.list_(pa.string())}
    schema = pa.schema([(name, types[kind]) for name, kind in model.columns.items()])
    return pa.Table.from_pylist(list(rows), schema=schema)


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs its progress and advice; the run reports its own, so keep Splink's to errors."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def _reason(model: ResolutionModel, record: dict[str, Any]) -> str:
    parts = [f"w={float(record['match_weight']):.1f}"]
    for comparison in model.comparisons:
        gamma = record.get(f"gamma_{comparison.name}")
        if gamma is None or int(gamma) < 0:
            continue
        weight = float(record.get(f"mw_{comparison.name}") or 0.0)
        parts.append(f"{comparison.name}:{comparison.code_for(int(gamma))}({weight:+.1f})")
    return " ".join(parts)


def _share_of_matches(linker: Any, model: ResolutionModel, entities: int) -> tuple[float, str]:
    """Count the deterministic matches into the linker's share of matches.

    Returns (0, "") when that worked, else one match per record and a note saying why: a
    node may hold no pair that the deterministic rules accept, and Splink cannot work from
    a share of zero.
    """
    try:
        linker.training.estimate_probability_two_random_records_match(
            model.deterministic(), recall=DETERMINISTIC_RECALL
        )
        value = float(linker.misc.save_model_to_json()["probability_two_random_records_match"])
        if 0 < value < 1:
            return 0.0, ""
        note = f"share of matches: {value}"
    except Exception as exc:  # Splink refuses when the rules find nothing
        note = f"share of matches: {first_line(exc)}"
    return 1.0 / max(entities, 2), note


def _linker(table: Any, model: ResolutionModel, entities: int, scored: Scored) -> Any:
    """A linker with the model's priors and the share of matches counted on ``table``."""
    from splink import Linker

    linker = Linker(table, model.settings(), log_level=None)
    fallback, note = _share_of_matches(linker, model, entities)
    if note:
        scored.notes.append(note)
        linker = Linker(table, model.settings(share=fallback), log_level=None)
    return linker


def _train_em(linker: Any, model: ResolutionModel, seed: int) -> None:
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=seed)
    for block in model.training_blocks():
        linker.training.estimate_parameters_using_expectation_maximisation(block)


def score(
    model: ResolutionModel,
    rows: Sequence[dict[str, Any]],
    api: Any,
    *,
    review: float,
    training: str = "auto",
    seed: int = 1,
    progress: Progress | None = None,
) -> Scored:
    """Score the pairs the blocking rules propose; keep those with probability >= ``review``.

    ``api`` is a Splink database API from :func:`paridad.resolve.engines.open_engine`.
    """
    if training not in TRAININGS:
        raise ModelError(MSG_BAD_TRAINING, training=training, choices=", ".join(TRAININGS))
    step = progress or (lambda _name: None)
    mode = training if training != "auto" else ("em" if len(rows) >= EM_MIN_RECORDS else "priors")
    scored = Scored(model, mode, len(rows))
    if len(rows) < 2:
        return scored
    with _quiet_splink():
        table = api.register(arrow_table(model, rows))
        step(N_("Training"))
        linker = _linker(table, model, len(rows), scored)
        if mode == "em":
            try:
                _train_em(linker, model, seed)
            except Exception as exc:  # EM can fail on odd data; the priors still hold
                scored.notes.append(f"em failed, priors kept: {first_line(exc)}")
                scored.training = "priors"
                linker = _linker(table, model, len(rows), scored)
        step(N_("Scoring"))
        predictions = linker.inference.predict(
            threshold_match_probability=review, warning_mode="never"
        )
        records = predictions.as_record_list()
        scored.parameters = json.loads(json.dumps(linker.misc.save_model_to_json(), default=str))
    for record in records:
        left, right = str(record["unique_id_l"]), str(record["unique_id_r"])
        if left > right:
            left, right = right, left
        scored.candidates.append(
            Candidate(
                left,
                right,
                float(record["match_probability"]),
                float(record["match_weight"]),
                _reason(model, record),
            )
        )
    scored.candidates.sort(key=lambda c: (c.left_id, c.right_id))
    return scored
