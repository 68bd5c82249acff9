"""CLK encoding: keyed, segmented, hardened; similar records stay similar."""

from __future__ import annotations

import numpy as np
import pytest

from paridad.errors import ParidadError
from paridad.match.clk import ClkEncoder, Encodings, Hardening, LinkageKey, Scheme, unpack
from paridad.match.compare import clk_agreement, dice_all, segment_dice
from paridad.match.features import Normalised, normalise

SECRET = b"0123456789abcdef0123456789abcdef"
JOSE_MX = {"given_name": "José Luis", "surname": "Hernández García", "date_of_birth": "1985-03-11"}
JOSE_US = {"given_name": "Jose L.", "surname": "Hernandez", "date_of_birth": "1985-11-03"}
OTHER = {"given_name": "Mary", "surname": "Smith", "date_of_birth": "1961-07-30"}


def _encode(
    records: list[Normalised], key: LinkageKey, scheme: Scheme | None = None, seed: int = 0
) -> Encodings:
    encoder = ClkEncoder(key, scheme)
    return encoder.encode(
        [str(i) for i in range(len(records))], records, np.random.default_rng(seed)
    )


def test_both_partners_derive_the_same_key_and_other_agreements_do_not() -> None:
    a = LinkageKey.derive(SECRET, "MX-US/2026/1")
    assert a == LinkageKey.derive(SECRET, "MX-US/2026/1")
    assert a != LinkageKey.derive(SECRET, "MX-US/2026/2")
    with pytest.raises(ParidadError, match="at least 16 bytes"):
        LinkageKey.derive(b"short", "x")


def test_the_same_record_under_the_same_key_encodes_alike_without_flips() -> None:
    key = LinkageKey.derive(SECRET, "a")
    scheme = Scheme(hardening=Hardening(flip=0.0))
    one = _encode([normalise(JOSE_MX)], key, scheme)
    two = _encode([normalise(JOSE_MX)], key, scheme, seed=5)
    assert np.array_equal(one.bits, two.bits)
    other_key = _encode([normalise(JOSE_MX)], LinkageKey.derive(SECRET, "b"), scheme)
    assert not np.array_equal(one.bits, other_key.bits)


def test_balancing_makes_every_segment_half_ones() -> None:
    key = LinkageKey.random()
    scheme = Scheme(hardening=Hardening(balance=True, fold=False, flip=0.0))
    encoded = _encode([normalise(JOSE_MX), normalise(OTHER)], key, scheme)
    for (start, end), count in zip(encoded.bounds, encoded.counts[0], strict=True):
        assert count == (end - start) * 32
    assert np.array_equal(encoded.counts[0], encoded.counts[1])


def test_segments_report_what_is_missing() -> None:
    encoded = _encode([normalise({"given_name": "Ana", "surname": "Luna"})], LinkageKey.random())
    assert encoded.present.tolist() == [[True, False, False, False]]


def test_a_cross_border_variant_scores_above_an_unrelated_person() -> None:
    key = LinkageKey.random()
    left = _encode([normalise(JOSE_MX)], key, seed=1)
    right = _encode([normalise(JOSE_US), normalise(OTHER)], key, seed=2)
    agree = clk_agreement(left, right, np.array([0, 0]), np.array([0, 1]))
    assert agree[0, 0] > agree[1, 0] + 0.3  # names
    assert agree[0, 1] > 0.6 > agree[1, 1]  # birth dates, day and month swapped
    assert np.isnan(agree[0, 2]) and np.isnan(agree[0, 3])  # no address or identifier


def test_dice_matches_a_direct_count() -> None:
    key = LinkageKey.random()
    records = [normalise(JOSE_MX), normalise(JOSE_US), normalise(OTHER)]
    encoded = _encode(records, key)
    bits = unpack(encoded.bits)
    start, end = encoded.bounds[0]
    a, b = bits[0, start * 64 : end * 64], bits[1, start * 64 : end * 64]
    expected = 2 * (a & b).sum() / (a.sum() + b.sum())
    got = segment_dice(encoded, encoded, np.array([0]), np.array([1]))[0, 0]
    assert got == pytest.approx(expected, abs=1e-6)
    seg = np.ascontiguousarray(encoded.bits[:, start:end])
    counts = np.bitwise_count(seg).sum(axis=1, dtype=np.int32)
    assert dice_all(seg, counts, seg, counts)[0, 1] == pytest.approx(expected, abs=1e-6)


def test_encodings_cross_as_bytes_and_schemes_are_checked() -> None:
    scheme = Scheme()
    encoded = _encode([normalise(JOSE_MX), normalise(OTHER)], LinkageKey.random(), scheme)
    back = Encodings.from_bytes(encoded.ids, encoded.to_bytes(), scheme)
    assert np.array_equal(back.bits, encoded.bits)
    assert np.array_equal(back.present, encoded.present)
    other = Scheme(hardening=Hardening(fold=False))
    foreign = _encode([normalise(OTHER)], LinkageKey.random(), other)
    with pytest.raises(ParidadError, match="scheme mismatch"):
        encoded.check_compatible(foreign)
