"""Cryptographic long-term keys (CLKs): one hardened Bloom filter per record.

Schnell, Bachteler and Reiher's CLK puts every field of a record into one Bloom filter, each
q-gram setting a few bits chosen by a keyed hash. Similar records set similar bits, so the
Dice coefficient of two filters estimates how alike the records are, and a partner who holds
the filter but not the plaintext learns hit/no-hit and a score, not the name.

Plain Bloom-filter encodings have been broken (Kuzu et al.; Niedermeyer et al.; Kroll and
Steinmetzer; Christen et al.'s pattern mining; Vidanage et al.'s graph attacks), so the filter
is hardened before it leaves the node (the choices are argued in docs/linkage.md):

- *keyed random hashing*: each feature's bit positions come from HMAC-SHA256 under a key
  derived from the agreement, not from double hashing, whose arithmetic structure
  Niedermeyer et al. exploited; without the key nobody can encode a dictionary of names;
- *segments*: given names, surnames and sex share one filter (the name segment), so no
  filter stands for a given name alone and the frequencies an attacker sees are those of
  full names; birth date, place and identifiers have segments of their own, so "missing"
  is not mistaken for "different"; each family is weighted by how many bits it sets;
- *balancing* (Schnell and Borgs): the filter is concatenated with its complement and
  permuted under the key, so every filter has the same number of ones and the weight no
  longer leaks the length of a name;
- *XOR-folding* (Schnell, Borgs and Encarnação): the two halves are XORed, so no output bit is
  the image of one q-gram, which is what bit-level frequency attacks align on;
- *random bit flips* (BLIP, randomised response): each bit is flipped with a small
  probability drawn fresh by the encoding node, so equal records no longer give equal
  filters and frequency counts of patterns or bits are blurred.

Both partners derive the same key from their agreement, and must use the same
:class:`Scheme` (its fingerprint is exchanged and checked); flips are local and never shared.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.match.features import Normalised, part_features, parts

MSG_BAD_SCHEME = N_("Linkage scheme mismatch: this node uses {ours}, the partner {theirs}.")
MSG_SHORT_SECRET = N_("The linkage secret must be at least 16 bytes.")

SCHEME_NAME = "paridad-clk"
SCHEME_VERSION = 1

Bits = npt.NDArray[np.uint64]

# Bits set per feature, by family (see paridad.match.features). Birth date and identifiers
# weigh most within their segments because they separate namesakes.
PERSON_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {
        "g1": 10,
        "s1": 10,
        "gi": 2,
        "gt": 6,
        "st": 6,
        "n2": 5,
        "x": 4,
        "ot": 8,
        "o2": 6,
        "by": 14,
        "bp": 14,
        "bm": 8,
        "at": 4,
        "c": 6,
        "r": 3,
        "z": 8,
        "p": 14,
        "p7": 6,
        "it": 14,
        "i2": 4,
    }
)


@dataclass(frozen=True)
class Segment:
    """One part of the encoding: a group of feature families in a filter of its own.

    Segments let the comparison tell "different" from "missing" (a record without a birth
    date is not a record with another birth date) and weigh a name against a date, which a
    single record-level filter cannot; each segment is hardened on its own. Given names and
    surnames share one segment on purpose: a segment of given names alone would be a small,
    skewed vocabulary that frequency attacks recover (docs/linkage.md).

    ``m`` is the prior probability that a true match shows each agreement level of this
    segment (see :mod:`paridad.match.scoring`): names drift a little, birth dates rarely,
    addresses often (people move).
    """

    name: str
    bits: int
    families: frozenset[str]
    m: tuple[float, ...]


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "name",
        1024,
        frozenset({"g1", "s1", "gi", "gt", "st", "n2", "x", "ot", "o2"}),
        (0.45, 0.27, 0.15, 0.07, 0.04, 0.015, 0.005),
    ),
    Segment(
        "birth", 256, frozenset({"by", "bp", "bm"}), (0.80, 0.05, 0.04, 0.04, 0.03, 0.02, 0.02)
    ),
    Segment(
        "place", 256, frozenset({"at", "c", "r", "z"}), (0.35, 0.15, 0.08, 0.05, 0.05, 0.07, 0.25)
    ),
    Segment(
        "ident", 256, frozenset({"it", "i2", "p", "p7"}), (0.60, 0.15, 0.05, 0.03, 0.02, 0.05, 0.10)
    ),
)


@dataclass(frozen=True)
class Hardening:
    """Which hardening steps run (all by default; the attack test switches them off)."""

    balance: bool = True
    fold: bool = True
    flip: float = 0.02

    @classmethod
    def none(cls) -> Hardening:
        return cls(balance=False, fold=False, flip=0.0)

    def output_bits(self, bits: int) -> int:
        """Length of a hardened segment (balancing doubles, folding halves)."""
        n = bits * (2 if self.balance else 1)
        return n // 2 if self.fold else n


@dataclass(frozen=True)
class Scheme:
    """Everything both sides must agree on to compare filters: a named, versioned scheme."""

    segments: tuple[Segment, ...] = SEGMENTS
    weights: Mapping[str, int] = field(default_factory=lambda: PERSON_WEIGHTS)
    hardening: Hardening = field(default_factory=Hardening)
    name: str = SCHEME_NAME
    version: int = SCHEME_VERSION

    def __post_init__(self) -> None:
        for segment in self.segments:
            if segment.bits < 64 or segment.bits & (segment.bits - 1):
                raise ValueError("segment bits must be a power of two of at least 64")

    def word_bounds(self) -> list[tuple[int, int]]:
        """(first word, end word) of each hardened segment in a packed encoding."""
        out = []
        start = 0
        for segment in self.segments:
            words = self.hardening.output_bits(segment.bits) // 64
            out.append((start, start + words))
            start += words
        return out

    @property
    def output_bits(self) -> int:
        return sum(self.hardening.output_bits(s.bits) for s in self.segments)

    def fingerprint(self) -> str:
        """A short digest both nodes compare before linking; the flip rate is local and
        does not enter it."""
        h = self.hardening
        text = "|".join(
            [
                self.name,
                str(self.version),
                ";".join(
                    f"{s.name}:{s.bits}:{','.join(sorted(s.families))}" for s in self.segments
                ),
                ",".join(f"{k}={v}" for k, v in sorted(self.weights.items())),
                f"balance={h.balance}",
                f"fold={h.fold}",
            ]
        )
        return f"{self.name}/{self.version}/{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class LinkageKey:
    """Keys both partners derive from the secret of their agreement.

    ``hashing`` keys the bit positions of features; ``layout`` keys the balancing permutation
    and the bits that LSH blocking samples; ``blocking`` keys the blocking keys. None is ever
    sent.
    """

    hashing: bytes
    layout: bytes
    blocking: bytes

    @classmethod
    def derive(cls, secret: bytes, agreement_id: str) -> LinkageKey:
        if len(secret) < 16:
            raise ParidadError(MSG_SHORT_SECRET)
        material = HKDF(
            algorithm=hashes.SHA256(),
            length=96,
            salt=b"paridad-linkage-v1",
            info=agreement_id.encode("utf-8"),
        ).derive(secret)
        return cls(hashing=material[:32], layout=material[32:64], blocking=material[64:])

    @classmethod
    def random(cls) -> LinkageKey:
        """A throw-away key, for linking two files on one node (``paridad link``)."""
        return cls.derive(secrets.token_bytes(32), "local")

    def rng(self, purpose: str) -> np.random.Generator:
        """A generator both partners seed alike, for layout choices (permutation, bands)."""
        seed = hmac.new(self.layout, purpose.encode(), hashlib.sha256).digest()
        return np.random.default_rng(np.frombuffer(seed, dtype=np.uint64))


@dataclass
class Encodings:
    """Filters of a set of records, packed 64 bits to a word, with their record ids.

    ``present`` says which segments each record has at all (a record without a birth date
    has no birth segment): it crosses with the filters, so a missing field is not mistaken
    for a disagreeing one. No plaintext and no flip seed ever cross.
    """

    ids: list[str]
    bits: Bits
    present: npt.NDArray[np.bool_]
    scheme: str
    bounds: list[tuple[int, int]]
    balanced: bool = True

    def __post_init__(self) -> None:
        per_word = np.bitwise_count(self.bits).astype(np.int32)
        starts = [a for a, _ in self.bounds] or [0]
        self.counts = (
            np.add.reduceat(per_word, starts, axis=1)
            if len(self.bits)
            else np.zeros((0, len(self.bounds)), dtype=np.int32)
        )

    def __len__(self) -> int:
        return len(self.ids)

    def check_compatible(self, other: Encodings) -> None:
        if self.scheme != other.scheme:
            raise ParidadError(MSG_BAD_SCHEME, ours=self.scheme, theirs=other.scheme)

    def to_bytes(self) -> bytes:
        """The filters as little-endian bytes, one record after another, then the
        presence flags (one byte per record and segment)."""
        return self.bits.astype("<u8").tobytes() + self.present.astype(np.uint8).tobytes()

    @classmethod
    def from_bytes(
        cls, ids: list[str], data: bytes, scheme: Scheme, fingerprint: str | None = None
    ) -> Encodings:
        n = len(ids)
        words = scheme.output_bits // 64
        bits = np.frombuffer(data[: n * words * 8], dtype="<u8").astype(np.uint64)
        present = np.frombuffer(data[n * words * 8 :], dtype=np.uint8).astype(np.bool_)
        return cls(
            list(ids),
            bits.reshape(n, words),
            present.reshape(n, len(scheme.segments)),
            fingerprint or scheme.fingerprint(),
            scheme.word_bounds(),
            scheme.hardening.balance,
        )


class ClkEncoder:
    """Encodes normalised records into hardened, segmented CLKs under one key and scheme."""

    def __init__(self, key: LinkageKey, scheme: Scheme | None = None) -> None:
        self.key = key
        self.scheme = scheme or Scheme()
        # Two caches: whole parts (a given name, a surname pair) and single features (a
        # birth year), because most records share both with many others.
        self._cache: dict[tuple[str, object], npt.NDArray[np.int32]] = {}
        self._features: dict[tuple[str, str], npt.NDArray[np.int32]] = {}
        self._segment_of: dict[str, int] = {}
        self._offsets: list[int] = []
        offset = 0
        for index, segment in enumerate(self.scheme.segments):
            for family in segment.families:
                self._segment_of[family] = index
            self._offsets.append(offset)
            offset += segment.bits
        self._base_bits = offset
        self._permutations = [
            key.rng(f"balance/{s.name}").permutation(2 * s.bits) for s in self.scheme.segments
        ]

    def positions(self, family: str, text: str) -> npt.NDArray[np.int32]:
        """The base-filter positions of one feature (empty for a family the scheme does not
        encode): ``k`` indices drawn from HMAC-SHA256 of the feature under the hashing key."""
        cached = self._features.get((family, text))
        if cached is not None:
            return cached
        k = self.scheme.weights.get(family, 0)
        segment = self._segment_of.get(family)
        if not k or segment is None:
            return np.empty(0, dtype=np.int32)
        message = f"{family}\x1f{text}".encode()
        words: list[int] = []
        counter = 0
        while len(words) < k:
            digest = hmac.new(
                self.key.hashing, message + counter.to_bytes(2, "big"), hashlib.sha256
            ).digest()
            words.extend(np.frombuffer(digest, dtype="<u2").tolist())
            counter += 1
        size = self.scheme.segments[segment].bits
        out = np.asarray(words[:k], dtype=np.int32) % size + self._offsets[segment]
        if len(self._features) > 1_000_000:
            self._features.clear()
        self._features[(family, text)] = out
        return out

    def part_positions(self, part: str, value: object) -> npt.NDArray[np.int32]:
        """The distinct positions set by one part of a record, cached by the part's value."""
        cached = self._cache.get((part, value))
        if cached is not None:
            return cached
        found = [self.positions(family, text) for family, text in part_features(part, value)]
        # Repeated positions are harmless (a bit set twice is set), so no need to deduplicate.
        out = np.concatenate(found) if found else np.empty(0, dtype=np.int32)
        if len(self._cache) > 1_000_000:
            self._cache.clear()
        self._cache[(part, value)] = out
        return out

    def base_filters(self, records: Sequence[Normalised]) -> npt.NDArray[np.bool_]:
        """Unhardened Bloom filters (one row per record, segments side by side)."""
        arrays: list[npt.NDArray[np.int32]] = []
        lengths = np.zeros(len(records), dtype=np.int64)
        for i, record in enumerate(records):
            for part, value in parts(record):
                pos = self.part_positions(part, value)
                arrays.append(pos)
                lengths[i] += len(pos)
        out = np.zeros((len(records), self._base_bits), dtype=np.bool_)
        if arrays:
            rows = np.repeat(np.arange(len(records)), lengths)
            out[rows, np.concatenate(arrays)] = True
        return out

    def present(self, filters: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Which segments of each base filter have any bit set."""
        out = np.zeros((len(filters), len(self.scheme.segments)), dtype=np.bool_)
        for index, segment in enumerate(self.scheme.segments):
            start = self._offsets[index]
            out[:, index] = filters[:, start : start + segment.bits].any(axis=1)
        return out

    def harden(
        self, filters: npt.NDArray[np.bool_], rng: np.random.Generator | None = None
    ) -> npt.NDArray[np.bool_]:
        """Balance, fold and flip each segment of the base filters on its own."""
        h = self.scheme.hardening
        parts = []
        for index, segment in enumerate(self.scheme.segments):
            start = self._offsets[index]
            out = filters[:, start : start + segment.bits]
            if h.balance:
                out = np.concatenate([out, ~out], axis=1)[:, self._permutations[index]]
            if h.fold:
                half = out.shape[1] // 2
                out = out[:, :half] ^ out[:, half:]
            parts.append(out)
        joined = np.concatenate(parts, axis=1)
        if h.flip > 0:
            joined = flip_bits(joined, h.flip, rng or np.random.default_rng(secrets.randbits(128)))
        return joined

    def encode(
        self,
        ids: Sequence[str],
        records: Iterable[Normalised],
        rng: np.random.Generator | None = None,
        chunk: int = 32768,
        progress: Callable[[int], None] | None = None,
    ) -> Encodings:
        """Hardened, packed filters of ``records``. ``rng`` seeds the flips (tests only:
        by default they come from the operating system and are never reproducible)."""
        generator = rng or np.random.default_rng(secrets.randbits(128))
        parts: list[Bits] = []
        flags: list[npt.NDArray[np.bool_]] = []
        batch: list[Normalised] = []

        def flush() -> None:
            base = self.base_filters(batch)
            flags.append(self.present(base))
            parts.append(pack(self.harden(base, generator)))
            if progress is not None:
                progress(len(batch))
            batch.clear()

        for record in records:
            batch.append(record)
            if len(batch) == chunk:
                flush()
        if batch or not parts:
            flush()
        bits = np.concatenate(parts)
        if len(bits) != len(ids):
            raise ValueError("one id per record")
        return Encodings(
            list(ids),
            bits,
            np.concatenate(flags),
            self.scheme.fingerprint(),
            self.scheme.word_bounds(),
            self.scheme.hardening.balance,
        )


def flip_bits(
    filters: npt.NDArray[np.bool_], probability: float, rng: np.random.Generator
) -> npt.NDArray[np.bool_]:
    """Flip each bit independently with ``probability`` (drawn as counts then positions, so
    a million filters need a few million random numbers, not a billion)."""
    n, m = filters.shape
    counts = rng.binomial(m, probability, size=n)
    rows = np.repeat(np.arange(n), counts)
    cols = rng.integers(0, m, size=int(np.sum(counts)))
    out = filters.copy()
    # A position drawn twice for one row flips twice (back): rare, and still random.
    np.bitwise_xor.at(out, (rows, cols), True)
    return out


def pack(filters: npt.NDArray[np.bool_]) -> Bits:
    """Bool rows -> rows of uint64 words (bit i of the filter is bit i%64 of word i//64)."""
    n, m = filters.shape
    packed = np.ascontiguousarray(np.packbits(filters, axis=1, bitorder="little"))
    return packed.view("<u8").astype(np.uint64, copy=False).reshape(n, m // 64)


def unpack(bits: Bits) -> npt.NDArray[np.bool_]:
    n = bits.shape[0]
    as_bytes = bits.astype("<u8", copy=False).view(np.uint8).reshape(n, -1)
    return np.unpackbits(as_bytes, axis=1, bitorder="little").astype(np.bool_)
