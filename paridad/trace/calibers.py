"""Calibres in one form, so ".38 SÚPER", "38 Super" and ".38 Super Auto" agree.

A calibre is normalised to the *set* of cartridges its text can mean (``data/calibers.yaml``):
"9 MM LUGER" is one, a bare ".38" is both .38 Special and .38 Super. Two records agree
strongly when each names one cartridge and it is the same, weakly when their sets meet, and
disagree when they do not.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import yaml

from paridad.model.normalize import fold

_PREFIX = re.compile(r"^(cal|calibre|caliber|calibre de|cal de)\s+")


def _key(text: str) -> str:
    # "5,56" and "5.56" fold alike; "CAL. .223" loses its label only when more follows.
    folded = fold(text.replace(",", "."))
    stripped = _PREFIX.sub("", folded)
    return (stripped or folded).upper()


@cache
def _table() -> dict[str, frozenset[str]]:
    text = resources.files("paridad.trace").joinpath("data/calibers.yaml").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for cartridge, names in yaml.safe_load(text)["calibers"].items():
        for name in names:
            out.setdefault(_key(str(name)), set()).add(str(cartridge))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=65536)
def cartridges(text: str) -> frozenset[str]:
    """The cartridges a calibre as written can mean; empty when unknown or missing."""
    key = _key(text or "")
    if not key:
        return frozenset()
    table = _table()
    if key in table:
        return table[key]
    compact = key.replace(" ", "")
    for name, found in table.items():
        if name.replace(" ", "") == compact:
            return found
    return frozenset()


@lru_cache(maxsize=65536)
def caliber_key(text: str) -> str:
    """``=`` and the cartridges, ``~`` and the folded text when unknown, "" when missing."""
    found = cartridges(text)
    if found:
        return "=" + "|".join(sorted(found))
    key = _key(text or "")
    return "~" + key if key else ""


def compare_calibers(left: str, right: str) -> str | None:
    """``agree`` (one cartridge, the same), ``compatible`` (the sets meet), ``disagree``, or
    None when either is missing or unknown, for keys made by :func:`caliber_key`."""
    if not left or not right:
        return None
    if left[0] == "=" and right[0] == "=":
        a, b = set(left[1:].split("|")), set(right[1:].split("|"))
        if not a & b:
            return "disagree"
        return "agree" if len(a) == 1 and a == b else "compatible"
    return "agree" if left == right else None
