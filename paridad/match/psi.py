"""Diffie–Hellman private set intersection over Curve25519: which identifiers both nodes hold,
learnt by the querier, with nothing else revealed to either side.

Each party hashes its identifiers to Curve25519 u-coordinates under a context that names the
agreement, the run and the identifier kind, and raises them to an ephemeral secret with
X25519 (libsodium through PyNaCl). The querier sends its blinded set; the responder raises it
again and sends it back in the same order, together with its own blinded set; the querier
raises that one too and compares the doubly-blinded values. Exponents commute, so equal
identifiers meet; without a party's secret, its blinded values cannot be tested offline
against guesses. Every blinded set travels sorted, an order set by the secret and not by the
caller, so it leaks nothing about record order. docs/psi.md has the message flow and the
security argument; this module is pure functions and classes over bytes, and the exchange
carries those bytes between nodes.

The keyed-hash mode at the end (HMAC under a key both parties hold) is not PSI: either party
can hash guesses. It exists for identifiers too random to guess, and refuses the others.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import struct
from array import array
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import nacl.exceptions
from nacl.bindings import crypto_scalarmult

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.match.identifiers import catalogue, kind_info

# The algorithm's name and version travel in every context: a change that alters the bytes
# exchanged gets a new version, and two nodes on different versions never meet by accident.
PROTOCOL = "paridad-dh-psi-x25519"
VERSION = 1
KEYED_PROTOCOL = "paridad-keyed-hmac-sha256"
POINT_BYTES = 32
# Points per task handed to a worker thread: large enough that the handing over costs
# nothing next to ~40 µs a multiplication, small enough to keep both cores busy to the end.
CHUNK = 4096
_P = 2**255 - 19

MSG_CONTEXT_FIELD = N_("A PSI context needs a non-empty {field}.")
MSG_CONTEXT_BYTES = N_("A PSI context must be non-empty bytes or a PsiContext.")
MSG_SECRET = N_("A PSI secret is 32 bytes, not {found}.")
MSG_VALUE = N_("Item {position} to blind is neither text nor bytes but {given}.")
MSG_ALREADY_BLINDED = N_(
    "This PSI party has already blinded its set; a new set needs a new run and a new secret."
)
MSG_NOT_BLINDED = N_("This PSI party must blind its own set before it can intersect.")
MSG_PEER_NOT_BYTES = N_("The partner's PSI message '{part}' is not bytes but {given}.")
MSG_PEER_LENGTH = N_(
    "The partner's PSI message '{part}' has {found} bytes, which is not a whole number of "
    "32-byte points."
)
MSG_PEER_COUNT = N_(
    "The partner's PSI message '{part}' has {found} points where {expected} were expected."
)
MSG_PEER_TOO_MANY = N_(
    "The partner's PSI message '{part}' brings the points to answer to {found}, more than the "
    "{maximum} allowed for this run."
)
MSG_PEER_DUPLICATE = N_("The partner's PSI message '{part}' repeats a point (position {position}).")
MSG_PEER_ORDER = N_(
    "The partner's PSI message '{part}' is not sorted (position {position}); blinded sets are "
    "sent in ascending order."
)
MSG_PEER_NONCANONICAL = N_(
    "The partner's PSI message '{part}' holds a point that is not in canonical form "
    "(position {position})."
)
MSG_PEER_SMALL_ORDER = N_(
    "The partner's PSI message '{part}' holds a point of small order (position {position})."
)
MSG_KEYED_REFUSED = N_(
    "The keyed-hash mode is refused for identifiers of kind {kind}: their values can be "
    "guessed in about 2^{bits} tries and the mode needs at least 2^{minimum}; use DH-PSI for "
    "{kind}."
)
MSG_KEY_LENGTH = N_("A keyed-hash key is 32 bytes, not {found}.")
MSG_SHARED_SECRET = N_("The shared secret to derive a keyed-hash key from must be 32 bytes.")


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# -- context and hashing -----------------------------------------------------------------------


@dataclass(frozen=True)
class PsiContext:
    """What a run is about: both parties must build the same one, or nothing matches.

    Binding the agreement, the run and the kind into the hash keeps runs apart: values
    blinded for one run or one kind are useless in any other, even if a secret leaked.
    """

    agreement_id: str
    run_id: str
    kind: str

    def __post_init__(self) -> None:
        for name in ("agreement_id", "run_id", "kind"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ParidadError(MSG_CONTEXT_FIELD, field=name)
        kind_info(self.kind)  # an unknown kind is refused here, with the list of kinds

    def encode(self) -> bytes:
        """Length-prefixed fields, so no two different contexts give the same bytes."""
        parts = [f"{PROTOCOL}/{VERSION}", self.agreement_id, self.run_id, self.kind]
        return b"".join(struct.pack(">H", len(p.encode())) + p.encode() for p in parts)


def new_run_id() -> str:
    """A fresh run id (128 random bits): the querier picks it and sends it with the request."""
    return secrets.token_hex(16)


def _context_bytes(context: PsiContext | bytes) -> bytes:
    if isinstance(context, PsiContext):
        return context.encode()
    if isinstance(context, bytes) and context:
        return context
    raise ParidadError(MSG_CONTEXT_BYTES)


def _base_hash(context: bytes) -> hashlib._Hash:
    """SHA-512 already fed with the domain and the context; each value continues a copy."""
    head = b"paridad/psi/hash-to-u/1" + struct.pack(">I", len(context)) + context
    return hashlib.sha512(head)


def _encode(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def _encode_all(values: Sequence[str | bytes]) -> list[bytes]:
    """Every value as bytes, or a translated error naming the first that is neither."""
    # The types say str or bytes; callers outside Python's checks (decoded JSON) may not.
    encoded = [v.encode("utf-8") if isinstance(v, str) else v for v in values]
    if not all(isinstance(v, bytes) for v in encoded):
        position = next(i for i, v in enumerate(encoded) if not isinstance(v, bytes))
        raise ParidadError(MSG_VALUE, position=position, given=type(values[position]).__name__)
    return encoded


def hash_to_point(context: PsiContext | bytes, value: str | bytes) -> bytes:
    """The u-coordinate an identifier is hashed to: 255 bits of SHA-512, top bit clear.

    Any 255-bit string is the u-coordinate of a point on Curve25519 or on its twist; X25519
    works on both and Curve25519 is twist-secure (docs/psi.md), so no hash-to-curve retry
    loop is needed, and clamping clears the cofactor of either group.
    """
    h = _base_hash(_context_bytes(context)).copy()
    h.update(_encode(value))
    return _to_u(h.digest())


def _to_u(digest: bytes) -> bytes:
    return digest[:31] + bytes((digest[31] & 0x7F,))


# -- scalar multiplication, both cores ---------------------------------------------------------

T = TypeVar("T")


class _SmallOrder(Exception):
    """X25519 gave the all-zero point: the input had small order (internal, re-raised)."""

    def __init__(self, position: int) -> None:
        self.position = position


def _map_chunks(fn: Callable[[int, T], list[bytes]], chunks: list[T], workers: int) -> list[bytes]:
    """Run ``fn`` over chunks on ``workers`` threads, results in order.

    Threads, not processes: cffi releases the GIL for the whole libsodium call, so two threads
    keep two cores busy (measured 1.9x one thread on the 2-core machine, on par with a
    process pool), without copying the points to and from other processes.
    """
    out: list[bytes] = []
    if workers <= 1 or len(chunks) <= 1:
        for i, chunk in enumerate(chunks):
            out.extend(fn(i, chunk))
        return out
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="paridad-psi") as pool:
        for part in pool.map(fn, range(len(chunks)), chunks):
            out.extend(part)
    return out


def _multiply_all(secret: bytes, points: bytes, workers: int) -> list[bytes]:
    """``X25519(secret, p)`` for each 32-byte point of ``points``, in order."""
    step = CHUNK * POINT_BYTES
    chunks = [points[i : i + step] for i in range(0, len(points), step)]

    def run(index: int, data: bytes) -> list[bytes]:
        out = []
        for offset in range(0, len(data), POINT_BYTES):
            try:
                out.append(crypto_scalarmult(secret, data[offset : offset + POINT_BYTES]))
            except nacl.exceptions.RuntimeError:
                raise _SmallOrder(index * CHUNK + offset // POINT_BYTES) from None
        return out

    return _map_chunks(run, chunks, workers)


def _hash_and_multiply(
    secret: bytes, context: bytes, values: Sequence[str | bytes], workers: int
) -> list[bytes]:
    base = _base_hash(context)
    chunks = [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]

    def run(index: int, items: Sequence[str | bytes]) -> list[bytes]:
        out = []
        for value in items:
            h = base.copy()
            h.update(_encode(value))
            out.append(crypto_scalarmult(secret, _to_u(h.digest())))
        return out

    return _map_chunks(run, chunks, workers)


# -- peer input --------------------------------------------------------------------------------


def _peer_bytes(part: str, data: object) -> bytes:
    """Bytes holding a whole number of 32-byte items, or a translated error."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParidadError(MSG_PEER_NOT_BYTES, part=part, given=type(data).__name__)
    raw = bytes(data)
    if len(raw) % POINT_BYTES:
        raise ParidadError(MSG_PEER_LENGTH, part=part, found=len(raw))
    return raw


def _peer_points(part: str, data: object) -> bytes:
    """Bytes of whole, canonical points, or a translated error saying what is wrong."""
    raw = _peer_bytes(part, data)
    # X25519 outputs are reduced mod p with the top bit clear; anything else was not made by
    # an honest party, and a second encoding of one point would slip past duplicate checks.
    tops = raw[POINT_BYTES - 1 :: POINT_BYTES]
    if tops and max(tops) >= 0x80:
        position = next(i for i, b in enumerate(tops) if b >= 0x80)
        raise ParidadError(MSG_PEER_NONCANONICAL, part=part, position=position)
    for position, top in enumerate(tops):
        if top == 0x7F:
            start = position * POINT_BYTES
            if int.from_bytes(raw[start : start + POINT_BYTES], "little") >= _P:
                raise ParidadError(MSG_PEER_NONCANONICAL, part=part, position=position)
    return raw


def _slices(raw: bytes) -> Iterator[bytes]:
    return (raw[i : i + POINT_BYTES] for i in range(0, len(raw), POINT_BYTES))


def _check_sorted(part: str, raw: bytes) -> None:
    """Blinded sets travel in strictly ascending order: one pass checks order and repeats."""
    previous = b""
    for position, point in enumerate(_slices(raw)):
        if point <= previous:
            msgid = MSG_PEER_DUPLICATE if point == previous else MSG_PEER_ORDER
            raise ParidadError(msgid, part=part, position=position)
        previous = point


def _multiply_peer(part: str, secret: bytes, raw: bytes, workers: int) -> list[bytes]:
    try:
        return _multiply_all(secret, raw, workers)
    except _SmallOrder as exc:
        raise ParidadError(MSG_PEER_SMALL_ORDER, part=part, position=exc.position) from None


# -- one party ---------------------------------------------------------------------------------


class PsiParty:
    """One side of one DH-PSI run; both sides use the same class.

    Querier: ``request = q.blind(mine)`` → responder: ``reply = r.reblind(request)`` and
    ``theirs = r.blind(its_own)`` → querier: ``q.intersect(reply, theirs)`` gives the
    positions in ``mine`` that the responder also holds. The secret lives only in this object
    and dies with it; a party blinds one set, once.
    """

    def __init__(
        self,
        context: PsiContext | bytes,
        secret: bytes | None = None,
        *,
        workers: int | None = None,
        max_peer_points: int | None = None,
    ) -> None:
        self.context = _context_bytes(context)
        if secret is None:
            secret = os.urandom(32)
        if not isinstance(secret, bytes) or len(secret) != 32:
            found = len(secret) if isinstance(secret, bytes) else type(secret).__name__
            raise ParidadError(MSG_SECRET, found=found)
        self._secret = secret
        self.workers = workers or available_cores()
        self.max_peer_points = max_peer_points
        self._answered = 0
        # After blind(): for each position sent, the first input position holding that value,
        # and the other positions of values given more than once.
        self._sent_first: array[int] | None = None
        self._repeats: dict[int, list[int]] = {}

    def blind(self, values: Sequence[str | bytes]) -> bytes:
        """This party's set, hashed and raised to its secret, sorted: 32 bytes per value."""
        if self._sent_first is not None:
            raise ParidadError(MSG_ALREADY_BLINDED)
        encoded = _encode_all(values)
        unique: Sequence[bytes] = encoded
        firsts: Sequence[int] = range(len(encoded))
        repeats: dict[int, list[int]] = {}
        if len(dict.fromkeys(encoded)) != len(encoded):  # repeats are rare: a slower pass
            first_seen: dict[bytes, int] = {}
            for position, value in enumerate(encoded):
                seen = first_seen.setdefault(value, position)
                if seen != position:
                    repeats.setdefault(seen, []).append(position)
            unique, firsts = list(first_seen), array("q", first_seen.values())
            del first_seen
        points = _hash_and_multiply(self._secret, self.context, unique, self.workers)
        del unique
        order = sorted(range(len(points)), key=points.__getitem__)
        self._sent_first = array("q", order if not repeats else (firsts[i] for i in order))
        self._repeats = repeats
        return b"".join([points[i] for i in order])

    def reblind(self, points: bytes) -> bytes:
        """The partner's blinded set raised to this party's secret, in the order received.

        May be called more than once in a run (a large request in parts); ``max_peer_points``
        caps the total this party answers, the exchange's rate limit for guessing.
        """
        raw = _peer_points("request", points)
        _check_sorted("request", raw)
        total = self._answered + len(raw) // POINT_BYTES
        if self.max_peer_points is not None and total > self.max_peer_points:
            raise ParidadError(
                MSG_PEER_TOO_MANY, part="request", found=total, maximum=self.max_peer_points
            )
        result = b"".join(_multiply_peer("request", self._secret, raw, self.workers))
        self._answered = total
        return result

    def intersect(
        self, reply: bytes, peer_set: bytes, *, peer_count: int | None = None
    ) -> list[int]:
        """Positions of this party's values (as given to :meth:`blind`) that the partner holds.

        ``reply`` is the partner's :meth:`reblind` of this party's request; ``peer_set`` the
        partner's own :meth:`blind`, checked against ``peer_count`` when the partner announced
        its size beforehand.
        """
        pairs = self.intersect_pairs(reply, peer_set, peer_count=peer_count)
        return sorted({mine for mine, _ in pairs})

    def sent_positions(self) -> list[int]:
        """For each point :meth:`blind` returned, in that (sorted) order, the position of its
        value in the input — what lets a responder attach an opaque handle to each point."""
        if self._sent_first is None:
            raise ParidadError(MSG_NOT_BLINDED)
        return list(self._sent_first)

    def intersect_pairs(
        self, reply: bytes, peer_set: bytes, *, peer_count: int | None = None
    ) -> list[tuple[int, int]]:
        """Like :meth:`intersect`, with the partner's side of each hit: pairs of (position in
        this party's input, position in ``peer_set`` as sent). The second is an index into
        what the partner sent, so it names the partner's handle and nothing of its data."""
        if self._sent_first is None:
            raise ParidadError(MSG_NOT_BLINDED)
        sent = len(self._sent_first)
        reply_raw = _peer_points("reply", reply)
        if len(reply_raw) // POINT_BYTES != sent:
            raise ParidadError(
                MSG_PEER_COUNT, part="reply", found=len(reply_raw) // POINT_BYTES, expected=sent
            )
        peer_raw = _peer_points("peer_set", peer_set)
        if peer_count is not None and len(peer_raw) // POINT_BYTES != peer_count:
            raise ParidadError(
                MSG_PEER_COUNT,
                part="peer_set",
                found=len(peer_raw) // POINT_BYTES,
                expected=peer_count,
            )
        _check_sorted("peer_set", peer_raw)
        twice = _multiply_peer("peer_set", self._secret, peer_raw, self.workers)
        del peer_raw
        theirs = {point: index for index, point in enumerate(twice)}
        del twice
        seen: set[bytes] = set()
        pairs: list[tuple[int, int]] = []
        for position, point in enumerate(_slices(reply_raw)):
            if point in seen:
                raise ParidadError(MSG_PEER_DUPLICATE, part="reply", position=position)
            seen.add(point)
            index = theirs.get(point)
            if index is not None:
                first = self._sent_first[position]
                pairs.append((first, index))
                pairs.extend((repeat, index) for repeat in self._repeats.get(first, ()))
        return sorted(pairs)


# -- keyed-hash mode ---------------------------------------------------------------------------


def keyed_mode_allowed(kind: str) -> bool:
    """Whether ``kind`` is too hard to guess for a key holder to enumerate (the table is in
    identifier_kinds.yaml: ``guessable_bits`` against ``keyed_min_bits``)."""
    return kind_info(kind).guessable_bits >= catalogue().keyed_min_bits


def require_keyed_mode(kind: str) -> None:
    """Raise a translated error unless the keyed-hash mode may be used for ``kind``."""
    if not keyed_mode_allowed(kind):
        raise ParidadError(
            MSG_KEYED_REFUSED,
            kind=kind,
            bits=kind_info(kind).guessable_bits,
            minimum=catalogue().keyed_min_bits,
        )


def derive_keyed_key(shared_secret: bytes, context: PsiContext) -> bytes:
    """A 32-byte HMAC key for one run, by HKDF-SHA256 from a secret both nodes hold (for
    example the X25519 agreement of their node keys), bound to the run's context."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    if not isinstance(shared_secret, bytes) or len(shared_secret) != 32:
        raise ParidadError(MSG_SHARED_SECRET)
    require_keyed_mode(context.kind)
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=f"{KEYED_PROTOCOL}/{VERSION}".encode(),
        info=context.encode(),
    )
    return hkdf.derive(shared_secret)


class KeyedMatcher:
    """Keyed-hash matching for one run: each side sends its sorted HMAC tags, each side
    compares. One message each way and no public-key work, but only for kinds that pass
    :func:`require_keyed_mode`: the key holder could otherwise hash every possible value."""

    def __init__(self, key: bytes, context: PsiContext) -> None:
        require_keyed_mode(context.kind)
        if not isinstance(key, bytes) or len(key) != 32:
            found = len(key) if isinstance(key, bytes) else type(key).__name__
            raise ParidadError(MSG_KEY_LENGTH, found=found)
        self._mac = hmac.new(key, context.encode(), hashlib.sha256)

    def _tag(self, value: str | bytes) -> bytes:
        mac = self._mac.copy()
        mac.update(_encode(value))
        return mac.digest()

    def tags(self, values: Sequence[str | bytes]) -> bytes:
        """The set's tags, sorted and without repeats: 32 bytes per distinct value."""
        for position, value in enumerate(values):
            if not isinstance(value, str | bytes):
                raise ParidadError(MSG_VALUE, position=position, given=type(value).__name__)
        return b"".join(sorted({self._tag(v) for v in values}))

    def intersect(self, values: Sequence[str | bytes], peer_tags: bytes) -> list[int]:
        """Positions of ``values`` whose tag is among the partner's."""
        raw = _peer_bytes("tags", peer_tags)
        _check_sorted("tags", raw)
        theirs = set(_slices(raw))
        return [i for i, value in enumerate(values) if self._tag(value) in theirs]
