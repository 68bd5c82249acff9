"""Personal names as each side writes them, and the ways one person's name drifts between them.

Mexican records keep both surnames (paternal, maternal), accents and compound given names
("José Luis Hernández García"). US records of the same person drop accents, keep only the
paternal surname or hyphenate both, turn the second given name into a middle initial, use the
nickname the person goes by (Chuy for Jesús), lose or merge particles ("De La Cruz",
"Delacruz", "Cruz"), or carry a typo. These drifts are what cross-border matching has to
survive, so each one is named and recorded in the ground truth.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from paridad.synth import catalog

PARTICLES = ("de la", "de los", "de las", "del", "de")

# Spelling slips that happen between Spanish names and English-speaking clerks, most common
# first: -ez/-es, s/z, b/v, y/ll, a silent h, x/j, c/s.
_PHONETIC = (
    ("ez", "es"),
    ("z", "s"),
    ("s", "z"),
    ("v", "b"),
    ("b", "v"),
    ("ll", "y"),
    ("y", "ll"),
    ("h", ""),
    ("x", "j"),
    ("ce", "se"),
    ("ci", "si"),
    ("gue", "ge"),
)


def strip_accents(text: str) -> str:
    """Drop diacritics (á→a, ñ→n, ü→u): what most US systems store."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass(frozen=True)
class NameParts:
    """One written form of a person's name."""

    first: str
    middle: str | None
    last: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.first, self.middle, self.last) if p)


def mexican_name(rng: random.Random, sex: str) -> tuple[str, str, str | None]:
    """(given names, paternal surname, maternal surname); a few people have no maternal one."""
    given = catalog.mx_given()[sex].pick(rng)
    paternal = catalog.mx_surnames().pick(rng)
    maternal: str | None = catalog.mx_surnames().pick(rng)
    if rng.random() < 0.03:
        maternal = None
    return given, paternal, maternal


def anglo_name(rng: random.Random, sex: str) -> tuple[str, str | None, str]:
    """(first, middle, last) for an English-named US person."""
    first = catalog.us_given()[sex].pick(rng)
    middle = catalog.us_given()[sex].pick(rng) if rng.random() < 0.7 else None
    if middle == first:
        middle = None
    return first, middle, catalog.us_surnames().pick(rng)


def split_particle(surname: str) -> tuple[str, str]:
    """("de la", "Cruz") for "de la Cruz"; ("", "García") when there is no particle."""
    low = surname.lower()
    for particle in PARTICLES:
        if low.startswith(particle + " "):
            return surname[: len(particle)], surname[len(particle) + 1 :]
    return "", surname


def particle_variant(rng: random.Random, surname: str) -> tuple[str, str | None]:
    """How a US form writes a surname with a particle: dropped, merged or capitalised."""
    particle, core = split_particle(surname)
    if not particle:
        return surname, None
    roll = rng.random()
    if roll < 0.35:
        return core, "particle-dropped"
    if roll < 0.6:
        merged = "".join(w.capitalize() for w in particle.split()) + core.lower()
        return merged, "particle-merged"
    return " ".join(w.capitalize() for w in particle.split()) + " " + core, "particle-kept"


def typo(rng: random.Random, word: str) -> str:
    """One realistic slip: a phonetic swap when one applies, else a dropped, doubled or
    transposed letter."""
    low = word.lower()
    if rng.random() < 0.6:
        options = [(a, b) for a, b in _PHONETIC if a in low]
        if options:
            a, b = rng.choice(options)
            i = low.find(a) if rng.random() < 0.5 else low.rfind(a)
            out = word[:i] + b + word[i + len(a) :]
            if out and i == 0:
                out = out[0].upper() + out[1:]
            if out and out != word and len(out) > 1:
                return out
    if len(word) < 4:
        return word + word[-1]
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def nickname_for(rng: random.Random, given: str, sex: str) -> str | None:
    """A hypocorism for the person's first given name (or for José María → Chema)."""
    if given.startswith("José María"):
        return "Chema"
    for name in given.split():
        options = catalog.nicknames().get((name, sex))
        if options:
            return rng.choice(options)
    return None


def us_form_of_mexican(
    rng: random.Random,
    given: str,
    paternal: str,
    maternal: str | None,
    sex: str,
    accent_rate: float = 0.85,
) -> tuple[NameParts, list[str]]:
    """How a US record writes a Mexican name, with the drifts applied (in truth order)."""
    tags: list[str] = []
    words = given.split()
    first, middle = words[0], " ".join(words[1:]) or None
    if middle and middle.lower().startswith("de "):
        middle = middle[3:]  # "José de Jesús" -> first José, middle Jesús
    roll = rng.random()
    if middle and roll < 0.25:
        middle = middle[0] + "."
        tags.append("middle-initial")
    elif middle and roll < 0.4:
        middle = None
        tags.append("given-dropped")
    elif middle and roll < 0.5 and words[0] in ("José", "María", "Juan"):
        first, middle = middle, None
        tags.append("goes-by-second-name")
    if rng.random() < 0.15:
        nick = nickname_for(rng, first if middle is None else given, sex)
        if nick:
            first = nick
            tags.append("nickname")
    p, ptag = particle_variant(rng, paternal)
    m = maternal
    mtag = None
    if m:
        m, mtag = particle_variant(rng, m)
    for tag in (ptag, mtag):
        if tag and tag not in tags:
            tags.append(tag)
    roll = rng.random()
    if not m:
        last = p
    elif roll < 0.4:
        last = p
        tags.append("paternal-only")
    elif roll < 0.55:
        last = f"{p}-{m}"
        tags.append("hyphenated")
    elif roll < 0.6:
        last = f"{m} {p}"
        tags.append("surnames-swapped")
    elif roll < 0.65 and middle is None:
        first, middle, last = first, p, m
        tags.append("paternal-as-middle")
    else:
        last = f"{p} {m}"
    if rng.random() < accent_rate:
        before = (first, middle, last)
        first, last = strip_accents(first), strip_accents(last)
        middle = strip_accents(middle) if middle else None
        if (first, middle, last) != before:
            tags.append("accents")
    if rng.random() < 0.15:
        if rng.random() < 0.6:
            parts = last.split(" ")
            parts[0] = typo(rng, parts[0])
            last = " ".join(parts)
        else:
            first = typo(rng, first)
        tags.append("typo")
    return NameParts(first, middle, last), tags


def mexican_form_of_us(
    rng: random.Random, first: str, middle: str | None, last: str
) -> tuple[NameParts, list[str]]:
    """How a Mexican record writes a US person's name: middle names lost, the odd typo."""
    tags: list[str] = []
    if middle and rng.random() < 0.5:
        middle = None
        tags.append("given-dropped")
    if rng.random() < 0.12:
        last = typo(rng, last)
        tags.append("typo")
    return NameParts(first, middle, last), tags
