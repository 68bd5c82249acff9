"""Blocking: which pairs are worth scoring, so a million by a million is not 10^12 Dice.

The default is *keyed blocking keys*: each node derives a handful of keys per record from
its own plaintext — a rough phonetic code of a surname or given name joined with parts of
the birth date, an identifier, a phone — and sends only HMACs of them under the agreement's
blocking key. Two records are scored when they share a key. Every key that combines a name
with a date survives one kind of drift: the surname with the full date survives a nickname,
the surname with day and month a wrong year, the given name with the date a misspelt or
dropped surname; a name with the city, the street or the postcode survives a changed date;
the name-only keys catch records without a birth date.

Keys are pruned *locally* before they leave the node: a key carried by more than its cap of
the node's own records is never sent. That bounds the work, and it removes exactly the
frequent keys that a frequency attack on blocking keys would align with a public list
(docs/linkage.md). A *directed* key (``gx``) pairs two records only when one of them has no
birth date, so its buckets can be large (a share of the node's records) without forming the
product of every dated namesake on both sides.

Hamming LSH on the filters themselves (bit sampling, as in Karapiperis and Verykios, or
Durham) needs no extra keys, but folding and flips push true pairs too far apart for it:
docs/linkage.md gives the figures.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from paridad.match.clk import LinkageKey
from paridad.match.features import Normalised
from paridad.match.names import phonetic_key

Index = npt.NDArray[np.int64]
Keys = npt.NDArray[np.uint64]

# Per key family, the most records of one node that may share a key before the key is
# withheld. Keys with a full date are nearly unique; name-only keys are held to small
# buckets (a common name without a birth date cannot be told apart from its namesakes).
DEFAULT_CAPS: Mapping[str, int] = MappingProxyType(
    {
        "nd": 1000,  # a name + year + day/month
        "nm": 200,  # a name + day/month (wrong year)
        "ny": 200,  # a name + year (day or month mistyped)
        "zd": 50,  # postcode + birth date (name changed)
        "gs": 40,  # given name + surname (no birth date)
        "gx": 200,  # given name + surname, only against a record without a birth date
        "nc": 50,  # a name + city
        "na": 50,  # a name + house number and street
        "nz": 50,  # a name + postcode
        "id": 50,  # identifier
        "ph": 50,  # phone
        "ot": 300,  # organisation name token
        "ob": 300,  # two consecutive organisation name tokens
        "oz": 300,  # organisation name token + postcode
    }
)

# Families whose cap grows with the node's data: the share of its records a key may hold.
DEFAULT_SHARES: Mapping[str, float] = MappingProxyType({"gx": 0.005})

# *Directed* families pair two records only when one of them has no birth date (for the
# others, a key with the date exists); the lowest two bits of a key say "directed" and "this
# record has no birth date" (which the presence flags of the filters reveal anyway).
DIRECTED = frozenset({"gx"})
_DIRECTED = 1
_UNDATED = 2
_FLAGS = _DIRECTED | _UNDATED


def _record_keys(record: Normalised) -> Iterator[tuple[str, str]]:
    # Given names and surnames are one pool here: fields get swapped, and a surname ends up
    # as a middle name, more often than two different people share a name and a birth date.
    given = [phonetic_key(g) for g in record.given if len(g) > 1]
    surnames = [phonetic_key(s) for s in record.surnames]
    names = list(dict.fromkeys(given + surnames))
    birth = record.birth
    if birth is not None:
        year = str(birth.year)
        dm = f"{birth.parts[0]}-{birth.parts[1]}"
        for n in names:
            yield "nd", f"{n}|{year}|{dm}"
            yield "nm", f"{n}|{dm}"
            yield "ny", f"{n}|{year}"
        if record.postcode:
            yield "zd", f"{record.postcode}|{year}|{dm}"
    for g in given[:2]:
        for s in surnames:
            yield "gs", "|".join(sorted((g, s)))
            yield "gx", "|".join(sorted((g, s)))
    if record.postcode:
        for n in names:
            yield "nz", f"{n}|{record.postcode}"
    if record.city:
        for n in names:
            yield "nc", f"{n}|{record.city}"
    if len(record.address) >= 2:
        street = "|".join(record.address[:2])
        for n in names:
            yield "na", f"{n}|{street}"
    org = [phonetic_key(t) for t in record.org]
    for i, token in enumerate(org):
        yield "ot", token
        if i + 1 < len(org):
            yield "ob", f"{token}|{org[i + 1]}"
        if record.postcode:
            yield "oz", f"{token}|{record.postcode}"
    if record.id_number:
        yield "id", record.id_number
    if record.phone:
        yield "ph", record.phone


@dataclass
class BlockKeys:
    """Blocking keys of a set of records: parallel arrays (record position, keyed hash)."""

    record: Index
    key: Keys

    def __len__(self) -> int:
        return len(self.key)


@dataclass(frozen=True)
class KeyedBlocking:
    caps: Mapping[str, int] = field(default_factory=lambda: DEFAULT_CAPS)
    shares: Mapping[str, float] = field(default_factory=lambda: DEFAULT_SHARES)
    partitions: int = 32

    def keys(self, key: LinkageKey, records: Sequence[Normalised]) -> BlockKeys:
        """Keys of ``records`` (positions in the sequence), HMACed and locally pruned."""
        cache: dict[tuple[str, str], int] = {}
        rows: list[int] = []
        values: list[int] = []
        families: list[str] = []
        for i, record in enumerate(records):
            seen: set[int] = set()
            undated = record.birth is None
            for family, text in _record_keys(record):
                value = cache.get((family, text))
                if value is None:
                    digest = hmac.new(
                        key.blocking, f"{family}\x1f{text}".encode(), hashlib.sha256
                    ).digest()
                    value = int.from_bytes(digest[:8], "little") & ~_FLAGS
                    if len(cache) > 2_000_000:
                        cache.clear()
                    cache[(family, text)] = value
                if family in DIRECTED:
                    value |= _DIRECTED | (_UNDATED if undated else 0)
                if value in seen:
                    continue
                seen.add(value)
                rows.append(i)
                values.append(value)
                families.append(family)
        record_arr = np.asarray(rows, dtype=np.int64)
        key_arr = np.asarray(values, dtype=np.uint64)
        if not len(key_arr):
            return BlockKeys(record_arr, key_arr)
        # A directed key counts its holders with and without a birth date together.
        _, inverse, counts = np.unique(
            key_arr & ~np.uint64(_UNDATED), return_inverse=True, return_counts=True
        )
        limits = {f: self.cap(f, len(records)) for f in set(families)}
        caps = np.asarray([limits[f] for f in families], dtype=np.int64)
        keep = counts[inverse] <= caps
        return BlockKeys(record_arr[keep], key_arr[keep])

    def cap(self, family: str, n_records: int) -> int:
        """Most records of a node that may share a key of ``family``: the fixed cap, or a
        share of the node's records where that is larger (the same share of a population,
        not the same count, is what a frequency attack can align)."""
        return max(self.caps.get(family, 0), int(self.shares.get(family, 0.0) * n_records))

    def pairs(self, left: BlockKeys, right: BlockKeys) -> Iterator[tuple[Index, Index]]:
        """Candidate (left, right) record positions, in ``partitions`` slices of the key space
        so memory stays bounded (a slice may be empty); a pair sharing several keys comes
        more than once. A directed key pairs only where one of the two records has no birth
        date: everyone's name-only key stays held, and the product of two large buckets is
        never formed."""
        width = max(1, self.partitions.bit_length() - 1)  # partitions: a power of two
        shift = np.uint64(64 - width)
        lpart = left.key >> shift
        rpart = right.key >> shift
        one, undated = np.uint64(_DIRECTED), np.uint64(_UNDATED)
        ldir = (left.key & one) != 0
        rdir = (right.key & one) != 0
        lund = (left.key & undated) != 0
        rund = (right.key & undated) != 0
        plain_key = ~undated
        for part in range(1 << width):
            lm = lpart == part
            rm = rpart == part
            found_l: list[Index] = []
            found_r: list[Index] = []
            for lsel, rsel in (
                (lm & ~ldir, rm & ~rdir),
                (lm & ldir & lund, rm & rdir),
                (lm & ldir & ~lund, rm & rdir & rund),
            ):
                li, ri = bucket_pairs(left.key[lsel] & plain_key, right.key[rsel] & plain_key)
                found_l.append(left.record[lsel][li])
                found_r.append(right.record[rsel][ri])
            yield np.concatenate(found_l), np.concatenate(found_r)

    def retained(
        self, left: BlockKeys, right: BlockKeys, li: Index, ri: Index
    ) -> npt.NDArray[np.bool_]:
        """Which of the record pairs (li, ri) share at least one key: blocking recall, for
        evaluations that know the true pairs."""
        lq, lk = _keys_of(left, li)
        rq, rk = _keys_of(right, ri)
        one, undated = np.uint64(_DIRECTED), np.uint64(_UNDATED)
        # A record's directed keys all carry its own "no birth date" flag.
        l_undated = np.zeros(len(li), dtype=bool)
        r_undated = np.zeros(len(ri), dtype=bool)
        l_undated[lq[(lk & undated) != 0]] = True
        r_undated[rq[(rk & undated) != 0]] = True
        either = l_undated | r_undated
        lvalid = ((lk & one) == 0) | either[lq]
        rvalid = ((rk & one) == 0) | either[rq]
        mix = np.uint64(0x9E3779B97F4A7C15)
        lcodes = (lk[lvalid] & ~undated) ^ (lq[lvalid].astype(np.uint64) * mix)
        rcodes = (rk[rvalid] & ~undated) ^ (rq[rvalid].astype(np.uint64) * mix)
        common = np.intersect1d(lcodes, rcodes)
        hit = np.zeros(len(li), dtype=bool)
        hit[lq[lvalid][np.isin(lcodes, common)]] = True
        return hit


def _keys_of(keys: BlockKeys, records: Index) -> tuple[Index, Keys]:
    """(query number, key) for every key of every record in ``records``."""
    order = np.argsort(keys.record, kind="stable")
    sorted_records = keys.record[order]
    lo = np.searchsorted(sorted_records, records, side="left")
    hi = np.searchsorted(sorted_records, records, side="right")
    sizes = hi - lo
    query = np.repeat(np.arange(len(records), dtype=np.int64), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return query, keys.key[order[np.repeat(lo, sizes) + offset]]


def bucket_pairs(left: Keys, right: Keys, max_bucket: int | None = None) -> tuple[Index, Index]:
    """All (i, j) with ``left[i] == right[j]``, optionally skipping buckets over ``max_bucket``."""
    if not len(left) or not len(right):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    r_order = np.argsort(right, kind="stable")
    r_sorted = right[r_order]
    l_order = np.argsort(left, kind="stable")
    l_sorted = left[l_order]
    starts = np.flatnonzero(np.r_[True, l_sorted[1:] != l_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(l_sorted)])
    values = l_sorted[starts]
    lo = np.searchsorted(r_sorted, values, side="left")
    r_sizes = np.searchsorted(r_sorted, values, side="right") - lo
    ok = r_sizes > 0
    if max_bucket is not None:
        ok &= (sizes <= max_bucket) & (r_sizes <= max_bucket)
    starts, sizes, lo, r_sizes = starts[ok], sizes[ok], lo[ok], r_sizes[ok]
    per_bucket = sizes * r_sizes
    total = int(per_bucket.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Expand every bucket into its sizes x r_sizes pairs without a Python loop.
    bucket = np.repeat(np.arange(len(starts)), per_bucket)
    offset = np.arange(total) - np.repeat(np.cumsum(per_bucket) - per_bucket, per_bucket)
    a = offset // r_sizes[bucket]
    b = offset % r_sizes[bucket]
    return l_order[starts[bucket] + a].astype(np.int64), r_order[lo[bucket] + b].astype(np.int64)
