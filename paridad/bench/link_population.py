"""A large binational population for the linkage benchmark, generated in seconds.

``paridad synth`` builds a coherent world with a few thousand people, which is the scenario
F1 is measured on. Timing linkage at a million by a million needs more people than that, so
this module draws them directly: names from the scenario's own name lists (with their
weights), birth dates, sex, and for half of the left side a right-side record of the same
person written with the drifts the scenario plants (accents dropped, one surname kept or
hyphenated or swapped, a nickname, a typo, day and month swapped, a year off, no birth date).
All random choices are drawn as numpy arrays; only the final strings are assembled per record.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from paridad.match.features import Normalised, normalise
from paridad.synth.catalog import DATA_DIR
from paridad.synth.names import strip_accents


def _weighted(
    name: str, column: str, sex: str | None = None
) -> tuple[list[str], npt.NDArray[np.float64]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(line for line in fh if not line.startswith("#"))]
    chosen = [r for r in rows if sex is None or r.get("sex") == sex]
    weights = np.asarray([float(r["weight"]) for r in chosen])
    return [r[column] for r in chosen], weights / weights.sum()


def _nicknames() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with (DATA_DIR / "nicknames.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            out.setdefault(row["formal"], []).append(row["nickname"])
    return out


@dataclass
class Population:
    """Both sides' records, and which left position matches which right position."""

    left_ids: list[str]
    left: list[Normalised]
    right_ids: list[str]
    right: list[Normalised]
    truth_left: npt.NDArray[np.int64]
    truth_right: npt.NDArray[np.int64]


def _typo(word: str, at: int) -> str:
    """Drop the letter at ``at`` (within the word), the commonest clerical slip."""
    if len(word) < 4:
        return word
    i = 1 + at % (len(word) - 2)
    return word[:i] + word[i + 1 :]


def generate(n: int, seed: int = 1) -> Population:
    rng = np.random.default_rng(seed)
    pools = {
        ("mx", "male"): _weighted("mx_given.csv", "name", "male"),
        ("mx", "female"): _weighted("mx_given.csv", "name", "female"),
        ("us", "male"): _weighted("us_given.csv", "name", "male"),
        ("us", "female"): _weighted("us_given.csv", "name", "female"),
    }
    mx_surnames, mx_sw = _weighted("mx_surnames.csv", "surname")
    us_surnames, us_sw = _weighted("us_surnames.csv", "surname")
    nicknames = _nicknames()

    people = n + (n - n // 2)  # n on the left; the right adds n - n//2 new people
    mexican = rng.random(people) < 0.7
    male = rng.random(people) < 0.7
    given_u = rng.random(people)
    paternal = np.where(
        mexican,
        rng.choice(len(mx_surnames), people, p=mx_sw),
        rng.choice(len(us_surnames), people, p=us_sw),
    )
    maternal = rng.choice(len(mx_surnames), people, p=mx_sw)
    born = rng.integers(0, (date(2005, 1, 1) - date(1950, 1, 1)).days, people)

    # Drift of the right-side record of the first n//2 people, drawn all at once.
    pairs = n // 2
    roll_surname = rng.random(pairs)
    roll_dob = rng.random(pairs)
    nickname = rng.random(pairs) < 0.10
    typo = rng.random(pairs) < 0.10
    accents = rng.random(pairs) < 0.85
    typo_at = rng.integers(0, 1 << 30, pairs)

    cumulative = {k: np.cumsum(w) for k, (_, w) in pools.items()}

    def given_fast(i: int) -> str:
        key = ("mx" if mexican[i] else "us", "male" if male[i] else "female")
        names = pools[key][0]
        return names[min(int(np.searchsorted(cumulative[key], given_u[i])), len(names) - 1)]

    epoch = date(1950, 1, 1)

    def canonical(i: int) -> dict[str, str]:
        given = given_fast(i)
        if mexican[i]:
            surname = f"{mx_surnames[paternal[i]]} {mx_surnames[maternal[i]]}"
        else:
            surname = us_surnames[paternal[i]]
        return {
            "given_name": given,
            "surname": surname,
            "date_of_birth": (epoch + timedelta(days=int(born[i]))).isoformat(),
            "sex": "male" if male[i] else "female",
        }

    def drifted(i: int) -> dict[str, str]:
        record = canonical(i)
        given = record["given_name"]
        if nickname[i]:
            options = nicknames.get(given.split()[0])
            if options:
                given = options[typo_at[i] % len(options)]
        surname = record["surname"]
        if mexican[i]:
            p, m = mx_surnames[paternal[i]], mx_surnames[maternal[i]]
            r = roll_surname[i]
            surname = (
                p if r < 0.4 else f"{p}-{m}" if r < 0.55 else f"{m} {p}" if r < 0.6 else surname
            )
        if typo[i]:
            words = surname.split(" ")
            words[0] = _typo(words[0], int(typo_at[i]))
            surname = " ".join(words)
        if accents[i]:
            given, surname = strip_accents(given), strip_accents(surname)
        birth = epoch + timedelta(days=int(born[i]))
        d = roll_dob[i]
        dob = birth.isoformat()
        if d < 0.05 and birth.day <= 12 and birth.day != birth.month:
            dob = date(birth.year, birth.day, birth.month).isoformat()
        elif d < 0.08:
            dob = birth.replace(year=birth.year + 1, day=min(birth.day, 28)).isoformat()
        elif d < 0.13:
            dob = ""
        return {**record, "given_name": given, "surname": surname, "date_of_birth": dob}

    left = [normalise(canonical(i)) for i in range(n)]
    right_people = list(range(pairs)) + list(range(n, people))
    right = [normalise(drifted(i) if i < pairs else canonical(i)) for i in right_people]
    order = rng.permutation(len(right))
    right = [right[k] for k in order]
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    return Population(
        [f"L{i}" for i in range(n)],
        left,
        [f"R{k}" for k in range(len(right))],
        right,
        np.arange(pairs, dtype=np.int64),
        position[:pairs],
    )
