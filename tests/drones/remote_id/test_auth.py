"""Joining authentication pages: a complete set gives the data; anything else says what is
wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from paridad.drones.remote_id import (
    Authentication,
    assemble_authentication,
    decode,
    encode,
    encode_pack,
)
from paridad.drones.remote_id.errors import (
    MSG_AUTH_DUPLICATE,
    MSG_AUTH_EXTRA_PAGE,
    MSG_AUTH_MISMATCH,
    MSG_AUTH_MISSING_PAGE,
    MSG_AUTH_MIXED_TYPES,
    MSG_AUTH_NO_PAGE_ZERO,
    MSG_AUTH_NO_PAGES,
    RemoteIdError,
)

SIGNED = datetime(2025, 12, 11, 17, 30, tzinfo=UTC)
PAYLOAD = bytes(range(1, 64))  # 63 bytes: page 0 (17) + page 1 (23) + page 2 (23)


def _pages(
    payload: bytes, last: int, *, auth_type: str = "message_set_signature"
) -> list[Authentication]:
    padded = payload.ljust(17 + 23 * last, b"\0")
    pages = [
        Authentication(
            auth_type=auth_type,
            page=0,
            last_page_index=last,
            length=len(payload),
            timestamp=SIGNED,
            data=padded[:17],
        )
    ]
    for number in range(1, last + 1):
        start = 17 + 23 * (number - 1)
        pages.append(
            Authentication(auth_type=auth_type, page=number, data=padded[start : start + 23])
        )
    return pages


def _error(pages: list[Authentication]) -> RemoteIdError:
    with pytest.raises(RemoteIdError) as caught:
        assemble_authentication(pages)
    return caught.value


def test_pages_in_any_order_and_repeated_join_into_the_data() -> None:
    pages = _pages(PAYLOAD, 2)
    heard = [pages[2], pages[0], pages[1], pages[2]]  # page 2 twice, as a receiver hears it
    joined = assemble_authentication(heard)
    assert joined == {
        "auth_type": "message_set_signature",
        "timestamp": "2025-12-11T17:30:00Z",
        "pages": 3,
        "length": 63,
        "data": PAYLOAD.hex(),
        "additional_data": "",
    }


def test_pages_survive_the_air() -> None:
    """Encoded into a pack and decoded again, the pages still join into the payload."""
    heard = decode(encode_pack(_pages(PAYLOAD[:40], 1)))
    assert all(isinstance(page, Authentication) for page in heard)
    pages = [page for page in heard if isinstance(page, Authentication)]
    assert bytes.fromhex(assemble_authentication(pages)["data"]) == PAYLOAD[:40]
    assert len(encode(pages[1])) == 25


def test_additional_forward_error_correction_bytes_come_apart() -> None:
    """64 data bytes, then a byte saying 21 more follow: pages 0-3 exactly (86 bytes)."""
    data = bytes(range(100, 164))
    fec = bytes(range(200, 221))
    pages = _pages(data + bytes([len(fec)]) + fec, 3)
    pages[0] = replace(pages[0], length=64)
    joined = assemble_authentication(pages)
    assert (joined["data"], joined["additional_data"]) == (data.hex(), fec.hex())


def test_a_missing_page_is_named() -> None:
    pages = _pages(PAYLOAD, 2)
    error = _error([pages[0], pages[2]])
    assert (error.msgid, error.params) == (MSG_AUTH_MISSING_PAGE, {"page": 1, "last": 2})
    assert str(error) == "Authentication: page 1 is missing (the last page is 2)."
    assert _error(pages[1:]).msgid == MSG_AUTH_NO_PAGE_ZERO
    assert _error([]).msgid == MSG_AUTH_NO_PAGES


def test_additional_bytes_that_do_not_fit_are_a_length_mismatch() -> None:
    """40 data bytes, then a byte claiming 30 more: 40 + 1 + 30 > the 63 bytes of 3 pages."""
    pages = _pages(PAYLOAD[:40] + bytes([30]) + PAYLOAD[41:], 2)
    pages[0] = replace(pages[0], length=40)
    error = _error(pages)
    assert error.msgid == MSG_AUTH_MISMATCH
    assert error.params == {"length": 40, "extra": 30, "capacity": 63, "last": 2}


def test_pages_that_do_not_belong_together_are_refused() -> None:
    pages = _pages(PAYLOAD, 2)
    other = Authentication(auth_type="uas_id_signature", page=1, data=pages[1].data)
    assert _error([pages[0], other, pages[2]]).msgid == MSG_AUTH_MIXED_TYPES
    changed = Authentication(auth_type=pages[1].auth_type, page=1, data=bytes(23))
    duplicate = _error([*pages, changed])
    assert (duplicate.msgid, duplicate.params) == (MSG_AUTH_DUPLICATE, {"page": 1})
    stray = Authentication(auth_type=pages[1].auth_type, page=3, data=bytes(23))
    assert _error([*pages, stray]).msgid == MSG_AUTH_EXTRA_PAGE
