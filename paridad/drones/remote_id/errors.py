"""The one error of the Remote ID codec and every reason it can give.

Bytes off the air are often truncated, misaligned or not Open Drone ID at all, so every refusal
names the message (its position in a pack, counted from 0; 0 for a lone message), the field and
the value, in the user's language. The message ids are module constants so that callers and
tests can tell reasons apart without parsing English.
"""

from __future__ import annotations

from paridad.errors import ParidadError
from paridad.i18n import N_

# Decoding one 25-byte message.
MSG_LENGTH = N_("Message {index}: length {length}, expected 25 bytes.")
MSG_UNKNOWN_TYPE = N_("Message {index}: unknown message type {kind}.")
MSG_NESTED_PACK = N_("Message {index}: a message pack cannot be nested inside a message pack.")
MSG_PACK_NOT_MESSAGE = N_(
    "Message {index}: this is a message pack, not a single message; decode it as a pack."
)
MSG_RESERVED = N_("Message {index}: {field} has the reserved value {value}.")
MSG_TOO_NEW = N_(
    "Message {index}: {field} value {value} is only defined from protocol version {since}, "
    "but the message is version {version}."
)
MSG_OUT_OF_RANGE = N_("Message {index}: {field} is {value}, outside the range {low} to {high}.")
MSG_NOT_TEXT = N_("Message {index}: {field} is not ASCII or UTF-8 text.")
MSG_AUTH_LENGTH = N_(
    "Message {index}: authentication length {length} does not fit in pages 0 to {last} "
    "({capacity} bytes)."
)

# Decoding a message pack.
MSG_EMPTY = N_("There are no bytes to decode.")
MSG_PACK_SHORT = N_("Message pack: {length} bytes, too short for the 3-byte pack header.")
MSG_PACK_SIZE = N_("Message pack: the single message size is {size}, expected 25.")
MSG_PACK_COUNT = N_("Message pack: {count} messages, expected 1 to 9.")
MSG_PACK_FIT = N_("Message pack: {count} messages need {expected} bytes, got {length}.")

# Encoding (the simulator and the tests build messages; a bad one is refused, not clipped).
MSG_ENCODE_RANGE = N_("Cannot encode {field} = {value}: outside the range {low} to {high}.")
MSG_ENCODE_NAME = N_("Cannot encode {field} = {value}: not one of {allowed}.")
MSG_ENCODE_HEX = N_("Cannot encode {field} = {value}: not hexadecimal.")
MSG_ENCODE_VERSION = N_(
    "Cannot encode {field} = {value} in protocol version {version}: it exists only from "
    "version {since}."
)
MSG_ENCODE_TOO_LONG = N_("Cannot encode {field}: {length} bytes, at most {limit} fit.")
MSG_ENCODE_PACK_COUNT = N_("Cannot encode a message pack of {count} messages: 1 to 9 fit.")

# Joining authentication pages.
MSG_AUTH_NO_PAGES = N_("Authentication: no pages were given.")
MSG_AUTH_NO_PAGE_ZERO = N_("Authentication: page 0, which holds the length, is missing.")
MSG_AUTH_MISSING_PAGE = N_("Authentication: page {page} is missing (the last page is {last}).")
MSG_AUTH_EXTRA_PAGE = N_("Authentication: page {page} is beyond the last page {last}.")
MSG_AUTH_DUPLICATE = N_("Authentication: page {page} was given twice with different contents.")
MSG_AUTH_MIXED_TYPES = N_("Authentication: the pages mix authentication types {first} and {other}.")
MSG_AUTH_MISMATCH = N_(
    "Authentication: length {length} plus {extra} additional bytes do not fit in the "
    "{capacity} bytes of pages 0 to {last}."
)

# Hex traffic files.
MSG_UNREADABLE = N_("Cannot read {path}: {reason}")
MSG_NOT_HEX = N_("Line {line}: {text} is not hexadecimal.")
MSG_ODD_HEX = N_("Line {line}: an odd number of hexadecimal digits ({count}).")


class RemoteIdError(ParidadError):
    """Bytes that are not a well-formed Open Drone ID message or pack, or a message that
    cannot be encoded; ``msgid`` says why."""
