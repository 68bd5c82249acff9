"""RFC 8785 (JSON Canonicalization Scheme): the bytes that signatures and Merkle leaves cover.

Envelopes, their records, audit entries and tree heads are all hashed or signed over these
bytes, so two nodes (and any outside tool) derive exactly the same ones from the same data.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785


class NotCanonicalizable(ValueError):
    """Data that has no RFC 8785 form (a non-string key, NaN, an integer beyond 2**53...)."""


# RFC 8785 writes integers as orjson does while they are exact doubles; beyond that (and for
# every float) the two formats can differ.
_PLAIN_INTEGER = 10**15
# Bytes 0x00-0xED: what remains after deleting them are lead bytes of U+E000 and above, where
# UTF-16 order (RFC 8785's) and code-point order (orjson's) can disagree when sorting keys.
_BELOW_E000 = bytes(range(0xEE))


def _only_strings_and_small_integers(data: Any) -> bool:
    """True when ``data`` holds no float and no integer orjson and RFC 8785 might write apart.

    A walk over the values rather than a regular expression over the output: records are
    mostly strings, and checking a value's type is cheaper than scanning its bytes.
    """
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
        elif kind is not int or not -_PLAIN_INTEGER < value < _PLAIN_INTEGER:
            return False
    return True


def _fast_canonical(data: Any) -> bytes | None:
    """orjson's sorted output when it is byte for byte RFC 8785's, else None.

    orjson escapes strings exactly as RFC 8785 does (a property-based test pins it) and
    sorts keys by code point, which is RFC 8785's UTF-16 order below U+E000; numbers agree
    for integers up to 15 digits. Anything else takes the reference implementation.
    """
    if not _only_strings_and_small_integers(data):
        return None
    try:
        raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return None
    if not raw.isascii() and raw.translate(None, _BELOW_E000):
        return None
    return raw


def canonical(data: Any) -> bytes:
    """RFC 8785 canonical JSON bytes; :class:`NotCanonicalizable` when there are none.

    Every envelope is canonicalised twice (to sign and to verify), and batches hold thousands
    of records, so the common case goes through orjson (about 40 times faster than a
    pure-Python canonicaliser) when that gives the identical bytes.
    """
    fast = _fast_canonical(data)
    if fast is not None:
        return fast
    try:
        return rfc8785.dumps(data)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise NotCanonicalizable(str(exc)) from None
