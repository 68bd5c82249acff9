"""DH-PSI over X25519: correct intersections, commutative blinding on the curve and its
twist, an order that leaks nothing, and translated refusals of malformed partner input."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.bindings import crypto_scalarmult, crypto_scalarmult_base

from paridad.errors import ParidadError
from paridad.match import psi
from paridad.match.identifiers import canonical_serial, identifiers_of
from paridad.match.psi import (
    KeyedMatcher,
    PsiContext,
    PsiParty,
    derive_keyed_key,
    hash_to_point,
    keyed_mode_allowed,
    new_run_id,
    require_keyed_mode,
)
from paridad.synth import generate
from paridad.synth import identifiers as synth

P = 2**255 - 19
A = 486662


def on_twist(u: bytes) -> bool:
    """Whether u is the x-coordinate of a point on the twist rather than on Curve25519:
    u^3 + A u^2 + u is then not a square mod p (Euler's criterion)."""
    x = int.from_bytes(u, "little") & ((1 << 255) - 1)
    rhs = (x * x * x + A * x * x + x) % P
    return rhs != 0 and pow(rhs, (P - 1) // 2, P) == P - 1


def context(kind: str = "phone", run: str = "run-1") -> PsiContext:
    return PsiContext("mx-fgr/us-atf/2026-01", run, kind)


def phones(rng: random.Random, n: int) -> list[str]:
    return [synth.mx_phone(rng, "55") if i % 2 else synth.us_phone(rng, "915") for i in range(n)]


def run_psi(mine: list[str], theirs: list[str], ctx: PsiContext | None = None) -> list[int]:
    ctx = ctx or context()
    querier, responder = PsiParty(ctx), PsiParty(ctx)
    request = querier.blind(mine)
    reply = responder.reblind(request)
    return querier.intersect(reply, responder.blind(theirs))


def _refused(call: Callable[..., object], *args: object, **kwargs: object) -> ParidadError:
    with pytest.raises(ParidadError) as info:
        call(*args, **kwargs)
    return info.value


# -- the group ---------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
    st.binary(min_size=32, max_size=32),
)
def test_blinding_commutes(a: bytes, b: bytes, u: bytes) -> None:
    u = u[:31] + bytes((u[31] & 0x7F,))
    try:
        once_b = crypto_scalarmult(b, u)
    except Exception:  # a small-order u (probability ~2^-250)
        return
    assert crypto_scalarmult(a, once_b) == crypto_scalarmult(b, crypto_scalarmult(a, u))


def test_blinding_commutes_on_the_curve_and_on_the_twist() -> None:
    rng = random.Random("tests.match.psi/twist")
    points = [hash_to_point(context(), f"+52{rng.randrange(10**10):010d}") for _ in range(64)]
    twist = [u for u in points if on_twist(u)]
    curve = [u for u in points if not on_twist(u)]
    # A hash lands on either with probability 1/2: both occur, and both work.
    assert twist and curve
    a, b = os.urandom(32), os.urandom(32)
    for u in twist + curve:
        assert crypto_scalarmult(a, crypto_scalarmult(b, u)) == crypto_scalarmult(
            b, crypto_scalarmult(a, u)
        )
    # Clamping makes every scalar a multiple of 8, so a blinded twist point stays on the
    # twist and lands in its prime-order subgroup: multiplying it again commutes as well.
    assert all(on_twist(crypto_scalarmult(a, u)) for u in twist)
    # The base point is on the curve, as a check of on_twist itself.
    assert not on_twist(crypto_scalarmult_base(a))


def test_hash_to_point_separates_runs_agreements_and_kinds() -> None:
    value = "+525512345678"
    base = hash_to_point(context(), value)
    assert len(base) == 32 and base[31] < 0x80
    assert base == hash_to_point(context().encode(), value.encode())
    assert base != hash_to_point(context(run="run-2"), value)
    assert base != hash_to_point(PsiContext("other", "run-1", "phone"), value)
    assert base != hash_to_point(context(kind="passport"), value)
    # Length prefixes: moving a character from one field to the next changes the bytes.
    assert PsiContext("ab", "c", "phone").encode() != PsiContext("a", "bc", "phone").encode()


def test_context_fields_are_checked() -> None:
    assert _refused(PsiContext, "", "run", "phone").params == {"field": "agreement_id"}
    assert "Unknown identifier kind" in str(_refused(PsiContext, "a", "run", "shoe-size"))
    assert _refused(PsiParty, b"").msgid == psi.MSG_CONTEXT_BYTES
    assert len(new_run_id()) == 32 and new_run_id() != new_run_id()


# -- the protocol ------------------------------------------------------------------------------


def test_the_querier_learns_exactly_the_common_positions() -> None:
    rng = random.Random("tests.match.psi/basic")
    common = phones(rng, 40)
    mine = phones(rng, 100) + common
    theirs = common + phones(rng, 150)
    rng.shuffle(mine)
    expected = sorted(i for i, v in enumerate(mine) if v in set(common))
    assert run_psi(mine, theirs) == expected
    assert run_psi(mine, []) == []
    assert run_psi([], theirs) == []


def test_repeated_values_are_sent_once_and_all_their_positions_returned() -> None:
    querier, responder = PsiParty(context()), PsiParty(context())
    mine = ["+525512345678", "+19155552368", "+525512345678", "+15205550000"]
    request = querier.blind(mine)
    assert len(request) == 3 * 32
    reply = responder.reblind(request)
    assert querier.intersect(reply, responder.blind(["+525512345678"])) == [0, 2]


def test_pairs_name_the_partners_point_so_it_can_attach_a_handle() -> None:
    """The responder hands out one opaque handle per point it sent; the querier's hit names
    the handle by its position, never the responder's value."""
    querier, responder = PsiParty(context()), PsiParty(context())
    mine = ["+525512345678", "+19155552368", "+525512345678", "+15205550000"]
    theirs = ["+13105550101", "+525512345678", "+15205550000"]
    reply = responder.reblind(querier.blind(mine))
    sent = responder.blind(theirs)
    handles = {
        position: f"h-{theirs[value]}" for position, value in enumerate(responder.sent_positions())
    }
    assert sorted(responder.sent_positions()) == [0, 1, 2]
    pairs = querier.intersect_pairs(reply, sent)
    assert [(mine[i], handles[j]) for i, j in pairs] == [
        ("+525512345678", "h-+525512345678"),
        ("+525512345678", "h-+525512345678"),
        ("+15205550000", "h-+15205550000"),
    ]
    assert [i for i, _ in pairs] == [0, 2, 3]
    assert _refused(PsiParty(context()).sent_positions).msgid == psi.MSG_NOT_BLINDED


def test_different_kinds_or_runs_never_meet() -> None:
    values = ["G12345678", "N87654321"]
    querier, responder = PsiParty(context("passport")), PsiParty(context("phone"))
    reply = responder.reblind(querier.blind(values))
    assert querier.intersect(reply, responder.blind(values)) == []
    querier, responder = PsiParty(context(run="a")), PsiParty(context(run="b"))
    reply = responder.reblind(querier.blind(values))
    assert querier.intersect(reply, responder.blind(values)) == []


def test_what_is_sent_is_sorted_whatever_order_it_was_given_in() -> None:
    rng = random.Random("tests.match.psi/order")
    values = phones(rng, 200)
    secret = os.urandom(32)
    sent = PsiParty(context(), secret).blind(values)
    shuffled = values[:]
    rng.shuffle(shuffled)
    assert PsiParty(context(), secret).blind(shuffled) == sent
    points = [sent[i : i + 32] for i in range(0, len(sent), 32)]
    assert points == sorted(points)
    # ...and it is not the order of the values or of their unblinded hashes.
    hashes = [hash_to_point(context(), v) for v in sorted(values)]
    assert [crypto_scalarmult(secret, h) for h in hashes] != points


def test_threads_give_the_same_bytes_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(psi, "CHUNK", 16)  # many chunks from a small set
    rng = random.Random("tests.match.psi/threads")
    values = phones(rng, 300)
    secret = os.urandom(32)
    one = PsiParty(context(), secret, workers=1).blind(values)
    two = PsiParty(context(), secret, workers=2).blind(values)
    assert one == two
    peer = PsiParty(context()).blind(phones(rng, 100))
    answers = {w: PsiParty(context(), secret, workers=w).reblind(peer) for w in (1, 3)}
    assert answers[1] == answers[3]


def test_secrets_are_fresh_unless_given() -> None:
    values = ["+525512345678"]
    assert PsiParty(context()).blind(values) != PsiParty(context()).blind(values)
    assert _refused(PsiParty, context(), b"short").params == {"found": 5}


def test_a_party_blinds_once_and_intersects_only_after_blinding() -> None:
    party = PsiParty(context())
    assert _refused(party.intersect, b"", b"").msgid == psi.MSG_NOT_BLINDED
    party.blind(["+525512345678"])
    assert _refused(party.blind, ["+19155552368"]).msgid == psi.MSG_ALREADY_BLINDED
    error = _refused(PsiParty(context()).blind, ["+525512345678", 42])
    assert error.msgid == psi.MSG_VALUE and error.params == {"position": 1, "given": "int"}


# -- malformed partner input ---------------------------------------------------------------------


# querier, responder, the request, the reply to it and the responder's own blinded set
Exchange = tuple[PsiParty, PsiParty, bytes, bytes, bytes]


@pytest.fixture
def exchange() -> Exchange:
    rng = random.Random("tests.match.psi/malformed")
    querier, responder = PsiParty(context()), PsiParty(context())
    request = querier.blind(phones(rng, 20))
    reply = responder.reblind(request)
    own = responder.blind(phones(rng, 20))
    return querier, responder, request, reply, own


def test_partner_input_must_be_bytes_of_whole_points(exchange: Exchange) -> None:
    querier, responder, request, reply, own = exchange
    error = _refused(responder.reblind, request.hex())
    assert error.msgid == psi.MSG_PEER_NOT_BYTES and error.params["given"] == "str"
    assert _refused(responder.reblind, [request]).msgid == psi.MSG_PEER_NOT_BYTES
    error = _refused(responder.reblind, request[:-1])
    assert error.msgid == psi.MSG_PEER_LENGTH and error.params["found"] == len(request) - 1
    assert _refused(querier.intersect, reply, own[:-3]).msgid == psi.MSG_PEER_LENGTH
    assert _refused(querier.intersect, reply, bytearray(own) + b"x").msgid == psi.MSG_PEER_LENGTH


def test_the_reply_must_answer_every_point_sent(exchange: Exchange) -> None:
    querier, _responder, _request, reply, own = exchange
    error = _refused(querier.intersect, reply[:-32], own)
    assert error.msgid == psi.MSG_PEER_COUNT and error.params == {
        "part": "reply",
        "found": 19,
        "expected": 20,
    }
    error = _refused(querier.intersect, reply, own, peer_count=21)
    assert error.msgid == psi.MSG_PEER_COUNT and error.params["part"] == "peer_set"
    doubled = reply[:32] + reply[:32] + reply[64:]
    error = _refused(querier.intersect, doubled, own)
    assert error.msgid == psi.MSG_PEER_DUPLICATE and error.params["position"] == 1


def test_blinded_sets_must_be_sorted_without_repeats(exchange: Exchange) -> None:
    querier, responder, request, reply, own = exchange
    error = _refused(responder.reblind, request[32:64] + request[:32] + request[64:])
    assert error.msgid == psi.MSG_PEER_ORDER and error.params["position"] == 1
    error = _refused(responder.reblind, request[:32] + request)
    assert error.msgid == psi.MSG_PEER_DUPLICATE and error.params["position"] == 1
    error = _refused(querier.intersect, reply, own + own[-32:])
    assert error.msgid == psi.MSG_PEER_DUPLICATE and error.params["part"] == "peer_set"


def test_non_canonical_and_small_order_points_are_refused() -> None:
    responder = PsiParty(context())
    top_bit = bytes(31) + b"\x80"
    assert _refused(responder.reblind, top_bit).msgid == psi.MSG_PEER_NONCANONICAL
    p_itself = (P).to_bytes(32, "little")  # u = p is 0 written the long way
    assert _refused(responder.reblind, p_itself).msgid == psi.MSG_PEER_NONCANONICAL
    for u in (0, 1):  # points of order 4 and 2 (X25519 gives all zeros)
        error = _refused(responder.reblind, u.to_bytes(32, "little"))
        assert error.msgid == psi.MSG_PEER_SMALL_ORDER and error.params["position"] == 0


def test_a_responder_answers_no_more_points_than_allowed() -> None:
    rng = random.Random("tests.match.psi/limit")
    responder = PsiParty(context(), max_peer_points=30)
    responder.reblind(PsiParty(context()).blind(phones(rng, 20)))
    error = _refused(responder.reblind, PsiParty(context()).blind(phones(rng, 11)))
    assert error.msgid == psi.MSG_PEER_TOO_MANY and error.params == {
        "part": "request",
        "found": 31,
        "maximum": 30,
    }
    responder.reblind(PsiParty(context()).blind(phones(rng, 10)))  # 30 in all is allowed


# -- on the binational scenario ------------------------------------------------------------------


@dataclass
class ScenarioKeys:
    keys: dict[str, dict[str, dict[str, set[str]]]]  # side -> kind -> key -> entity ids
    truth: dict[str, Any]


@pytest.fixture(scope="module")
def scenario_keys(tmp_path_factory: pytest.TempPathFactory) -> ScenarioKeys:
    root = tmp_path_factory.mktemp("psi-scenario")
    generate(root, seed=1, scale="small")
    keys: dict[str, dict[str, dict[str, set[str]]]] = {"mx": {}, "us": {}}
    for side in ("mx", "us"):
        for path in sorted((root / side).glob("*.jsonl")):
            for line in path.read_bytes().splitlines():
                entity = orjson.loads(line)
                for kind, value in identifiers_of(entity):
                    keys[side].setdefault(kind, {}).setdefault(value, set()).add(entity["id"])
    return ScenarioKeys(keys, orjson.loads(Path(root / "truth.json").read_bytes()))


def test_psi_finds_every_cross_border_payment_by_its_uetr(scenario_keys: ScenarioKeys) -> None:
    keys, truth = scenario_keys.keys, scenario_keys.truth
    mine = sorted(keys["mx"]["uetr"])
    hits = run_psi(mine, sorted(keys["us"]["uetr"]), context("uetr"))
    assert {mine[i] for i in hits} == {pair["uetr"] for pair in truth["payment_pairs"]}


def test_psi_on_serials_equals_the_plain_intersection(scenario_keys: ScenarioKeys) -> None:
    keys, truth = scenario_keys.keys, scenario_keys.truth
    mine, theirs = sorted(keys["mx"]["serial"]), sorted(keys["us"]["serial"])
    hits = run_psi(mine, theirs, context("serial"))
    assert [mine[i] for i in hits] == sorted(set(mine) & set(theirs))
    # Folded keys: a recovered gun whose serial was only misread by look-alike characters
    # still meets its US sale record.
    confusions = {"O/0", "I/1", "L/1", "S/5", "B/8", "Z/2", "D/0"}
    traced = [
        t
        for t in truth["traces"]
        if t["firearm_us"] and t["misread"] and set(t["misread"]) <= confusions
    ]
    assert traced
    # Their serials as read differ from the truth: only the folding makes them meet.
    assert all(canonical_serial(t["serial_read"]) != t["serial_true"] for t in traced)
    found = {entity_id for i in hits for entity_id in keys["mx"]["serial"][mine[i]]}
    for trace in traced:
        assert trace["firearm_mx"] in found, trace


# -- keyed-hash mode ------------------------------------------------------------------------------


def test_keyed_mode_only_for_kinds_nobody_can_enumerate() -> None:
    assert keyed_mode_allowed("uetr")
    for kind in ("phone", "plate", "passport", "serial", "curp", "wallet", "email"):
        assert not keyed_mode_allowed(kind)
        error = _refused(require_keyed_mode, kind)
        assert error.msgid == psi.MSG_KEYED_REFUSED and error.params["kind"] == kind
        assert error.params["minimum"] == 112
        assert _refused(KeyedMatcher, bytes(32), context(kind)).msgid == psi.MSG_KEYED_REFUSED


def test_keyed_matching_between_two_nodes_sharing_a_key() -> None:
    rng = random.Random("tests.match.psi/keyed")
    mx_node, us_node = os.urandom(32), os.urandom(32)
    shared_mx = crypto_scalarmult(mx_node, crypto_scalarmult_base(us_node))
    shared_us = crypto_scalarmult(us_node, crypto_scalarmult_base(mx_node))
    ctx = context("uetr")
    key = derive_keyed_key(shared_mx, ctx)
    assert key == derive_keyed_key(shared_us, ctx) and len(key) == 32
    assert key != derive_keyed_key(shared_mx, context("uetr", run="run-2"))
    assert _refused(derive_keyed_key, shared_mx, context("phone")).msgid == psi.MSG_KEYED_REFUSED
    common = [synth.uetr(rng) for _ in range(5)]
    mine = [synth.uetr(rng) for _ in range(20)] + common
    theirs = common + [synth.uetr(rng) for _ in range(30)]
    ours, others = KeyedMatcher(key, ctx), KeyedMatcher(derive_keyed_key(shared_us, ctx), ctx)
    tags = others.tags(theirs + theirs[:3])
    assert len(tags) == 35 * 32
    assert ours.intersect(mine, tags) == list(range(20, 25))
    assert _refused(ours.intersect, mine, tags[:-1]).msgid == psi.MSG_PEER_LENGTH
    assert _refused(ours.intersect, mine, tags[32:64] + tags[:32]).msgid == psi.MSG_PEER_ORDER
    assert _refused(KeyedMatcher, b"k" * 16, ctx).params == {"found": 16}
