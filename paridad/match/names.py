"""Names, dates and the other linkage fields, reduced to forms that both sides write alike.

Cross-border records of one person rarely agree letter for letter: a Mexican record keeps
both surnames and the accents ("José Luis Hernández García"), a US record of the same man may
read "Jose L. Hernandez", "Joe Hernandez-Garcia" or "HERNANDEZ GARCIA, JOSE"; a Mexican
record of a US citizen may swap day and month in the birth date. Everything here is applied
the same way on both sides before anything is encoded, so it is part of the linkage scheme
(and its version), never a secret. Folding and particle removal reuse
:mod:`paridad.model.normalize`, so search and linkage agree on what a name token is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import yaml

from paridad.model.normalize import PARTICLES, fold

NICKNAMES_FILE = Path(__file__).with_name("nicknames.yaml")

# Particles written glued to the surname ("Delacruz", "Delosreyes"), longest first. "de" is
# only stripped from long tokens, so "Dean" stays "dean"; both sides strip alike, so a
# surname that merely starts with "del" ("Delgado" -> "gado") still matches itself.
_GLUED_PARTICLES = ("delos", "delas", "dela", "del", "de")

# Legal forms of companies in Mexico and the United States (and a few common elsewhere),
# as folded token sequences; they say nothing about which company it is.
_LEGAL_FORMS = tuple(
    tuple(form.split())
    for form in sorted(
        {
            "s a de c v",
            "sa de cv",
            "s a p i de c v",
            "sapi de cv",
            "s de r l de c v",
            "s de rl de cv",
            "s de r l",
            "s de rl",
            "s a b de c v",
            "sab de cv",
            "s a",
            "sa",
            "s c",
            "sc",
            "a c",
            "ac",
            "s c de r l",
            "s p r de r l",
            "spr de rl",
            "s en c",
            "de c v",
            "de cv",
            "c v",
            "cv",
            "llc",
            "l l c",
            "inc",
            "incorporated",
            "corp",
            "corporation",
            "co",
            "company",
            "ltd",
            "limited",
            "lp",
            "l p",
            "llp",
            "pllc",
            "plc",
            "gmbh",
            "ag",
            "bv",
            "nv",
            "pty",
            "sociedad anonima",
            "sociedad anonima de capital variable",
            "sociedad civil",
            "asociacion civil",
        },
        key=lambda f: -len(f.split()),
    )
)
# Words that decorate a company name in both languages without naming it.
_ORG_STOPWORDS = frozenset({"the", "and", "y", "e", "of", "grupo", "group", "cia", "compania"})
# Words of an address that say what kind of street it is, not which one.
_ADDRESS_STOPWORDS = frozenset(
    {
        "calle",
        "c",
        "av",
        "avenida",
        "ave",
        "blvd",
        "boulevard",
        "col",
        "colonia",
        "cp",
        "no",
        "num",
        "numero",
        "int",
        "ext",
        "st",
        "street",
        "rd",
        "road",
        "dr",
        "drive",
        "ln",
        "lane",
        "ct",
        "court",
        "apt",
        "unit",
        "ste",
        "suite",
        "circuit",
        "crescent",
        "place",
        "pl",
        "way",
    }
)
_DIGITS = re.compile(r"\d+")
_MALE = frozenset({"m", "male", "masculino", "h", "hombre", "man", "mr", "varon", "1"})
_FEMALE = frozenset({"f", "female", "femenino", "mujer", "woman", "w", "ms", "mrs", "2"})


@cache
def nickname_table() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Folded nickname -> the folded formal names it may stand for (each a token tuple)."""
    with NICKNAMES_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    table: dict[str, list[tuple[str, ...]]] = {}
    for section in data.values():
        for formal, nicknames in section.items():
            formal_tokens = tuple(fold(formal).split())
            for nickname in nicknames:
                options = table.setdefault(fold(nickname), [])
                if formal_tokens not in options:
                    options.append(formal_tokens)
    return {nick: tuple(options) for nick, options in table.items()}


@lru_cache(maxsize=262144)
def given_tokens(text: str) -> tuple[str, ...]:
    """Tokens of given names, nicknames replaced by every formal name they may stand for.

    "José de Jesús" -> (jose, jesus); "Chuy" -> (jesus,); "Beto" -> (alberto, roberto,
    humberto); "J. Luis" -> (j, luis): initials stay, the comparison weighs them lightly.
    """
    out: list[str] = []
    table = nickname_table()
    for token in fold(text).split():
        if token in PARTICLES:
            continue
        for expanded in table.get(token, ((token,),)):
            for part in expanded:
                if part not in out:
                    out.append(part)
    return tuple(out)


def _unglue(token: str) -> str:
    for particle in _GLUED_PARTICLES:
        rest = token[len(particle) :]
        if token.startswith(particle) and len(rest) >= 4 and len(token) >= 6:
            return rest
    return token


@lru_cache(maxsize=262144)
def surname_tokens(text: str) -> tuple[str, ...]:
    """Surname tokens without particles, glued particles or hyphens, in written order.

    Order is kept only for display: the encoder treats surnames as a set, so paternal and
    maternal surnames may come in either order, in one field or two, or hyphenated.
    """
    out: list[str] = []
    for token in fold(text).split():
        if token in PARTICLES:
            continue
        token = _unglue(token)
        if token not in out:
            out.append(token)
    return tuple(out)


def split_full_name(text: str) -> tuple[str, str]:
    """(given names, surnames) of a name written in one field.

    "RAMÍREZ CRUZ, JOSÉ" is explicit. Without a comma the first token is the given name, the
    first two when there are four or more ("José Luis Hernández García"); a wrong guess only
    moves a token between two fields that the encoder also compares as one bag of tokens.
    """
    if "," in text:
        surnames, _, given = text.partition(",")
        return given.strip(), surnames.strip()
    words = [w for w in text.split() if w]
    significant = [w for w in words if fold(w) not in PARTICLES]
    n_given = 2 if len(significant) >= 4 else 1
    seen = 0
    for i, word in enumerate(words):
        if fold(word) not in PARTICLES:
            seen += 1
        if seen == n_given:
            return " ".join(words[: i + 1]), " ".join(words[i + 1 :])
    return text.strip(), ""


@lru_cache(maxsize=65536)
def organization_tokens(text: str) -> tuple[str, ...]:
    """Tokens of an organisation name with its legal form and filler words removed.

    "Transportes del Norte, S.A. de C.V." and "TRANSPORTES DEL NORTE SA DE CV" and
    "Transportes Del Norte LLC" all give (transportes, norte).
    """
    tokens = fold(text).split()
    changed = True
    while changed and tokens:
        changed = False
        for form in _LEGAL_FORMS:
            if len(tokens) > len(form) and tuple(tokens[-len(form) :]) == form:
                tokens = tokens[: -len(form)]
                changed = True
                break
    return tuple(t for t in tokens if t not in PARTICLES and t not in _ORG_STOPWORDS)


@dataclass(frozen=True)
class BirthDate:
    """A birth date as written: the year, and day and month when they can be told apart.

    ``parts`` holds the two non-year numbers sorted, so a date written DD/MM on one side and
    MM/DD on the other still agrees there; ``month``/``day`` are set only when the written
    form says which is which (ISO order, or a number above 12).
    """

    year: int
    parts: tuple[int, int]
    month: int | None
    day: int | None


def parse_birth_date(text: str) -> BirthDate | None:
    """Read YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY, MM/DD/YYYY and similar; None when unreadable.

    Impossible numbers (a 13th month) are kept as written: a typo in one digit should cost
    one part of the date, not the whole of it.
    """
    text = text.strip()
    if not text:
        return None
    head = text.split("T")[0].split(" ")[0]
    groups = _DIGITS.findall(head)
    if len(groups) == 1 and len(groups[0]) == 8:
        digits = groups[0]
        if 1800 <= int(digits[:4]) <= 2200:
            groups = [digits[:4], digits[4:6], digits[6:]]
        else:
            groups = [digits[:2], digits[2:4], digits[4:]]
    if len(groups) != 3 or not all(g.isdigit() for g in groups):
        return None
    if len(groups[0]) == 4:
        year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
        ordered = True
    elif len(groups[2]) == 4:
        year, first, second = int(groups[2]), int(groups[0]), int(groups[1])
        # Day-first (Mexico) or month-first (US) cannot be told apart unless one is > 12.
        if first > 12 >= second:
            day, month, ordered = first, second, True
        elif second > 12 >= first:
            day, month, ordered = second, first, True
        else:
            day, month, ordered = first, second, first == second
    else:
        return None
    if not (1800 <= year <= 2200) or day > 99 or month > 99:
        return None
    parts = (min(day, month), max(day, month))
    return BirthDate(year, parts, month if ordered else None, day if ordered else None)


def normalise_sex(text: str, mexican_letters: bool = False) -> str | None:
    """Male ("m") or female ("f") from the ways both countries write it.

    A lone "M" is the trap: male on a US form, *mujer* on a Mexican one, where men are "H"
    (*hombre*). ``mexican_letters`` says which reading applies; :func:`uses_mexican_letters`
    decides it for a whole column.
    """
    value = fold(text)
    if mexican_letters and value == "m":
        return "f"
    if value in _MALE:
        return "m"
    if value in _FEMALE:
        return "f"
    return None


def uses_mexican_letters(values: list[str]) -> bool:
    """Whether a sex column writes H/M (hombre/mujer) rather than M/F."""
    letters = {fold(v) for v in values}
    return "h" in letters and "f" not in letters


def digits_only(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_key(text: str) -> str | None:
    """The last ten digits of a phone number: country prefixes (+52, +1, 01) drop away."""
    digits = digits_only(text)
    if len(digits) < 7:
        return None
    return digits[-10:]


def address_tokens(text: str) -> tuple[str, ...]:
    """Address tokens without street-type words ("Calle", "Av.", "Street", "Col.")."""
    return tuple(t for t in fold(text).split() if t not in _ADDRESS_STOPWORDS)


def place_key(text: str) -> str | None:
    """A city or state, folded and with spaces removed ("Cd. Juárez" -> "cdjuarez")."""
    value = fold(text).replace(" ", "")
    return value or None


def postcode_key(text: str) -> str | None:
    value = fold(text).replace(" ", "")
    return value or None


_PHONETIC_RULES = (
    ("ph", "f"),
    ("ll", "y"),
    ("qu", "k"),
    ("gue", "ge"),
    ("gui", "gi"),
    ("ce", "se"),
    ("ci", "si"),
    ("ch", "x"),
    ("sh", "x"),
    ("z", "s"),
    ("c", "k"),
    ("v", "b"),
    ("w", "b"),
    ("y", "i"),
    ("h", ""),
)
_VOWELS = frozenset("aeiou")


@lru_cache(maxsize=262144)
def phonetic_key(token: str) -> str:
    """A rough consonant skeleton that survives the slips clerks make with Spanish names on
    either side of the border (z/s, b/v, ll/y, a silent h, ce/se, gue/ge, x/j, doubled
    letters): "Hernández", "Hernandes" and "Ernandez" all give "ernnds" -> "ernds".

    Used only for blocking keys (which pairs to score), never for the score itself.
    """
    word = fold(token).replace(" ", "")
    if word.startswith("x"):
        word = "j" + word[1:]
    for old, new in _PHONETIC_RULES:
        word = word.replace(old, new)
    if not word:
        return ""
    skeleton = [word[0]]
    for ch in word[1:]:
        if ch in _VOWELS or ch == skeleton[-1]:
            continue
        skeleton.append(ch)
    return "".join(skeleton)
