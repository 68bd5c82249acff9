"""Every workflow between two paired nodes, end to end through ledger, gate and audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from paridad.exchange.context import ExchangeError
from paridad.exchange.inbox import received_dataset
from paridad.exchange.reciprocity import reciprocity
from paridad.exchange.workflows.agreements import send_tree_head, terminate
from paridad.exchange.workflows.recall import recall
from paridad.exchange.workflows.receipts import record_use
from paridad.exchange.workflows.requests import (
    answer_consent,
    answer_rfi,
    expire_requests,
    get_request,
    list_requests,
    refuse_rfi,
    request_consent,
    send_rfi,
)
from paridad.exchange.workflows.retention import expire_retention
from paridad.exchange.workflows.share import share
from paridad.policy.release_gate import GateClosed
from tests.exchange.conftest import Pair, load, sample_entities


def kinds(side_ex: object, kind: str) -> int:
    return len(side_ex.audit.find(kind=kind, limit=100_000))  # type: ignore[attr-defined]


def test_share_crosses_only_what_the_agreement_allows(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX"))
    result = share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids(), case="C-1")
    assert result.released == 6 and not result.refused
    p.flush()
    got = p.us.ex.records(["mx-firearm-0", "mx-person-0"])
    assert {r.id for r in got} == {"mx-firearm-0", "mx-person-0"}
    firearm = next(r for r in got if r.schema == "Firearm")
    props = {row[3] for row in firearm.rows}
    assert props == {"serialNumber", "make", "model", "caliber"}  # no "notes"
    person = next(r for r in got if r.schema == "Person")
    assert "phone" not in {row[3] for row in person.rows}
    assert {row[8] for row in person.rows} == {received_dataset(p.mx.name)}
    # The originator's markings travel and stay.
    assert firearm.markings.origin_country == "MX" and firearm.markings.handling == "H1"
    assert firearm.markings.retain_until <= date.today() + timedelta(days=730)
    dump = orjson.dumps([r.to_dict() for r in p.us.ex.records(p.us.ex.entity_ids())])
    assert b"secret informant" not in dump and b"+525511112222" not in dump
    # Both audit logs say so: a release on one side, a receipt on the other.
    assert kinds(p.mx.ex, "release") == 1 and kinds(p.us.ex, "receipt") == 1


def test_resent_envelopes_apply_once_and_gaps_wait(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=2))
    share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-firearm-0"])
    share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-firearm-1"])
    envelopes = [
        orjson.loads(r[0]) for r in p.mx.ex.db.query("SELECT envelope FROM outbox ORDER BY seq")
    ]
    # Out of order: the second waits for the first.
    receipt = p.us.inbox.receive([envelopes[1]])
    assert receipt.applied == [] and receipt.next_seq == 1
    assert p.us.ex.records(["mx-firearm-1"]) == []
    receipt = p.us.inbox.receive(envelopes)
    assert receipt.applied == [1, 2] and receipt.next_seq == 3
    # Replayed: acknowledged, not applied again.
    receipt = p.us.inbox.receive(envelopes)
    assert receipt.duplicates == [1, 2] and receipt.applied == []
    assert p.us.ex.db.query("SELECT COUNT(*) FROM inbox")[0][0] == 2
    assert kinds(p.us.ex, "receipt") == 2


def test_tampered_or_misaddressed_envelopes_are_refused(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-firearm-0"])
    envelope = orjson.loads(p.mx.ex.db.query("SELECT envelope FROM outbox")[0][0])
    envelope["payload"]["records"][0]["properties"]["serialNumber"] = ["FORGED"]
    receipt = p.us.inbox.receive([envelope])
    assert receipt.error is not None and receipt.applied == []
    assert p.us.ex.records(["mx-firearm-0"]) == []
    # An envelope for the MX node itself is not accepted by the US node.
    own = orjson.loads(p.mx.ex.db.query("SELECT envelope FROM outbox")[0][0])
    own["header"]["recipient"] = p.mx.ex.identity.signing_fingerprint
    assert p.us.inbox.receive([own]).error is not None
    assert p.us.inbox.receive(["not an envelope", 3]).error is not None


def test_rfi_answered_partially_and_refused(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=2))
    rfi = send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "ATF-2026-17", "Who held SN00000X?")
    p.flush()
    incoming = get_request(p.mx.ex, rfi, "in")
    assert incoming is not None and incoming.state == "open" and incoming.deadline
    due = datetime.fromisoformat(incoming.deadline) - datetime.fromisoformat(incoming.created_at)
    assert timedelta(hours=47) < due <= timedelta(hours=48)
    answer_rfi(p.mx.ex, rfi, ["mx-firearm-0", "mx-person-0", "missing-id"])
    p.flush()
    sent = get_request(p.us.ex, rfi, "out")
    assert sent is not None and sent.state == "partially-answered" and sent.records == 2
    assert {r.id for r in p.us.ex.records(["mx-firearm-0", "mx-person-0"])} == {
        "mx-firearm-0",
        "mx-person-0",
    }
    second = send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "ATF-2026-18", "Anything else?")
    p.flush()
    refuse_rfi(p.mx.ex, second, "ongoing-investigation", note="Reserva de la investigación")
    p.flush()
    refused = get_request(p.us.ex, second, "out")
    assert refused is not None and refused.state == "refused"
    assert refused.reason == "ongoing-investigation"
    with pytest.raises(ExchangeError):
        refuse_rfi(p.mx.ex, second, "ongoing-investigation")  # no longer open
    with pytest.raises(ExchangeError):
        refuse_rfi(p.mx.ex, rfi, "made-up-reason")


def test_rfis_expire_after_their_deadline(pair_nodes: Pair) -> None:
    p = pair_nodes
    rfi = send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "C-9", "Trace request")
    p.flush()
    later = datetime.now(UTC) + timedelta(hours=49)
    assert expire_requests(p.mx.ex, later) == 1
    assert expire_requests(p.us.ex, later) == 1
    assert get_request(p.us.ex, rfi, "out").state == "expired"  # type: ignore[union-attr]
    assert expire_requests(p.us.ex, later) == 0


def test_recall_purges_at_the_recipient_and_is_confirmed(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=2))
    # The US node knows something of its own about one of the entities.
    load(p.us, [sample_entities("US", n=1)[0] | {"id": "mx-firearm-0"}], dataset="us-own")
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    p.flush()
    recall_id = recall(p.mx.ex, p.us.name, ["mx-firearm-0", "mx-person-1"], "Shared by mistake")
    p.flush()
    assert p.us.ex.records(["mx-person-1"]) == []
    kept = p.us.ex.records(["mx-firearm-0"])
    assert kept and {row[8] for row in kept[0].rows} == {"us-own"}
    assert (
        p.us.ex.db.query(
            "SELECT COUNT(*) FROM received WHERE entity_id IN ('mx-firearm-0', 'mx-person-1')"
        )[0][0]
        == 0
    )
    confirmed = p.mx.ex.db.query(
        "SELECT COUNT(*) FROM releases WHERE purge_confirmed_at IS NOT NULL"
    )[0][0]
    assert confirmed == 2
    assert get_request(p.mx.ex, recall_id, "out").state == "confirmed"  # type: ignore[union-attr]
    assert kinds(p.us.ex, "purge") == 1
    with pytest.raises(ExchangeError):
        recall(p.mx.ex, p.us.name, ["never-shared"], "x")


def test_received_data_keeps_originator_control(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    p.flush()
    # The US node cannot pass Mexico's data on (back to Mexico is the only other party, and
    # even that is refused: it is not the US node's to release).
    result = share(p.us.ex, p.mx.name, "firearms-trafficking", ["mx-firearm-0"])
    assert result.released == 0 and result.refused["originator-control"] == 1
    consent = request_consent(
        p.us.ex, p.mx.name, ["mx-firearm-0"], "judicial", "ATF-2026-17", "Indictment in W.D. Tex."
    )
    p.flush()
    answer_consent(p.mx.ex, consent, True)
    p.flush()
    assert get_request(p.us.ex, consent, "out").state == "granted"  # type: ignore[union-attr]
    rows = p.us.ex.db.query("SELECT entity_id, use FROM consents")
    assert rows == [("mx-firearm-0", "judicial")]


def test_termination_stops_the_flow_on_both_sides(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-firearm-0"])  # queued, not sent
    terminate(p.us.ex, p.agreement.id)
    with pytest.raises((ExchangeError, GateClosed)):
        share(p.us.ex, p.mx.name, "firearms-trafficking", ["anything"])
    p.flush()
    # The share queued before the US node terminated arrives after: it is kept, rejected.
    status = p.us.ex.db.query("SELECT kind, status FROM inbox ORDER BY seq")
    assert ("share", "rejected") in status
    assert p.us.ex.records(["mx-firearm-0"]) == []
    with pytest.raises((ExchangeError, GateClosed)):
        share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-firearm-0"])


def test_retention_deletes_and_records(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    p.flush()
    assert expire_retention(p.us.ex) == 0
    assert expire_retention(p.us.ex, date.today() + timedelta(days=731)) == 2
    assert p.us.ex.records(["mx-firearm-0", "mx-person-0"]) == []
    assert kinds(p.us.ex, "retention") == 1


def test_use_receipts_reach_the_originator(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    p.flush()
    sent = record_use(
        p.us.ex,
        ["mx-firearm-0"],
        use="view",
        role="analyst",
        purpose="firearms-trafficking",
        case="ATF-2026-17",
    )
    assert sent == 1
    p.flush()
    uses = p.mx.ex.audit.find(kind="use", limit=10)
    assert len(uses) == 1
    details = uses[0].details
    assert details["by"] == p.us.name and details["role"] == "analyst"
    assert details["agency"] == "ATF" and details["case"] == "ATF-2026-17"


def test_tree_heads_are_exchanged_and_verified(pair_nodes: Pair) -> None:
    from paridad.audit.verify import verify_partner_heads

    p = pair_nodes
    load(p.mx, sample_entities("MX", n=1))
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    send_tree_head(p.mx.ex, p.us.name)
    p.flush()
    share(p.mx.ex, p.us.name, "firearms-trafficking", ["mx-person-0"])
    send_tree_head(p.mx.ex, p.us.name)
    p.flush()
    heads = p.us.ex.db.query("SELECT size FROM partner_heads ORDER BY size")
    assert len(heads) == 2
    report = verify_partner_heads(p.us.ex.db, p.mx.name, p.mx.ex.identity.verify_key)
    assert report.ok


def test_reciprocity_figures(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.mx, sample_entities("MX", n=2))
    share(p.mx.ex, p.us.name, "firearms-trafficking", p.mx.ex.entity_ids())
    answered = send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "C-1", "Q1")
    refused = send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "C-2", "Q2")
    p.flush()
    answer_rfi(p.mx.ex, answered, ["mx-firearm-0"])
    refuse_rfi(p.mx.ex, refused, "legal-impediment")
    p.flush()
    mx = reciprocity(p.mx.ex)[0]
    us = reciprocity(p.us.ex)[0]
    assert mx.records_sent == 5 and us.records_received == 5
    assert mx.rfis_received.total == 2 and us.rfis_sent.total == 2
    assert us.rfis_sent.states == {"answered": 1, "refused": 1}
    assert us.rfis_sent.refusals == {"legal-impediment": 1}
    assert us.rfis_sent.answered_in_time == 2 and us.rfis_sent.median_hours is not None
    assert len(list_requests(p.us.ex, kind="rfi")) == 2


def test_the_agreements_rate_limit_holds_messages_back(pair_nodes: Pair) -> None:
    import copy

    from paridad.policy.agreement import parse_agreement

    p = pair_nodes
    document = copy.deepcopy(p.agreement.to_dict())
    document.pop("signatures")
    document.update(version=2, rate_limit_per_minute=2)
    amended = parse_agreement(document)
    amended = amended.sign(p.mx.name, p.mx.ex.identity).sign(p.us.name, p.us.ex.identity)
    for side in (p.mx, p.us):
        assert side.ex.install_agreement(amended)
    for question in ("Q1", "Q2", "Q3"):
        send_rfi(p.us.ex, p.mx.name, "firearms-trafficking", "C-1", question)
    p.flush()
    assert len(list_requests(p.mx.ex, direction="in")) == 2  # the third waits its turn
    pending = p.us.ex.db.query("SELECT attempts, last_error FROM outbox WHERE delivered_at IS NULL")
    assert len(pending) == 1 and pending[0][0] >= 1 and "Rate limit" in pending[0][1]
