"""Blocking: keyed keys find drifted pairs, stay local, and prune frequent keys."""

from __future__ import annotations

import numpy as np

from paridad.bench.link_population import generate
from paridad.match.blocking import KeyedBlocking, bucket_pairs
from paridad.match.clk import LinkageKey
from paridad.match.features import normalise


def test_bucket_pairs_finds_exactly_the_equal_keys() -> None:
    left = np.array([5, 1, 5, 9], dtype=np.uint64)
    right = np.array([5, 2, 9, 5], dtype=np.uint64)
    li, ri = bucket_pairs(left, right)
    got = sorted(zip(li.tolist(), ri.tolist(), strict=True))
    assert got == [(0, 0), (0, 3), (2, 0), (2, 3), (3, 2)]
    li, ri = bucket_pairs(left, right, max_bucket=1)
    assert list(zip(li.tolist(), ri.tolist(), strict=True)) == [(3, 2)]


def test_drifted_variants_share_a_key_and_strangers_do_not() -> None:
    key = LinkageKey.random()
    blocking = KeyedBlocking()
    mx = [
        normalise(
            {"given_name": "Jesús", "surname": "Hernández García", "date_of_birth": "1985-03-11"}
        )
    ]
    us = [
        normalise({"given_name": "Chuy", "surname": "Hernandes", "date_of_birth": "1985-11-03"}),
        normalise({"given_name": "Jesus", "surname": "Garcia", "date_of_birth": "1986-03-11"}),
        normalise({"given_name": "Mary", "surname": "Smith", "date_of_birth": "1961-07-30"}),
    ]
    left, right = blocking.keys(key, mx), blocking.keys(key, us)
    kept = blocking.retained(left, right, np.array([0, 0, 0]), np.array([0, 1, 2]))
    assert kept.tolist() == [True, True, False]
    pairs = {
        (a, b)
        for li, ri in blocking.pairs(left, right)
        for a, b in zip(li.tolist(), ri.tolist(), strict=True)
    }
    assert pairs == {(0, 0), (0, 1)}


def test_keys_depend_on_the_agreement_key() -> None:
    record = [normalise({"given_name": "Ana", "surname": "Luna", "date_of_birth": "1990-01-02"})]
    a = KeyedBlocking().keys(LinkageKey.random(), record)
    b = KeyedBlocking().keys(LinkageKey.random(), record)
    assert len(a) == len(b) > 0 and not set(a.key.tolist()) & set(b.key.tolist())


def test_frequent_keys_never_leave_the_node() -> None:
    key = LinkageKey.random()
    same = [normalise({"given_name": "Juan", "surname": "Pérez"})] * 50
    strict = KeyedBlocking(caps={"gs": 40, "gx": 40})
    assert len(strict.keys(key, same)) == 0  # "juan|perez" is held by 50 > 40 records
    assert len(KeyedBlocking(caps={"gs": 100}, shares={}).keys(key, same)) == 50
    # A share of the node's records: the same key is held at 50 of 10,000 records.
    assert KeyedBlocking().cap("gx", 10_000) == 200 and KeyedBlocking().cap("gx", 10**6) == 5000


def test_directed_keys_pair_only_where_a_birth_date_is_missing() -> None:
    key = LinkageKey.random()
    dated = {"given_name": "Juan", "surname": "Pérez"}
    # Sixty dated Juan Pérez on each side: their name-only "gs" key is over its cap, so only
    # the directed key can bring the undated one to its namesakes.
    left = [normalise({**dated, "date_of_birth": f"{1940 + i}-01-02"}) for i in range(60)]
    right = [normalise({**dated, "date_of_birth": "1930-03-04"}) for _ in range(60)]
    right.append(normalise(dated))
    blocking = KeyedBlocking()
    lk, rk = blocking.keys(key, left), blocking.keys(key, right)
    pairs = {
        (a, b)
        for li, ri in blocking.pairs(lk, rk)
        for a, b in zip(li.tolist(), ri.tolist(), strict=True)
    }
    assert pairs == {(a, 60) for a in range(60)}  # never dated x dated: 3,600 pairs saved
    kept = blocking.retained(lk, rk, np.array([0, 0]), np.array([60, 1]))
    assert kept.tolist() == [True, False]


def test_blocking_keeps_nearly_all_true_pairs_of_a_generated_population() -> None:
    population = generate(3000, seed=3)
    key = LinkageKey.random()
    blocking = KeyedBlocking()
    left, right = blocking.keys(key, population.left), blocking.keys(key, population.right)
    kept = blocking.retained(left, right, population.truth_left, population.truth_right)
    # What is lost is mostly a typo on the only surname of a record without a birth date.
    assert kept.mean() > 0.99
    candidates = sum(len(li) for li, _ in blocking.pairs(left, right))
    assert candidates < 0.01 * len(population.left) * len(population.right)
