"""The release gate lets through only what the agreement and the originator allow.

Unit tests pin each rule and each way the whole flow closes; property-based tests generate
agreements, markings and entities whose every value is a unique marker, and prove on the
serialized output that nothing crosses which should not.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.exchange.identity import NodeIdentity
from paridad.ingest.records import entity_from_dict
from paridad.model.markings import Markings
from paridad.model.vocabularies import vocabulary
from paridad.policy.agreement import Agreement, parse_agreement
from paridad.policy.release_gate import (
    AGREEMENT_NOT_IN_FORCE,
    HANDLING_NOT_ALLOWED,
    NO_FLOW,
    NOT_RELEASABLE,
    NOTHING_ALLOWED,
    ORIGINATOR_CONTROL,
    PURPOSE_NOT_AGREED,
    PURPOSE_NOT_MARKED,
    RETENTION_EXPIRED,
    SCHEMA_NOT_AGREED,
    TLP_TOO_HIGH,
    GateClosed,
    Refused,
    Released,
    ReleaseGate,
)
from paridad.store.base import EntityRecord
from tests.conftest import MARKINGS, entity

MX, US = NodeIdentity.generate(), NodeIdentity.generate()
TODAY = date(2026, 6, 1)
PURPOSE = "firearms-trafficking"
PARTIES = {"mx-fgr": ("MX", "FGR", MX), "us-atf": ("US", "ATF", US)}


def document(flows: dict[str, Any], **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "mx-fgr--us-atf--cortafuegos",
        "version": 1,
        "status": "active",
        "parties": [
            {
                "node": node,
                "country": country,
                "agency": agency,
                "signing_key": base64.b64encode(bytes(identity.verify_key)).decode(),
            }
            for node, (country, agency, identity) in PARTIES.items()
        ],
        "purposes": [PURPOSE, "money-laundering"],
        "legal_basis": "Tratado de Asistencia Jurídica Mutua MX-US (1987), art. 1",
        "valid_from": date(2026, 1, 1),
        "valid_until": date(2027, 1, 1),
        "flows": flows,
    }
    doc.update(changes)
    return doc


def signed(doc: dict[str, Any]) -> Agreement:
    return parse_agreement(doc).sign("mx-fgr", MX).sign("us-atf", US)


FLOW = {
    "schemata": {
        "Firearm": ["serialNumber", "make", "model", "caliber"],
        "Person": ["name"],
    },
    "handling": ["H0", "H1", "H2"],
    "max_tlp": "AMBER",
    "retention_days": 365,
}
AGREEMENT = signed(document({"mx-fgr->us-atf": FLOW}))


def gate(agreement: Agreement = AGREEMENT, **changes: Any) -> ReleaseGate:
    args: dict[str, Any] = {
        "sender": "mx-fgr",
        "sender_country": "MX",
        "recipient": "us-atf",
        "purpose": PURPOSE,
        "today": TODAY,
    }
    args.update(changes)
    return ReleaseGate(agreement, **args)


def record(entity_id: str, schema: str, markings: dict[str, Any], **props: Any) -> EntityRecord:
    """A record as ingest makes it, so the gate sees the rows a store would hold."""
    data = entity(entity_id, schema, {**MARKINGS, **markings}, **props)
    return entity_from_dict(data, "test", "2026-05-01T00:00:00", "test")


def firearm(entity_id: str = "f1", **markings: Any) -> EntityRecord:
    return record(
        entity_id,
        "Firearm",
        markings,
        serialNumber=["XK-1234", "XK-1234", "AB-0001"],
        make="Colt",
        notes="seized in Tamaulipas",
    )


def test_only_allowed_properties_cross_deduplicated_and_sorted() -> None:
    released = gate().release(firearm())
    assert isinstance(released, Released)
    assert released.properties == {"make": ["Colt"], "serialNumber": ["AB-0001", "XK-1234"]}
    payload = orjson.loads(orjson.dumps(released.to_payload()))
    assert payload["id"] == "f1" and payload["schema"] == "Firearm"
    assert payload["markings"]["origin_country"] == "MX"
    assert "Tamaulipas" not in orjson.dumps(payload).decode()


def test_retention_is_capped_by_the_agreement_and_markings_otherwise_kept() -> None:
    original = firearm().markings
    released = gate().release(firearm())
    assert isinstance(released, Released)
    assert released.markings.retain_until == TODAY + timedelta(days=365) < original.retain_until
    assert released.markings.to_dict() | {"retain_until": None} == original.to_dict() | {
        "retain_until": None
    }
    soon = firearm(retain_until="2026-07-01")
    kept = gate().release(soon)
    assert isinstance(kept, Released) and kept.markings is soon.markings


@pytest.mark.parametrize(
    ("rec", "code"),
    [
        (record("v1", "Vehicle", {}, registrationNumber="ABC-123"), SCHEMA_NOT_AGREED),
        (record("p1", "Company", {}, name="Armas del Norte SA"), SCHEMA_NOT_AGREED),
        (firearm(purpose=["money-laundering"]), PURPOSE_NOT_MARKED),
        (firearm(handling="H3"), HANDLING_NOT_ALLOWED),
        (firearm(tlp="AMBER+STRICT"), TLP_TOO_HIGH),
        (firearm(tlp="RED"), TLP_TOO_HIGH),
        (firearm(releasability=["MX"]), NOT_RELEASABLE),
        (firearm(releasability=["MX", "GT"]), NOT_RELEASABLE),
        (firearm(retain_until=TODAY - timedelta(days=1)), RETENTION_EXPIRED),
        (firearm(origin_country="GT", releasability=["GT", "US"]), ORIGINATOR_CONTROL),
        (
            firearm(origin_country="US", origin_agency="ATF", releasability=["US"]),
            ORIGINATOR_CONTROL,
        ),
        (firearm(handling="H2", origin_agency="SSPC"), ORIGINATOR_CONTROL),
        (record("f9", "Firearm", {}, notes="only notes"), NOTHING_ALLOWED),
    ],
)
def test_each_rule_refuses_with_its_code(rec: EntityRecord, code: str) -> None:
    assert gate().release(rec) == Refused(rec.id, code)
    assert code in vocabulary("refusal")


def test_limits_are_inclusive() -> None:
    assert isinstance(gate().release(firearm(tlp="AMBER")), Released)
    assert isinstance(gate().release(firearm(retain_until=TODAY)), Released)


def test_h2_binds_only_data_the_sender_did_not_originate() -> None:
    assert isinstance(gate().release(firearm(handling="H2")), Released)
    assert isinstance(gate().release(firearm(handling="H2", origin_agency="fgr")), Released)
    # Another Mexican agency's H0 data is the node's to share; its H2 data is not.
    assert isinstance(gate().release(firearm(origin_agency="SSPC")), Released)
    sspc = firearm("f2", handling="H2", origin_agency="SSPC")
    assert gate().release(sspc) == Refused("f2", ORIGINATOR_CONTROL)
    assert isinstance(gate(consents=frozenset({"f2"})).release(sspc), Released)


def test_consent_on_record_lets_a_partners_data_go_onward_under_its_markings() -> None:
    foreign = firearm("f3", origin_country="GT", origin_agency="MP", releasability=["GT", "US"])
    assert gate(consents=frozenset({"other"})).release(foreign) == Refused("f3", ORIGINATOR_CONTROL)
    released = gate(consents=frozenset({"f3"})).release(foreign)
    assert isinstance(released, Released)
    assert released.markings.origin_country == "GT" and released.markings.origin_agency == "MP"


def test_release_all_sorts_every_record_into_one_list_in_order() -> None:
    records = [firearm("a"), firearm("b", tlp="RED"), firearm("c"), firearm("d", handling="H3")]
    released, refused = gate().release_all(records)
    assert [r.entity_id for r in released] == ["a", "c"]
    assert refused == [Refused("b", TLP_TOO_HIGH), Refused("d", HANDLING_NOT_ALLOWED)]


def test_the_gate_exposes_what_it_enforces() -> None:
    opened = gate()
    assert opened.agreement is AGREEMENT
    assert opened.flow.max_tlp == "AMBER" and opened.flow.recipient == "us-atf"
    assert opened.recipient == "us-atf" and opened.recipient_country == "US"
    assert opened.purpose == PURPOSE


def test_a_terminated_agreement_stops_everything_at_once() -> None:
    assert isinstance(gate().release(firearm()), Released)
    terminated = signed(document({"mx-fgr->us-atf": FLOW}, status="terminated", version=2))
    with pytest.raises(GateClosed) as err:
        gate(terminated)
    assert err.value.code == AGREEMENT_NOT_IN_FORCE
    assert "terminated" in err.value.localized("en")


def _tampered() -> Agreement:
    # A deep copy: to_dict() shares the nested flows with the signed agreement's document.
    doc = copy.deepcopy(AGREEMENT.to_dict())
    doc["flows"]["mx-fgr->us-atf"]["max_tlp"] = "RED"
    return parse_agreement(doc)


@pytest.mark.parametrize(
    ("agreement", "changes", "code", "says"),
    [
        (AGREEMENT, {"today": date(2027, 1, 2)}, AGREEMENT_NOT_IN_FORCE, "expired on 2027-01-01"),
        (AGREEMENT, {"today": date(2025, 12, 31)}, AGREEMENT_NOT_IN_FORCE, "takes effect on"),
        (
            parse_agreement(document({"mx-fgr->us-atf": FLOW})).sign("mx-fgr", MX),
            {},
            AGREEMENT_NOT_IN_FORCE,
            "not validly signed",
        ),
        (_tampered(), {}, AGREEMENT_NOT_IN_FORCE, "not validly signed"),
        (AGREEMENT, {"recipient": "co-fgn"}, NO_FLOW, "co-fgn is not a party"),
        (AGREEMENT, {"sender_country": "GT"}, NO_FLOW, "is a node of MX, not of GT"),
        (
            AGREEMENT,
            {"sender": "us-atf", "sender_country": "US", "recipient": "mx-fgr"},
            NO_FLOW,
            "no flow from us-atf to mx-fgr",
        ),
        (AGREEMENT, {"recipient": "mx-fgr"}, NO_FLOW, "no flow from mx-fgr to mx-fgr"),
        (AGREEMENT, {"purpose": "extradition"}, PURPOSE_NOT_AGREED, "extradition is not a purpose"),
    ],
)
def test_the_gate_closes_on_the_flow_as_a_whole(
    agreement: Agreement, changes: dict[str, Any], code: str, says: str
) -> None:
    with pytest.raises(GateClosed) as err:
        gate(agreement, **changes)
    assert err.value.code == code
    assert code in vocabulary("refusal")
    assert says in err.value.localized("en")
    assert agreement.id in err.value.localized("es")


def test_the_refusal_vocabulary_also_gives_analysts_reasons_to_refuse_a_request() -> None:
    refusal = vocabulary("refusal")
    for code in (
        "no-records",
        "ongoing-investigation",
        "legal-impediment",
        "insufficient-basis",
        "outside-agreement",
        "deadline-impossible",
        "other",
    ):
        assert refusal.term(code).label("es") != refusal.term(code).label("en")


# --- Properties: generated agreements, markings and entities whose values are all markers. ---

PROPERTIES: dict[str, tuple[str, ...]] = {
    "Person": ("name", "alias", "idNumber", "passportNumber", "notes"),
    "Firearm": ("serialNumber", "make", "model", "caliber", "notes"),
    "BankAccount": ("accountNumber", "bankName", "name", "notes"),
    "Company": ("name", "alias", "registrationNumber", "taxNumber", "notes"),
}
SCHEMATA = tuple(PROPERTIES)
HANDLING = vocabulary("handling").codes
TLPS = vocabulary("tlp").codes
PURPOSES = vocabulary("purpose").codes
COUNTRIES = ("MX", "US", "GT", "CO")
AGENCIES = ("FGR", "ATF", "SSPC", "MP")
# Same length, one alphabet, a prefix found nowhere else: a marker is a substring of the output
# only where that very value was written.
MARKER = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=12).map(
    lambda s: f"zqx{s}"
)


def _subset(items: tuple[str, ...], min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), min_size=min_size, unique=True)


@dataclass
class Scenario:
    agreement: Agreement
    sender: str
    recipient: str
    purpose: str
    today: date
    consents: frozenset[str]
    records: list[EntityRecord]


def _pick(draw: st.DrawFn, within: bool, allowed: Iterable[str], every: tuple[str, ...]) -> str:
    return draw(st.sampled_from(tuple(allowed) if within else every))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    sender, recipient = draw(st.permutations(list(PARTIES)))
    flows = {
        f"{sender}->{recipient}": {
            "schemata": draw(
                st.fixed_dictionaries({}, optional={s: _subset(PROPERTIES[s]) for s in SCHEMATA})
            ),
            "handling": draw(_subset(HANDLING, min_size=1)),
            "max_tlp": draw(st.sampled_from(TLPS)),
            "retention_days": draw(st.integers(1, 3650)),
        }
    }
    valid_from = date(2026, 1, 1)
    agreement = signed(
        document(
            flows,
            purposes=draw(_subset(PURPOSES, min_size=1)),
            status=draw(st.sampled_from(["active"] * 9 + ["terminated"])),
            valid_from=valid_from,
            valid_until=valid_from + timedelta(days=365),
        )
    )
    today = valid_from + timedelta(days=draw(st.integers(-20, 385)))
    purpose = draw(st.sampled_from(agreement.purposes) | st.sampled_from(PURPOSES))
    flow = agreement.flow(sender, recipient)
    assert flow is not None
    home, there = PARTIES[sender][0], PARTIES[recipient][0]
    max_rank = vocabulary("tlp").rank(flow.max_tlp)
    n = draw(st.integers(1, 8))
    ids = [f"e{i}" for i in range(n)]
    markers = iter(draw(st.lists(MARKER, min_size=6 * n, max_size=6 * n, unique=True)))
    records = []
    for entity_id in ids:
        # Half the entities are drawn within what the flow allows, so that many cross; the
        # other half from everything, so that every rule gets broken.
        within = draw(st.booleans())
        schema = _pick(draw, within, flow.properties or SCHEMATA, SCHEMATA)
        origin = _pick(draw, within, [home], COUNTRIES)
        props: dict[str, list[str]] = {}
        for _ in range(draw(st.integers(1, 6))):
            props.setdefault(draw(st.sampled_from(PROPERTIES[schema])), []).append(next(markers))
        markings = {
            "origin_country": origin,
            "origin_agency": draw(st.sampled_from(AGENCIES)),
            "handling": _pick(draw, within, sorted(flow.handling), HANDLING),
            "tlp": _pick(draw, within, TLPS[: max_rank + 1], TLPS),
            "releasability": [origin, *([there] if within else []), *draw(_subset(COUNTRIES))],
            "purpose": [*([purpose] if within else []), *draw(_subset(PURPOSES, min_size=1))],
            "retain_until": today + timedelta(days=draw(st.integers(0 if within else -30, 4000))),
        }
        records.append(record(entity_id, schema, markings, **props))
    consents = frozenset(draw(_subset(tuple(ids))))
    return Scenario(agreement, sender, recipient, purpose, today, consents, records)


@dataclass
class Outcome:
    released: list[Released]
    refused: list[Refused]
    closed: GateClosed | None
    text: str  # everything the gate produced, serialized, in both languages where it speaks


def run(scenario: Scenario) -> Outcome:
    country = PARTIES[scenario.sender][0]
    try:
        opened = ReleaseGate(
            scenario.agreement,
            scenario.sender,
            country,
            scenario.recipient,
            scenario.purpose,
            scenario.today,
            scenario.consents,
        )
    except GateClosed as closed:
        text = " ".join([closed.localized("en"), closed.localized("es"), str(closed)])
        text += orjson.dumps(closed.as_record()).decode()
        return Outcome([], [], closed, text)
    released, refused = opened.release_all(scenario.records)
    text = orjson.dumps(
        {
            "released": [r.to_payload() for r in released],
            "refused": [asdict(r) for r in refused],
        }
    ).decode()
    text += " ".join(repr(r) for r in (*released, *refused))
    return Outcome(released, refused, None, text)


def _flow_properties(scenario: Scenario) -> dict[str, frozenset[str]]:
    flow = scenario.agreement.flow(scenario.sender, scenario.recipient)
    assert flow is not None
    return dict(flow.properties)


GENERATED = settings(max_examples=150, deadline=None)


@GENERATED
@given(scenarios())
def test_released_values_belong_to_allowed_properties(scenario: Scenario) -> None:
    outcome = run(scenario)
    allowed = _flow_properties(scenario)
    where = {row[5]: (row[2], row[3]) for rec in scenario.records for row in rec.rows}
    by_id = {rec.id: rec for rec in scenario.records}
    for released in outcome.released:
        payload = orjson.loads(orjson.dumps(released.to_payload()))
        for prop, values in payload["properties"].items():
            assert prop in allowed[payload["schema"]]
            assert values == sorted(set(values))
            for value in values:
                assert where[value] == (payload["schema"], prop)
        # …and all of them: the gate withholds no value the flow allows.
        expected: dict[str, set[str]] = {}
        for row in by_id[released.entity_id].rows:
            if row[3] in allowed[released.schema]:
                expected.setdefault(row[3], set()).add(row[5])
        assert {p: set(v) for p, v in payload["properties"].items()} == expected


@GENERATED
@given(scenarios())
def test_nothing_refused_or_disallowed_appears_anywhere(scenario: Scenario) -> None:
    outcome = run(scenario)
    released_ids = {r.entity_id for r in outcome.released}
    allowed = {} if outcome.closed else _flow_properties(scenario)
    assert len(outcome.released) + len(outcome.refused) == (
        0 if outcome.closed else len(scenario.records)
    )
    refusal = vocabulary("refusal")
    assert all(r.code in refusal for r in outcome.refused)
    assert outcome.closed is None or outcome.closed.code in refusal
    for rec in scenario.records:
        for row in rec.rows:
            crosses = rec.id in released_ids and row[3] in allowed.get(rec.schema, ())
            assert (row[5] in outcome.text) == crosses, (rec.id, row[3])


@GENERATED
@given(scenarios())
def test_released_markings_are_never_looser_than_the_originators(scenario: Scenario) -> None:
    outcome = run(scenario)
    if outcome.closed:
        return
    flow = scenario.agreement.flow(scenario.sender, scenario.recipient)
    assert flow is not None
    tlp = vocabulary("tlp")
    recipient_country = PARTIES[scenario.recipient][0]
    cap = scenario.today + timedelta(days=flow.retention_days)
    originals: dict[str, Markings] = {rec.id: rec.markings for rec in scenario.records}
    for released in outcome.released:
        original, got = originals[released.entity_id], released.markings
        assert got.retain_until <= original.retain_until and got.retain_until <= cap
        assert got.retain_until >= scenario.today
        assert {**got.to_dict(), "retain_until": ""} == {**original.to_dict(), "retain_until": ""}
        # What it crossed under is what the agreement and the originator allow.
        assert got.handling in flow.handling
        assert tlp.rank(got.tlp) <= tlp.rank(flow.max_tlp)
        assert recipient_country in got.releasability
        assert scenario.purpose in got.purpose
        originated = got.origin_country == PARTIES[scenario.sender][0] and (
            got.handling != "H2" or got.origin_agency == PARTIES[scenario.sender][1]
        )
        assert originated or released.entity_id in scenario.consents
