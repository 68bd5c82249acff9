"""Make names in one form, so "S&W", "Smith and Wesson" and "SMITH & WESSON INC" agree.

The table (``data/makes.yaml``) lists each maker's names and the US importers of record whose
marks stand in for it: on an imported gun the importer's stamp ("CAI GEORGIA VT") is often the
only name an officer reads, and it points at the maker(s) that importer brings in. A name is
therefore normalised to a *set* of maker keys, and two records agree when the sets meet.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

import yaml

from paridad.model.normalize import fold

# Corporate and filler words that say nothing about which maker it is.
_SUFFIXES = frozenset(
    {
        "inc",
        "llc",
        "ltd",
        "co",
        "corp",
        "corporation",
        "company",
        "mfg",
        "mfg co",
        "gmbh",
        "sa",
        "spa",
        "s p a",
        "sa de cv",
        "usa",
        "us",
        "america",
        "intl",
        "international",
        "industries",
        "the",
        "and",
        "y",
        "cia",
    }
)
_SPACES = re.compile(r"\s+")


def _key(name: str) -> str:
    """Folded name, ampersands spelled out, corporate suffixes dropped."""
    words = fold(name.replace("&", " and ")).split()
    kept = [w for w in words if w not in _SUFFIXES]
    return " ".join(kept or words)


@cache
def _table() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    text = resources.files("paridad.trace").joinpath("data/makes.yaml").read_text("utf-8")
    data = yaml.safe_load(text)["makes"]
    names: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = {}
    for maker, entry in data.items():
        these = {maker, *entry.get("imports", [])}
        names.setdefault(_key(maker.replace("-", " ")), set()).update(these)
        for name in entry.get("names", []):
            names.setdefault(_key(str(name)), set()).update(these)
        for name in entry.get("importers", []):
            importers.setdefault(_key(str(name)), set()).add(maker)
    return (
        {k: frozenset(v) for k, v in names.items()},
        {k: frozenset(v) for k, v in importers.items()},
    )


@lru_cache(maxsize=65536)
def makers(name: str) -> frozenset[str]:
    """The maker keys a make or importer name can stand for; empty when it is unknown."""
    key = _key(name or "")
    if not key:
        return frozenset()
    by_name, by_importer = _table()
    found = by_name.get(key) or by_importer.get(key)
    if found:
        return found
    # "GLOCK INC SMYRNA GA" style marks: the importer's name, then where it is.
    words = key.split()
    for n in range(len(words) - 1, 0, -1):
        prefix = " ".join(words[:n])
        if prefix in by_name:
            return by_name[prefix]
    return frozenset()


@lru_cache(maxsize=65536)
def make_key(name: str) -> str:
    """One comparable string for a make: ``=`` and its maker keys when the table knows it,
    ``~`` and the folded name when it does not, "" when there is no make."""
    known = makers(name)
    if known:
        return "=" + "|".join(sorted(known))
    key = _key(name or "")
    return "~" + key if key else ""


def compare_makes(left: str, right: str) -> str | None:
    """``agree``, ``disagree`` or None (missing, or too vague to say) for two keys made by
    :func:`make_key`."""
    if not left or not right:
        return None
    if left[0] == "=" and right[0] == "=":
        shared = set(left[1:].split("|")) & set(right[1:].split("|"))
        return "agree" if shared else "disagree"
    if left == right:
        return "agree"
    # A name the table does not know: initials or a shortened form ("AM" for Anderson
    # Manufacturing) are no evidence either way; a different full name is.
    a, b = left[1:].replace(" ", ""), right[1:].replace(" ", "")
    if len(a) <= 3 or len(b) <= 3 or a.startswith(b) or b.startswith(a):
        return None
    return "disagree"
