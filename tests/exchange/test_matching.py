"""Hit/no-hit between two nodes: hits on what both hold, nothing on the rest, step two."""

from __future__ import annotations

import copy
from typing import Any

import orjson
import pytest

from paridad.errors import ParidadError
from paridad.exchange import messages as m
from paridad.exchange.workflows import matching
from paridad.exchange.workflows.requests import get_request, list_requests, refuse_rfi
from paridad.match.linkage import HIT_THRESHOLD
from tests.conftest import MARKINGS, entity
from tests.exchange.conftest import US_MARKINGS, Pair, load

# A CURP and phone both nodes hold; values only one side holds must never show up anywhere
# on the other side.
SHARED_CURP = "GODE561231HDFRRN00"
SHARED_PHONE = "+52 55 1234 5678"
SHARED_SERIAL = "KX401233"
MX_ONLY = ("MXONLY998877", "+52 33 9999 0000")
US_ONLY = ("USONLY445566", "+1 915 555 0199")


def _mx_side() -> list[dict[str, Any]]:
    return [
        entity(
            "mx-p-1",
            "Person",
            MARKINGS,
            name="Eduardo Godínez",
            idNumber=SHARED_CURP,
            phone=SHARED_PHONE,
        ),
        entity("mx-p-2", "Person", MARKINGS, name="Otro Sujeto", phone=MX_ONLY[1]),
        entity("mx-f-1", "Firearm", MARKINGS, serialNumber=SHARED_SERIAL, make="Colt"),
        entity("mx-f-2", "Firearm", MARKINGS, serialNumber=MX_ONLY[0], make="Glock"),
    ]


def _us_side(held_back: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [
        entity(
            "us-p-1",
            "Person",
            US_MARKINGS,
            name="Eddie Godinez",
            idNumber=SHARED_CURP,
            phone="+52 (55) 1234-5678",
        ),
        entity("us-p-2", "Person", US_MARKINGS, name="Someone Else", phone=US_ONLY[1]),
        # The same serial as read by another clerk: O for 0, lower case, a dash.
        entity("us-f-1", "Firearm", US_MARKINGS, serialNumber="kx-4O1233", make="Colt"),
        entity("us-f-2", "Firearm", held_back or US_MARKINGS, serialNumber=US_ONLY[0]),
    ]


def _run(p: Pair) -> str:
    load(p.mx, _mx_side())
    load(p.us, _us_side())
    run = matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "FGR/2026/0042")
    p.flush()
    assert matching.process_matches(p.us.ex) == 1
    p.flush()
    assert matching.process_matches(p.mx.ex) == 1
    return run


def _everything_sent(side: Any) -> bytes:
    return b"".join(r[0].encode() for r in side.ex.db.query("SELECT envelope FROM outbox"))


def test_hits_on_shared_identifiers_and_nothing_about_the_rest(pair_nodes: Pair) -> None:
    p = pair_nodes
    run = _run(p)
    hits = matching.list_hits(p.mx.ex, run)
    assert {(h.entity_id, h.kind) for h in hits} == {
        ("mx-p-1", "curp"),
        ("mx-p-1", "phone"),
        ("mx-f-1", "serial"),
        # "Eduardo Godínez" and "Eddie Godinez" by privacy-preserving name linkage.
        ("mx-p-1", "name:person"),
    }
    assert all(h.handle.startswith("h-") for h in hits)
    assert all(h.score == 1.0 for h in hits if not h.kind.startswith("name:"))
    name_hit = next(h for h in hits if h.kind == "name:person")
    assert HIT_THRESHOLD <= name_hit.score <= 1.0
    assert matching.get_run(p.mx.ex, run).state == "completed"
    assert matching.get_run(p.mx.ex, run).hits == 4
    # Neither side's values crossed in the clear, and no entity id of the responder either.
    mx_sent, us_sent = _everything_sent(p.mx), _everything_sent(p.us)
    mx_texts = (SHARED_CURP, SHARED_SERIAL, "5512345678", *MX_ONLY, "mx-p-", "mx-f-", "Godínez")
    for text in mx_texts:
        assert text.encode() not in mx_sent
    for text in (SHARED_CURP, SHARED_SERIAL, *US_ONLY, "us-p-", "us-f-", "Godinez", "Eddie"):
        assert text.encode() not in us_sent
    # The querier's secrets and values are gone once the run is complete.
    work = p.mx.ex.db.query("SELECT work FROM match_runs WHERE id = ?", (run,))
    assert work == [(None,)]
    # Both audit logs hold the run.
    for side in (p.mx, p.us):
        bodies = side.ex.db.query("SELECT body FROM audit_entries WHERE kind = 'match'")
        assert any(run in body for (body,) in bodies)


def test_the_gate_keeps_what_may_not_be_released_out_of_matching(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, [entity("mx-f-9", "Firearm", MARKINGS, serialNumber=US_ONLY[0])])
    run_marks = {**US_MARKINGS, "handling": "H3"}
    load(p.mx, _mx_side())
    load(p.us, _us_side(held_back=run_marks))
    run = matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "FGR/2026/0043")
    p.flush()
    matching.process_matches(p.us.ex)
    p.flush()
    matching.process_matches(p.mx.ex)
    hit_entities = {h.entity_id for h in matching.list_hits(p.mx.ex, run) if h.kind == "serial"}
    assert "mx-f-9" not in hit_entities  # its US twin is H3: the gate withholds it
    assert "mx-f-1" in hit_entities


def test_step_two_disclosure_through_the_gate_and_refusal(pair_nodes: Pair) -> None:
    p = pair_nodes
    run = _run(p)
    hits = {h.kind: h for h in matching.list_hits(p.mx.ex, run)}
    assert set(hits) == {"serial", "phone", "curp", "name:person"}
    judged = matching.judge_hit(p.mx.ex, hits["serial"].id, "confirmed", "same make and serial")
    assert judged.judgement == "confirmed" and judged.judged_by == "analyst"
    with pytest.raises(ParidadError) as bad:
        matching.judge_hit(p.mx.ex, hits["serial"].id, "maybe", "?")
    assert "maybe" in str(bad.value.localized())
    rfi = matching.request_disclosure(
        p.mx.ex, hits["serial"].id, "Purchase history of the recovered rifle"
    )
    matching.judge_hit(p.mx.ex, hits["phone"].id, "rejected", "shared office line")
    with pytest.raises(ParidadError):
        matching.request_disclosure(p.mx.ex, hits["phone"].id, "?")
    p.flush()
    incoming = get_request(p.us.ex, rfi, "in")
    assert incoming is not None and incoming.body["subject"]["hit"]["kind"] == "serial"
    result = matching.answer_disclosure(p.us.ex, rfi)
    assert result.released == 1
    p.flush()
    got = p.mx.ex.records(["us-f-1"])
    assert len(got) == 1 and got[0].markings.origin_country == "US"
    assert get_request(p.mx.ex, rfi, "out").state == "answered"  # type: ignore[union-attr]
    assert matching.get_hit(p.mx.ex, hits["serial"].id).disclosure == rfi
    # A second disclosure request is refused with a reason the querier reads.
    rfi2 = matching.request_disclosure(p.mx.ex, hits["curp"].id, "Who is this person?")
    p.flush()
    refuse_rfi(p.us.ex, rfi2, "ongoing-investigation")
    p.flush()
    out = get_request(p.mx.ex, rfi2, "out")
    assert out is not None and out.state == "refused" and out.reason == "ongoing-investigation"
    assert p.mx.ex.records(["us-p-1"]) == []
    disclosures = p.mx.ex.db.query("SELECT COUNT(*) FROM audit_entries WHERE kind='disclosure'")
    assert disclosures[0][0] == 2


def test_a_request_outside_the_agreement_is_refused_with_a_code(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.us, _us_side())
    # A partner that asks for a kind the agreement does not list (as a faulty or hostile
    # node might, bypassing its own checks) gets a coded refusal and nothing else.
    payload = {
        "kind": m.MATCH_REQUEST,
        "id": "run-outside",
        "agreement": p.agreement.id,
        "purpose": "firearms-trafficking",
        "case": "X",
        "identifiers": {"uetr": {"points": "", "count": 0}},
        "names": {},
    }
    with p.mx.ex.db.transaction() as tx:
        matching._insert_run(
            tx, "run-outside", "out", p.us.name, p.agreement.id, "firearms-trafficking", "X", {}
        )
        p.mx.ex.enqueue(tx, p.us.name, payload)
    p.flush()
    matching.process_matches(p.us.ex)
    p.flush()
    run = matching.get_run(p.mx.ex, "run-outside")
    assert run.state == "refused" and run.reason == "match-kind-not-agreed"
    assert b"us-f" not in _everything_sent(p.us)


def test_a_malformed_request_is_refused_not_lost(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.us, _us_side())
    payload = {
        "kind": m.MATCH_REQUEST,
        "id": "run-garbled",
        "agreement": p.agreement.id,
        "purpose": "firearms-trafficking",
        "case": "X",
        "identifiers": {"serial": {"points": "not base64!", "count": "many"}},
        "names": {"person": {"refs": ["p0"], "scheme": "nope"}},
    }
    with p.mx.ex.db.transaction() as tx:
        matching._insert_run(
            tx, "run-garbled", "out", p.us.name, p.agreement.id, "firearms-trafficking", "X", {}
        )
        p.mx.ex.enqueue(tx, p.us.name, payload)
    p.flush()
    assert matching.process_matches(p.us.ex) == 1
    p.flush()
    assert matching.get_run(p.us.ex, "run-garbled").state == "refused"
    run = matching.get_run(p.mx.ex, "run-garbled")
    assert (run.state, run.reason) == ("refused", "other")
    logged = p.us.ex.db.query("SELECT body FROM audit_entries WHERE kind = 'match'")
    assert any("run-garbled" in body and "failure" in body for (body,) in logged)


def test_an_answer_to_no_run_is_rejected_and_kept(pair_nodes: Pair) -> None:
    p = pair_nodes
    payload = {"kind": m.MATCH_ANSWER, "run": "no-such-run", "identifiers": {}, "names": []}
    with p.us.ex.db.transaction() as tx:
        p.us.ex.enqueue(tx, p.mx.name, payload)
    p.flush()
    rows = p.mx.ex.db.query("SELECT status, reason FROM inbox WHERE kind = 'match-answer'")
    assert rows[0][0] == "rejected"
    assert orjson.loads(rows[0][1])["msgid"] == matching.MSG_NO_RUN


def test_matching_needs_an_agreement_that_allows_it(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, [entity("mx-x", "Vessel", MARKINGS, name="Sin identificadores")])
    with pytest.raises(ParidadError) as nothing:
        matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "C", ["mx-x"])
    assert nothing.value.msgid == matching.MSG_NOTHING_TO_MATCH
    assert list_requests(p.mx.ex) == []


def _amend(p: Pair, **matching_changes: Any) -> None:
    from paridad.policy.agreement import parse_agreement

    document = copy.deepcopy(p.agreement.to_dict())
    document.pop("signatures")
    document["version"] = 2
    document["matching"] = {**document["matching"], **matching_changes}
    amended = parse_agreement(document)
    amended = amended.sign(p.mx.name, p.mx.ex.identity).sign(p.us.name, p.us.ex.identity)
    for side in (p.mx, p.us):
        assert side.ex.install_agreement(amended)


def test_automatic_disclosure_and_the_daily_run_limit(pair_nodes: Pair) -> None:
    p = pair_nodes
    _amend(p, disclosure="automatic", runs_per_day=1)
    run = _run(p)
    serial = next(h for h in matching.list_hits(p.mx.ex, run) if h.kind == "serial")
    rfi = matching.request_disclosure(p.mx.ex, serial.id, "Purchase history")
    p.flush()
    assert matching.process_matches(p.us.ex) == 1  # answered by the agreement's rule
    p.flush()
    assert get_request(p.mx.ex, rfi, "out").state == "answered"  # type: ignore[union-attr]
    assert len(p.mx.ex.records(["us-f-1"])) == 1
    # A second run the same day goes past runs_per_day: refused with its code.
    second = matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "C-2")
    p.flush()
    matching.process_matches(p.us.ex)
    p.flush()
    refused = matching.get_run(p.mx.ex, second)
    assert (refused.state, refused.reason) == ("refused", "match-rate-limited")


def test_a_run_claimed_by_one_process_is_not_answered_twice(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, _mx_side())
    load(p.us, _us_side())
    matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "C-3")
    p.flush()
    (pending,) = matching._pending(p.us.ex)
    assert matching._claim(p.us.ex, pending) is not None  # another process took it
    assert matching.process_matches(p.us.ex) == 0
    assert p.us.ex.db.query("SELECT COUNT(*) FROM outbox WHERE kind = 'match-answer'") == [(0,)]


def test_bad_matching_sections_are_refused_with_the_field() -> None:
    from paridad.policy.agreement import InvalidAgreement, _matching

    for spec, field in (
        ({"identifiers": ["dna"]}, "identifiers"),
        ({"names": ["Vessel"]}, "names"),
        ({"max_items": 0}, "max_items"),
        ({"disclosure": "sometimes"}, "disclosure"),
    ):
        with pytest.raises(InvalidAgreement) as caught:
            _matching(spec)
        assert f"matching.{field}" in str(caught.value.localized("es"))


def test_the_queriers_own_gate_keeps_its_restricted_data_out_of_the_run(
    pair_nodes: Pair,
) -> None:
    p = pair_nodes
    restricted = {**MARKINGS, "handling": "H3"}
    load(p.mx, [entity("mx-f-h3", "Firearm", restricted, serialNumber=SHARED_SERIAL)])
    load(p.mx, [entity("mx-p-h3", "Person", restricted, name="Eduardo Godínez")])
    load(p.mx, [entity("mx-f-ok", "Firearm", MARKINGS, serialNumber=US_ONLY[0])])
    load(p.us, _us_side())
    chosen = ["mx-f-h3", "mx-p-h3", "mx-f-ok"]
    run = matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "C-H3", chosen)
    assert matching.get_run(p.mx.ex, run).counts == {"serial": 1}
    p.flush()
    matching.process_matches(p.us.ex)
    p.flush()
    matching.process_matches(p.mx.ex)
    assert {h.entity_id for h in matching.list_hits(p.mx.ex, run)} == {"mx-f-ok"}
    logged = p.mx.ex.db.query("SELECT body FROM audit_entries WHERE kind = 'match'")
    assert any('"held_back_by_gate":2' in body for (body,) in logged)
    with pytest.raises(ParidadError) as nothing:
        matching.start_match(p.mx.ex, p.us.name, "firearms-trafficking", "C-H3", chosen[:2])
    assert nothing.value.msgid == matching.MSG_NOTHING_TO_MATCH


def test_a_serial_read_with_one_character_wrong_is_a_near_hit(pair_nodes: Pair) -> None:
    """Kind serial_near: the maker and the serial's one-deletion keys. A dropped character
    (and a doubled or swapped one) meets the dealer's serial of the same maker; the same
    misread under another maker, or a serial two characters off, does not."""
    p = pair_nodes
    load(
        p.mx,
        [
            entity("mx-f-9", "Firearm", MARKINGS, serialNumber="LE94253", make="COLTS"),
            entity("mx-f-8", "Firearm", MARKINGS, serialNumber="PX12345", make="Beretta"),
            entity("mx-f-7", "Firearm", MARKINGS, serialNumber="RA778899", make="Ruger"),
        ],
    )
    load(
        p.us,
        [
            entity("us-f-9", "Firearm", US_MARKINGS, serialNumber="LE942535", make="Colt"),
            entity("us-f-8", "Firearm", US_MARKINGS, serialNumber="PX123456", make="Glock"),
            entity("us-f-7", "Firearm", US_MARKINGS, serialNumber="RA770099", make="Ruger"),
        ],
    )
    run = matching.start_match(
        p.mx.ex, p.us.name, "firearms-trafficking", "FGR/2026/0042", kinds=["serial_near"]
    )
    p.flush()
    assert matching.process_matches(p.us.ex) == 1
    p.flush()
    assert matching.process_matches(p.mx.ex) == 1
    hits = matching.list_hits(p.mx.ex, run)
    assert {(h.entity_id, h.kind) for h in hits} == {("mx-f-9", "serial_near")}
    # Step two finds the dealer's firearm behind the near hit's handle, and only it.
    behind = matching.entities_for_handle(p.us.ex, run, hits[0].handle)
    assert behind == ["us-f-9"]
    assert b"LE94253" not in _everything_sent(p.mx)
