"""Model names and firearm types, compared the way a tracing analyst would.

Models are written loosely on both sides ("G17" and "G17 GEN5", "M&P9 M2.0" and "MP9",
"AR-15" and "AR15"), so a model agrees when one compact form contains the other or they share
a token with a digit in it; a missing model is no evidence. Types come in Spanish or English
("ESCOPETA", "shotgun", "fusil") and map to the ``firearm_type`` vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache

from paridad.model.normalize import fold

_TYPES = {
    "pistol": "pistol",
    "pistola": "pistol",
    "handgun": "pistol",
    "semiautomatic pistol": "pistol",
    "pistola semiautomatica": "pistol",
    "revolver": "revolver",
    "rifle": "rifle",
    "fusil": "rifle",
    "carabina": "rifle",
    "carbine": "rifle",
    "rifle semiautomatico": "rifle",
    "shotgun": "shotgun",
    "escopeta": "shotgun",
    "machine gun": "machine-gun",
    "machine-gun": "machine-gun",
    "ametralladora": "machine-gun",
    "subfusil": "machine-gun",
    "submachine gun": "machine-gun",
    "metralleta": "machine-gun",
}
# Types a recovering officer and a dealer may honestly disagree on: a short-barrelled AK
# "pistol" (Draco) is often booked as a rifle, a carbine as either.
_NEAR = {frozenset({"pistol", "rifle"}), frozenset({"rifle", "machine-gun"})}
_TOKEN = re.compile(r"[a-z]*\d[a-z0-9]*")


@lru_cache(maxsize=65536)
def type_key(text: str) -> str:
    """The ``firearm_type`` code of a type as written, or "" when unknown."""
    folded = fold(text or "")
    return _TYPES.get(folded, _TYPES.get(folded.replace(" ", "-"), ""))


def compare_types(left: str, right: str) -> str | None:
    if not left or not right:
        return None
    if left == right:
        return "agree"
    return "compatible" if frozenset({left, right}) in _NEAR else "disagree"


@lru_cache(maxsize=65536)
def model_key(text: str) -> str:
    """Folded model words, space-separated ("M&P9 M2.0" becomes "m p9 m2 0")."""
    return fold(text or "")


def compare_models(left: str, right: str) -> str | None:
    """``agree``, ``compatible`` or ``disagree`` for keys made by :func:`model_key`; None
    when either is missing."""
    if not left or not right:
        return None
    a, b = left.replace(" ", ""), right.replace(" ", "")
    if a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a)):
        return "agree"
    tokens_a, tokens_b = set(_TOKEN.findall(left)), set(_TOKEN.findall(right))
    if tokens_a & tokens_b:
        return "compatible"
    return "disagree"
