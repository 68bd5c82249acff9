"""Joining the pages of an Authentication message into its data.

A signature is spread over up to 16 pages heard at different moments (and possibly in
different packs), so a receiver collects pages and joins them once the set is complete. Page 0
says how many pages there are (``last_page_index``) and how many bytes are authentication data
(``length``). If the byte right after the data is non-zero, it counts additional bytes (forward
error correction, F3411-22a) that follow it; they are returned apart from the data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
from paridad.drones.remote_id.fields import AUTH_PAGE_DATA, AUTH_PAGE_ZERO_DATA, iso_utc
from paridad.drones.remote_id.messages import Authentication


def assemble_authentication(pages: Iterable[Authentication]) -> dict[str, Any]:
    """The authentication of one aircraft from a complete set of its pages (any order; the
    same page heard twice is fine if its bytes agree):
    ``{"auth_type", "timestamp", "pages", "length", "data", "additional_data"}`` with the byte
    strings in lowercase hex. Raises :class:`RemoteIdError` when a page is missing, repeated
    with other contents, beyond the last page, of another authentication type, or when the
    declared length (plus the additional bytes) does not fit in the pages."""
    by_page: dict[int, Authentication] = {}
    for page in pages:
        seen = by_page.get(page.page)
        if seen is not None and seen != page:
            raise RemoteIdError(MSG_AUTH_DUPLICATE, page=page.page)
        by_page[page.page] = page
    if not by_page:
        raise RemoteIdError(MSG_AUTH_NO_PAGES)
    first = by_page.get(0)
    if first is None or first.last_page_index is None or first.length is None:
        raise RemoteIdError(MSG_AUTH_NO_PAGE_ZERO)
    last = first.last_page_index
    for number, page in sorted(by_page.items()):
        if number > last:
            raise RemoteIdError(MSG_AUTH_EXTRA_PAGE, page=number, last=last)
        if page.auth_type != first.auth_type:
            raise RemoteIdError(MSG_AUTH_MIXED_TYPES, first=first.auth_type, other=page.auth_type)
    for number in range(1, last + 1):
        if number not in by_page:
            raise RemoteIdError(MSG_AUTH_MISSING_PAGE, page=number, last=last)

    joined = first.data.ljust(AUTH_PAGE_ZERO_DATA, b"\0")[:AUTH_PAGE_ZERO_DATA] + b"".join(
        by_page[n].data.ljust(AUTH_PAGE_DATA, b"\0")[:AUTH_PAGE_DATA] for n in range(1, last + 1)
    )
    capacity = len(joined)
    length = first.length
    extra = joined[length] if length < capacity else 0
    if length + (1 + extra if extra else 0) > capacity:
        raise RemoteIdError(
            MSG_AUTH_MISMATCH, length=length, extra=extra, capacity=capacity, last=last
        )
    return {
        "auth_type": first.auth_type,
        "timestamp": iso_utc(first.timestamp) if first.timestamp else None,
        "pages": last + 1,
        "length": length,
        "data": joined[:length].hex(),
        "additional_data": joined[length + 1 : length + 1 + extra].hex(),
    }
