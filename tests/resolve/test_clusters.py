"""Clusters from judgements: union over "same", cannot-links from an analyst's "different"."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.resolve.clusters import build_clusters
from paridad.resolve.judgements import ANALYST, DIFFERENT, SAME, UNSURE, Judgement, effective

MODEL = "splink:person@1"
_seq = itertools.count(1)


def j(a: str, b: str, verdict: str, source: str = MODEL, score: float | None = 0.95) -> Judgement:
    left, right = sorted((a, b))
    if source == ANALYST:
        score = None
    return Judgement(next(_seq), left, right, verdict, score, source, "ana", "why", "t")


def test_same_judgements_join_and_the_smallest_id_stands_for_the_cluster() -> None:
    clustering = build_clusters([j("c", "b", SAME), j("b", "a", SAME), j("x", "y", SAME)])
    assert clustering.cluster_of("c") == ("a", "b", "c")
    assert clustering.canonical_id("c") == "a" and clustering.canonical_id("a") == "a"
    assert clustering.clusters() == [("a", "b", "c"), ("x", "y")]
    # An entity nobody judged is a cluster of its own.
    assert clustering.cluster_of("z") == ("z",) and clustering.canonical_id("z") == "z"


def test_unsure_and_a_model_different_join_nothing() -> None:
    clustering = build_clusters([j("a", "b", UNSURE, score=0.7), j("b", "c", DIFFERENT)])
    assert clustering.clusters() == []


def test_an_analyst_split_separates_records_joined_only_through_a_third() -> None:
    judgements = [
        j("a", "c", SAME, score=0.99),
        j("c", "b", SAME, score=0.93),
        j("a", "b", DIFFERENT, ANALYST),
    ]
    clustering = build_clusters(judgements)
    assert clustering.canonical_id("a") != clustering.canonical_id("b")
    # The stronger edge wins: c stays with a; the weaker one is the edge left out.
    assert clustering.cluster_of("c") == ("a", "c")
    assert [x.pair for x in clustering.blocked] == [("b", "c")]


def test_a_later_merge_reverses_a_split() -> None:
    split = j("a", "b", DIFFERENT, ANALYST)
    merged = j("a", "b", SAME, ANALYST)
    assert build_clusters(effective([split]).values()).cluster_of("a") == ("a",)
    assert build_clusters(effective([split, merged]).values()).cluster_of("a") == ("a", "b")


def test_judgements_about_purged_entities_are_left_out() -> None:
    judgements = [j("a", "b", SAME), j("b", "c", SAME)]
    clustering = build_clusters(judgements, exists=lambda i: i != "b")
    assert clustering.clusters() == []


_ids = st.sampled_from([f"e{i}" for i in range(8)])
_judgement = st.tuples(
    _ids,
    _ids,
    st.sampled_from([SAME, DIFFERENT, UNSURE]),
    st.booleans(),
    st.floats(0.5, 1.0),
).filter(lambda t: t[0] != t[1])


@settings(max_examples=150, deadline=None)
@given(st.lists(_judgement, max_size=30), st.randoms())
def test_clusters_keep_every_split_and_do_not_depend_on_order(
    raw: list[tuple[str, str, str, bool, float]], rnd: object
) -> None:
    judgements = [
        j(a, b, verdict, ANALYST if by_analyst else MODEL, score)
        for a, b, verdict, by_analyst, score in raw
    ]
    counted = list(effective(judgements).values())
    clustering = build_clusters(counted)
    for x in counted:
        if x.by_analyst and x.verdict == DIFFERENT:
            assert clustering.canonical_id(x.left_id) != clustering.canonical_id(x.right_id)
    shuffled = list(counted)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert build_clusters(shuffled) == clustering
    # Every cluster is held together by judgements that count.
    sames = {x.pair for x in counted if x.verdict == SAME}
    for group in clustering.clusters():
        linked = {group[0]}
        grew = True
        while grew:
            grew = False
            for a, b in sames:
                if (a in linked) != (b in linked) and {a, b} <= set(group):
                    linked |= {a, b}
                    grew = True
        assert linked == set(group)
