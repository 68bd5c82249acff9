"""Building a package: the trace chain, custody, handling codes and the audit record."""

from __future__ import annotations

import orjson
import pytest

from paridad.i18n import translate
from paridad.prosecution.collect import MSG_UNKNOWN_CASE, UnknownCase
from paridad.prosecution.package import build_package, content_digest, split
from tests.exchange.conftest import Pair
from tests.prosecution.conftest import (
    CASE_NUMBER,
    DEALER_NAME,
    PURCHASER_BIRTH,
    PURCHASER_NAME,
    grant_judicial_consent,
)


def sections(package: dict[str, object]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in package["items"]:  # type: ignore[attr-defined]
        out.setdefault(item["section"], []).append(item["id"])
    return out


def item(package: dict[str, object], entity_id: str) -> dict[str, object]:
    found = [i for i in package["items"] if i["id"] == entity_id]  # type: ignore[attr-defined]
    assert len(found) == 1, entity_id
    return found[0]  # type: ignore[no-any-return]


def test_trace_chain_by_case_number_withholds_h1_without_consent(case_pair: Pair) -> None:
    package = build_package(case_pair.mx.ex, CASE_NUMBER)
    got = sections(package)
    assert got["case"] == ["mx-case-1"] and got["recoveries"] == ["mx-rec-1"]
    assert got["traces"] == ["mx-trace-1"] and got["acquisitions"] == ["us-acq-1"]
    assert set(got["firearms"]) == {"mx-fa-1", "us-fa-1"}
    assert got["parties"] == ["us-dealer-1"]
    # The purchaser is withheld, and the walk does not go through it: no purchase history,
    # no link that only the purchaser leads to.
    assert package["withheld"] == [{"id": "us-person-1", "code": "no-judicial-consent"}]
    assert "purchase_history" not in got and "mx-link-1" not in got.get("links", [])
    dump = orjson.dumps(package).decode()
    assert PURCHASER_NAME not in dump and PURCHASER_BIRTH not in dump and "Quintanilla" not in dump
    assert DEALER_NAME in dump


def test_judicial_consent_on_record_lets_the_purchaser_in(case_pair: Pair) -> None:
    request = grant_judicial_consent(case_pair, ["us-person-1"])
    package = build_package(case_pair.mx.ex, "mx-case-1")  # the joint case id works too
    got = sections(package)
    assert package["withheld"] == []
    assert set(got["parties"]) == {"us-dealer-1", "us-person-1"}
    assert got["purchase_history"] == ["us-acq-2"]
    assert {"mx-link-1", "mx-org-1"} <= set(got["links"])
    person = item(package, "us-person-1")
    assert person["properties"]["name"] == [PURCHASER_NAME]  # type: ignore[index]
    consent = person["custody"]["consent"]  # type: ignore[index]
    assert consent["originator"] == case_pair.us.name and consent["request"] == request
    entry = case_pair.mx.ex.audit.entry(consent["audit_entry"])
    assert entry is not None and entry.kind == "consent" and entry.details["request"] == request


def test_custody_names_the_envelope_or_the_ingest_run_and_the_audit_entry(
    case_pair: Pair,
) -> None:
    package = build_package(case_pair.mx.ex, CASE_NUMBER)
    acquisition = item(package, "us-acq-1")["custody"]
    assert acquisition["origin_country"] == "US" and acquisition["origin_agency"] == "ATF"  # type: ignore[index]
    assert "Tratado" in acquisition["legal_basis"]  # type: ignore[index]
    (source,) = acquisition["sources"]  # type: ignore[index]
    assert source["how"] == "received" and source["received"]["partner"] == case_pair.us.name
    assert source["received"]["stream"] == f"{case_pair.us.name}>{case_pair.mx.name}"
    receipt = case_pair.mx.ex.audit.entry(source["audit_entry"])
    assert receipt is not None and receipt.kind == "receipt"
    assert receipt.details["seq"] == source["received"]["sequence"]
    assert receipt.details["envelope_sha256"] == source["received"]["envelope_sha256"]
    recovery = item(package, "mx-rec-1")["custody"]
    (local,) = recovery["sources"]  # type: ignore[index]
    assert local["how"] == "ingested" and local["dataset"] == "fgr-cases"
    assert local["ingest_run"]["source"] == "fgr-cortafuegos.jsonl"
    loaded = case_pair.mx.ex.audit.entry(local["audit_entry"])
    assert loaded is not None and loaded.kind == "ingest" and loaded.actor == "fgr-operator"
    assert loaded.details["digest"] == local["ingest_run"]["digest"]
    assert local["audit_entry"] in {e["idx"] for e in package["audit"]["entries"]}  # proved
    assert "caseNumber" in local["properties"] and local["statements"]


def test_the_build_is_recorded_and_proved_and_the_originator_told(case_pair: Pair) -> None:
    ex = case_pair.mx.ex
    package = build_package(ex, CASE_NUMBER, actor="fiscal-7")
    content, audit = split(package)
    build = ex.audit.entry(audit["build_entry"])
    assert build is not None and build.kind == "export" and build.actor == "fiscal-7"
    assert build.details["content_sha256"] == content_digest(content)
    assert build.details["package"] == package["id"]
    proved = {e["idx"] for e in audit["entries"]}
    assert build.idx in proved and audit["head"]["size"] > max(proved)
    # ATF hears that its data was used in a judicial product, for which case.
    case_pair.flush()
    uses = [e for e in case_pair.us.ex.audit.find(kind="use") if e.actor == case_pair.mx.name]
    assert uses and uses[0].details["case"] == CASE_NUMBER
    assert "us-acq-1" in uses[0].details["entities"]


def test_unknown_case_is_a_translated_error(case_pair: Pair) -> None:
    with pytest.raises(UnknownCase) as caught:
        build_package(case_pair.mx.ex, "NO-SUCH-CASE")
    assert caught.value.msgid == MSG_UNKNOWN_CASE
    assert caught.value.localized("es") == translate(MSG_UNKNOWN_CASE, "es", case="NO-SUCH-CASE")
    assert "NO-SUCH-CASE" in caught.value.localized("en")
    before = case_pair.mx.ex.audit.size()
    with pytest.raises(UnknownCase):
        build_package(case_pair.mx.ex, "  ")
    assert case_pair.mx.ex.audit.size() == before  # nothing recorded for a case that is not
