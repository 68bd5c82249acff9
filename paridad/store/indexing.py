"""What goes into the search index for an entity: its names and its identifiers, normalised."""

from __future__ import annotations

from collections.abc import Iterable

from followthemoney.types import registry

from paridad.model.normalize import identifier_key, name_tokens
from paridad.store.base import StatementRow

# Property types whose values someone would type into a search box to find an entity.
_NAME_TYPES = frozenset({registry.name.name})
# Names of *other* entities that FtM copies onto links (an acquisition mentions its buyer);
# searching for the buyer should find the buyer, not every sale.
_MENTIONS = frozenset({"namesMentioned"})
_ID_TYPES = frozenset(
    {
        registry.identifier.name,
        registry.phone.name,
        registry.email.name,
        registry.checksum.name,
    }
)


def index_text(rows: Iterable[StatementRow]) -> str:
    """A space-separated bag of folded name tokens and compact identifiers."""
    tokens: dict[str, None] = {}
    for row in rows:
        prop_type, value = row[4], row[5]
        if prop_type in _NAME_TYPES and row[3] not in _MENTIONS:
            for token in name_tokens(value):
                tokens[token] = None
        elif prop_type in _ID_TYPES:
            key = identifier_key(value).lower()
            if key:
                tokens[key] = None
                # Also the pieces, so "1-23-456" is found by "456" as well as "123456".
                for token in name_tokens(value):
                    tokens[token] = None
    return " ".join(tokens)
