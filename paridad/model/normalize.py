"""Normalised forms of names and identifiers, shared by search and (later) matching.

Spanish naming is what makes naive search fail: two surnames in either order, particles
(de, del, de la, y), accents that one system keeps and another drops. We reduce a name to a
bag of folded tokens without particles, so "José de la Cruz Ramírez", "Jose Ramirez Cruz" and
"RAMÍREZ, JOSÉ" all share their distinctive tokens. Identifiers (serials, CURP, RFC, CLABE,
phones) lose spaces, dashes and dots so "MX-AB 12.3" and "mxab123" are one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Particles that join Spanish (and some English) surnames; they carry no identity.
PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "van", "von", "der", "di"})
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def plain(text: str) -> str:
    """Lower case with accents stripped, punctuation kept: for matching codes and words
    written either way ("Depósito", "deposito")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, strip accents (ñ becomes n) and replace punctuation with spaces."""
    lowered = text.casefold()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", lowered).strip()


def name_tokens(text: str) -> list[str]:
    """Distinctive tokens of a personal or organisation name, particles removed."""
    return [t for t in fold(text).split() if t not in PARTICLES]


def identifier_key(text: str) -> str:
    """Compact form of an identifier: upper case, alphanumerics only."""
    return fold(text).replace(" ", "").upper()


def query_terms(text: str) -> tuple[list[str], str | None]:
    """Tokens of a search query, plus its compact identifier form when it looks like one.

    "AB 123 456" typed with spaces should still find the serial AB123456, so a query with
    digits also matches its compact form as an alternative to matching every token.
    """
    tokens = name_tokens(text)
    compact = identifier_key(text).lower()
    if len(tokens) > 1 and any(c.isdigit() for c in compact):
        return tokens, compact
    return tokens, None
